#!/usr/bin/env python
import os
import sys

from pymongo.errors import ConnectionFailure


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ConnectionFailure as error:  # the store died or never answered: a line, no traceback
        from empowersave.mongodb import unreachable_message

        sys.stderr.write(
            f"error: {unreachable_message(error)} The command stopped; run it again once the "
            "store answers.\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
