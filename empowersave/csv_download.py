"""CSV downloads of the site: streamed line by line, values written exactly as they are.

A value is written as stored (a phone number stays `+13803405187`, a ZIP `02134`), None as an
empty cell. The one exception guards spreadsheets: a text cell that one would run as a formula
(it starts with =, +, -, @, a tab or a carriage return and is not simply a number such as
`+13803405187` or `-12.5`) gets a leading apostrophe.
"""

import csv
import itertools
import re

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value):
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class _Echo:
    """csv.writer target that hands each line straight to the streaming response."""

    def write(self, value):
        return value


def _csv_lines(header, rows):
    writer = csv.writer(_Echo())
    try:
        for row in itertools.chain([header], rows):
            yield writer.writerow([csv_cell(value) for value in row])
    finally:  # the response closes this generator, also when the client goes away
        if hasattr(rows, "close"):
            rows.close()


def csv_download(*, header, rows, filename):
    """A CSV attachment streamed line by line: the header, then each row as it is produced.

    `rows` is closed (when it can be) once the response ends, finished or not.
    """
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
