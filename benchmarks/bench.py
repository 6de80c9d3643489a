"""Start-up shared by the benchmark scripts: a store of their own, Django, and common figures.

Import it first (`import bench`), before anything of Django's. Every benchmark drops and seeds
the demo collections, so by default it runs on a throw-away SecantusDB server on a free port (as
the test suite does), with its data in a temporary directory that is measured (`store_figures`)
and removed at exit: never var/store/ and never a user's MongoDB. Set BENCHMARK_MONGODB_URI to
measure another server instead (its demo, county and participants collections are replaced).
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")

from pymongo import monitoring  # noqa: E402

from empowersave import localstore  # noqa: E402 - reads no Django settings

PRODUCTION_ROWS = 129_483
PRODUCTION_PARCELS = 300_000

_STORE_DIR = None
_SERVER = None


def _start_store():
    """Our own server is the local store as far as the settings go (LOCAL_STORE_PORT), so the
    demo seeding it runs needs no --allow-real-mongodb; BENCHMARK_MONGODB_URI is someone's."""
    global _STORE_DIR, _SERVER
    os.environ.pop("SOURCE_MONGODB_URI", None)
    uri = os.environ.get("BENCHMARK_MONGODB_URI")
    if uri:
        os.environ["MONGODB_URI"] = uri
        return
    os.environ.pop("MONGODB_URI", None)
    _STORE_DIR = tempfile.mkdtemp(prefix="benchmark-store-")
    context = localstore.start_ephemeral(storage_path=_STORE_DIR)
    _SERVER = context.__enter__()
    atexit.register(shutil.rmtree, _STORE_DIR, ignore_errors=True)
    atexit.register(context.__exit__, None, None, None)
    os.environ["LOCAL_STORE_PORT"] = str(_SERVER.port)


class _DriverWatch(monitoring.ServerHeartbeatListener, monitoring.ConnectionPoolListener):
    """The driver's heartbeats to the store and its pool resets, over the whole benchmark.

    A heartbeat is a `hello` on a monitoring connection whose socket timeout is
    connectTimeoutMS (MONGODB_CONNECT_TIMEOUT_MS, 60 s; see empowersave.mongodb): should the
    server leave one unanswered that long (busy with a long query), the heartbeat fails and the
    driver clears its connection pool, failing the operations in flight. `heartbeat_figures`
    says whether that happened.
    """

    def __init__(self):
        self.answered, self.slowest, self.failures, self.pool_clears = 0, 0.0, [], 0
        self.cancelled = 0

    def started(self, event):
        pass

    def succeeded(self, event):
        self.answered += 1
        if not event.awaited:  # an awaited (streaming) hello waits for news on purpose
            self.slowest = max(self.slowest, event.duration)  # seconds

    def failed(self, event):
        if type(event.reply).__name__ == "_OperationCancelled":
            self.cancelled += 1  # the client closed or reset its monitor: not a timeout
        else:
            self.failures.append(f"{event.duration:.1f} s: {event.reply!r}"[:200])

    def pool_cleared(self, event):
        self.pool_clears += 1

    # The other pool events are not counted.
    def pool_created(self, event):
        pass

    pool_ready = pool_closed = connection_created = connection_ready = pool_created
    connection_closed = connection_check_out_started = connection_check_out_failed = pool_created
    connection_checked_out = connection_checked_in = pool_created


_WATCH = _DriverWatch()
monitoring.register(_WATCH)


def heartbeat_figures():
    """A line on the driver's heartbeats to the store (see _DriverWatch)."""
    failed = f", first: {_WATCH.failures[0]}" if _WATCH.failures else ""
    return (
        f"driver heartbeats: {_WATCH.answered:,} answered, slowest {_WATCH.slowest:.2f} s, "
        f"{len(_WATCH.failures)} failed{failed} ({_WATCH.cancelled} cancelled); "
        f"connection pool cleared {_WATCH.pool_clears}x"
    )


_start_store()

import django  # noqa: E402

django.setup()


def rss_mb(pid="self"):
    """Resident set size of a process (Linux /proc), in MB."""
    with open(f"/proc/{pid}/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds():
    """(this process, the store server) CPU seconds used so far (user + system); the server's
    is None on BENCHMARK_MONGODB_URI. Unlike wall time, hardly changed by other jobs' load."""
    server = None
    if _SERVER is not None:
        with open(f"/proc/{_SERVER.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    times = os.times()
    return times.user + times.system, server


def cpu_since(before):
    """A line: the CPU seconds used since `before` (a `cpu_seconds()`), and the load average."""
    own, server = cpu_seconds()
    line = f"CPU: this process {own - before[0]:.1f} s"
    if server is not None:
        line += f", store server {server - before[1]:.1f} s"
    return f"{line}; 1-minute load average {os.getloadavg()[0]:.1f}"


def peak_rss_mb():
    """This process's high-water mark, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _disk_mb(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def store_figures():
    """Lines with the store server's memory and disk use (our own server only) and the driver's
    heartbeats."""
    if _SERVER is None:
        return f"store: BENCHMARK_MONGODB_URI (memory and disk not measured)\n{heartbeat_figures()}"
    return (
        f"store server: RSS {rss_mb(_SERVER.pid):,.0f} MB, "
        f"data on disk {_disk_mb(_STORE_DIR):,.0f} MB\n{heartbeat_figures()}"
    )
