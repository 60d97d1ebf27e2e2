import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from .models import Section

# The addresses every page's header, head and footer link to.
SITE_URL_NAMES = ("home", "search", "feed_rss", "feed_atom")


@functools.lru_cache(maxsize=16)
def _site_urls(urlconf: str, prefix: str) -> dict[str, str]:
    return {name: reverse(f"articles:{name}", urlconf=urlconf) for name in SITE_URL_NAMES}


def site_urls() -> dict[str, str]:
    """The addresses of SITE_URL_NAMES, reversed once per URLconf and script prefix (each
    reversal costs about as much as the rest of a kept page's header)."""
    return _site_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def site(request) -> dict:
    """Site name and the section navigation, on every page (one small query, lazily)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_tagline": settings.NEWSROOM_SITE_TAGLINE,
        # Made when a template first asks (one queryset, read once for all who ask): a page
        # whose navigation is a kept fragment never builds it.
        "nav_sections": functools.cache(lambda: Section.objects.only("name", "slug")),
        "site_urls": site_urls(),
        # This site's scheme and host, for absolute addresses (canonical, social tags), and
        # the year for the footer: each worked out once per page, when first shown.
        "site_origin": functools.cache(lambda: f"{request.scheme}://{request.get_host()}"),
        "this_year": functools.cache(lambda: timezone.localdate().year),
        # The pages a news site's footer points to; each is left out while its URL is empty.
        "footer_links": {
            "about": settings.NEWSROOM_ABOUT_URL,
            "contact": settings.NEWSROOM_CONTACT_URL,
            "corrections": settings.NEWSROOM_CORRECTIONS_URL,
            "privacy": settings.NEWSROOM_PRIVACY_URL,
        },
    }
