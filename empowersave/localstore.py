"""The local store: a SecantusDB server (MongoDB wire protocol) that `./run` starts and stops.

SecantusDB (PyPI `secantusdb`, GPL-2.0) runs as a separate process; the project only talks to it
over the wire with pymongo, as it would to any MongoDB. It binds 127.0.0.1 only. Its data, log and
pid file live under one directory (`LOCAL_STORE_DIR`, default `var/store/`):

    var/store/data/          WiredTiger files (persist across processes and restarts)
    var/store/secantusd.log  the server's log
    var/store/secantusd.pid  the running server's pid

This module is used from `./run` (`python -m empowersave.localstore start|stop|status|ensure`),
by the test suite and the benchmarks (`start_ephemeral`: an in-memory server on a free port). It
never hangs: every wait has a deadline, and a taken port, a dead server or a server that exits
while starting is reported with the log's last lines. Measured here: a server starts and answers
in about 1.5 s.

It reads no Django settings, so `./run` can use it before Django is configured.
"""

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 27217  # not MongoDB's 27017, so a real mongod on this machine is never mistaken
DEFAULT_DIR = BASE_DIR / "var" / "store"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
SERVER_COMMAND = "secantusd-py"
# A standalone server keeps no oplog: the project uses no change streams, sessions or
# transactions, and as the default replica set of one SecantusDB writes every inserted document
# a second time, into its oplog (with a diff of every update). Measured at full scale (32,655
# participants, load 4-8): the migration's writes cost the server 17.7 s of CPU with the oplog,
# 6.7 s without (inserting the participants 7.5 s against 3.5 s, their listing 5.6 s against
# 2.2 s).
SERVER_OPTIONS = ("--standalone",)
# Put first on the server's PYTHONPATH: its sitecustomize tunes the server's garbage collector
# (see there for why and what it saves).
SERVER_SITE = Path(__file__).resolve().parent / "store_site"


class StoreError(Exception):
    """The local store cannot be started, reached or stopped; the message says why."""


@dataclass(frozen=True)
class LocalStore:
    """Where one local server keeps its files and which port it answers on."""

    directory: Path
    port: int

    @classmethod
    def from_environment(cls):
        directory = Path(os.environ.get("LOCAL_STORE_DIR") or DEFAULT_DIR)
        if not directory.is_absolute():
            directory = BASE_DIR / directory
        return cls(
            directory=directory, port=int(os.environ.get("LOCAL_STORE_PORT") or DEFAULT_PORT)
        )

    @property
    def data_dir(self):
        return self.directory / "data"

    @property
    def log_file(self):
        return self.directory / "secantusd.log"

    @property
    def pid_file(self):
        return self.directory / "secantusd.pid"

    @property
    def uri(self):
        return local_uri(self.port)


def local_uri(port):
    """The MongoDB URI of a local server on `port` (one node: connect to it directly)."""
    return f"mongodb://{HOST}:{port}/?directConnection=true"


def server_executable():
    """`secantusd-py` beside this interpreter (the project's venv), else on PATH."""
    beside = Path(sys.executable).with_name(SERVER_COMMAND)
    found = str(beside) if beside.exists() else shutil.which(SERVER_COMMAND)
    if not found:
        raise StoreError(
            f"{SERVER_COMMAND} is not installed; it comes with the `secantusdb` package in "
            "requirements.txt (./run installs it)."
        )
    return found


def port_in_use(port):
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def answers(port, *, timeout=2.0):
    """Whether a MongoDB-wire server on `port` answers `ping` within `timeout` seconds."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    client = MongoClient(
        local_uri(port),
        serverSelectionTimeoutMS=int(timeout * 1000),
        connectTimeoutMS=int(timeout * 1000),
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def _alive(pid):
    """Whether `pid` runs (a child of this process that exited is reaped, not a zombie)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _running_pid(store):
    """The pid in the pid file when that process is alive, else None (a stale file is removed).

    The file holds "pid port"; a server of this directory on another port is an error.
    """
    try:
        pid, port = (int(word) for word in store.pid_file.read_text().split())
    except (FileNotFoundError, ValueError):
        return None
    if not _alive(pid):
        store.pid_file.unlink(missing_ok=True)
        return None
    if port != store.port:
        raise StoreError(
            f"the local store of {store.directory} runs on port {port} (pid {pid}), not "
            f"{store.port}; stop it first or set LOCAL_STORE_PORT={port}"
        )
    return pid


def _log_tail(path, lines=8):
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text[-lines:]) or "(empty log)"


