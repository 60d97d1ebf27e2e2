"""A reader posting a comment: every path through the view, seen from the browser."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from comments.forms import signed_form_token
from comments.models import BlockedCommenter, Comment
from tests.comments.helpers import (
    comment_data,
    form_timestamp,
    form_tokens,
    make_comment,
    parse,
    post_comment,
    post_url,
    post_with_meta,
)
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation."
PUBLISHED = "Your comment has been published."
DUPLICATE = "Duplicate comment detected; it looks as though you&#x27;ve already said that!"
FLOOD = "You are posting comments too quickly. Slow down."
CLOSED = "Comments are closed."


def messages_text(response) -> str:
    return " ".join(
        m.get_text(" ", strip=True) for m in parse(response).select(".messages .message")
    )


def field_error(response, field: str) -> str:
    error = parse(response).find(id=f"id_{field}_error")
    return error.get_text(" ", strip=True) if error else ""


def form_errors(response) -> str:
    errors = parse(response).select(".form-errors")
    return " ".join(e.get_text(" ", strip=True) for e in errors)


# Held, published, spam


def test_first_time_commenter_held(client, article):
    response = post_comment(client, article)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reasons == ["first-time commenter"]
    assert comment.ip_address == "127.0.0.1"
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(response["Location"])
    assert AWAITING in page.content.decode()
    own = parse(page).find(id=f"comment-{comment.pk}")
    assert own is not None and "awaiting moderation" in own.get_text()


def test_pending_comment_hidden_from_other_readers(client, article):
    post_comment(client, article)
    comment = Comment.objects.get()
    page = Client().get(article.get_absolute_url())
    assert parse(page).find(id=f"comment-{comment.pk}") is None
    assert "A thoughtful comment." not in page.content.decode()


def test_own_held_comments_are_remembered_in_a_signed_cookie_not_the_session(
    client, article, time_machine
):
    time_machine.move_to(timezone.now())
    first = post_comment(client, article, body="Перше 🌻")
    time_machine.shift(timedelta(minutes=1))  # past the flood window
    second = post_comment(client, article, email="noa@example.com", body="שני", name="נועה")
    assert first.status_code == second.status_code == 302
    assert "sessionid" not in first.cookies  # no session row is written for a reader's post
    page = parse(client.get(article.get_absolute_url()))
    for comment in Comment.objects.all():
        own = page.find(id=f"comment-{comment.pk}")
        assert own is not None and "awaiting moderation" in own.get_text()
    assert parse(Client().get(article.get_absolute_url())).select(".comment__body") == []


def test_a_forged_own_comments_cookie_shows_no_held_comment(client, article):
    post_comment(client, article)
    held = Comment.objects.get()
    forger = Client()
    for value in (f"[{held.pk}]", client.cookies["newsroom_own_comments"].value + "x"):
        forger.cookies["newsroom_own_comments"] = value
        page = forger.get(article.get_absolute_url())
        assert page.status_code == 200
        assert parse(page).find(id=f"comment-{held.pk}") is None


def test_returning_commenter_published(client, article):
    make_comment(ArticleFactory(), email="ada@example.com")
    response = post_comment(client, article, email="ADA@example.com")
    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.APPROVED
    assert comment.hold_reasons == []
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(response["Location"])
    assert PUBLISHED in messages_text(page)
    assert "A thoughtful comment." in Client().get(article.get_absolute_url()).content.decode()


def test_held_for_links(client, article):
    make_comment(article, email="ada@example.com")
    body = "https://a.example https://b.example https://c.example"
    post_comment(client, article, body=body)
    comment = Comment.objects.get(body=body)
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reasons == ["3 links (limit 2)"]


def test_held_for_moderation_keyword(client, article, settings):
    settings.NEWSROOM_COMMENT_MODERATION_KEYWORDS = ["casino"]
    make_comment(article, email="ada@example.com")
    post_comment(client, article, body="Best Casino in town")
    comment = Comment.objects.get(body="Best Casino in town")
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reasons == ["moderation keyword 'casino' in body"]


def assert_spam_and_quiet(client, response, reason_part: str):
    comment = Comment.objects.order_by("-pk").first()
    assert comment.status == Comment.Status.SPAM
    assert any(reason_part in reason for reason in comment.hold_reasons), comment.hold_reasons
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert AWAITING in messages_text(page)
    assert parse(page).find(id=f"comment-{comment.pk}") is None
    return comment


def test_disallowed_keyword_is_spam(client, article, settings):
    settings.NEWSROOM_COMMENT_DISALLOWED_KEYWORDS = ["casino"]
    response = post_comment(client, article, name="Casino Bob")
    assert_spam_and_quiet(client, response, "disallowed keyword 'casino' in name")


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("email", "ada@example.com", "blocked email ada@example.com"),
        ("domain", "example.com", "blocked email domain example.com"),
        ("ip", "127.0.0.1", "blocked IP 127.0.0.1"),
    ],
)
def test_blocked_commenter_is_spam(client, article, kind, value, reason):
    BlockedCommenter.objects.create(kind=kind, value=value)
    response = post_comment(client, article, email="Ada@Example.com")
    assert_spam_and_quiet(client, response, reason)


def test_blocked_value_saved_lowercase(article):
    assert (
        BlockedCommenter.objects.create(kind="email", value=" X@Y.Example ").value == "x@y.example"
    )


def test_honeypot_is_spam(client, article):
    response = post_comment(client, article, homepage_url="https://bot.example")
    assert_spam_and_quiet(client, response, "honeypot")


def test_too_fast_is_spam(client, article, settings):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 3
    response = post_comment(client, article)
    assert_spam_and_quiet(client, response, "too fast")


@pytest.mark.parametrize("timestamp", ["", "12345", "not:a:signature"])
def test_tampered_timestamp_is_spam(client, article, timestamp):
    response = post_comment(client, article, timestamp=timestamp)
    assert_spam_and_quiet(client, response, "tampered")


def test_old_form_is_spam(client, article):
    timestamp = signed_form_token(article, issued_at=time.time() - 2 * 24 * 3600)
    response = post_comment(client, article, timestamp=timestamp)
    assert_spam_and_quiet(client, response, "more than a day")


# Duplicate and flood


def test_duplicate_refused(client, article):
    post_comment(client, article)
    response = post_comment(client, article, email="other@example.com")  # same name + body
    assert response.status_code == 409
    assert DUPLICATE in response.content.decode()
    assert Comment.objects.count() == 1


LONG_START = "Олена пише: مرحبا 🌧 " * 6  # longer than the part the index holds


def test_a_long_duplicate_is_refused_and_a_long_text_differing_late_is_not(client, article):
    """The duplicate rule finds earlier texts by their start (an index) and compares them
    whole: the same long text is a duplicate, one that differs after the start is not."""
    post_comment(client, article, body=LONG_START + "кінець")
    again = post_comment(client, article, email="other@example.com", body=LONG_START + "кінець")
    assert again.status_code == 409
    assert field_error(again, "body") == DUPLICATE.replace("&#x27;", "'")
    other = post_comment(client, article, email="third@example.com", body=LONG_START + "інше")
    assert other.status_code == 302
    assert Comment.objects.count() == 2


def test_flood_refused(client, article, settings):
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 15
    post_comment(client, article)
    response = post_comment(client, article, name="Other", email="o@example.com", body="Again")
    assert response.status_code == 429
    assert FLOOD in form_errors(response)
    assert Comment.objects.count() == 1


def test_the_same_comment_sent_again_at_once_is_called_a_duplicate(client, article, settings):
    # Both rules fire; the reader learns the comment is already there, not to slow down.
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 15
    post_comment(client, article)
    response = post_comment(client, article)
    assert response.status_code == 409
    assert field_error(response, "body") == DUPLICATE.replace("&#x27;", "'")
    assert FLOOD not in response.content.decode()
    assert Comment.objects.count() == 1


def test_flood_window_passes(client, article, settings, time_machine):
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 15
    post_comment(client, article)
    time_machine.move_to(timezone.now() + timedelta(seconds=30))
    response = post_comment(client, article, body="Later")
    assert response.status_code == 302
    assert Comment.objects.count() == 2


# Closed comments


def test_closed_article_shows_no_form_and_refuses(client):
    article = ArticleFactory(comments_enabled=False)
    page = client.get(article.get_absolute_url())
    assert CLOSED in page.content.decode()
    assert parse(page).find("form", class_="comment-form") is None
    response = client.post(post_url(article), comment_data(timestamp="x"))
    assert response.status_code == 403
    assert CLOSED in form_errors(response)
    assert Comment.objects.count() == 0


def test_auto_close_after_days(client, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 1
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    page = client.get(article.get_absolute_url())
    assert CLOSED in page.content.decode()
    assert parse(page).find("form", class_="comment-form") is None
    assert client.post(post_url(article), comment_data()).status_code == 403
    assert Comment.objects.count() == 0


def test_auto_close_leaves_recent_open(client, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 1
    article = ArticleFactory()
    assert post_comment(client, article).status_code == 302


# Replies

REPLY_CASES = [
    (
        lambda article: make_comment(ArticleFactory()),
        "The comment you are replying to is not on this article.",
    ),
    (
        lambda article: make_comment(article, status=Comment.Status.PENDING),
        "You can only reply to a published comment.",
    ),
    (
        lambda article: make_comment(article, parent=make_comment(article)),
        "This conversation is nested as deeply as it can go",
    ),
    (lambda article: None, "The comment you are replying to is not on this article."),
]


def test_reply_to_approved_comment_threaded(client, article):
    parent = make_comment(article, name="Parent")
    make_comment(article, email="ada@example.com", body="earlier approved")
    response = post_comment(client, article, parent=parent.pk, body="A reply")
    reply = Comment.objects.get(body="A reply")
    assert response.status_code == 302
    assert (reply.parent, reply.thread_id, reply.depth) == (parent, parent.pk, 2)
    li = parse(client.get(article.get_absolute_url())).find("li", id=f"comment-{parent.pk}")
    assert li.find("li", id=f"comment-{reply.pk}") is not None


@pytest.mark.parametrize(
    ("make_parent", "message"),
    REPLY_CASES,
    ids=["other-article", "pending", "too-deep", "unknown"],
)
def test_bad_reply_refused(client, article, settings, make_parent, message):
    settings.NEWSROOM_COMMENT_MAX_DEPTH = 2
    parent = make_parent(article)
    before = Comment.objects.count()
    response = post_comment(
        client, article, parent=parent.pk if parent else 999999, body="My typed reply"
    )
    assert response.status_code == 400
    form = parse(response).find("form", class_="comment-form")
    assert form.find("textarea", attrs={"name": "body"}).get_text().strip() == "My typed reply"
    assert Comment.objects.count() == before


@pytest.mark.parametrize(
    ("make_parent", "message"),
    REPLY_CASES,
    ids=["other-article", "pending", "too-deep", "unknown"],
)
def test_bad_reply_message_next_to_form(client, article, settings, make_parent, message):
    settings.NEWSROOM_COMMENT_MAX_DEPTH = 2
    parent = make_parent(article)
    response = post_comment(
        client, article, parent=parent.pk if parent else 999999, body="My typed reply"
    )
    assert response.status_code == 400
    assert message in parse(response).find(id="respond").get_text()


def test_replytocom_prefills_parent(client, article):
    parent = make_comment(article, name="Grace")
    soup = parse(client.get(f"{article.get_absolute_url()}?replytocom={parent.pk}"))
    assert "Replying to Grace" in soup.find(id="reply-title").get_text(" ", strip=True)
    assert soup.find(id="cancel-reply") is not None
    assert soup.find("input", attrs={"name": "parent"})["value"] == str(parent.pk)


@pytest.mark.parametrize("value", ["abc", "999999", "-1"])
def test_replytocom_unknown_ignored(client, article, value):
    response = client.get(f"{article.get_absolute_url()}?replytocom={value}")
    assert response.status_code == 200
    assert parse(response).find(id="cancel-reply") is None


def test_replytocom_pending_comment_ignored(client, article):
    pending = make_comment(article, status=Comment.Status.PENDING)
    soup = parse(client.get(f"{article.get_absolute_url()}?replytocom={pending.pk}"))
    assert soup.find(id="cancel-reply") is None


# Not found, method, CSRF


def test_unknown_article_404(client):
    response = client.post("/articles/no-such-article/comments/", comment_data())
    assert response.status_code in (404,)


def test_draft_article_404(client):
    article = ArticleFactory(draft=True)
    assert client.post(post_url(article), comment_data()).status_code == 404
    assert Comment.objects.count() == 0


def test_scheduled_article_404(client):
    article = ArticleFactory(scheduled=True)
    assert client.post(post_url(article), comment_data()).status_code == 404


def test_get_on_post_url_405(client, article):
    assert client.get(post_url(article)).status_code == 405


def test_missing_csrf_403(article):
    client = Client(enforce_csrf_checks=True)
    data = comment_data(timestamp=form_timestamp(client, article))
    response = client.post(post_url(article), data)
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_csrf_token_fetched_for_the_page_accepted(article):
    client = Client(enforce_csrf_checks=True)
    data = comment_data(**form_tokens(client, article))
    assert client.post(post_url(article), data).status_code == 302


# Remember me


def test_remember_me_sets_cookie_and_prefills(client, article):
    response = post_comment(client, article, website="https://ada.example", remember="on")
    assert "newsroom_commenter" in response.cookies
    assert response.cookies["newsroom_commenter"]["httponly"]
    soup = parse(client.get(article.get_absolute_url()))
    assert soup.find("input", attrs={"name": "name"})["value"] == "Ada Reader"
    assert soup.find("input", attrs={"name": "email"})["value"] == "ada@example.com"
    assert soup.find("input", attrs={"name": "website"})["value"] == "https://ada.example"
    assert soup.find("input", attrs={"name": "remember"}).has_attr("checked")


def test_not_remembered_without_tick(client, article):
    response = post_comment(client, article)
    cookie = response.cookies.get("newsroom_commenter")
    assert cookie is None or cookie.value == ""
    soup = parse(client.get(article.get_absolute_url()))
    assert not soup.find("input", attrs={"name": "name"}).get("value")


def test_forged_remember_cookie_ignored(client, article):
    client.cookies["newsroom_commenter"] = "Evil\nevil@example.com\n"
    soup = parse(client.get(article.get_absolute_url()))
    assert not soup.find("input", attrs={"name": "name"}).get("value")


# Listing, paging and counts


def test_paging_top_level_comments(client, article, settings):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 2
    comments = [make_comment(article, body=f"Comment number {i}") for i in range(5)]
    soup = parse(client.get(f"{article.get_absolute_url()}?cpage=2"))
    shown = [li["id"] for li in soup.select("ol.comment-list > li")]
    assert shown == [f"comment-{comments[2].pk}", f"comment-{comments[3].pk}"]


@pytest.mark.parametrize("cpage", ["abc", "0", "99", ""])
def test_bad_cpage_is_200(client, article, cpage):
    make_comment(article)
    assert client.get(f"{article.get_absolute_url()}?cpage={cpage}").status_code == 200


def test_heading_counts_only_approved(client, article):
    parent = make_comment(article)
    make_comment(article, parent=parent)
    make_comment(article)
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        make_comment(article, status=status)
    make_comment(ArticleFactory())
    soup = parse(client.get(article.get_absolute_url()))
    assert soup.find(id="comments-heading").get_text(strip=True) == "3 Comments"


def test_reply_to_removed_comment_hidden(client, article):
    parent = make_comment(article)
    reply = make_comment(article, parent=parent, body="orphan reply")
    parent.status = Comment.Status.REMOVED
    parent.save()
    page = client.get(article.get_absolute_url())
    assert parse(page).find(id=f"comment-{reply.pk}") is None


# Moderator email


def moderator(email="mod@example.com"):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_moderators_emailed_when_held(
    client, article, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_COMMENT_MODERATION_KEYWORDS = ["casino"]
    moderator()
    UserFactory(email="reader@example.com")  # not a moderator
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article, body="casino casino")
    comment = Comment.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mod@example.com"]
    assert "- first-time commenter" in message.body
    assert "- moderation keyword 'casino' in body" in message.body
    assert f"/admin/comments/comment/{comment.pk}/change/" in message.body


def test_no_email_when_published_or_spam(client, article, django_capture_on_commit_callbacks):
    moderator()
    make_comment(article, email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article)
        post_comment(client, article, body="x", homepage_url="bot")
    assert mail.outbox == []


def test_mail_failure_does_not_fail_post(
    client, article, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.comments.broken_mail.Backend"}}
    moderator()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_comment(client, article)
    assert len(callbacks) == 1
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_submission_logged(client, article):
    post_comment(client, article)
    entry = Comment.objects.get().log_entries.get()
    assert (entry.action, entry.to_status, entry.actor) == ("submitted", "pending", None)
    assert entry.reason == "first-time commenter"


def test_x_forwarded_for_ignored_without_trusted_proxy(client, article):
    client.post(
        post_url(article),
        comment_data(timestamp=form_timestamp(client, article)),
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert Comment.objects.get().ip_address == "127.0.0.1"


def test_x_forwarded_for_used_behind_trusted_proxy(client, article, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    client.post(
        post_url(article),
        comment_data(timestamp=form_timestamp(client, article)),
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9",
    )
    assert Comment.objects.get().ip_address == "198.51.100.9"


def test_a_comment_saved_any_way_is_placed_in_its_thread(article):
    """Threads are the model's job, so comments made by an import or the shell show too."""
    top = CommentFactory(article=article, name="A", email="a@example.com", body="Top")
    reply = CommentFactory(
        article=article, parent=top, name="B", email="b@example.com", body="Reply"
    )
    deeper = CommentFactory(
        article=article, parent=reply, name="C", email="c@example.com", body="Deeper"
    )

    rows = Comment.objects.order_by("pk").values_list("thread_id", "depth")
    assert list(rows) == [(top.pk, 1), (top.pk, 2), (top.pk, 3)]
    assert deeper.thread_id == top.pk


