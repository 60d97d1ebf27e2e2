"""Checks of the settings comments depend on: the commenter's address behind a proxy, and the
site's address in moderators' emails.

``manage.py check --deploy`` sees only settings; what only requests show (an X-Forwarded-For
header while no proxy is configured) is logged once per process by ``warn_if_proxy_ignored``.
"""

import logging
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http import HttpRequest

logger = logging.getLogger(__name__)

PROXY_HINT = (
    "Set NEWSROOM_TRUSTED_PROXY_COUNT to the number of proxies in front of gunicorn that "
    "append to X-Forwarded-For: 1 for one nginx or Caddy (see README, Running in production)."
)


@register(Tags.security, deploy=True)
def check_trusted_proxy_count(app_configs, **kwargs) -> list[Warning]:
    if settings.NEWSROOM_TRUSTED_PROXY_COUNT or not settings.SECURE_PROXY_SSL_HEADER:
        return []
    return [
        Warning(
            "SECURE_PROXY_SSL_HEADER says a proxy sits in front of the site, but "
            "NEWSROOM_TRUSTED_PROXY_COUNT is 0: every comment would record the proxy's "
            "address, so flood control and IP blocks would treat all readers as one.",
            hint=PROXY_HINT,
            id="comments.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs) -> list[Warning]:
    parts = urlsplit(settings.NEWSROOM_SITE_URL)
    if parts.scheme == "https" and parts.hostname not in {None, "localhost", "127.0.0.1", "::1"}:
        return []
    return [
        Warning(
            f"NEWSROOM_SITE_URL is {settings.NEWSROOM_SITE_URL!r}: links in the emails sent to "
            "moderators would not reach the site.",
            hint="Set NEWSROOM_SITE_URL to the site's public https address, e.g. "
            "https://news.example.com.",
            id="comments.W002",
        )
    ]


_proxy_warning_given = threading.Event()


def warn_if_proxy_ignored(request: HttpRequest) -> None:
    """Log once per process that X-Forwarded-For arrives while no proxy is trusted."""
    if (
        settings.NEWSROOM_TRUSTED_PROXY_COUNT
        or "HTTP_X_FORWARDED_FOR" not in request.META
        or _proxy_warning_given.is_set()
    ):
        return
    _proxy_warning_given.set()
    logger.warning(
        "A request came with X-Forwarded-For while NEWSROOM_TRUSTED_PROXY_COUNT is 0, so "
        "comments record the address of whatever connected to gunicorn (%s). Behind a proxy "
        "every reader then shares the proxy's address. %s If no proxy is in front, a client "
        "sent the header and it was rightly ignored. (Logged once per process.)",
        request.META.get("REMOTE_ADDR") or "unknown",
        PROXY_HINT,
    )
