"""Duplicate and flood checks hold when the same reader posts many times at once.

Twenty readers' browsers (each with its own cookies and form) post through the live server
in the same instant; the server answers them in parallel threads, as gunicorn workers would.
"""

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory

from .live import post_all_at_once

pytestmark = pytest.mark.django_db(transaction=True)

POSTERS = 20


def test_identical_posts_at_once_store_one(live_server):
    article = ArticleFactory()
    same = {"name": "Олена Коваленко", "email": "olena@example.com", "body": "Перший! 🎉"}

    statuses = post_all_at_once([live_server.url], article, [same] * POSTERS)

    assert Comment.objects.count() == 1
    assert statuses[302] == 1
    assert statuses[409] == POSTERS - 1, statuses


def test_same_name_other_emails_at_once_store_one(live_server):
    article = ArticleFactory()
    forms = [
        {"name": "נועה לוי", "email": f"noa{n}@example.com", "body": "שלום לכולם"}
        for n in range(POSTERS)
    ]

    statuses = post_all_at_once([live_server.url], article, forms)

    assert Comment.objects.count() == 1
    assert statuses[302] == 1
    assert statuses[409] == POSTERS - 1, statuses


def test_flood_from_one_email_at_once_stores_one(live_server, settings):
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 15
    article = ArticleFactory()
    forms = [
        {"name": f"Reader {n}", "email": "fast@example.com", "body": f"Comment {n} 🚀"}
        for n in range(POSTERS)
    ]

    statuses = post_all_at_once([live_server.url], article, forms)

    assert Comment.objects.count() == 1
    assert statuses[302] == 1
    assert statuses[429] == POSTERS - 1, statuses
