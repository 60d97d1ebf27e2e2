"""Duplicate and flood checks hold when the same reader posts many times at once.

Twenty readers' browsers (each with its own cookies and form) post through the live server
in the same instant; the server answers them in parallel threads, as gunicorn workers would.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory

from .live import Reader

pytestmark = pytest.mark.django_db(transaction=True)

POSTERS = 20


def post_all_at_once(live_server, article, forms: list[dict]) -> Counter:
    """Fetch every form first, then send all the posts together; count the status codes."""
    readers = [Reader(live_server.url) for _ in forms]
    prepared = []
    for reader, fields in zip(readers, forms, strict=True):
        action, hidden = reader.comment_form(article.get_absolute_url())
        prepared.append((reader, action, {**hidden, **fields}))
    start = threading.Barrier(len(prepared))

    def post(item) -> int:
        reader, action, data = item
        start.wait()
        return reader.post(action, data).status

    with ThreadPoolExecutor(max_workers=len(prepared)) as pool:
        return Counter(pool.map(post, prepared))


def test_identical_posts_at_once_store_one(live_server):
    article = ArticleFactory()
    same = {"name": "Олена Коваленко", "email": "olena@example.com", "body": "Перший! 🎉"}

    statuses = post_all_at_once(live_server, article, [same] * POSTERS)

    assert Comment.objects.count() == 1
    assert statuses[302] == 1
    assert statuses[409] == POSTERS - 1, statuses


def test_same_name_other_emails_at_once_store_one(live_server):
    article = ArticleFactory()
    forms = [
        {"name": "נועה לוי", "email": f"noa{n}@example.com", "body": "שלום לכולם"}
        for n in range(POSTERS)
    ]

    statuses = post_all_at_once(live_server, article, forms)

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

    statuses = post_all_at_once(live_server, article, forms)

    assert Comment.objects.count() == 1
    assert statuses[302] == 1
    assert statuses[429] == POSTERS - 1, statuses
