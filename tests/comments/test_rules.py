"""Each comment rule alone, with plain values (no database, no clock), then refuse/judge/combine."""

from datetime import UTC, datetime, timedelta

import pytest

from comments.moderation.rules import (
    Blocklist,
    EarlierComment,
    Finding,
    FormToken,
    Mode,
    Outcome,
    Policy,
    Refusal,
    Submission,
    blocklist_rule,
    combine,
    disallowed_keyword_rule,
    duplicate_rule,
    flood_rule,
    form_token_rule,
    honeypot_rule,
    judge,
    links_rule,
    mode_rule,
    moderation_keyword_rule,
    refuse,
    used_form_token_rule,
)

ARTICLE = 7
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def token(*, seconds_ago: float = 60, article_id: int = ARTICLE) -> FormToken:
    return FormToken(article_id=article_id, issued_at=NOW.timestamp() - seconds_ago, nonce="n0nce")


def submission(**overrides) -> Submission:
    values = {
        "article_id": ARTICLE,
        "name": "Ada",
        "email": "ada@example.com",
        "website": "",
        "body": "Hello there.",
        "ip_address": "203.0.113.7",
        "form_token": token(),
        "received_at": NOW,
    }
    values.update(overrides)
    return Submission(**values)


def earlier(*, seconds_ago: float = 3600, **overrides) -> EarlierComment:
    """A stored comment by someone else, elsewhere, long ago, with other text."""
    values = {
        "article_id": ARTICLE + 1,
        "name": "Bo",
        "email": "bo@example.com",
        "ip_address": "198.51.100.9",
        "body": "Something else.",
        "submitted_at": NOW - timedelta(seconds=seconds_ago),
    }
    values.update(overrides)
    return EarlierComment(**values)


# duplicate_rule: same article, same text, same name or email


def test_not_a_duplicate_with_nothing_earlier():
    assert duplicate_rule(submission(), earlier=[]) is None


@pytest.mark.parametrize(
    "same_person",
    [
        {"name": "Ada", "email": "ada@example.com"},
        {"name": "Ada", "email": "other@example.com"},
        {"name": "Someone", "email": "ada@example.com"},
    ],
    ids=["name and email", "name only", "email only"],
)
def test_same_text_on_same_article_by_same_name_or_email_is_a_duplicate(same_person):
    stored = earlier(article_id=ARTICLE, body="Hello there.", **same_person)
    assert duplicate_rule(submission(), earlier=[stored]) == Refusal.DUPLICATE


def test_duplicate_however_long_ago():
    stored = earlier(article_id=ARTICLE, body="Hello there.", name="Ada", seconds_ago=10**8)
    assert duplicate_rule(submission(), earlier=[stored]) == Refusal.DUPLICATE


@pytest.mark.parametrize(
    "difference",
    [
        {"article_id": ARTICLE + 1},
        {"body": "Hello there!"},
        {"body": "hello there."},
        {"name": "ada", "email": "bo@example.com"},
    ],
    ids=["other article", "other text", "other case", "other person"],
)
def test_anything_different_is_not_a_duplicate(difference):
    same = {
        "article_id": ARTICLE,
        "body": "Hello there.",
        "name": "Ada",
        "email": "ada@example.com",
    }
    stored = earlier(**{**same, **difference})
    assert duplicate_rule(submission(), earlier=[stored]) is None


def test_same_text_by_someone_else_is_not_a_duplicate():
    # Two readers may both write "Thank you." under an article.
    stored = earlier(article_id=ARTICLE, body="Thank you.")
    assert duplicate_rule(submission(body="Thank you."), earlier=[stored]) is None


# flood_rule: same email or IP, any article, within the window


@pytest.mark.parametrize(
    "same_sender",
    [{"email": "ada@example.com"}, {"ip_address": "203.0.113.7"}],
    ids=["email", "IP"],
)
def test_recent_comment_from_same_sender_is_a_flood(same_sender):
    stored = earlier(seconds_ago=14, **same_sender)
    assert flood_rule(submission(), earlier=[stored], flood_seconds=15) == Refusal.FLOOD


def test_flood_window_includes_its_boundary():
    stored = earlier(email="ada@example.com", seconds_ago=15)
    assert flood_rule(submission(), earlier=[stored], flood_seconds=15) == Refusal.FLOOD


def test_comment_just_outside_the_window_is_no_flood():
    stored = earlier(email="ada@example.com", seconds_ago=15.001)
    assert flood_rule(submission(), earlier=[stored], flood_seconds=15) is None


def test_recent_comment_from_someone_else_is_no_flood():
    assert flood_rule(submission(), earlier=[earlier(seconds_ago=1)], flood_seconds=15) is None


def test_comment_stored_while_this_one_waited_is_a_flood():
    # A post that waited for the commenter's lock finds one stored after it arrived.
    stored = earlier(email="ada@example.com", seconds_ago=-0.5)
    assert flood_rule(submission(), earlier=[stored], flood_seconds=15) == Refusal.FLOOD


