"""Readers report published comments; enough reports send a comment back to the queue."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentReport, ModerationLogEntry
from tests.factories import ArticleFactory
from tests.helpers import staff_in

from .helpers import make_comment, parse, post_comment, text_of
from .live import Reader

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/?status=pending"


def report_url(comment) -> str:
    return reverse("comments:report", args=[comment.pk])


def report(client: Client, comment, *, ip: str = "203.0.113.7", ua: str = "Firefox", **data):
    data.setdefault("reason", "spam")
    return client.post(report_url(comment), data, REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


@pytest.fixture
def comment(article):
    return make_comment(article, name="Jo", body="Buy cheap watches at example.com")


# The report action on the article page ------------------------------------------------------


def test_published_comment_has_a_report_link_own_held_one_has_not(client, article, comment):
    post_comment(client, article, body="My first comment, held.")  # first-time: held
    held = Comment.objects.get(status=Comment.Status.PENDING)

    soup = parse(client.get(article.get_absolute_url()))

    link = soup.select_one(f"#comment-{comment.pk} .comment__report a")
    assert link["href"] == f"/comments/{comment.pk}/report/"
    assert text_of(link) == "Report"
    assert soup.select_one(f"#comment-{held.pk}") is not None  # the author sees it…
    assert soup.select_one(f"#comment-{held.pk} .comment__report") is None  # …not reportable


def test_report_page_shows_the_comment_and_the_reasons(client, comment):
    response = client.get(report_url(comment))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]  # never cached: it carries a CSRF token
    soup = parse(response)
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "Buy cheap watches" in text_of(soup.select_one(".report__comment"))
    form = soup.find("form", id="report-form")
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    reasons = [
        (radio["value"], text_of(radio.parent))
        for radio in form.find_all("input", attrs={"name": "reason"})
    ]
    assert reasons == [
        ("spam", "Spam"),
        ("abuse", "Abusive or hateful"),
        ("off-topic", "Off-topic"),
        ("other", "Something else"),
    ]


def test_report_with_csrf_checks_like_a_browser(comment):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(report_url(comment), {"reason": "spam"}).status_code == 403
    token = parse(browser.get(report_url(comment))).find(
        "input", attrs={"name": "csrfmiddlewaretoken"}
    )["value"]

    response = browser.post(report_url(comment), {"reason": "abuse", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert CommentReport.objects.get().reason == "abuse"


# A report ------------------------------------------------------------------------------------


def test_report_is_stored_and_the_reader_thanked(client, comment):
    response = report(client, comment, reason="off-topic", note="  Nothing to do with the story ")

    assert response.status_code == 302
    assert response["Location"] == f"/comments/{comment.pk}/report/sent/"
    stored = CommentReport.objects.get()
    assert (stored.comment, stored.reason, stored.note) == (
        comment,
        "off-topic",
        "Nothing to do with the story",
    )
    thanks = client.get(response["Location"])
    assert "Your report has been sent to the moderators." in text_of(parse(thanks))
    assert parse(thanks).find("a", href=comment.get_absolute_url())
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # one report is not enough


def test_no_ip_address_is_stored_with_a_report(client, comment):
    report(client, comment, ip="198.51.100.23", ua="Mozilla/5.0 Test")

    values = CommentReport.objects.values_list().get()
    assert not any("198.51.100.23" in str(value) for value in values)
    assert not any("Mozilla" in str(value) for value in values)
    stored = CommentReport.objects.get()
    assert len(stored.reporter_key) == 64 and len(stored.network_key) == 64


def test_unicode_rtl_and_emoji_note_kept_whole(client, comment, mod_client):
    note = "هذا تعليق مسيء 😡 — Це образа"
    report(client, comment, reason="abuse", note=note)

    assert CommentReport.objects.get().note == note
    page = parse(mod_client.get(f"/admin/comments/comment/{comment.pk}/change/"))
    shown = page.select_one(".reader-reports span[dir=auto]")
    assert text_of(shown) == note


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_unpublished_comment_cannot_be_reported(client, article, status):
    hidden = make_comment(article, status=status)

    assert client.get(report_url(hidden)).status_code == 404
    assert report(client, hidden).status_code == 404
    assert not CommentReport.objects.exists()


def test_comment_on_an_unpublished_article_or_unknown_cannot_be_reported(client):
    on_draft = make_comment(ArticleFactory(status="draft"))

    assert report(client, on_draft).status_code == 404
    assert client.get("/comments/999999/report/").status_code == 404
    assert client.get("/comments/abc/report/").status_code == 404
    assert not CommentReport.objects.exists()


# Bad input ------------------------------------------------------------------------------------


def field_error(soup, field_id: str) -> str:
    return text_of(soup.find(id=f"{field_id}_error"))


def test_no_reason_shows_the_error_by_the_field_and_keeps_the_note(client, comment):
    response = client.post(report_url(comment), {"note": "Ліворуч 👈 بالعربية"})

    assert response.status_code == 400
    soup = parse(response)
    assert text_of(soup.title).startswith("Error: Report a comment")
    assert field_error(soup, "id_reason") == "Please choose a reason."
    # The error sits in the reasons' fieldset, and the summary links to the first radio.
    assert soup.find(id="id_reason_error").find_parent("fieldset")
    assert soup.select_one("#error-summary a")["href"] == "#id_reason_0"
    assert soup.find("textarea", attrs={"name": "note"}).text.strip() == "Ліворуч 👈 بالعربية"
    assert not CommentReport.objects.exists()


def test_forged_reason_is_refused(client, comment):
    response = report(client, comment, reason="boring")

    assert response.status_code == 400
    assert field_error(parse(response), "id_reason") == "Please choose one of the reasons listed."
    assert not CommentReport.objects.exists()


def test_something_else_needs_a_note_and_keeps_the_choice(client, comment):
    response = report(client, comment, reason="other", note="   ")

    assert response.status_code == 400
    soup = parse(response)
    assert field_error(soup, "id_note") == "Please say what is wrong."
    assert soup.find("input", attrs={"name": "reason", "value": "other"}).has_attr("checked")
    assert not CommentReport.objects.exists()


def test_too_long_note_is_refused_and_kept(client, comment):
    note = "ж" * (CommentReport.NOTE_MAX_LENGTH + 1)
    response = report(client, comment, reason="abuse", note=note)

    assert response.status_code == 400
    soup = parse(response)
    assert "at most 500 characters (you typed 501)" in field_error(soup, "id_note")
    assert soup.find("textarea", attrs={"name": "note"}).text.strip() == note
    assert soup.find("input", attrs={"name": "reason", "value": "abuse"}).has_attr("checked")
    assert not CommentReport.objects.exists()


def test_control_characters_in_the_note_are_refused(client, comment):
    response = report(client, comment, reason="abuse", note="bad\x00note")

    assert response.status_code == 400
    assert "control characters" in field_error(parse(response), "id_note")
    assert not CommentReport.objects.exists()


# One report per reader, and a limit per address ------------------------------------------------


def test_second_report_from_the_same_reader_is_refused(client, comment):
    assert report(client, comment).status_code == 302

    again = report(client, comment, reason="abuse")

    assert again.status_code == 409
    assert "You have already reported this comment." in text_of(
        parse(again).select_one(".error-summary")
    )
    assert CommentReport.objects.count() == 1


def test_another_browser_at_the_same_address_is_another_reader(client, comment):
    assert report(client, comment, ua="Firefox").status_code == 302
    assert report(client, comment, ua="Safari").status_code == 302
    assert CommentReport.objects.count() == 2


def test_reports_per_hour_from_one_address_are_limited(client, article, settings):
    settings.NEWSROOM_COMMENT_REPORTS_PER_HOUR = 2
    comments = [make_comment(article, body=f"Comment {n}") for n in range(4)]
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert report(client, comments[0]).status_code == 302
        assert report(client, comments[1], ua="Other browser").status_code == 302
        limited = report(client, comments[2], note="kept")
        other_address = report(client, comments[2], ip="192.0.2.1")
    assert limited.status_code == 429
    soup = parse(limited)
    assert "too many reports in the last hour" in text_of(soup.select_one(".error-summary"))
    assert soup.find("textarea", attrs={"name": "note"}).text.strip() == "kept"
    assert other_address.status_code == 302

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert report(client, comments[3]).status_code == 302
    assert CommentReport.objects.count() == 4


def test_one_ipv6_network_counts_as_one_address(client, article, settings):
    settings.NEWSROOM_COMMENT_REPORTS_PER_HOUR = 1
    first, second = make_comment(article, body="one"), make_comment(article, body="two")

    assert report(client, first, ip="2001:db8:1:2::1").status_code == 302
    assert report(client, second, ip="2001:db8:1:2:ffff::9").status_code == 429
    assert report(client, second, ip="2001:db8:1:3::1").status_code == 302


# Enough reports send the comment back to the queue --------------------------------------------


def hold_by_reports(client, comment, count: int = 3, *, first: int = 0) -> None:
    for n in range(first, first + count):
        reason = "spam" if n % 2 == 0 else "abuse"
        assert report(client, comment, ip=f"198.51.100.{n + 1}", reason=reason).status_code == 302


def test_threshold_sends_the_comment_back_to_the_queue(
    client, article, comment, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 3
    staff_in("Moderators", email="mod@example.com")

    hold_by_reports(client, comment, 2)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        hold_by_reports(client, comment, 1, first=2)
    comment.refresh_from_db()

    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reasons == ["reported by readers (3)"]
    entry = ModerationLogEntry.objects.get(comment=comment, action="reported")
    assert (entry.actor, entry.from_status, entry.to_status, entry.reason) == (
        None,
        "approved",
        "pending",
        "reported by readers (3)",
    )
    assert [m.to for m in mail.outbox] == [["mod@example.com"]]
    assert "reported by readers (3)" in mail.outbox[0].body
    # Off the site, and no more reports for it.
    assert parse(client.get(article.get_absolute_url())).find(id=f"comment-{comment.pk}") is None
    assert report(client, comment, ip="192.0.2.50").status_code == 404


def test_threshold_is_a_setting(client, comment, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 1

    report(client, comment)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reasons == ["reported by readers (1)"]


def test_queue_shows_report_counts_and_reasons(client, comment, mod_client, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 3
    hold_by_reports(client, comment)

    row = parse(mod_client.get(QUEUE)).select_one("#result_list tbody tr")

    assert "reported by readers (3)" in text_of(row.select_one(".field-reasons"))
    reports = row.select_one(".field-reader_reports")
    assert text_of(reports.select_one(".queue-reports")) == "3 reports"
    assert [text_of(li) for li in reports.select("li")] == ["Spam 2", "Abusive or hateful 1"]


def test_approving_archives_the_reports(client, comment, mod_client, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 3
    hold_by_reports(client, comment)

    response = mod_client.post(
        QUEUE, {"action": "approve", "_selected_action": [comment.pk]}, follow=True
    )

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert not CommentReport.objects.active().exists()
    assert CommentReport.objects.count() == 3  # kept, for the record
    # The same readers cannot send it straight back; two new readers are not enough.
    assert report(client, comment, ip="198.51.100.1").status_code == 409
    assert report(client, comment, ip="192.0.2.1").status_code == 302
    assert report(client, comment, ip="192.0.2.2").status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    # The queue counts only open reports; the comment's page lists them all.
    all_comments = parse(mod_client.get("/admin/comments/comment/?status=all"))
    assert "2 reports" in text_of(all_comments.select_one(".field-reader_reports"))
    page = parse(mod_client.get(f"/admin/comments/comment/{comment.pk}/change/"))
    items = [text_of(li) for li in page.select(".reader-reports li")]
    assert len(items) == 5
    assert sum("archived" in item for item in items) == 3


def test_approve_button_on_the_comment_page_archives_too(client, comment, mod_client, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 2
    hold_by_reports(client, comment, 2)

    mod_client.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {"body": comment.body, "_moderate": "approve"},
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert not CommentReport.objects.active().exists()


def queue_queries(mod_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert mod_client.get(QUEUE).status_code == 200
    return len(queries)


def test_queue_queries_do_not_grow_with_reported_comments(client, article, mod_client, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 3
    hold_by_reports(client, make_comment(article, body="first"))
    one = queue_queries(mod_client)

    for n in range(12):
        reported = make_comment(article, body=f"reported {n}")
        for m in range(3):
            assert report(client, reported, ip=f"10.{n}.{m}.1").status_code == 302
    many = queue_queries(mod_client)

    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 13
    assert many == one


# Concurrent reports --------------------------------------------------------------------------


class ReportingReader(Reader):
    """A browser with its own user agent, so each one is a different reader."""

    def __init__(self, base_url: str, user_agent: str):
        super().__init__(base_url)
        self.opener.addheaders = [("User-Agent", user_agent)]

    def report_form(self, path: str) -> dict:
        page = self.get(path)
        assert page.status == 200, page.body[:500]
        form = page.soup().find("form", id="report-form")
        return {
            field["name"]: field.get("value", "")
            for field in form.find_all("input", attrs={"type": "hidden"})
        }


def report_all_at_once(live_server, comment, user_agents: list[str]) -> Counter:
    path = report_url(comment)
    readers = [ReportingReader(live_server.url, agent) for agent in user_agents]
    prepared = [(reader, reader.report_form(path)) for reader in readers]
    start = threading.Barrier(len(prepared))

    def send(item) -> int:
        reader, hidden = item
        start.wait()
        return reader.post(path, {**hidden, "reason": "abuse", "note": "🚫 دشنام"}).status

    with ThreadPoolExecutor(max_workers=len(prepared)) as pool:
        return Counter(pool.map(send, prepared))


@pytest.mark.django_db(transaction=True)
def test_same_reader_reporting_many_times_at_once_stores_one(live_server):
    comment = make_comment(ArticleFactory())

    statuses = report_all_at_once(live_server, comment, ["Same browser"] * 12)

    assert CommentReport.objects.count() == 1
    assert statuses == Counter({302: 1, 409: 11}), statuses


@pytest.mark.django_db(transaction=True)
def test_many_readers_at_once_hold_the_comment_once(live_server, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 3
    settings.NEWSROOM_COMMENT_REPORTS_PER_HOUR = 100
    comment = make_comment(ArticleFactory())

    statuses = report_all_at_once(live_server, comment, [f"Browser {n}" for n in range(12)])

    # Reports are counted one after another: the third holds it, the rest find it unpublished.
    assert statuses == Counter({302: 3, 404: 9}), statuses
    assert CommentReport.objects.count() == 3
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.hold_reasons == ["reported by readers (3)"]
    assert ModerationLogEntry.objects.filter(comment=comment, action="reported").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rate_limit_holds_under_concurrent_reports(live_server, settings):
    settings.NEWSROOM_COMMENT_REPORTS_PER_HOUR = 4
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 100
    comment = make_comment(ArticleFactory())

    statuses = report_all_at_once(live_server, comment, [f"Browser {n}" for n in range(12)])

    assert statuses == Counter({302: 4, 429: 8}), statuses
    assert CommentReport.objects.count() == 4


def test_the_database_keeps_one_report_per_reader(comment):
    """Not only the view: the constraint itself refuses a second row for the same reader."""
    CommentReport.objects.create(comment=comment, reason="spam", reporter_key="k", network_key="n")
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentReport.objects.create(
            comment=comment, reason="abuse", reporter_key="k", network_key="n"
        )
    assert CommentReport.objects.count() == 1