def server_environment(environ=None):
    """The server's environment: ours (`environ`, default os.environ), with SERVER_SITE first on
    its PYTHONPATH."""
    environ = dict(os.environ if environ is None else environ)
    paths = [str(SERVER_SITE), *filter(None, environ.get("PYTHONPATH", "").split(os.pathsep))]
    environ["PYTHONPATH"] = os.pathsep.join(paths)
    return environ


def _spawn(*, port, storage_path, log_file):
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own server binary, fixed arguments
            [
                server_executable(),
                "--host",
                HOST,
                "--port",
                str(port),
                "--storage-path",
                str(storage_path),
                "--log-level",
                "WARNING",
                *SERVER_OPTIONS,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=server_environment(),
            start_new_session=True,  # Ctrl-C in the terminal does not reach the server
        )


def _wait_until_ready(process, *, port, log_file, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreError(
                f"the local store exited while starting (code {process.returncode}); "
                f"last lines of {log_file}:\n{_log_tail(log_file)}"
            )
        if port_in_use(port) and answers(port, timeout=1.0):
            return
        time.sleep(0.1)
    process.kill()
    raise StoreError(
        f"the local store did not answer on port {port} within {timeout:.0f} s; "
        f"last lines of {log_file}:\n{_log_tail(log_file)}"
    )


def start(store):
    """Start the server unless it is running; return a line that says what happened."""
    pid = _running_pid(store)
    if pid is not None:
        if answers(store.port):
            return f"local store already running (pid {pid}) at {store.uri}"
        raise StoreError(
            f"the local store (pid {pid}) runs but does not answer on port {store.port}; "
            f"stop it with `./run db stop`. Last lines of {store.log_file}:\n"
            f"{_log_tail(store.log_file)}"
        )
    if port_in_use(store.port):
        raise StoreError(
            f"port {store.port} on {HOST} is taken by another program; free it or choose another "
            "port with LOCAL_STORE_PORT=…"
        )
    try:
        store.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the data directory {store.data_dir}: {error}") from error
    process = _spawn(port=store.port, storage_path=store.data_dir, log_file=store.log_file)
    store.pid_file.write_text(f"{process.pid} {store.port}\n")
    try:
        _wait_until_ready(process, port=store.port, log_file=store.log_file)
    except StoreError:
        store.pid_file.unlink(missing_ok=True)
        raise
    return f"local store started (pid {process.pid}) at {store.uri}, data in {store.data_dir}"


def stop(store, *, timeout=STOP_TIMEOUT):
    """Stop the server (SIGTERM, then SIGKILL after `timeout`); return what happened."""
    pid = _running_pid(store)
    if pid is None:
        return "local store is not running"
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    store.pid_file.unlink(missing_ok=True)
    return f"local store stopped (pid {pid})"


def status(store):
    """(running, line): whether the server answers, and a line for people."""
    pid = _running_pid(store)
    if pid is None:
        taken = " (port is taken by another program)" if port_in_use(store.port) else ""
        return False, f"local store is not running{taken}; data dir {store.data_dir}"
    if not answers(store.port):
        return False, f"local store (pid {pid}) does not answer on port {store.port}"
    return True, f"local store running (pid {pid}) at {store.uri}, data in {store.data_dir}"


@dataclass(frozen=True)
class RunningServer:
    uri: str
    port: int
    pid: int
    storage_path: str


@contextlib.contextmanager
def start_ephemeral(*, storage_path=":memory:"):
    """A throw-away server on a free port for the suite or a benchmark; yields a RunningServer.

    Nothing is written under var/: `:memory:` keeps its files in a temporary directory that the
    server removes when it stops (a benchmark passes a directory of its own to measure it).
    """
    port = free_port()
    log_file = Path(tempfile.gettempdir()) / f"secantusd-{port}.log"
    process = _spawn(port=port, storage_path=storage_path, log_file=log_file)
    try:
        _wait_until_ready(process, port=port, log_file=log_file)
        yield RunningServer(
            uri=local_uri(port), port=port, pid=process.pid, storage_path=str(storage_path)
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.unlink(missing_ok=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="./run db", description="Manage the local store.")
    parser.add_argument("action", choices=["start", "stop", "status", "ensure"])
    action = parser.parse_args(argv).action
    store = LocalStore.from_environment()
    try:
        if action == "status":
            running, line = status(store)
            print(line)
            return 0 if running else 3
        if action == "stop":
            print(stop(store))
            return 0
        line = start(store)
        if action == "start" or "started" in line:
            print(line, file=sys.stderr if action == "ensure" else sys.stdout)
        return 0
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
