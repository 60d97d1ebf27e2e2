import pytest


@pytest.fixture(autouse=True)
def _fast_comments(settings):
    """No minimum form time and no flood window unless a test asks for them."""
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 0
