"""`./run db start|stop|status`: the local store server, its files, and its clear errors."""

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pymongo import MongoClient

from empowersave import localstore
from empowersave.localstore import LocalStore, StoreError

pytestmark = pytest.mark.slow  # each test runs whole commands or starts a server


def listening_addresses(port):
    """The IPv4/IPv6 addresses with a socket listening on `port` (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    if len(address) == 8:
                        found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                    else:
                        found.add(address)
    return found


@pytest.fixture
def store(tmp_path):
    """A store of the test's own; a server still running at the end is SIGKILLed: a clean stop
    costs SecantusDB 2.3 s (up to the 15 s STOP_TIMEOUT on a busy machine), and nothing of a
    throw-away store needs keeping. Stopping cleanly is tested on its own."""
    store = LocalStore(directory=tmp_path / "store", port=localstore.free_port())
    yield store
    with contextlib.suppress(FileNotFoundError, ValueError):
        pid = int(store.pid_file.read_text().split()[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # localstore.start made it our child
            os.waitpid(pid, 0)


def test_data_written_survives_a_restart(store):
    assert "started" in localstore.start(store)
    client = MongoClient(store.uri)
    client.kept.things.insert_one({"_id": 1, "name": "kept"})
    client.close()
    localstore.stop(store)
    assert localstore.status(store)[0] is False

    localstore.start(store)
    client = MongoClient(store.uri)
    assert client.kept.things.find_one({"_id": 1}) == {"_id": 1, "name": "kept"}
    client.close()
    assert store.log_file.exists()
    assert store.pid_file.read_text().split()[1] == str(store.port)


def test_it_binds_to_the_loopback_address_only(store):
    localstore.start(store)

    assert localstore.answers(store.port)
    assert listening_addresses(store.port) == {"127.0.0.1"}


def test_the_server_runs_with_its_own_collector_thresholds_and_keeps_the_callers_path(store):
    """The server's interpreter (and only it) starts with the tuned collector of
    empowersave/store_site; a PYTHONPATH the caller set still reaches it."""
    environment = localstore.server_environment({"PYTHONPATH": "/opt/extra"})
    site, extra = str(localstore.SERVER_SITE), "/opt/extra"
    assert environment["PYTHONPATH"].split(os.pathsep) == [site, extra]
    probe = "import gc; print(gc.get_threshold())"
    printed = subprocess.run(
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True
    ).stdout
    assert printed.strip() == "(100000, 50, 100)"
    assert gc.get_threshold() != (100_000, 50, 100)  # the project's own processes: untouched

    localstore.start(store)
    pid = int(store.pid_file.read_text().split()[0])
    server_environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert any(entry.startswith(f"PYTHONPATH={site}".encode()) for entry in server_environ)


def test_starting_twice_reports_the_running_server(store):
    localstore.start(store)

    assert "already running" in localstore.start(store)


def test_a_port_taken_by_another_program_is_a_clear_error(store):
    with socket.socket() as other:
        other.bind(("127.0.0.1", store.port))
        other.listen()

        with pytest.raises(StoreError, match=f"port {store.port} .* taken by another program"):
            localstore.start(store)

    assert not store.pid_file.exists()


def test_a_dead_server_is_reported_and_its_stale_pid_file_cleared(store):
    store.directory.mkdir(parents=True)
    store.pid_file.write_text(f"999999 {store.port}\n")  # no such process

    running, line = localstore.status(store)

    assert running is False
    assert "not running" in line
    assert not store.pid_file.exists()


def test_a_server_that_exits_while_starting_is_reported_with_its_log(store, monkeypatch):
    # Another program takes the port between the check and the server's bind.
    monkeypatch.setattr(localstore, "port_in_use", lambda port: False)
    with socket.socket() as other:
        other.bind(("127.0.0.1", store.port))
        other.listen()

        with pytest.raises(StoreError, match="exited while starting") as raised:
            localstore.start(store)

    assert "last lines of" in str(raised.value)
    assert not store.pid_file.exists()


def test_a_data_directory_that_cannot_be_made_is_a_clear_error(store):
    store.directory.mkdir(parents=True)
    store.data_dir.write_text("a file where the data directory should be")

    with pytest.raises(StoreError, match="cannot create"):
        localstore.start(store)


def test_the_command_line_status_exit_codes(tmp_path):
    env = {"LOCAL_STORE_DIR": str(tmp_path / "none"), "LOCAL_STORE_PORT": "1", "PATH": ""}

    result = subprocess.run(
        [sys.executable, "-m", "empowersave.localstore", "status"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert result.returncode == 3
    assert "not running" in result.stdout
