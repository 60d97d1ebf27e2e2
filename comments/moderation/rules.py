"""The comment rules: plain functions, each judging one thing about a posted comment.

Two kinds of rule, judged in this order:

- Refusal rules (``duplicate_rule``, ``flood_rule``; ``refuse`` runs them) decide whether a
  comment is stored at all. A refusal is a reader's mistake, not an offence: nothing is stored,
  the reader is told why and may send the comment again.
- Moderation rules (the form's signals, the blocklist, keywords, links, the moderation mode;
  ``judge`` runs them) decide what a stored comment becomes. Each returns the reasons it fired
  ("3 links (limit 2)") or nothing, and the strictest outcome wins (spam over hold over
  approve). Every reason names the rule and, where it applies, the field, because moderators
  must see *why* a comment was held.

No rule reads the database or the clock: the posting workflow
(``comments.moderation.actions.submit_comment``) gathers what they compare with, under the
commenter's lock, and passes it in. So each rule can be tested alone, with plain values.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Outcome(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    SPAM = "spam"


class Refusal(StrEnum):
    DUPLICATE = "duplicate"
    FLOOD = "flood"
    # Not a rule's: the article stopped taking comments (posting reads it with the history).
    CLOSED = "closed"


class Mode(StrEnum):
    HOLD_ALL = "all"
    HOLD_FIRST_TIME = "first_time"
    HOLD_NONE = "none"


@dataclass(frozen=True)
class FormToken:
    """What the signed token in a served comment form says: which article, issued when.

    The nonce makes every served form's token distinct, so "each token serves one comment"
    never catches two readers who opened the page in the same second.
    """

    article_id: int
    issued_at: float
    nonce: str


@dataclass(frozen=True, kw_only=True)
class Submission:
    """A posted comment, as the rules see it: what the reader sent, from where, and when.

    ``form_token`` is None when the form's token is missing or not one this site signed;
    ``honeypot`` is what the hidden field people never see contained.
    """

    article_id: int
    name: str
    email: str
    website: str = ""
    body: str
    ip_address: str | None = None
    honeypot: str = ""
    form_token: FormToken | None
    received_at: datetime

    def fields(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "website": self.website, "body": self.body}


@dataclass(frozen=True)
class EarlierComment:
    """A stored comment, as the refusal rules compare a submission with it."""

    article_id: int
    name: str
    email: str
    ip_address: str | None
    body: str
    submitted_at: datetime


@dataclass(frozen=True)
class Finding:
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class Blocklist:
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    ips: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    mode: Mode = Mode.HOLD_FIRST_TIME
    max_links: int = 2
    moderation_keywords: tuple[str, ...] = ()
    disallowed_keywords: tuple[str, ...] = ()
    blocklist: Blocklist = field(default_factory=Blocklist)
    flood_seconds: int = 15
    min_form_seconds: int = 3
    max_form_age: int = 24 * 60 * 60


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    reasons: list[str]


# Refusal rules


def duplicate_rule(submission: Submission, *, earlier: Iterable[EarlierComment]) -> Refusal | None:
    """The same text on the same article under the same name or email: sent twice."""
    for comment in earlier:
        if (
            comment.article_id == submission.article_id
            and comment.body == submission.body
            and (comment.email == submission.email or comment.name == submission.name)
        ):
            return Refusal.DUPLICATE
    return None


def flood_rule(
    submission: Submission, *, earlier: Iterable[EarlierComment], flood_seconds: int
) -> Refusal | None:
    """Another comment, on any article, from the same email or IP within the flood window.

    Without an IP address (a socket that is not one) the email alone counts.
    """
    since = submission.received_at - timedelta(seconds=flood_seconds)
    for comment in earlier:
        same_sender = comment.email == submission.email or (
            submission.ip_address is not None and comment.ip_address == submission.ip_address
        )
        if same_sender and comment.submitted_at >= since:
            return Refusal.FLOOD
    return None


def refuse(
    submission: Submission, *, earlier: Iterable[EarlierComment], policy: Policy
) -> Refusal | None:
    """Why the comment is not to be stored, or None.

    A duplicate is named before a flood: a reader who sent the same comment twice learns that
    it is already there, not that they should slow down.
    """
    earlier = list(earlier)
    return duplicate_rule(submission, earlier=earlier) or flood_rule(
        submission, earlier=earlier, flood_seconds=policy.flood_seconds
    )


# Moderation rules: the form's signals


def form_token_rule(submission: Submission, *, min_seconds: int, max_age: int) -> list[Finding]:
    """A form sent too fast, too late, for another article, or with a token not ours: spam."""
    token = submission.form_token
    if token is None:
        return [Finding(Outcome.SPAM, "form timestamp missing or tampered with")]
    if token.article_id != submission.article_id:
        return [Finding(Outcome.SPAM, "form token issued for another article")]
    age = submission.received_at.timestamp() - token.issued_at
    if age < min_seconds:
        return [Finding(Outcome.SPAM, f"form sent {age:.1f} s after it was shown (too fast)")]
    if age > max_age:
        return [
            Finding(
                Outcome.SPAM, f"form sent more than {describe_seconds(max_age)} after it was shown"
            )
        ]
    return []


def honeypot_rule(submission: Submission) -> list[Finding]:
    """People never see the field, so whoever fills it in is a bot."""
    if submission.honeypot:
        return [Finding(Outcome.SPAM, "hidden honeypot field filled in")]
    return []


def used_form_token_rule(*, already_used: bool) -> list[Finding]:
    """One served form, one comment: a replayed token is how one fetch fed 1,300 posts."""
    if already_used:
        return [Finding(Outcome.SPAM, "form token already used for another comment")]
    return []


def describe_seconds(seconds: int) -> str:
    if seconds == 24 * 60 * 60:
        return "a day"
    if seconds % (60 * 60) == 0:
        hours = seconds // (60 * 60)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds} s"


# Moderation rules: the commenter and the text


LINK_PATTERN = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def normalise(text: str) -> str:
    """NFKC folds look-alike characters (full-width letters, ligatures); casefold ignores case."""
    return unicodedata.normalize("NFKC", text).casefold()


def find_keyword(keywords: Iterable[str], submission: Submission) -> tuple[str, str] | None:
    """The first keyword found as a whole word in any field, with that field's name."""
    for keyword in keywords:
        wanted = normalise(keyword).strip()
        if not wanted:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
        for field_name, value in submission.fields().items():
            if pattern.search(normalise(value)):
                return keyword, field_name
    return None


