"""Comment work done off the reader's request, as tasks on Django's task framework.

The ``TASKS`` setting picks the backend: django-tasks-db in production (a row in the database
that a ``manage.py db_worker`` process picks up), Django's immediate backend in tests. A task
takes ids, not objects, because its arguments are stored as JSON until a worker runs it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts import roles

from . import notifications
from .models import (
    Comment,
    CommentSubscription,
    NotificationAddress,
    UsedFormToken,
    normalise_email,
)
from .moderation.moderator_mail import claim_held_comments

logger = logging.getLogger(__name__)

# Seconds before each new try when the mail server refuses; after the last, the failure stays
# in the task results (admin: Django Tasks DB → Task results) for someone to look at.
MAIL_RETRY_DELAYS = (60, 10 * 60, 60 * 60)


def moderator_emails() -> list[str]:
    # The Moderators group, not everyone who may moderate: editors are not sent the queue.
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.MODERATORS)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


# Comments a mail shows in full; the rest are counted, and waiting in the queue.
MAIL_LISTED = 50


def held_comments_mail(comments: list[Comment], *, total: int) -> tuple[str, str]:
    """Subject and body of the moderators' mail about held ``comments`` (the first
    MAIL_LISTED of ``total``)."""
    base = settings.NEWSROOM_SITE_URL.rstrip("/")
    site = settings.NEWSROOM_SITE_NAME
    if total == 1:
        subject = f"[{site}] Comment held on “{comments[0].article.title}”"
    else:
        subject = f"[{site}] {total} comments held for moderation"
    parts = []
    for comment in comments:
        admin_url = reverse("admin:comments_comment_change", args=[comment.pk])
        reasons = "\n".join(f"- {reason}" for reason in comment.hold_reasons)
        parts.append(
            f"A comment by {comment.name} <{comment.email}> on “{comment.article.title}” is "
            "waiting for moderation.\n\n"
            f"Why it was held:\n{reasons or '- (none recorded)'}\n\n"
            f"Comment:\n{comment.body}\n\n"
            f"Review it: {base}{admin_url}\n"
        )
    message = "\n----------\n\n".join(parts)
    if total > len(comments):
        message += f"\n…and {total - len(comments)} more.\n"
    queue = reverse("admin:comments_comment_changelist")
    message += f"\nThe moderation queue: {base}{queue}\n"
    return subject[:200], message


@task
def send_moderator_mail(comment_ids: list[int] | None = None, attempt: int = 1) -> int:
    """Email the moderators about the comments held since the last such mail, all in one
    (``claim_held_comments``); return how many comments it told of.

    Queued when a comment is held and no mail is waiting (``schedule_moderator_mail``). A
    comment moderated or deleted before the mail went out is left out; with none left,
    nothing is sent. When the mail server (or anything else) fails once the comments are
    taken, the failure is logged, a new try for the same comments (``comment_ids``) is
    queued for later (on a backend that can run a task later; the immediate one cannot),
    and the exception is raised so the backend records this run as failed.
    """
    if comment_ids is None:
        comment_ids = claim_held_comments()
    if not comment_ids:
        return 0
    # From here on, a failure of any kind (the database, the mail server) queues another try
    # for the same comments: they have been taken from the queue's mail for this one.
    try:
        held = Comment.objects.filter(pk__in=comment_ids, status=Comment.Status.PENDING)
        comments = list(
            held.select_related("article").order_by("submitted_at", "pk")[: MAIL_LISTED + 1]
        )
        recipients = moderator_emails() if comments else []
        if not recipients:
            return 0
        total = len(comments) if len(comments) <= MAIL_LISTED else max(held.count(), len(comments))
        subject, message = held_comments_mail(comments[:MAIL_LISTED], total=total)
        send_mail(subject, message, None, recipients)
    except Exception:
        backend = send_moderator_mail.get_backend()
        retry = attempt <= len(MAIL_RETRY_DELAYS) and backend.supports_defer
        if retry:
            delay = MAIL_RETRY_DELAYS[attempt - 1]
            send_moderator_mail.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                comment_ids, attempt=attempt + 1
            )
        logger.exception(
            "Could not email moderators about %s held comment(s) (attempt %s); %s",
            len(comment_ids),
            attempt,
            f"trying again in {delay} s" if retry else "giving up",
        )
        raise
    return total


@task
def notify_moderators(comment_id: int, attempt: int = 1) -> int:
    """The mail about one held comment, as queued before moderators' mails were grouped
    (``send_moderator_mail``): a task of that kind still waiting after an upgrade runs."""
    return send_moderator_mail.call([comment_id], attempt=attempt)


# Rows blanked per statement: each batch is a short transaction, so the purge never holds
# locks on a large part of the table while readers post.
PURGE_BATCH_SIZE = 1000


@task
def purge_comment_ips() -> int:
    """Blank the IP address and user agent of comments older than the retention period.

    Returns how many comments were purged. The flood rule compares the IP of the last
    NEWSROOM_COMMENT_FLOOD_SECONDS only, duplicates compare name, email and text, and the
    blocklist keeps its own copy of a blocked address: none needs an old comment's IP.
    Expired used form tokens are forgotten in the same run.
    """
    now = timezone.now()
    purged = 0
    while True:
        batch = list(
            Comment.objects.past_network_retention(now=now)
            .order_by()
            .values_list("pk", flat=True)[:PURGE_BATCH_SIZE]
        )
        if not batch:
            break
        purged += Comment.objects.filter(pk__in=batch).update(ip_address=None, user_agent="")
    if purged:
        logger.info(
            "Removed the IP address and user agent of %s comment(s) older than %s days.",
            purged,
            settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS,
        )
    forget_expired_form_tokens(now=now)
    return purged


def forget_expired_form_tokens(*, now) -> int:
    """Delete the used form tokens older than NEWSROOM_COMMENT_MAX_FORM_AGE: a form that
    old is spam anyway, so whether its token was used no longer matters. Part of the daily
    purge rather than of every post."""
    max_age = timedelta(seconds=settings.NEWSROOM_COMMENT_MAX_FORM_AGE)
    deleted, _ = UsedFormToken.objects.filter(used_at__lt=now - max_age).delete()
    return deleted


# Commenters' notifications (comments/notifications.py). Each task looks again at what is
# stored when it runs: an address unsubscribed, blocked or erased since it was queued gets
# nothing.


@task
def send_notification_confirmation(address_id: int, key: str) -> int:
    """Mail the link that confirms an address for notifications; return how many were sent.

    ``key`` is the key the link was made for: when a newer link, a confirmation or an
    unsubscribe came first, this one is not sent.
    """
    address = NotificationAddress.objects.filter(
        pk=address_id, confirmation_key=key, confirmed_at__isnull=True
    ).first()
    if address is None or not key or notifications.is_blocked(address.email):
        return 0
    notifications.confirmation_mail(address).send()
    return 1


def _claim(subscription_id: int, flag: str) -> bool:
    """Clear ``flag`` on the subscription; True for the one run that cleared it.

    A task queued twice for one event (an approval undone and redone before the worker ran)
    then mails once. A subscription left asking for nothing is deleted: it is no use kept.
    """
    claimed = CommentSubscription.objects.filter(pk=subscription_id, **{flag: True}).update(
        **{flag: False}
    )
    CommentSubscription.objects.filter(
        pk=subscription_id, on_approval=False, on_reply=False
    ).delete()
    return bool(claimed)


def _confirmed_subscription(comment_id: int, flag: str) -> CommentSubscription | None:
    subscription = (
        CommentSubscription.objects.select_related("address", "comment__article")
        .filter(comment_id=comment_id, address__confirmed_at__isnull=False, **{flag: True})
        .first()
    )
    if subscription is None or notifications.is_blocked(subscription.address.email):
        return None
    return subscription


@task
def notify_comment_approved(comment_id: int) -> int:
    """Tell a commenter who asked that their held comment is now published."""
    subscription = _confirmed_subscription(comment_id, "on_approval")
    if subscription is None or subscription.comment.status != Comment.Status.APPROVED:
        return 0
    message = notifications.approved_mail(subscription)
    if not _claim(subscription.pk, "on_approval"):
        return 0
    message.send()
    return 1


@task
def notify_reply(reply_id: int) -> int:
    """Tell the author of the comment replied to, if they asked, that a reply is published.

    Not for a reply from their own address, and not while the comment replied to is hidden.
    Replies go on coming, so the subscription stays.
    """
    reply = Comment.objects.select_related("article", "parent").filter(pk=reply_id).first()
    if reply is None or reply.parent is None or reply.status != Comment.Status.APPROVED:
        return 0
    if reply.parent.status != Comment.Status.APPROVED:
        return 0
    subscription = _confirmed_subscription(reply.parent_id, "on_reply")
    if subscription is None or subscription.address.email == normalise_email(reply.email):
        return 0
    notifications.reply_mail(subscription, reply).send()
    return 1
