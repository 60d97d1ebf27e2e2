"""Commenters' email notifications: double opt-in, the mails, one-click unsubscribe.

Mail goes through tasks queued on commit; the test settings run them at once (immediate
backend), so each action runs inside ``committed()`` and the outbox is read after it.
"""

import email.policy
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from comments.models import BlockedCommenter, Comment, CommentSubscription, NotificationAddress
from comments.moderation import actions
from comments.notifications import unsubscribe_token
from tests.factories import ArticleFactory

from .helpers import make_comment, parse, post_comment, text_of
from .live import Reader

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8000(/comments/notifications/confirm/\S+/)")
UNSUBSCRIBE = re.compile(r"<http://127\.0\.0\.1:8000(/comments/unsubscribe/[^>]+/)>")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.NEWSROOM_SITE_URL = SITE
    settings.NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS = 48
    mail.outbox = []


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the queued mail tasks) of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ask(client, article, committed, *, approval=True, replies=False, **fields):
    """Post a comment with the notification boxes as given."""
    boxes = {}
    if approval:
        boxes["notify_approval"] = "on"
    if replies:
        boxes["notify_replies"] = "on"
    with committed():
        response = post_comment(client, article, **boxes, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Comment.objects.latest("pk")


def confirm_path(message) -> str:
    return CONFIRM_LINK.search(message.body).group(1)


def confirmed_address(email: str) -> NotificationAddress:
    return NotificationAddress.objects.create(
        email=email, confirmed_at=timezone.now(), confirmation_sent_at=timezone.now()
    )


def subscribe(comment: Comment, *, on_approval=False, on_reply=False) -> CommentSubscription:
    address = NotificationAddress.objects.filter(email=comment.email).first()
    address = address or confirmed_address(comment.email)
    return CommentSubscription.objects.create(
        comment=comment, address=address, on_approval=on_approval, on_reply=on_reply
    )


def header(message, name: str) -> str:
    """A header as the recipient's mail program reads it, from the bytes sent."""
    parsed = message_from_bytes(message.message().as_bytes())
    return str(make_header(decode_header(parsed[name])))


# The form.


def test_form_has_two_unticked_labelled_boxes_whoever_reads(client, article, committed):
    page = parse(client.get(article.get_absolute_url()))
    boxes = page.select(".comment-form__notify input[type=checkbox]")
    assert [box["name"] for box in boxes] == ["notify_approval", "notify_replies"]
    assert not any(box.has_attr("checked") for box in boxes)
    labels = [text_of(page.find("label", attrs={"for": box["id"]})) for box in boxes]
    assert labels == [
        "Email me when my comment is published, if it waits for a moderator.",
        "Email me when someone replies to my comment.",
    ]
    assert "nothing else is sent until you use it" in text_of(page.find(id="notify-help"))

    # A returning commenter who asked before, with the "Save my name" cookie: still unticked,
    # so the page holds nothing about its reader.
    article2 = ArticleFactory()
    ask(client, article2, committed, remember="on")
    again = parse(client.get(article.get_absolute_url()))
    assert not any(b.has_attr("checked") for b in again.select(".comment-form__notify input"))


def test_unticked_boxes_store_nothing_and_mail_nothing(client, article, committed):
    ask(client, article, committed, approval=False, replies=False)
    assert NotificationAddress.objects.count() == 0
    assert CommentSubscription.objects.count() == 0
    assert mail.outbox == []


# Double opt-in.


def test_first_request_mails_only_a_confirmation_link_once_a_day(client, article, committed):
    comment = ask(client, article, committed, approval=True, replies=True)

    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "Confirm your email address" in mail.outbox[0].subject
    assert confirm_path(mail.outbox[0])
    subscription = CommentSubscription.objects.get()
    assert subscription.comment == comment
    assert (subscription.on_approval, subscription.on_reply) == (True, True)
    assert subscription.address.confirmed_at is None

    # Asking again the same day (other comments, other boxes): no second mail.
    ask(client, article, committed, approval=False, replies=True, body="Another thought.")
    ask(client, ArticleFactory(), committed, approval=True, body="Elsewhere.")
    assert len(mail.outbox) == 1
    assert NotificationAddress.objects.count() == 1

    # A day later, still unconfirmed: one new link, and the old one stops working.
    old = confirm_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        ask(client, article, committed, body="A day later.")
        assert len(mail.outbox) == 2
        assert client.get(old).status_code == 400
        assert client.get(confirm_path(mail.outbox[1])).status_code == 200


def test_nothing_is_mailed_before_confirmation(client, article, committed, settings):
    held = ask(client, article, committed, approval=True, replies=True)
    assert len(mail.outbox) == 1  # the confirmation
    with committed():
        actions.approve([held], actor=None)
    settings.NEWSROOM_COMMENT_MODERATION = "none"
    with committed():
        post_comment(
            client, article, name="Bob", email="bob@example.com", body="Reply.", parent=held.pk
        )
    assert Comment.objects.filter(parent=held, status="approved").exists()
    assert len(mail.outbox) == 1


def test_confirmation_link_shows_a_button_then_confirms_once(client, article, committed):
    ask(client, article, committed)
    path = confirm_path(mail.outbox[0])
    address = NotificationAddress.objects.get()

    # Opening the link (as a mail scanner would) confirms nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"].startswith("max-age=0")
    assert parse(page).find("button", string="Confirm my address")
    address.refresh_from_db()
    assert address.confirmed_at is None

    done = client.post(path)
    assert done.status_code == 200
    assert "Your email address is confirmed" in text_of(parse(done).find("h1"))
    address.refresh_from_db()
    confirmed_at = address.confirmed_at
    assert confirmed_at is not None

    # Twice is harmless: the same answer, nothing changed, nothing mailed.
    for again in (client.post(path), client.get(path)):
        assert again.status_code == 200
        assert "Your email address is confirmed" in text_of(parse(again).find("h1"))
    address.refresh_from_db()
    assert address.confirmed_at == confirmed_at
    assert len(mail.outbox) == 1

    # A returning commenter is not asked again.
    ask(client, article, committed, replies=True, body="Back again.")
    assert len(mail.outbox) == 1


def test_expired_confirmation_link_confirms_nothing(client, article, committed, settings):
    settings.NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS = 2
    ask(client, article, committed)
    path = confirm_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=5)):
        response = client.post(path)
    assert response.status_code == 410
    assert "This link has expired" in text_of(parse(response).find("h1"))
    assert "2 hours" in text_of(parse(response))
    assert NotificationAddress.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"a": 1, "k": "guessed"}, salt="another.salt"),
        lambda token: "not-a-token",
    ],
    ids=["bad-signature", "other-salt", "garbage"],
)
def test_tampered_confirmation_link_confirms_nothing(client, article, committed, tamper):
    ask(client, article, committed)
    token = confirm_path(mail.outbox[0]).rstrip("/").rpartition("/")[2]
    response = client.post(f"/comments/notifications/confirm/{tamper(token)}/")
    assert response.status_code == 400
    assert "This link does not work" in text_of(parse(response).find("h1"))
    assert NotificationAddress.objects.get().confirmed_at is None