# --- 3. the client's IP address -----------------------------------------------------------


@pytest.mark.parametrize("forwarded", ["garbage", "999.1.1.1", "203.0.113.7:443", "fe80::1%eth0"])
def test_forged_forwarded_address_is_not_stored(client, article, settings, forwarded):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    response = post_with_meta(client, article, {"HTTP_X_FORWARDED_FOR": forwarded})
    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None


def test_forwarded_address_stored_when_valid(client, article, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    post_with_meta(client, article, {"HTTP_X_FORWARDED_FOR": "garbage, 2001:DB8::0:7"})
    assert Comment.objects.get().ip_address == "2001:db8::7"


def test_socket_that_is_not_an_ip_address(client, article):
    response = post_with_meta(client, article, {"REMOTE_ADDR": "unix-socket"})
    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None


def test_flood_control_by_email_without_an_ip_address(client, article, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 60
    forged = {"HTTP_X_FORWARDED_FOR": "garbage"}
    assert post_with_meta(client, article, forged, body="First.").status_code == 302
    assert post_with_meta(client, article, forged, body="Second.").status_code == 429
    # Someone else whose address is unknown too is not taken for the same sender.
    other = post_with_meta(client, article, forged, email="bob@example.com", name="Bob", body="Hi")
    assert other.status_code == 302
    assert Comment.objects.count() == 2


# --- 4. the user agent --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "stored"),
    [
        ("A\x00B", "AB"),
        ("Mozilla/5.0\x07 (X11;\x1b Linux)\x85", "Mozilla/5.0 (X11; Linux)"),
        ("\x00" * 10 + "u" * 600, "u" * 500),
    ],
)
def test_control_characters_removed_from_user_agent(client, article, user_agent, stored):
    response = post_with_meta(client, article, {"HTTP_USER_AGENT": user_agent})
    assert response.status_code == 302
    assert Comment.objects.get().user_agent == stored
