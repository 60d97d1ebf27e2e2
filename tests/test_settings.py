"""The settings module as an operator meets it: environment in, a checked configuration out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "EMAIL_", "REDIS_", "NEWSROOM_"))
    }
    clean_env.pop("DATABASE_URL", None)
    clean_env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_without_secret_key_fails_with_a_clear_message():
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_runs_without_secret_key():
    result = run_manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_debug_is_off_unless_asked(value):
    result = run_manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)",
        DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 60,
    )  # fmt: skip
    assert result.stdout.strip() == "False", result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "q7Zx9" * 10,
        DJANGO_ALLOWED_HOSTS="news.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://news.example.com",
        EMAIL_HOST="smtp.example.com",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_environment_lists_and_database_url_are_read():
    code = (
        "from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.CACHES['default']['BACKEND'])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="a.example, b.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://a.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/newsroom",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['a.example', 'b.example'] ['https://a.example'] django.db.backends.postgresql "
        "True django.core.cache.backends.redis.RedisCache"
    )


def test_sqlite_database_uses_wal(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_collectstatic_builds_hashed_compressed_files(tmp_path):
    """Production static files: every referenced file exists, so the manifest builds."""
    result = run_manage(
        "collectstatic",
        "--noinput",
        DJANGO_SECRET_KEY="x" * 60,
        STATIC_ROOT=str(tmp_path / "static"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert list((tmp_path / "static" / "css").glob("site.*.css.gz"))
