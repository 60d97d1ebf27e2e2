import pytest

from tests.factories import ArticleFactory
from tests.helpers import staff_in


@pytest.fixture(autouse=True)
def _fast_comments(settings):
    """No minimum form time and no flood window unless a test asks for them."""
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 0


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def moderator():
    return staff_in("Moderators")


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client
