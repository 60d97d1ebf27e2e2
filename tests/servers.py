"""Real servers for the tests that need more than Django's test client: gunicorn on the test
database, started as production starts it (tests/test_app_servers.py, the Varnish tests, the
"remember me" cookie through gunicorn)."""

import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def database_url() -> str:
    """The test database (not the project's), as DATABASE_URL spells it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")


def start_gunicorn(stack: ExitStack, env: dict, log: Path, *options: str, port: int = 0) -> str:
    """gunicorn (one sync worker) on ``port`` (a free one by default) with ``env``, its
    output in ``log``, stopped when ``stack`` closes; returns its address once it listens."""
    port = port or free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [GUNICORN, "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", *options],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    stack.callback(process.wait, timeout=30)
    stack.callback(process.terminate)
    wait_until_listening(port, process, log)
    return f"http://127.0.0.1:{port}"
