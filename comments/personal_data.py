"""A commenter's personal data: everything stored about an email address, exported or erased.

Used by the admin's "Personal data" page and by ``manage.py export_commenter_data`` and
``manage.py erase_commenter_data``. What is stored about a commenter, server side:

- their comments: name, email, website, text (and the text before a moderator's edit), the
  IP address and browser (user agent) they posted from, when, and the moderation status and
  reasons;
- the moderation log of those comments;
- blocklist entries naming their email address or an IP address of their comments;
- if they asked for email notifications: the address, when it was sent a confirmation link
  and when it confirmed, and which comments they asked to hear about.

Nothing else holds it: the "Save my name…" cookie lives only in the reader's browser, and so
does the signed cookie of their own comments' ids (so a reader sees their own held comment);
used form tokens are kept only as digests, and queued mail tasks carry a comment id, not an address.
"""

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import (
    BlockedCommenter,
    Comment,
    CommentSubscription,
    ModerationLogEntry,
    NotificationAddress,
    normalise_email,
)
from .moderation.actions import change_status, comments_changed

logger = logging.getLogger(__name__)

# What an erased comment shows instead of its author's name, as in WordPress.
ANONYMOUS_NAME = "Anonymous"
# In hold reasons and log entries that quoted an erased address or IP.
ERASED_MARK = "[erased]"
# What an erased comment's text becomes when the text is removed too (moderators see it).
REMOVED_TEXT = "[text erased at the commenter's request]"
ERASE_ACTION = "erase"
# What an erasure sets on each comment (besides the status of a visible one whose text goes).
ERASED_FIELDS = (
    "name",
    "email",
    "website",
    "ip_address",
    "user_agent",
    "user",
    "hold_reasons",
    "body",
    "original_body",
)


def email_variants(email: str) -> set[str]:
    """The spellings of ``email`` that name the same mailbox in the comments table.

    Stored addresses are lower-cased (``normalise_email``); an international domain may have
    been typed in Unicode ("bücher.example") or as IDNA ("xn--bcher-kva.example"), and its
    characters composed or decomposed. Each is looked up, so the export finds all of them.
    """
    variants: set[str] = set()
    for form in ("NFC", "NFD"):
        address = normalise_email(unicodedata.normalize(form, email))
        variants.add(address)
        local, at, domain = address.rpartition("@")
        if not at:
            continue
        for convert in (_domain_to_ascii, _domain_to_unicode):
            converted = convert(domain)
            if converted:
                variants.add(f"{local}@{converted.lower()}")
    return {variant for variant in variants if variant}


def _domain_to_ascii(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _domain_to_unicode(domain: str) -> str | None:
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return None


def comments_of(email: str):
    """Every comment stored under ``email`` (any status), oldest first."""
    return Comment.objects.filter(email__in=email_variants(email)).order_by("submitted_at", "id")


def export_commenter_data(*, email: str) -> dict[str, Any]:
    """Everything stored about ``email``, as a JSON-ready dict (the same at every call but for
    ``exported_at``)."""
    comments = list(comments_of(email).select_related("article"))
    ips = sorted({comment.ip_address for comment in comments if comment.ip_address})
    log = ModerationLogEntry.objects.filter(comment__in=comments).order_by("created_at", "id")
    log_by_comment: dict[int, list[dict[str, Any]]] = {}
    for entry in log:
        log_by_comment.setdefault(entry.comment_id, []).append(
            {
                "at": entry.created_at.isoformat(),
                # Who among the staff acted is the staff's data, not the commenter's.
                "by": "moderator" if entry.actor_id else "automatic rules",
                "action": entry.action,
                "from_status": entry.from_status,
                "to_status": entry.to_status,
                "reason": entry.reason,
            }
        )
    blocked = BlockedCommenter.objects.filter(
        Q(kind=BlockedCommenter.Kind.EMAIL, value__in=email_variants(email))
        | Q(kind=BlockedCommenter.Kind.IP, value__in=ips)
    ).order_by("created_at", "id")
    addresses = NotificationAddress.objects.filter(email__in=email_variants(email)).order_by("pk")
    subscriptions = CommentSubscription.objects.filter(address__in=addresses).order_by("pk")
    return {
        "email": email,
        "site": settings.NEWSROOM_SITE_NAME,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": comment.pk,
                "article": comment.article.title,
                "article_url": comment.article.get_absolute_url(),
                "in_reply_to": comment.parent_id,
                "name": comment.name,
                "email": comment.email,
                "website": comment.website,
                "text": comment.body,
                "text_before_moderator_edit": comment.original_body,
                "status": comment.status,
                "hold_reasons": comment.hold_reasons,
                "submitted_at": comment.submitted_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
                "moderation_log": log_by_comment.get(comment.pk, []),
            }
            for comment in comments
        ],
        "blocklist": [
            {
                "kind": entry.kind,
                "value": entry.value,
                "reason": entry.reason,
                "created_at": entry.created_at.isoformat(),
            }
            for entry in blocked
        ],
        "notifications": {
            "addresses": [
                {
                    "email": address.email,
                    "asked_at": address.created_at.isoformat(),
                    "confirmation_sent_at": _isoformat(address.confirmation_sent_at),
                    "confirmed_at": _isoformat(address.confirmed_at),
                }
                for address in addresses
            ],
            "subscriptions": [
                {
                    "comment": subscription.comment_id,
                    "when_published": subscription.on_approval,
                    "when_replied_to": subscription.on_reply,
                    "asked_at": subscription.created_at.isoformat(),
                }
                for subscription in subscriptions
            ],
        },
        "not_stored_on_the_server": [
            "“Save my name, email and website” keeps them in a cookie in your browser only.",
            "A cookie in your browser remembers the ids of comments you posted, so that you "
            "see your own held comment; it expires after two weeks.",
        ],
    }


