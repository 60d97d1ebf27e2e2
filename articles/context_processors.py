from django.conf import settings

from .models import Section


def site(request) -> dict:
    """Site name and the section navigation, on every page (one small query, lazily)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_tagline": settings.NEWSROOM_SITE_TAGLINE,
        "nav_sections": Section.objects.only("name", "slug"),
    }
