"""Real processes for tests/empowersave/test_processes.py (not a test module): a persistent
store server of the test's own, a file SQLite, `manage.py` commands as child processes, and
gunicorn with 3 workers.

Nothing here reaches into the processes: the tests watch the store and the access log from the
outside, and kill with real signals.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests
from pymongo import MongoClient

from empowersave import localstore
from tests.users import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 3
# MONGODB_TIMEOUT_MS of the site and of the commands that meet a dead store: noticed quickly.
# (Others keep the default 5 s: on a busy machine a healthy store can be slow to answer.)
STORE_TIMEOUT_MS = 2000
ACCESS_LOG_FORMAT = '%(p)s "%(r)s" %(s)s'  # the worker's pid first, as <pid>


def wait_for(condition, *, timeout, interval=0.05, what="the condition"):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what} did not hold within {timeout} s")


def child_pids(parent):
    """The pids whose parent is `parent` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == parent:
            found.add(int(entry.name))
    return found


@dataclass
class Cluster:
    """A store server, a SQLite file and the environment every child process gets."""

    directory: Path
    store: localstore.LocalStore
    env: dict
    names: dict  # setting → database name (the target, the source, the county data)
    site: "Site | None" = field(default=None, repr=False)
    _client: MongoClient = field(default=None, repr=False)

    @classmethod
    def create(cls, directory):
        store = localstore.LocalStore(directory=directory / "store", port=localstore.free_port())
        env = {**os.environ}
        env.pop("SOURCE_MONGODB_URI", None)
        env.update(
            MONGODB_URI=store.uri,
            DATABASE_URL=f"sqlite:///{directory / 'site.sqlite3'}",
            PYTHONUNBUFFERED="1",
        )
        names = {
            name: env.get(name, default)
            for name, default in (
                ("EMPOWERSAVE_DB_NAME", "empowersave_development"),
                ("EMAILOCTOPUS_DB_NAME", "emailoctopus_db"),
                ("COUNTY_DB_NAME", "empower_analytics"),
            )
        }
        return cls(directory=directory, store=store, env=env, names=names)

    # --- the store -------------------------------------------------------------------------
    def start_store(self):
        return localstore.start(self.store)

    def kill_store(self):
        """SIGKILL the store server, as a crash would (its data stays for a restart)."""
        self.close_client()
        pid = int(self.store.pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # reaped already
            os.waitpid(pid, 0)  # localstore.start made it our child

    @property
    def client(self):
        if self._client is None:
            self._client = MongoClient(
                self.store.uri, serverSelectionTimeoutMS=5000, tz_aware=False
            )
        return self._client

    def close_client(self):
        if self._client is not None:
            self._client.close()
            self._client = None

    def target(self, suffix=""):
        """The target database (of the site, or a scenario's own with `suffix`)."""
        return self.client[self.target_name(suffix)]

    def target_name(self, suffix=""):
        base = self.names["EMPOWERSAVE_DB_NAME"]
        return f"{base}_{suffix}" if suffix else base

    # --- manage.py -------------------------------------------------------------------------
    def command_env(self, *, target="", **extra):
        return {**self.env, "EMPOWERSAVE_DB_NAME": self.target_name(target), **extra}

    def manage(self, *args, target="", timeout=180, **extra):
        """Run `manage.py ARGS` to the end; the CompletedProcess (text output)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.command_env(target=target, **extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start_manage(self, *args, target="", **extra):
        """Start `manage.py ARGS` and return the Popen (output to files in the directory)."""
        out = open(self.directory / f"{args[0]}-{time.monotonic_ns()}.log", "w+")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.command_env(target=target, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        process.output_file = out
        return process


def output_of(process):
    process.output_file.seek(0)
    return process.output_file.read()


@dataclass
class Site:
    """gunicorn serving empowersave.wsgi with WORKERS sync workers on a free port."""

    process: subprocess.Popen
    port: int
    access_log: Path
    error_log: Path

    @classmethod
    def launch(cls, cluster):
        """Start gunicorn; `wait_ready` waits until its 3 workers answer."""
        port = localstore.free_port()
        access_log = cluster.directory / "access.log"
        error_log = cluster.directory / "gunicorn.log"
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "empowersave.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "--error-logfile",
                str(error_log),
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env={**cluster.env, "MONGODB_TIMEOUT_MS": str(STORE_TIMEOUT_MS)},
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return cls(process=process, port=port, access_log=access_log, error_log=error_log)

    def wait_ready(self):
        wait_for(self.ready, timeout=60, interval=0.1, what="gunicorn with 3 workers")
        return self

    def ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {self.error_log.read_text()[-3000:]}")
        try:
            answered = requests.get(self.url("/admin/login/"), timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or a worker still booting
            return False
        return answered and len(self.workers()) == WORKERS

    def stop(self):
        """SIGKILL the master and its workers (their own session): nothing of theirs is kept."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def workers(self):
        return child_pids(self.process.pid)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def served(self):
        """(worker pid, request line, status) of every request in the access log so far."""
        pattern = re.compile(r"^<(\d+)> \"([^\"]*)\" (\d{3})$")
        found = []
        for line in self.access_log.read_text().splitlines():
            match = pattern.match(line)
            if match:
                found.append((int(match[1]), match[2], int(match[3])))
        return found

    def login(self, username):
        """A requests.Session logged in through the admin login form."""
        session = requests.Session()
        page = session.get(self.url("/admin/login/"), timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        answer = session.post(
            self.url("/admin/login/?next=/"),
            data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            timeout=30,
        )
        assert answer.status_code == 200 and "sessionid" in session.cookies, answer.text[:500]
        return session


class HeldPost:
    """A POST sent over its own connection except for its last byte, so the worker that
    accepted it stays busy with it until `finish`: two held POSTs are served by two workers."""

    def __init__(self, site, session, path, data):
        data = {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
        body = urlencode(data).encode()
        cookies = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\nCookie: {cookies}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        self.socket = socket.create_connection(("127.0.0.1", site.port), timeout=30)
        self.socket.sendall(head + body[:-1])
        self.last_byte = body[-1:]

    def finish(self):
        """Send the last byte; (status, {header: value}, set cookies) of the answer."""
        self.socket.sendall(self.last_byte)
        chunks = []
        while chunk := self.socket.recv(65536):
            chunks.append(chunk)
        self.socket.close()
        head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers, cookies = {}, {}
        for line in head[1:]:
            name, _, value = line.partition(": ")
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                cookies[cookie_name] = rest.split(";", 1)[0]
            else:
                headers[name.lower()] = value
        return status, headers, cookies
