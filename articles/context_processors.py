from django.conf import settings

from .models import Section


def site(request) -> dict:
    """Site name and the section navigation, on every page (one small query, lazily)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_tagline": settings.NEWSROOM_SITE_TAGLINE,
        "nav_sections": Section.objects.only("name", "slug"),
        # The pages a news site's footer points to; each is left out while its URL is empty.
        "footer_links": {
            "about": settings.NEWSROOM_ABOUT_URL,
            "contact": settings.NEWSROOM_CONTACT_URL,
            "corrections": settings.NEWSROOM_CORRECTIONS_URL,
            "privacy": settings.NEWSROOM_PRIVACY_URL,
        },
    }