def test_unsubscribe_token_is_no_confirmation_link(client, article, committed):
    ask(client, article, committed)
    address = NotificationAddress.objects.get()
    response = client.post(f"/comments/notifications/confirm/{unsubscribe_token(address)}/")
    assert response.status_code == 400
    address.refresh_from_db()
    assert address.confirmed_at is None


# The notifications.


def test_approval_mail_has_unsubscribe_headers_and_a_link_to_the_comment(
    client, article, committed
):
    confirmed_address("ada@example.com")
    held = ask(client, article, committed)
    assert mail.outbox == []  # confirmed already: no confirmation, and nothing yet

    with committed():
        actions.approve(Comment.objects.filter(pk=held.pk), actor=None)

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert article.title in message.subject
    assert f"{SITE}{article.get_absolute_url()}#comment-{held.pk}" in message.body
    unsubscribe_path = UNSUBSCRIBE.fullmatch(header(message, "List-Unsubscribe")).group(1)
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    # On one line, as the SMTP backend writes it: a folded URL would be encoded words.
    sent = message.message(policy=email.policy.SMTP).as_bytes()
    assert f"\r\nList-Unsubscribe: <{SITE}{unsubscribe_path}>\r\n".encode() in sent
    assert f"{SITE}{unsubscribe_path}" in message.body

    # Approved again after a restore: the commenter heard once, and hears no more.
    with committed():
        actions.restore([held], actor=None)
        actions.approve([Comment.objects.get(pk=held.pk)], actor=None)
    assert len(mail.outbox) == 1


