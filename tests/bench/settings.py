"""Production settings for `make bench`, with the bench's own database and a hello view.

Read by the bench command and by the gunicorn it starts (which inherits the environment this
module completes, so both sign sessions and form tokens with the same generated key).
"""

import os
import secrets
import socket
import tempfile
import urllib.parse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"


def redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_database(url: str) -> None:
    """Create the bench's database on a fresh machine (the server's own ``postgres``
    database is where CREATE DATABASE is said)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# The bench database only, never the one DATABASE_URL names: the bench empties it.
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
ensure_database(os.environ["DATABASE_URL"])
redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
os.environ["REDIS_URL"] = redis_url if redis_url and redis_answers(redis_url) else ""
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
scratch = os.environ.setdefault("BENCH_SCRATCH", tempfile.mkdtemp(prefix="newsroom-bench-"))
os.environ.update(
    {
        "DJANGO_DEBUG": "",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP to gunicorn stands for the TLS proxy in front of it.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "NEWSROOM_TRUSTED_PROXY_COUNT": "1",
        "STATIC_ROOT": os.path.join(scratch, "static"),
        "MEDIA_ROOT": os.path.join(scratch, "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
)

from newsroom.settings import *  # noqa: E402, F403

ROOT_URLCONF = "tests.bench.urls"