def _isoformat(moment) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class Erasure:
    comments: int  # comments anonymised
    texts_removed: int  # of which the text was removed too
    blocklist_entries_kept: int
    notification_addresses: int = 0  # deleted, with what they had asked for


def erase_commenter_data(*, email: str, remove_text: bool, actor=None) -> Erasure:
    """Anonymise every comment of ``email``: name, email, website, IP and user agent.

    The text stays unless ``remove_text``; then it is replaced and a visible comment is
    taken off the site (status "removed", logged). Hold reasons and log entries that quoted
    the address or an IP are scrubbed. Each comment gets a log entry "erase" that says what
    was done and holds none of the data; replies by others stay where they are.

    Blocklist entries stay: they keep a spammer out, and an erasure request must not be a
    way around a block. The result says how many there are, so a moderator can delete them
    by hand when that is right.
    """
    variants = email_variants(email)
    with transaction.atomic():
        comments = list(comments_of(email).select_for_update())
        secrets = {*variants, *(c.ip_address for c in comments if c.ip_address)}
        blocked = BlockedCommenter.objects.filter(
            Q(kind=BlockedCommenter.Kind.EMAIL, value__in=variants)
            | Q(kind=BlockedCommenter.Kind.IP, value__in=secrets - variants)
        ).count()
        texts_removed = 0
        note = "personal data erased on request; text " + ("removed" if remove_text else "kept")
        taken_off: list[Comment] = []  # visible comments whose text goes: they leave the site
        for comment in comments:
            comment.name = ANONYMOUS_NAME
            # Empty, not a placeholder address: no reader can type an empty address, so no
            # new comment ever counts these as its author's earlier approved ones.
            comment.email = ""
            comment.website = ""
            comment.ip_address = None
            comment.user_agent = ""
            comment.user = None
            comment.hold_reasons = [_scrub(reason, secrets) for reason in comment.hold_reasons]
            if remove_text:
                comment.body = REMOVED_TEXT
                comment.original_body = ""
                texts_removed += 1
            if remove_text and comment.status == Comment.Status.APPROVED:
                taken_off.append(comment)
                continue
            comment.save(update_fields=ERASED_FIELDS)
            ModerationLogEntry.objects.create(
                comment=comment,
                actor=actor,
                action=ERASE_ACTION,
                from_status=comment.status,
                to_status=comment.status,
                reason=note,
            )
        # Saved and logged with their status change, and their pages refreshed.
        change_status(
            taken_off,
            to_status=Comment.Status.REMOVED,
            actor=actor,
            reason=note,
            action=ERASE_ACTION,
            also_saved=ERASED_FIELDS,
        )
        _scrub_log(comments, secrets)
        # Cached article pages and comment feeds still show the others' name and text.
        comments_changed(
            {comment.article_id for comment in comments}
            - {comment.article_id for comment in taken_off}
        )
        # Deleting the address deletes its subscriptions; an address erased and asking again
        # starts over with a new confirmation.
        _, deleted = NotificationAddress.objects.filter(email__in=variants).delete()
        addresses = deleted.get(NotificationAddress._meta.label, 0)
    # The address is not logged: the log would keep what was just erased.
    logger.info(
        "Erased the personal data of %s comment(s) (text %s) for %s.",
        len(comments),
        "removed" if remove_text else "kept",
        getattr(actor, "username", None) or "a management command",
    )
    return Erasure(
        comments=len(comments),
        texts_removed=texts_removed,
        blocklist_entries_kept=blocked,
        notification_addresses=addresses,
    )


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret replaced where it stands whole ("1.2.3.4", not in "11.2.3.45")."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.:@-]){re.escape(secret)}(?![\w.:@-])", ERASED_MARK, text)
    return text


def _scrub_log(comments: list[Comment], secrets: set[str]) -> None:
    """Blank the address and IPs out of earlier log reasons ("blocked email …")."""
    entries = ModerationLogEntry.objects.filter(comment__in=comments).exclude(action=ERASE_ACTION)
    for entry in entries:
        scrubbed = _scrub(entry.reason, secrets)
        if scrubbed != entry.reason:
            entry.reason = scrubbed
            entry.save(update_fields=["reason"])