def test_without_an_ip_address_only_the_email_counts():
    stored = earlier(ip_address=None, seconds_ago=1)
    assert flood_rule(submission(ip_address=None), earlier=[stored], flood_seconds=15) is None
    stored = earlier(email="ada@example.com", ip_address=None, seconds_ago=1)
    assert flood_rule(submission(ip_address=None), earlier=[stored], flood_seconds=15) == (
        Refusal.FLOOD
    )


# refuse: duplicate before flood


def test_refuse_nothing_earlier():
    assert refuse(submission(), earlier=[], policy=Policy()) is None


def test_refuse_names_a_duplicate_before_a_flood():
    # Sent twice in a row: both rules fire, and the reader learns it is already there.
    stored = earlier(
        article_id=ARTICLE, name="Ada", email="ada@example.com", body="Hello there.", seconds_ago=2
    )
    assert refuse(submission(), earlier=[stored], policy=Policy()) == Refusal.DUPLICATE


def test_refuse_flood_uses_the_policy_window():
    stored = earlier(email="ada@example.com", seconds_ago=20)
    assert refuse(submission(), earlier=[stored], policy=Policy(flood_seconds=15)) is None
    assert refuse(submission(), earlier=[stored], policy=Policy(flood_seconds=30)) == (
        Refusal.FLOOD
    )


def test_refuse_takes_any_iterable_once():
    stored = earlier(email="ada@example.com", seconds_ago=1)
    assert refuse(submission(), earlier=iter([stored]), policy=Policy()) == Refusal.FLOOD


# form_token_rule: the timing signals and the token's article


def test_form_in_time_passes():
    assert form_token_rule(submission(), min_seconds=3, max_age=86400) == []


def test_form_sent_too_fast_is_spam():
    findings = form_token_rule(
        submission(form_token=token(seconds_ago=1.5)), min_seconds=3, max_age=86400
    )
    assert findings == [Finding(Outcome.SPAM, "form sent 1.5 s after it was shown (too fast)")]


def test_form_sent_at_the_minimum_passes():
    assert (
        form_token_rule(submission(form_token=token(seconds_ago=3)), min_seconds=3, max_age=60)
        == []
    )


@pytest.mark.parametrize(
    ("max_age", "wording"),
    [(86400, "a day"), (7200, "2 hours"), (3600, "1 hour"), (90, "90 s")],
)
def test_form_sent_too_late_is_spam(max_age, wording):
    findings = form_token_rule(
        submission(form_token=token(seconds_ago=max_age + 1)), min_seconds=3, max_age=max_age
    )
    assert findings == [Finding(Outcome.SPAM, f"form sent more than {wording} after it was shown")]


def test_form_at_the_maximum_age_passes():
    late = submission(form_token=token(seconds_ago=7200))
    assert form_token_rule(late, min_seconds=3, max_age=7200) == []


def test_missing_or_tampered_token_is_spam():
    findings = form_token_rule(submission(form_token=None), min_seconds=0, max_age=86400)
    assert findings == [Finding(Outcome.SPAM, "form timestamp missing or tampered with")]


def test_token_for_another_article_is_spam():
    other = submission(form_token=token(article_id=ARTICLE + 1))
    assert form_token_rule(other, min_seconds=0, max_age=86400) == [
        Finding(Outcome.SPAM, "form token issued for another article")
    ]


# honeypot_rule and used_form_token_rule


def test_empty_honeypot_passes():
    assert honeypot_rule(submission(honeypot="")) == []


def test_filled_honeypot_is_spam():
    assert honeypot_rule(submission(honeypot="https://bot.example")) == [
        Finding(Outcome.SPAM, "hidden honeypot field filled in")
    ]


def test_used_form_token_is_spam():
    assert used_form_token_rule(already_used=True) == [
        Finding(Outcome.SPAM, "form token already used for another comment")
    ]
    assert used_form_token_rule(already_used=False) == []


# mode_rule


@pytest.mark.parametrize("has_approved", [True, False])
def test_mode_all_holds_everyone(has_approved):
    findings = mode_rule(submission(), mode=Mode.HOLD_ALL, has_approved_comment=has_approved)
    assert [f.outcome for f in findings] == [Outcome.HOLD]


def test_mode_first_time_holds_newcomer():
    findings = mode_rule(submission(), mode=Mode.HOLD_FIRST_TIME, has_approved_comment=False)
    assert findings == [Finding(Outcome.HOLD, "first-time commenter")]


def test_mode_first_time_passes_returning_commenter():
    assert mode_rule(submission(), mode=Mode.HOLD_FIRST_TIME, has_approved_comment=True) == []


@pytest.mark.parametrize("has_approved", [True, False])
def test_mode_none_holds_nobody(has_approved):
    assert mode_rule(submission(), mode=Mode.HOLD_NONE, has_approved_comment=has_approved) == []


def test_mode_accepts_setting_strings():
    assert mode_rule(submission(), mode=Mode("all"), has_approved_comment=True)
    assert mode_rule(submission(), mode=Mode("none"), has_approved_comment=False) == []


