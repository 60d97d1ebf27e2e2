"""Which held comments the moderators' mail takes, and the lock that makes each held comment
go in exactly one mail. Scheduling the mail is posting's (``actions.schedule_moderator_mail``);
sending it is the task's (``comments.tasks.send_moderator_mail``), which calls
``claim_held_comments``.
"""

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Comment, ModerationLogEntry, ModeratorMail
from .locks import advisory_key

# Held by every transaction that may put a comment in the moderation queue, shared, until it
# commits; taken alone by the moderators' mail when it takes what was held since the last
# one (``claim_held_comments``), so it waits for those transactions and misses none of them.
MODERATOR_MAIL_LOCK = advisory_key("moderators' mail")
# What puts a comment in the queue, as the moderation log names it.
QUEUE_ACTIONS = ("submitted", "reported")


def hold_moderator_mail_lock() -> None:
    """Take MODERATOR_MAIL_LOCK, shared, until the transaction ends; before writing the log
    entry that puts a comment in the queue. Posting takes it with its other locks
    (``serialize_commenter``). SQLite's single writer needs no lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [MODERATOR_MAIL_LOCK])


def claim_held_comments() -> list[int]:
    """The ids of the comments that entered the moderation queue since the last moderators'
    mail, in that order, taken for the mail that is waiting; none if no mail is waiting
    (another run took it). Its row is then marked sent, and older rows are deleted.

    Any waiting mail, not only one due by this host's clock: its task runs when it is due,
    and a worker whose clock is behind the web servers' must not leave it waiting.

    Takes MODERATOR_MAIL_LOCK alone, so every transaction that may hold a comment has
    committed or has not begun: each held comment is in exactly one mail.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MODERATOR_MAIL_LOCK])
        now = timezone.now()
        waiting = ModeratorMail.objects.filter(sent_at__isnull=True)
        if not waiting.exists():
            return []
        sent = ModeratorMail.objects.filter(sent_at__isnull=False)
        mark = sent.aggregate(last=Max("through_entry"))["last"] or 0
        entries = list(
            ModerationLogEntry.objects.filter(
                pk__gt=mark, to_status=Comment.Status.PENDING, action__in=QUEUE_ACTIONS
            )
            .order_by("pk")
            .values_list("pk", "comment_id")
        )
        through = max([mark, *(pk for pk, _ in entries)])
        waiting.update(sent_at=now, through_entry=through)
        sent.filter(sent_at__lt=now).delete()  # the one just sent carries the mark on
    return list(dict.fromkeys(comment_id for _, comment_id in entries))
