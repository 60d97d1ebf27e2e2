"""Moderation workflows with side effects, shared by the posting view and the admin.

Every status change goes through ``change_status`` so it is logged: who, when, which
comment, from → to, and why.
"""

import hashlib
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from newsroom.pagecache import ANY_ARTICLE, content_changed

from ..models import (
    BlockedCommenter,
    Comment,
    ModerationLogEntry,
    UsedFormToken,
    normalise_email,
    normalise_ip,
)
from ..tasks import notify_moderators
from .rules import (
    Blocklist,
    EarlierComment,
    Mode,
    Outcome,
    Policy,
    Refusal,
    Submission,
    judge,
    refuse,
)

logger = logging.getLogger(__name__)

STATUS_FOR_OUTCOME = {
    Outcome.APPROVE: Comment.Status.APPROVED,
    Outcome.HOLD: Comment.Status.PENDING,
    Outcome.SPAM: Comment.Status.SPAM,
}


def current_policy() -> Policy:
    blocked = BlockedCommenter.objects.values_list("kind", "value")
    by_kind: dict[str, set[str]] = {kind: set() for kind in BlockedCommenter.Kind.values}
    for kind, value in blocked:
        by_kind[kind].add(value)
    return Policy(
        mode=Mode(settings.NEWSROOM_COMMENT_MODERATION),
        max_links=settings.NEWSROOM_COMMENT_MAX_LINKS,
        moderation_keywords=tuple(settings.NEWSROOM_COMMENT_MODERATION_KEYWORDS),
        disallowed_keywords=tuple(settings.NEWSROOM_COMMENT_DISALLOWED_KEYWORDS),
        blocklist=Blocklist(
            emails=frozenset(by_kind["email"]),
            domains=frozenset(by_kind["domain"]),
            ips=frozenset(by_kind["ip"]),
        ),
        flood_seconds=settings.NEWSROOM_COMMENT_FLOOD_SECONDS,
        min_form_seconds=settings.NEWSROOM_COMMENT_MIN_SECONDS,
        max_form_age=settings.NEWSROOM_COMMENT_MAX_FORM_AGE,
    )


USER_AGENT_MAX_LENGTH = 500


def clean_user_agent(user_agent: str) -> str:
    """The header without control characters (PostgreSQL refuses NUL in text), cut to fit."""
    printable = "".join(char for char in user_agent if unicodedata.category(char) != "Cc")
    return printable[:USER_AGENT_MAX_LENGTH]


class CommentRefused(Exception):
    """The comment is not stored; ``refusal`` says why, and the reader may try again."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def commenter_lock_keys(submission: Submission) -> list[int]:
    """What the refusal rules compare on, as 64-bit advisory lock keys.

    Sorted, so two posts that share some keys always take them in the same order (no
    deadlock).
    """
    keys = [f"email:{submission.email}", f"name:{submission.article_id}:{submission.name}"]
    if submission.ip_address:
        keys.append(f"ip:{submission.ip_address}")
    return sorted(
        int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        for key in keys
    )


def serialize_commenter(submission: Submission) -> None:
    """Make concurrent posts from the same commenter wait for each other until commit.

    The refusal rules compare with what is stored, then the comment is inserted: without this,
    twenty identical posts at once all see "nothing yet" and several are stored. On
    PostgreSQL, transaction-scoped advisory locks on the commenter's email, name and IP
    serialize only posts that could conflict. SQLite needs nothing here: its transactions begin
    IMMEDIATE (settings), so each one holds the database's single write lock from its first
    statement.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in commenter_lock_keys(submission):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


EARLIER_FIELDS = ("article_id", "name", "email", "ip_address", "body", "submitted_at")


def earlier_comments(submission: Submission, *, policy: Policy) -> list[EarlierComment]:
    """The stored comments the refusal rules compare a submission with.

    Narrowed only as far as the indexes help, so the rules stay the one definition of a
    duplicate and a flood: the same text on this article (from anyone), and anything from the
    same email or IP within the flood window. Two queries, not one OR, so each uses its index.
    """
    same_text = Comment.objects.filter(article_id=submission.article_id, body=submission.body)
    same_sender = Q(email=submission.email)
    if submission.ip_address:
        same_sender |= Q(ip_address=submission.ip_address)
    since = submission.received_at - timezone.timedelta(seconds=policy.flood_seconds)
    recent = Comment.objects.filter(same_sender, submitted_at__gte=since)
    rows = {
        row.pop("pk"): row
        for query in (same_text, recent)
        for row in query.values("pk", *EARLIER_FIELDS)
    }
    return [EarlierComment(**row) for row in rows.values()]


