"""Failures and races injected at the store boundary: pymongo's own `Collection.bulk_write`.

A test says which collection fails and how; the code under test sees what a real server (or a
killed process) would give it, whatever its own functions are called.
"""

from pymongo.collection import Collection


class Killed(BaseException):
    """The process died here (a BaseException, as KeyboardInterrupt: nothing catches it)."""


class StoreFaults:
    """Rules applied, in order, to every `bulk_write` on a named collection."""

    def __init__(self, monkeypatch):
        self._rules = []
        real = Collection.bulk_write

        def bulk_write(collection, requests, *args, **kwargs):
            requests = list(requests)
            for name, rule in self._rules:
                if name == collection.name:
                    requests = rule(requests)
            return real(collection, requests, *args, **kwargs)

        monkeypatch.setattr(Collection, "bulk_write", bulk_write)

    def kill_after(self, collection_name, writes):
        """From now on, the process dies at the bulk write on the collection that follows the
        next `writes` ones."""
        seen = []

        def rule(requests):
            seen.append(len(requests))
            if len(seen) > writes:
                raise Killed(f"killed at bulk write {len(seen)} on {collection_name}")
            return requests

        self._rules.append((collection_name, rule))

    def lose_first_request(self, collection_name):
        """From now on, every bulk write on the collection silently loses its first request."""
        self._rules.append((collection_name, lambda requests: requests[1:]))

    def race(self, collection_name, other_writer):
        """Another writer gets in first: `other_writer()` runs just before the next bulk write
        on the collection (once)."""
        pending = [other_writer]

        def rule(requests):
            while pending:
                pending.pop()()
            return requests

        self._rules.append((collection_name, rule))

    def clear(self):
        """From now on the store works again."""
        self._rules.clear()
