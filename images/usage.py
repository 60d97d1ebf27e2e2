"""Whether a public page shows a stored image file, and refreshing the cached pages if so.

The library knows nothing of who shows an image: the apps that do (articles: featured and
body images of published articles; authors: their photos) register a check when they are
ready, as they register their timed changes with the page cache. An upload no page shows
then leaves every cached page alone, and a change to a shown image refreshes them.
"""

from collections.abc import Callable

from newsroom import pagecache

# Each answers whether a public page shows the stored file of that name (FieldFile.name).
ShownCheck = Callable[[str], bool]
shown_checks: list[ShownCheck] = []


def register_shown_check(check: ShownCheck) -> None:
    if check not in shown_checks:
        shown_checks.append(check)


def is_shown(name: str) -> bool:
    """Whether a public page shows the stored file ``name`` now. A scheduled article's image
    is not shown yet: the page cache refreshes when the article goes live anyway."""
    return bool(name) and any(check(name) for check in shown_checks)


def refresh_pages_showing(name: str) -> bool:
    """Refresh the cached pages (the site's content version) if one shows ``name``; say so."""
    if not is_shown(name):
        return False
    pagecache.content_changed()
    return True