def test_approval_from_the_admin_queue_sends_the_mail(mod_client, article, committed):
    confirmed_address("ada@example.com")
    held = ask(Client(), article, committed)
    mail.outbox.clear()  # the moderators' mail about the held comment
    with committed():
        response = mod_client.post(
            "/admin/comments/comment/?status=pending",
            {"action": "approve", "_selected_action": [held.pk]},
        )
    assert response.status_code == 302
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.APPROVED
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_published_on_posting_gets_no_approval_mail(client, article, committed, settings):
    settings.NEWSROOM_COMMENT_MODERATION = "none"
    confirmed_address("ada@example.com")
    comment = ask(client, article, committed, approval=True, replies=False)
    assert comment.status == Comment.Status.APPROVED
    assert CommentSubscription.objects.count() == 0
    assert mail.outbox == []


def test_reply_published_on_posting_mails_the_parents_author(client, article, committed, settings):
    parent = make_comment(article, email="ada@example.com")
    subscribe(parent, on_reply=True)
    settings.NEWSROOM_COMMENT_MODERATION = "none"

    with committed():
        post_comment(
            client,
            article,
            name="Bob",
            email="bob@example.com",
            body="I disagree.",
            parent=parent.pk,
        )

    reply = Comment.objects.get(parent=parent)
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Bob replied to your comment" in message.subject
    assert "I disagree." in message.body
    assert f"{SITE}{article.get_absolute_url()}#comment-{reply.pk}" in message.body
    assert UNSUBSCRIBE.fullmatch(header(message, "List-Unsubscribe"))
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    # Replies keep coming: the subscription stays.
    with committed():
        post_comment(
            client, article, name="Cy", email="cy@example.com", body="Me too.", parent=parent.pk
        )
    assert len(mail.outbox) == 2


def test_held_reply_mails_when_approved_not_before(client, article, committed):
    parent = make_comment(article, email="ada@example.com")
    subscribe(parent, on_reply=True)
    with committed():
        post_comment(
            client, article, name="Bob", email="bob@example.com", body="Reply.", parent=parent.pk
        )
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Comment.Status.PENDING
    assert mail.outbox == []

    with committed():
        actions.approve([reply], actor=None)
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert f"#comment-{reply.pk}" in mail.outbox[0].body


def test_no_reply_mail_for_own_reply_unsubscribed_or_hidden_parent(
    client, article, committed, settings
):
    settings.NEWSROOM_COMMENT_MODERATION = "none"
    answered = make_comment(article, email="ada@example.com")
    subscribe(answered, on_reply=True)
    not_asking = make_comment(article, email="cy@example.com", body="Not subscribed.")
    with committed():
        # Ada answering herself (in another case) tells her nothing she does not know.
        post_comment(client, article, email="ADA@example.com", body="Me again.", parent=answered.pk)
        post_comment(
            client, article, name="Bob", email="bob@example.com", body="Hm.", parent=not_asking.pk
        )
    assert mail.outbox == []

    # A reply approved after the comment it answers was removed: nobody is told.
    late = make_comment(article, parent=answered, status=Comment.Status.PENDING, body="Late.")
    with committed():
        actions.remove([answered], actor=None)
        actions.approve([late], actor=None)
    assert mail.outbox == []


def test_blocked_addresses_get_nothing(client, article, committed):
    BlockedCommenter.objects.create(kind="domain", value="example.com")
    ask(client, article, committed, approval=True, replies=True)
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert CommentSubscription.objects.count() == 0
    assert mail.outbox == []


def test_blocked_after_subscribing_gets_nothing(client, article, committed):
    confirmed_address("ada@example.com")
    held = ask(client, article, committed)
    BlockedCommenter.objects.create(kind="email", value="ada@example.com")
    with committed():
        actions.approve([held], actor=None)
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED  # published, and still nothing mailed
    assert mail.outbox == []


def test_spam_asks_for_nothing(client, article, committed):
    ask(client, article, committed, homepage_url="http://bot.example/", replies=True)
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert NotificationAddress.objects.count() == 0
    assert mail.outbox == []


def test_reader_is_told_to_confirm_whatever_the_addresss_state(client, article, committed):
    confirmed_address("ada@example.com")
    with committed():
        response = post_comment(client, article, notify_replies="on")
    page = client.get(response.headers["Location"])
    assert "we have sent you a link to confirm it" in text_of(parse(page))


# Unsubscribing.


def approved_mail(client, article, committed):
    """A confirmed commenter's approval mail; the path of its unsubscribe link."""
    confirmed_address("ada@example.com")
    held = ask(client, article, committed, replies=True)
    with committed():
        actions.approve([held], actor=None)
    [message] = mail.outbox
    return held, UNSUBSCRIBE.fullmatch(header(message, "List-Unsubscribe")).group(1)


