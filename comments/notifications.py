"""Commenters' email notifications: double opt-in, the mails, and one-click unsubscribe.

A commenter may tick "email me when my comment is published" and "email me when someone
replies". The form must not become a way to mail strangers, so the first time an address
asks, it gets only a confirmation link (at most one a day); nothing else is mailed to it until
the link is used. Every notification carries a one-click unsubscribe (RFC 8058).

Enqueueing happens in ``comments.moderation.actions`` (on posting and on approval); the mails
are sent by the tasks in ``comments.tasks``, never in the reader's request.
"""

import enum
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import BlockedCommenter, Comment, CommentSubscription, NotificationAddress

CONFIRM_SALT = "comments.notifications.confirm"
UNSUBSCRIBE_SALT = "comments.notifications.unsubscribe"
# However often the form asks, an unconfirmed address gets at most one confirmation mail in
# this time: the form cannot be used to flood someone's inbox.
CONFIRMATION_INTERVAL = timedelta(days=1)


def absolute_url(path: str) -> str:
    return settings.NEWSROOM_SITE_URL.rstrip("/") + path


def is_blocked(email: str) -> bool:
    """Whether the blocklist names the address or its domain: such an address gets nothing."""
    domain = email.rpartition("@")[2]
    return BlockedCommenter.objects.filter(
        Q(kind=BlockedCommenter.Kind.EMAIL, value=email)
        | Q(kind=BlockedCommenter.Kind.DOMAIN, value=domain)
    ).exists()


# Tokens. The address's id is signed, never the address itself: a signed value is readable.


def confirmation_token(address: NotificationAddress) -> str:
    return signing.dumps({"a": address.pk, "k": address.confirmation_key}, salt=CONFIRM_SALT)


def unsubscribe_token(address: NotificationAddress) -> str:
    return signing.dumps({"u": address.pk}, salt=UNSUBSCRIBE_SALT)


class Confirmation(enum.Enum):
    READY = "ready"  # a valid link, not used yet
    CONFIRMED = "confirmed"  # used just now
    ALREADY = "already"  # used before: opening it again changes nothing
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered with, or replaced by a newer link or an unsubscribe


def _address_for_confirmation(token: str) -> tuple[Confirmation, NotificationAddress | None]:
    max_age = settings.NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS * 60 * 60
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return Confirmation.EXPIRED, None
    except (signing.BadSignature, ValueError):
        return Confirmation.INVALID, None
    if not isinstance(payload, dict) or type(payload.get("a")) is not int:
        return Confirmation.INVALID, None
    key = payload.get("k")
    address = NotificationAddress.objects.filter(pk=payload["a"]).first()
    if address is None or not key or key != address.confirmation_key:
        return Confirmation.INVALID, None
    if address.confirmed_at is not None:
        return Confirmation.ALREADY, address
    return Confirmation.READY, address


def check_confirmation(token: str) -> Confirmation:
    """What the link would do, without doing it (the page a GET shows)."""
    return _address_for_confirmation(token)[0]


def confirm_address(token: str) -> Confirmation:
    """Confirm the address the link was sent to; safe to repeat."""
    state, address = _address_for_confirmation(token)
    if state is not Confirmation.READY:
        return state
    confirmed = NotificationAddress.objects.filter(
        pk=address.pk, confirmation_key=address.confirmation_key, confirmed_at__isnull=True
    ).update(confirmed_at=timezone.now())
    # Two clicks at once: the second finds the first's update and is told "already".
    return Confirmation.CONFIRMED if confirmed else Confirmation.ALREADY


def read_unsubscribe_token(token: str) -> int | None:
    """The address id an unsubscribe link names, or None if this site did not sign it.

    Unsubscribe links do not expire: a mail read months later must still let its reader out.
    """
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict) or type(payload.get("u")) is not int:
        return None
    return payload["u"]


def unsubscribe(*, address_id: int) -> None:
    """Stop every notification to the address; it must confirm again to get any.

    The address row stays (without a confirmation), so the once-a-day limit on confirmation
    mails still holds for it. An address already unsubscribed or erased: nothing to do.
    """
    with transaction.atomic():
        CommentSubscription.objects.filter(address_id=address_id).delete()
        NotificationAddress.objects.filter(pk=address_id).update(
            confirmed_at=None, confirmation_key=""
        )


# The mails.

AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated"}


class UnfoldedHeader(str):
    """A header value written on one line however long (RFC 5322 allows 998 characters).

    Python's email package folds a line longer than 78 characters, and a URL has no space to
    fold at, so it would write the List-Unsubscribe URL as RFC 2047 encoded words, which mail
    programs do not read as a URL. A value with a ``name`` and ``fold()`` is written as it
    folds itself; Django keeps a str subclass as it is.
    """

    name: str

    def __new__(cls, value: str, name: str = "") -> "UnfoldedHeader":
        # ``name`` defaults so that copy and pickle, which call ``cls(value)`` and then
        # restore the attributes, can rebuild one.
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def confirmation_mail(address: NotificationAddress) -> EmailMessage:
    link = absolute_url(
        reverse("comments:notifications_confirm", args=[confirmation_token(address)])
    )
    hours = settings.NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS
    site = settings.NEWSROOM_SITE_NAME
    body = (
        f"Someone, hopefully you, posted a comment on {site} with this address and asked to "
        "be emailed when it is published or answered.\n\n"
        f"To get these emails, confirm your address (the link works for {hours} hours):\n"
        f"{link}\n\n"
        "If it was not you, ignore this email: nothing else will be sent to you.\n"
    )
    return EmailMessage(
        f"[{site}] Confirm your email address",
        body,
        to=[address.email],
        headers=AUTOMATIC_HEADERS,
    )


def notification_mail(
    *, address: NotificationAddress, subject: str, intro: str, comment: Comment
) -> EmailMessage:
    """A notification with a link to the comment and a one-click unsubscribe (RFC 8058)."""
    unsubscribe_url = absolute_url(
        reverse("comments:notifications_unsubscribe", args=[unsubscribe_token(address)])
    )
    body = (
        f"{intro}\n\n"
        f"{comment.body}\n\n"
        f"Read it on the site: {absolute_url(comment.get_absolute_url())}\n\n"
        "--\n"
        "You asked to be emailed about your comment. To get no more of these emails:\n"
        f"{unsubscribe_url}\n"
    )
    return EmailMessage(
        f"[{settings.NEWSROOM_SITE_NAME}] {subject}"[:200],
        body,
        to=[address.email],
        headers={
            **AUTOMATIC_HEADERS,
            "List-Unsubscribe": UnfoldedHeader(f"<{unsubscribe_url}>", name="List-Unsubscribe"),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def approved_mail(subscription: CommentSubscription) -> EmailMessage:
    comment = subscription.comment
    title = comment.article.title
    return notification_mail(
        address=subscription.address,
        subject=f"Your comment on “{title}” is published",
        intro=f"A moderator has published your comment on “{title}”:",
        comment=comment,
    )


def reply_mail(subscription: CommentSubscription, reply: Comment) -> EmailMessage:
    title = reply.article.title
    return notification_mail(
        address=subscription.address,
        subject=f"{reply.name} replied to your comment on “{title}”",
        intro=f"{reply.name} replied to your comment on “{title}”:",
        comment=reply,
    )