def count_links(text: str) -> int:
    return len(LINK_PATTERN.findall(text))


def mode_rule(submission: Submission, *, mode: Mode, has_approved_comment: bool) -> list[Finding]:
    if mode == Mode.HOLD_ALL:
        return [Finding(Outcome.HOLD, "every comment is held for review")]
    if mode == Mode.HOLD_FIRST_TIME and not has_approved_comment:
        return [Finding(Outcome.HOLD, "first-time commenter")]
    return []


def links_rule(submission: Submission, *, max_links: int) -> list[Finding]:
    links = count_links(submission.body)
    if max_links and links >= max_links:
        return [Finding(Outcome.HOLD, f"{links} links (limit {max_links})")]
    return []


def moderation_keyword_rule(submission: Submission, *, keywords: Iterable[str]) -> list[Finding]:
    found = find_keyword(keywords, submission)
    if found:
        keyword, field_name = found
        return [Finding(Outcome.HOLD, f"moderation keyword '{keyword}' in {field_name}")]
    return []


def disallowed_keyword_rule(submission: Submission, *, keywords: Iterable[str]) -> list[Finding]:
    found = find_keyword(keywords, submission)
    if found:
        keyword, field_name = found
        return [Finding(Outcome.SPAM, f"disallowed keyword '{keyword}' in {field_name}")]
    return []


def blocklist_rule(submission: Submission, *, blocklist: Blocklist) -> list[Finding]:
    findings = []
    email = submission.email.strip().lower()
    if email in blocklist.emails:
        findings.append(Finding(Outcome.SPAM, f"blocked email {email}"))
    domain = email.rpartition("@")[2]
    if domain and domain in blocklist.domains:
        findings.append(Finding(Outcome.SPAM, f"blocked email domain {domain}"))
    if submission.ip_address and submission.ip_address in blocklist.ips:
        findings.append(Finding(Outcome.SPAM, f"blocked IP {submission.ip_address}"))
    return findings


def judge(
    submission: Submission,
    *,
    policy: Policy,
    has_approved_comment: bool,
    form_token_used: bool,
) -> Judgement:
    """What a comment that is not refused becomes, with every reason.

    ``has_approved_comment``: its email has an approved comment already; ``form_token_used``:
    its form's token already served another comment.
    """
    findings = [
        *form_token_rule(
            submission, min_seconds=policy.min_form_seconds, max_age=policy.max_form_age
        ),
        *honeypot_rule(submission),
        *used_form_token_rule(already_used=form_token_used),
        *blocklist_rule(submission, blocklist=policy.blocklist),
        *disallowed_keyword_rule(submission, keywords=policy.disallowed_keywords),
        *moderation_keyword_rule(submission, keywords=policy.moderation_keywords),
        *links_rule(submission, max_links=policy.max_links),
        *mode_rule(submission, mode=policy.mode, has_approved_comment=has_approved_comment),
    ]
    return combine(findings)


def combine(findings: list[Finding]) -> Judgement:
    outcomes = {finding.outcome for finding in findings}
    if Outcome.SPAM in outcomes:
        outcome = Outcome.SPAM
    elif Outcome.HOLD in outcomes:
        outcome = Outcome.HOLD
    else:
        outcome = Outcome.APPROVE
    return Judgement(outcome, [finding.reason for finding in findings])
