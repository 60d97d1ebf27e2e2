"""Moderation workflows with side effects, shared by the posting view and the admin.

Every status change goes through ``change_status`` so it is logged: who, when, which
comment, from → to, and why.
"""

import hashlib
import logging
import unicodedata
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article

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
    Candidate,
    Finding,
    Judgement,
    Mode,
    Outcome,
    Policy,
    combine,
    judge,
    used_form_token_rule,
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
    )


USER_AGENT_MAX_LENGTH = 500


def clean_user_agent(user_agent: str) -> str:
    """The header without control characters (PostgreSQL refuses NUL in text), cut to fit."""
    printable = "".join(char for char in user_agent if unicodedata.category(char) != "Cc")
    return printable[:USER_AGENT_MAX_LENGTH]


class CommentRefused(Exception):
    """The comment is not stored; the reader is told why and may try again."""


class DuplicateComment(CommentRefused):
    pass


class CommentFlood(CommentRefused):
    pass


def commenter_lock_keys(*, article: Article, name: str, email: str, ip_address: str | None):
    """What the duplicate and flood checks compare on, as 64-bit advisory lock keys.

    Sorted, so two posts that share some keys always take them in the same order (no
    deadlock).
    """
    keys = [f"email:{email}", f"name:{article.pk}:{name}"]
    if ip_address:
        keys.append(f"ip:{ip_address}")
    return sorted(
        int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        for key in keys
    )


def serialize_commenter(*, article: Article, name: str, email: str, ip_address: str | None):
    """Make concurrent posts from the same commenter wait for each other until commit.

    The duplicate and flood checks read, then insert: without this, twenty identical posts at
    once all see "nothing yet" and several are stored. On PostgreSQL, transaction-scoped
    advisory locks on the commenter's email, name and IP serialize only posts that could
    conflict. SQLite needs nothing here: its transactions begin IMMEDIATE (settings), so each
    one holds the database's single write lock from its first statement.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in commenter_lock_keys(
            article=article, name=name, email=email, ip_address=ip_address
        ):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def check_duplicate_and_flood(
    *, article: Article, name: str, email: str, body: str, ip_address: str | None
) -> None:
    """Raise DuplicateComment (same article, same name or email, same text) or CommentFlood
    (the same email or IP commented within NEWSROOM_COMMENT_FLOOD_SECONDS)."""
    same_person = Q(email=email) | Q(name=name)
    if Comment.objects.filter(same_person, article=article, body=body).exists():
        raise DuplicateComment
    since = timezone.now() - timezone.timedelta(seconds=settings.NEWSROOM_COMMENT_FLOOD_SECONDS)
    same_sender = Q(email=email)
    if ip_address:
        same_sender |= Q(ip_address=ip_address)
    if Comment.objects.filter(same_sender, submitted_at__gte=since).exists():
        raise CommentFlood


def submit_comment(
    *,
    article: Article,
    parent: Comment | None,
    name: str,
    email: str,
    website: str,
    body: str,
    ip_address: str | None,
    user_agent: str,
    user=None,
    spam_signals: Iterable[str] = (),
    form_token_digest: str | None = None,
) -> Comment:
    """Judge and store a reader's comment; tell the moderators if it is held.

    Raises DuplicateComment or CommentFlood instead of storing. The checks and the insert are
    one transaction, serialized per commenter, so they hold under concurrent posts.
    ``form_token_digest`` marks the served form's token as used: a second comment with the
    same token is spam.
    """
    email = normalise_email(email)
    candidate = Candidate(name=name, email=email, website=website, body=body, ip_address=ip_address)
    with transaction.atomic():
        serialize_commenter(article=article, name=name, email=email, ip_address=ip_address)
        check_duplicate_and_flood(
            article=article, name=name, email=email, body=body, ip_address=ip_address
        )
        has_approved = Comment.objects.filter(email=email, status=Comment.Status.APPROVED).exists()
        judgement = judge(candidate, policy=current_policy(), has_approved_comment=has_approved)
        signals = [Finding(Outcome.SPAM, signal) for signal in spam_signals]
        if form_token_digest is not None:
            signals += used_form_token_rule(already_used=not use_form_token(form_token_digest))
        if signals:
            judgement = combine([*signals, *_findings(judgement)])
        status = STATUS_FOR_OUTCOME[judgement.outcome]
        comment = Comment(
            article=article,
            parent=parent,
            name=name,
            email=email,
            website=website,
            body=body,
            status=status,
            hold_reasons=judgement.reasons,
            ip_address=ip_address,
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
    return comment


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


def _findings(judgement: Judgement) -> list[Finding]:
    return [Finding(judgement.outcome, reason) for reason in judgement.reasons]


def change_status(
    comments: Iterable[Comment], *, to_status: str, actor, reason: str = "", action: str = ""
) -> int:
    """Move comments to ``to_status``, logging each real change. Returns how many changed."""
    changed = 0
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
