"""The signed token in a served comment form: one form, one comment, on its own article.

A replayed form once carried ~1,300 posts. A replay, or a form from another article, gets the
treatment of any timing failure: stored as spam, and the sender hears only that the comment
awaits moderation. A reader who takes an hour to write is not affected.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment, UsedFormToken
from comments.tasks import purge_comment_ips
from tests.comments.helpers import comment_data, form_timestamp, parse, post_comment, post_url
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation."


@pytest.fixture(autouse=True)
def _publish_at_once(settings):
    settings.NEWSROOM_COMMENT_MODERATION = "none"


def visible_bodies(client, article) -> list[str]:
    page = parse(client.get(article.get_absolute_url()))
    return [" ".join(div.get_text().split()) for div in page.select(".comment__body")]


def test_a_form_serves_one_comment(client, article):
    token = form_timestamp(client, article)
    first = post_comment(client, article, timestamp=token, body="Слава Україні")
    assert first.status_code == 302

    replay = post_comment(
        client, article, timestamp=token, name="Бот", email="bot@example.com", body="Купуйте 🎰"
    )

    assert replay.status_code == 302  # told nothing more than a held comment hears
    assert AWAITING in [str(m) for m in replay.wsgi_request._messages]
    replayed = Comment.objects.get(body="Купуйте 🎰")
    assert replayed.status == Comment.Status.SPAM
    assert replayed.hold_reasons == ["form token already used for another comment"]
    assert visible_bodies(client, article) == ["Слава Україні"]


def test_every_served_form_has_its_own_token(client, article):
    """Two readers who open the page in the same second must not share a token."""
    assert form_timestamp(client, article) != form_timestamp(client, article)
    first = post_comment(client, article, body="مرحبا")
    second = post_comment(client, article, name="سارة", email="sara@example.com", body="أهلا 👋")
    assert [first.status_code, second.status_code] == [302, 302]
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.APPROVED}


def test_a_refused_post_does_not_use_up_the_form(client, article):
    """A reader who fixes a mistake sends the same form again: that is not a replay."""
    token = form_timestamp(client, article)
    refused = post_comment(client, article, timestamp=token, email="not an address")
    assert refused.status_code == 400
    sent_again = parse(refused).find("input", attrs={"name": "timestamp"})["value"]

    response = post_comment(client, article, timestamp=sent_again)

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_a_form_for_one_article_does_not_work_on_another(client, article):
    other = ArticleFactory()
    token = form_timestamp(client, article)

    response = client.post(post_url(other), comment_data(timestamp=token, body="שלום"))

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.hold_reasons == ["form token issued for another article"]
    assert visible_bodies(client, other) == []


def test_a_reader_who_writes_for_an_hour_is_published(client, article, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    token = form_timestamp(client, article)
    time_machine.shift(timedelta(hours=1))

    response = post_comment(client, article, timestamp=token, body="Довгий коментар ✍️")

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.APPROVED
    assert visible_bodies(client, article) == ["Довгий коментар ✍️"]


def test_a_form_older_than_the_maximum_age_is_spam(client, article, time_machine, settings):
    settings.NEWSROOM_COMMENT_MAX_FORM_AGE = 2 * 60 * 60
    time_machine.move_to(timezone.now(), tick=False)
    token = form_timestamp(client, article)
    time_machine.shift(timedelta(hours=2, seconds=1))

    post_comment(client, article, timestamp=token)

    assert Comment.objects.get().hold_reasons == ["form sent more than 2 hours after it was shown"]


def test_the_daily_purge_forgets_expired_used_tokens_only(client, article, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    post_comment(client, article, body="Old one")
    time_machine.shift(timedelta(days=1, seconds=1))
    fresh = form_timestamp(client, article)
    time_machine.shift(timedelta(seconds=10))
    post_comment(client, article, timestamp=fresh, body="New one")
    assert UsedFormToken.objects.count() == 2  # posting itself prunes nothing

    purge_comment_ips.call()

    assert UsedFormToken.objects.count() == 1  # the expired one was pruned
    time_machine.shift(timedelta(minutes=1))  # past the flood window
    replay = post_comment(
        client, article, timestamp=fresh, name="Бот", email="bot@example.com", body="Знову 🎰"
    )
    assert replay.status_code == 302
    assert Comment.objects.get(body="Знову 🎰").hold_reasons == [
        "form token already used for another comment"
    ]
