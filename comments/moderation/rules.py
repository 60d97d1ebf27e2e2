"""The moderation rules: plain functions, each judging one thing about a new comment.

Each rule returns the reasons it fired ("3 links (limit 2)") or nothing; ``judge`` runs them
all and the strictest outcome wins (spam over hold over approve). Every reason names the rule
and, where it applies, the field, because moderators must see *why* a comment was held.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    SPAM = "spam"


class Mode(StrEnum):
    HOLD_ALL = "all"
    HOLD_FIRST_TIME = "first_time"
    HOLD_NONE = "none"


@dataclass(frozen=True)
class Candidate:
    """What a reader submitted, as the rules see it."""

    name: str
    email: str
    website: str
    body: str
    ip_address: str | None = None

    def fields(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "website": self.website, "body": self.body}


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


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    reasons: list[str]


LINK_PATTERN = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def normalise(text: str) -> str:
    """NFKC folds look-alike characters (full-width letters, ligatures); casefold ignores case."""
    return unicodedata.normalize("NFKC", text).casefold()


def find_keyword(keywords: Iterable[str], candidate: Candidate) -> tuple[str, str] | None:
    """The first keyword found as a whole word in any field, with that field's name."""
    for keyword in keywords:
        wanted = normalise(keyword).strip()
        if not wanted:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
        for field_name, value in candidate.fields().items():
            if pattern.search(normalise(value)):
                return keyword, field_name
    return None


def count_links(text: str) -> int:
    return len(LINK_PATTERN.findall(text))


def mode_rule(candidate: Candidate, *, mode: Mode, has_approved_comment: bool) -> list[Finding]:
    if mode == Mode.HOLD_ALL:
        return [Finding(Outcome.HOLD, "every comment is held for review")]
    if mode == Mode.HOLD_FIRST_TIME and not has_approved_comment:
        return [Finding(Outcome.HOLD, "first-time commenter")]
    return []


def links_rule(candidate: Candidate, *, max_links: int) -> list[Finding]:
    links = count_links(candidate.body)
    if max_links and links >= max_links:
        return [Finding(Outcome.HOLD, f"{links} links (limit {max_links})")]
    return []


def moderation_keyword_rule(candidate: Candidate, *, keywords: Iterable[str]) -> list[Finding]:
    found = find_keyword(keywords, candidate)
    if found:
        keyword, field_name = found
        return [Finding(Outcome.HOLD, f"moderation keyword '{keyword}' in {field_name}")]
    return []


def disallowed_keyword_rule(candidate: Candidate, *, keywords: Iterable[str]) -> list[Finding]:
    found = find_keyword(keywords, candidate)
    if found:
        keyword, field_name = found
        return [Finding(Outcome.SPAM, f"disallowed keyword '{keyword}' in {field_name}")]
    return []


def blocklist_rule(candidate: Candidate, *, blocklist: Blocklist) -> list[Finding]:
    findings = []
    email = candidate.email.strip().lower()
    if email in blocklist.emails:
        findings.append(Finding(Outcome.SPAM, f"blocked email {email}"))
    domain = email.rpartition("@")[2]
    if domain and domain in blocklist.domains:
        findings.append(Finding(Outcome.SPAM, f"blocked email domain {domain}"))
    if candidate.ip_address and candidate.ip_address in blocklist.ips:
        findings.append(Finding(Outcome.SPAM, f"blocked IP {candidate.ip_address}"))
    return findings


@dataclass(frozen=True)
class FormToken:
    """What the signed token in a served comment form says: which article, issued when.

    The nonce makes every served form's token distinct, so "each token serves one comment"
    never catches two readers who opened the page in the same second.
    """

    article_id: int
    issued_at: float
    nonce: str


def form_token_rule(
    token: FormToken | None,
    *,
    article_id: int,
    now: float,
    min_seconds: int,
    max_age: int,
) -> list[Finding]:
    """A form sent too fast, too late, for another article, or with a token not ours: spam."""
    if token is None:
        return [Finding(Outcome.SPAM, "form timestamp missing or tampered with")]
    if token.article_id != article_id:
        return [Finding(Outcome.SPAM, "form token issued for another article")]
    age = now - token.issued_at
    if age < min_seconds:
        return [Finding(Outcome.SPAM, f"form sent {age:.1f} s after it was shown (too fast)")]
    if age > max_age:
        return [
            Finding(
                Outcome.SPAM, f"form sent more than {describe_seconds(max_age)} after it was shown"
            )
        ]
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


def judge(candidate: Candidate, *, policy: Policy, has_approved_comment: bool) -> Judgement:
    findings = [
        *blocklist_rule(candidate, blocklist=policy.blocklist),
        *disallowed_keyword_rule(candidate, keywords=policy.disallowed_keywords),
        *moderation_keyword_rule(candidate, keywords=policy.moderation_keywords),
        *links_rule(candidate, max_links=policy.max_links),
        *mode_rule(candidate, mode=policy.mode, has_approved_comment=has_approved_comment),
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