def test_one_click_post_unsubscribes_without_csrf(article, committed, settings):
    reader = Client()
    held, path = approved_mail(reader, article, committed)

    # What a mail program sends (RFC 8058): a POST with no cookie and no CSRF token.
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in text_of(parse(response).find("h1"))
    assert CommentSubscription.objects.count() == 0
    assert NotificationAddress.objects.get().confirmed_at is None

    # Replies to the comment now mail nobody; asking again starts a new confirmation.
    settings.NEWSROOM_COMMENT_MODERATION = "none"
    with committed():
        post_comment(
            reader, article, name="Bob", email="bob@example.com", body="Reply.", parent=held.pk
        )
    assert len(mail.outbox) == 1
    # Opening the link twice is harmless.
    assert mail_program.post(path).status_code == 200


def test_get_asks_before_unsubscribing(client, article, committed):
    _, path = approved_mail(client, article, committed)
    response = client.get(path)
    assert response.status_code == 200
    page = parse(response)
    form = page.find("form", attrs={"method": "post"})
    assert form.find("button", string="Unsubscribe")
    assert not form.get("action")  # posts back to the same URL
    assert CommentSubscription.objects.count() == 1
    assert NotificationAddress.objects.get().confirmed_at is not None


def test_tampered_unsubscribe_link_changes_nothing(client, article, committed):
    _, path = approved_mail(client, article, committed)
    response = client.post(path.replace("/comments/unsubscribe/", "/comments/unsubscribe/x"))
    assert response.status_code == 400
    assert CommentSubscription.objects.count() == 1


def test_old_confirmation_link_is_dead_after_unsubscribing(client, article, committed):
    ask(client, article, committed)
    path = confirm_path(mail.outbox[0])
    client.post(path)
    address = NotificationAddress.objects.get()
    client.post(f"/comments/unsubscribe/{unsubscribe_token(address)}/")
    assert client.post(path).status_code == 400
    address.refresh_from_db()
    assert address.confirmed_at is None


# Names and addresses in any script.


def test_international_address_cyrillic_name_and_emoji(client, committed, settings):
    article = ArticleFactory(title="Погода 🌦 на вихідні")
    ask(
        client,
        article,
        committed,
        name="Олена Коваленко",
        email="Olena@Bücher.Example",
        body="Дякую! 🌻",
        replies=True,
    )
    [confirmation] = mail.outbox
    assert confirmation.to == ["olena@bücher.example"]
    raw = confirmation.message().as_bytes()
    assert b"xn--bcher-kva.example" in raw
    client.post(confirm_path(confirmation))
    parent = Comment.objects.get()
    with committed():
        actions.approve([parent], actor=None)

    settings.NEWSROOM_COMMENT_MODERATION = "none"
    with committed():
        post_comment(
            client, article, name="Mårten 🦊", email="marten@пример.рф", body="🎉", parent=parent.pk
        )
    reply_mail = mail.outbox[-1]
    assert reply_mail.to == ["olena@bücher.example"]
    assert header(reply_mail, "Subject") == (
        "[Newsroom] Mårten 🦊 replied to your comment on “Погода 🌦 на вихідні”"
    )
    body = message_from_bytes(reply_mail.message().as_bytes()).get_payload(decode=True)
    assert "🎉" in body.decode()
    assert UNSUBSCRIBE.fullmatch(header(reply_mail, "List-Unsubscribe"))


# Concurrency.

POSTERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_posts_at_once_send_one_confirmation(live_server, settings):
    """Twenty browsers post comments from one address in the same instant, each ticking a
    box: the address gets one confirmation mail."""
    # A window that ends before the post arrives: the flood rule lets all twenty be stored,
    # so each asks, and the confirmation mail's own guard is what is tested.
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = -3600
    article = ArticleFactory()
    readers = [Reader(live_server.url) for _ in range(POSTERS)]
    prepared = []
    for n, reader in enumerate(readers):
        action, hidden = reader.comment_form(article.get_absolute_url())
        fields = {
            "name": "Олена",
            "email": "olena@example.com",
            "body": f"Коментар {n} 🌻",
            "notify_replies": "on",
        }
        prepared.append((reader, action, {**hidden, **fields}))
    start = threading.Barrier(POSTERS)

    def post(item) -> int:
        reader, action, data = item
        start.wait()
        return reader.post(action, data).status

    with ThreadPoolExecutor(max_workers=POSTERS) as pool:
        statuses = list(pool.map(post, prepared))

    assert statuses == [302] * POSTERS
    assert CommentSubscription.objects.count() == POSTERS
    assert NotificationAddress.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["olena@example.com"]]