# links_rule

THREE_LINKS = "See https://a.example/x and http://b.example and www.c.example today."


def test_links_over_limit_held_with_count():
    assert links_rule(submission(body=THREE_LINKS), max_links=2) == [
        Finding(Outcome.HOLD, "3 links (limit 2)")
    ]


def test_one_link_not_held():
    assert links_rule(submission(body="Read https://a.example/x"), max_links=2) == []


def test_links_at_limit_held():
    # The rule: "hold a comment with N or more links (default 2)", as WordPress does.
    body = "https://a.example and https://b.example"
    assert links_rule(submission(body=body), max_links=2) == [
        Finding(Outcome.HOLD, "2 links (limit 2)")
    ]


def test_links_limit_zero_disables():
    assert links_rule(submission(body=THREE_LINKS * 10), max_links=0) == []


def test_links_counted_in_body_only():
    assert links_rule(submission(website="https://a.example", body="no links"), max_links=1) == []


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
    findings = rule(submission(body=body), keywords=["casino"])
    assert findings == [Finding(outcome, f"{label} 'casino' in body")]


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
@pytest.mark.parametrize("body", ["casinos", "megacasino", "casino_royale", "Nothing here"])
def test_keyword_ignores_partial_words(rule, outcome, label, body):
    assert rule(submission(body=body), keywords=["casino"]) == []


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
    findings = rule(submission(**{field: value}), keywords=["casino"])
    assert findings == [Finding(outcome, f"{label} 'casino' in {field}")]


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
def test_keyword_written_in_capitals_still_matches(rule, outcome, label):
    assert rule(submission(body="a casino"), keywords=["CASINO"])


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
def test_blank_keyword_ignored(rule, outcome, label):
    assert rule(submission(), keywords=["", "  "]) == []


@pytest.mark.parametrize(("rule", "outcome", "label"), KEYWORD_RULES)
def test_multi_word_keyword(rule, outcome, label):
    assert rule(submission(body="Buy cheap pills now"), keywords=["cheap pills"])


# blocklist_rule


def test_blocked_email():
    findings = blocklist_rule(
        submission(email="Spammer@Example.com"),
        blocklist=Blocklist(emails=frozenset({"spammer@example.com"})),
    )
    assert findings == [Finding(Outcome.SPAM, "blocked email spammer@example.com")]


def test_blocked_domain():
    findings = blocklist_rule(
        submission(email="x@spam.example"), blocklist=Blocklist(domains=frozenset({"spam.example"}))
    )
    assert findings == [Finding(Outcome.SPAM, "blocked email domain spam.example")]


def test_blocked_ip():
    findings = blocklist_rule(
        submission(ip_address="198.51.100.1"), blocklist=Blocklist(ips=frozenset({"198.51.100.1"}))
    )
    assert findings == [Finding(Outcome.SPAM, "blocked IP 198.51.100.1")]


def test_blocklist_no_match_and_no_ip():
    blocklist = Blocklist(
        emails=frozenset({"other@example.com"}),
        domains=frozenset({"other.example"}),
        ips=frozenset({"198.51.100.1"}),
    )
    assert blocklist_rule(submission(ip_address=None), blocklist=blocklist) == []
    assert blocklist_rule(submission(email="a@sub.other.example.org"), blocklist=blocklist) == []


def test_blocklist_reports_every_match():
    blocklist = Blocklist(
        emails=frozenset({"ada@example.com"}),
        domains=frozenset({"example.com"}),
        ips=frozenset({"203.0.113.7"}),
    )
    assert len(blocklist_rule(submission(), blocklist=blocklist)) == 3


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
    judgement = judge(
        submission(), policy=Policy(), has_approved_comment=True, form_token_used=False
    )
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
    judgement = judge(
        submission(body=body), policy=policy, has_approved_comment=False, form_token_used=False
    )
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
    judgement = judge(
        submission(body="Poker?"), policy=policy, has_approved_comment=True, form_token_used=False
    )
    assert judgement.outcome == Outcome.HOLD
    assert judgement.reasons == ["moderation keyword 'poker' in body"]


def test_judge_reports_the_form_signals_first():
    policy = Policy(min_form_seconds=3)
    bot = submission(honeypot="x", form_token=token(seconds_ago=0.5))
    judgement = judge(bot, policy=policy, has_approved_comment=False, form_token_used=True)
    assert judgement.outcome == Outcome.SPAM
    assert judgement.reasons == [
        "form sent 0.5 s after it was shown (too fast)",
        "hidden honeypot field filled in",
        "form token already used for another comment",
        "first-time commenter",
    ]


def test_judge_uses_the_policy_form_times():
    old = submission(form_token=token(seconds_ago=100))
    assert (
        judge(
            old, policy=Policy(max_form_age=60), has_approved_comment=True, form_token_used=False
        ).outcome
        == Outcome.SPAM
    )
    assert (
        judge(
            old, policy=Policy(max_form_age=600), has_approved_comment=True, form_token_used=False
        ).outcome
        == Outcome.APPROVE
    )
