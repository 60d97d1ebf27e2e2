"""Each moderation rule alone, then judge/combine."""

import pytest

from comments.moderation.rules import (
    Blocklist,
    Candidate,
    Finding,
    Mode,
    Outcome,
    Policy,
    blocklist_rule,
    combine,
    disallowed_keyword_rule,
    judge,
    links_rule,
    mode_rule,
    moderation_keyword_rule,
)


def candidate(**overrides) -> Candidate:
    values = {
        "name": "Ada",
        "email": "ada@example.com",
        "website": "",
        "body": "Hello there.",
        "ip_address": "203.0.113.7",
    }
    values.update(overrides)
    return Candidate(**values)


# mode_rule


@pytest.mark.parametrize("has_approved", [True, False])
def test_mode_all_holds_everyone(has_approved):
    findings = mode_rule(candidate(), mode=Mode.HOLD_ALL, has_approved_comment=has_approved)
    assert [f.outcome for f in findings] == [Outcome.HOLD]


def test_mode_first_time_holds_newcomer():
    findings = mode_rule(candidate(), mode=Mode.HOLD_FIRST_TIME, has_approved_comment=False)
    assert findings == [Finding(Outcome.HOLD, "first-time commenter")]


def test_mode_first_time_passes_returning_commenter():
    assert mode_rule(candidate(), mode=Mode.HOLD_FIRST_TIME, has_approved_comment=True) == []


@pytest.mark.parametrize("has_approved", [True, False])
def test_mode_none_holds_nobody(has_approved):
    assert mode_rule(candidate(), mode=Mode.HOLD_NONE, has_approved_comment=has_approved) == []


def test_mode_accepts_setting_strings():
    assert mode_rule(candidate(), mode=Mode("all"), has_approved_comment=True)
    assert mode_rule(candidate(), mode=Mode("none"), has_approved_comment=False) == []


# links_rule

THREE_LINKS = "See https://a.example/x and http://b.example and www.c.example today."


def test_links_over_limit_held_with_count():
    assert links_rule(candidate(body=THREE_LINKS), max_links=2) == [
        Finding(Outcome.HOLD, "3 links (limit 2)")
    ]


def test_one_link_not_held():
    assert links_rule(candidate(body="Read https://a.example/x"), max_links=2) == []


def test_links_at_limit_held():
    # The rule: "hold a comment with N or more links (default 2)", as WordPress does.
    body = "https://a.example and https://b.example"
    assert links_rule(candidate(body=body), max_links=2) == [
        Finding(Outcome.HOLD, "2 links (limit 2)")
    ]


def test_links_limit_zero_disables():
    assert links_rule(candidate(body=THREE_LINKS * 10), max_links=0) == []


def test_links_counted_in_body_only():
    assert links_rule(candidate(website="https://a.example", body="no links"), max_links=1) == []


# keyword rules

KEYWORD_RULES = [
    (moderation_keyword_rule, Outcome.HOLD, "moderation keyword"),
    (disallowed_keyword_rule, Outcome.SPAM, "disallowed keyword"),
]


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
@pytest.mark.parametrize(
    "body", ["Casino!", "visit the CASINO", "ｃａｓｉｎｏ night", "(casino)", "casino"]
)
def test_keyword_matches_whole_word(rule, outcome, label, body):
    findings = rule(candidate(body=body), keywords=["casino"])
    assert findings == [Finding(outcome, f"{label} 'casino' in body")]


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
@pytest.mark.parametrize("body", ["casinos", "megacasino", "casino_royale", "Nothing here"])
def test_keyword_ignores_partial_words(rule, outcome, label, body):
    assert rule(candidate(body=body), keywords=["casino"]) == []


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Casino King"),
        ("email", "casino@example.com"),
        ("website", "https://casino.example"),
    ],
)
def test_keyword_reason_names_field(rule, outcome, label, field, value):
    findings = rule(candidate(**{field: value}), keywords=["casino"])
    assert findings == [Finding(outcome, f"{label} 'casino' in {field}")]


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
def test_keyword_written_in_capitals_still_matches(rule, outcome, label):
    assert rule(candidate(body="a casino"), keywords=["CASINO"])


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
def test_blank_keyword_ignored(rule, outcome, label):
    assert rule(candidate(), keywords=["", "  "]) == []


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
def test_multi_word_keyword(rule, outcome, label):
    assert rule(candidate(body="Buy cheap pills now"), keywords=["cheap pills"])


