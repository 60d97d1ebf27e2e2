"""The privacy page (/privacy/): what the site stores about commenters, why, for how long,
and how to have it exported or erased.

A template filled from settings rather than a flat page: every figure on it (how long IP
addresses are kept, the contact address) is read from the setting that governs it, so the
page cannot fall out of step with what the site does. django.contrib.flatpages would also
need django.contrib.sites, which makes every feed and sitemap take its domain from a
database row (example.com until someone edits it) instead of the request.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .threads import REMEMBER_MAX_AGE

DAY = 24 * 60 * 60


def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy.html",
        {
            "ip_retention_days": settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS,
            "privacy_contact": settings.NEWSROOM_PRIVACY_CONTACT,
            "remember_days": REMEMBER_MAX_AGE // DAY,
            "session_days": settings.SESSION_COOKIE_AGE // DAY,
        },
    )