def submit_comment(
    *,
    submission: Submission,
    parent: Comment | None,
    user_agent: str,
    user=None,
    form_token_digest: str | None = None,
) -> Comment:
    """Judge and store a reader's comment; tell the moderators if it is held.

    Raises CommentRefused (a duplicate, a flood) instead of storing. Reading what the refusal
    rules compare with and the insert are one transaction, serialized per commenter, so the
    rules hold under concurrent posts. ``form_token_digest`` marks the served form's token as
    used: a second comment with the same token is spam.
    """
    submission = replace(submission, email=normalise_email(submission.email))
    policy = current_policy()
    with transaction.atomic():
        serialize_commenter(submission)
        refusal = refuse(
            submission, earlier=earlier_comments(submission, policy=policy), policy=policy
        )
        if refusal is not None:
            raise CommentRefused(refusal)
        has_approved = Comment.objects.filter(
            email=submission.email, status=Comment.Status.APPROVED
        ).exists()
        # Recorded only once the comment is sure to be stored: a refused post leaves the
        # reader's form usable.
        form_token_used = form_token_digest is not None and not use_form_token(form_token_digest)
        judgement = judge(
            submission,
            policy=policy,
            has_approved_comment=has_approved,
            form_token_used=form_token_used,
        )
        status = STATUS_FOR_OUTCOME[judgement.outcome]
        comment = Comment(
            article_id=submission.article_id,
            parent=parent,
            name=submission.name,
            email=submission.email,
            website=submission.website,
            body=submission.body,
            status=status,
            hold_reasons=judgement.reasons,
            ip_address=submission.ip_address,
            user_agent=clean_user_agent(user_agent),
            user=user if user is not None and user.is_authenticated else None,
        )
        comment.save()  # places it in its thread
        ModerationLogEntry.objects.create(
            comment=comment,
            action="submitted",
            to_status=status,
            reason="; ".join(judgement.reasons),
        )
        if status == Comment.Status.PENDING:
            # Queued once the comment is stored, so the worker finds it; robust, so a queue
            # that cannot take the task is logged and never fails the reader's post.
            transaction.on_commit(partial(notify_moderators.enqueue, comment.pk), robust=True)
        elif status == Comment.Status.APPROVED:
            comments_changed([submission.article_id])
    return comment


def comments_changed(article_ids: Iterable[int]) -> None:
    """Refresh the cached pages showing these articles' comments: their own pages and
    comment feeds, and the latest-comments feeds (no listing shows comments)."""
    slugs = list(Article.objects.filter(pk__in=set(article_ids)).values_list("slug", flat=True))
    for slug in slugs:
        content_changed(article_slug=slug)
    if slugs:
        content_changed(article_slug=ANY_ARTICLE)


def use_form_token(digest: str) -> bool:
    """Record a form token as used; False if it already was (a replay).

    The unique digest decides even when two replays of one token race: the second insert
    waits for the first and then fails.
    """
    now = timezone.now()
    max_age = timezone.timedelta(seconds=settings.NEWSROOM_COMMENT_MAX_FORM_AGE)
    # Tokens older than the maximum form age are refused anyway; their rows can go.
    UsedFormToken.objects.filter(used_at__lt=now - max_age).delete()
    try:
        with transaction.atomic():
            UsedFormToken.objects.create(digest=digest, used_at=now)
    except IntegrityError:
        return False
    return True


def change_status(
    comments: Iterable[Comment], *, to_status: str, actor, reason: str = "", action: str = ""
) -> int:
    """Move comments to ``to_status``, logging each real change. Returns how many changed."""
    changed = 0
    shown_on = set()  # articles whose readers see the change: to or from approved
    with transaction.atomic():
        for comment in comments:
            if comment.status == to_status:
                continue
            from_status = comment.status
            comment.status = to_status
            comment.save(update_fields=["status"])
            ModerationLogEntry.objects.create(
                comment=comment,
                actor=actor,
                action=action or to_status,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
            )
            changed += 1
            if Comment.Status.APPROVED in (from_status, to_status):
                shown_on.add(comment.article_id)
        comments_changed(shown_on)
    return changed


def approve(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.APPROVED, actor=actor, reason=reason, action="approve"
    )


def mark_spam(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.SPAM, actor=actor, reason=reason, action="spam"
    )


def remove(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.REMOVED, actor=actor, reason=reason, action="remove"
    )


def restore(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.PENDING, actor=actor, reason=reason, action="restore"
    )


def block_commenters(comments: Iterable[Comment], *, actor) -> tuple[int, int]:
    """Blocklist each comment's email and IP; their pending comments become spam.

    Returns (new blocklist entries, comments marked spam).
    """
    comments = list(comments)
    emails = {normalise_email(c.email) for c in comments if c.email}
    ips = {normalise_ip(c.ip_address) for c in comments if c.ip_address} - {None}
    added = 0
    with transaction.atomic():
        for kind, values in (
            (BlockedCommenter.Kind.EMAIL, emails),
            (BlockedCommenter.Kind.IP, ips),
        ):
            for value in values:
                _, created = BlockedCommenter.objects.get_or_create(
                    kind=kind,
                    value=value,
                    defaults={"created_by": actor, "reason": "blocked from the comment queue"},
                )
                added += created
        pending = Comment.objects.filter(status=Comment.Status.PENDING).filter(
            _email_or_ip(emails, ips)
        )
        marked = change_status(
            pending.select_for_update(),
            to_status=Comment.Status.SPAM,
            actor=actor,
            reason="commenter blocked",
            action="block",
        )
    return added, marked


def _email_or_ip(emails: set[str], ips: set[str]) -> Q:
    query = Q(email__in=emails)
    if ips:
        query |= Q(ip_address__in=ips)
    return query


def edit_body(comment: Comment, *, body: str, actor) -> None:
    """A moderator's edit; the reader's original text is kept the first time."""
    if body == comment.body:
        return
    with transaction.atomic():
        if not comment.original_body:
            comment.original_body = comment.body
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "original_body", "edited_at"])
        ModerationLogEntry.objects.create(
            comment=comment,
            actor=actor,
            action="edit",
            from_status=comment.status,
            to_status=comment.status,
            reason="body edited",
        )
        if comment.status == Comment.Status.APPROVED:
            comments_changed([comment.article_id])