# blocklist_rule


def test_blocked_email():
    findings = blocklist_rule(
        candidate(email="Spammer@Example.com"),
        blocklist=Blocklist(emails=frozenset({"spammer@example.com"})),
    )
    assert findings == [Finding(Outcome.SPAM, "blocked email spammer@example.com")]


def test_blocked_domain():
    findings = blocklist_rule(
        candidate(email="x@spam.example"), blocklist=Blocklist(domains=frozenset({"spam.example"}))
    )
    assert findings == [Finding(Outcome.SPAM, "blocked email domain spam.example")]


def test_blocked_ip():
    findings = blocklist_rule(
        candidate(ip_address="198.51.100.1"), blocklist=Blocklist(ips=frozenset({"198.51.100.1"}))
    )
    assert findings == [Finding(Outcome.SPAM, "blocked IP 198.51.100.1")]


def test_blocklist_no_match_and_no_ip():
    blocklist = Blocklist(
        emails=frozenset({"other@example.com"}),
        domains=frozenset({"other.example"}),
        ips=frozenset({"198.51.100.1"}),
    )
    assert blocklist_rule(candidate(ip_address=None), blocklist=blocklist) == []
    assert blocklist_rule(candidate(email="a@sub.other.example.org"), blocklist=blocklist) == []


def test_blocklist_reports_every_match():
    blocklist = Blocklist(
        emails=frozenset({"ada@example.com"}),
        domains=frozenset({"example.com"}),
        ips=frozenset({"203.0.113.7"}),
    )
    assert len(blocklist_rule(candidate(), blocklist=blocklist)) == 3


# judge / combine


def test_combine_empty_approves():
    assert combine([]).outcome == Outcome.APPROVE
    assert combine([]).reasons == []


def test_combine_spam_beats_hold_and_keeps_all_reasons():
    judgement = combine(
        [Finding(Outcome.HOLD, "a"), Finding(Outcome.SPAM, "b"), Finding(Outcome.HOLD, "c")]
    )
    assert judgement.outcome == Outcome.SPAM
    assert judgement.reasons == ["a", "b", "c"]


def test_combine_hold_beats_approve():
    assert combine([Finding(Outcome.APPROVE, "ok"), Finding(Outcome.HOLD, "h")]).outcome == (
        Outcome.HOLD
    )


def test_judge_returning_commenter_clean_comment_approved():
    judgement = judge(candidate(), policy=Policy(), has_approved_comment=True)
    assert judgement.outcome == Outcome.APPROVE
    assert judgement.reasons == []


def test_judge_collects_reasons_from_every_rule():
    policy = Policy(
        mode=Mode.HOLD_FIRST_TIME,
        max_links=2,
        moderation_keywords=("poker",),
        disallowed_keywords=("casino",),
        blocklist=Blocklist(ips=frozenset({"203.0.113.7"})),
    )
    body = f"poker and casino {THREE_LINKS}"
    judgement = judge(candidate(body=body), policy=policy, has_approved_comment=False)
    assert judgement.outcome == Outcome.SPAM
    assert set(judgement.reasons) == {
        "blocked IP 203.0.113.7",
        "disallowed keyword 'casino' in body",
        "moderation keyword 'poker' in body",
        "3 links (limit 2)",
        "first-time commenter",
    }


def test_judge_hold_only():
    policy = Policy(mode=Mode.HOLD_NONE, moderation_keywords=("poker",))
    judgement = judge(candidate(body="Poker?"), policy=policy, has_approved_comment=True)
    assert judgement.outcome == Outcome.HOLD
    assert judgement.reasons == ["moderation keyword 'poker' in body"]
