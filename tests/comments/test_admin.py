"""The moderators' admin: the queue, the actions and who may do what."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from comments.admin import BUTTONS_BY_VALUE, QUEUE_TEXT_CHARS
from comments.models import BlockedCommenter, Comment, ModerationLogEntry
from tests.comments.helpers import make_comment, parse, text_of
from tests.factories import UserFactory
from tests.helpers import staff_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
QUEUE = f"{CHANGELIST}?status=pending"


def pending(article, minutes_ago: int, **fields) -> Comment:
    comment = make_comment(article, status=Comment.Status.PENDING, **fields)
    Comment.objects.filter(pk=comment.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return comment


def row_ids(response) -> list[int]:
    return [int(box["value"]) for box in parse(response).select("input[name=_selected_action]")]


def run_action(client, action: str, *comments, url=QUEUE):
    return client.post(
        url, {"action": action, "_selected_action": [c.pk for c in comments]}, follow=True
    )


def test_changelist_opens_on_pending_queue_oldest_first(mod_client, article):
    newer = pending(article, 5)
    older = pending(article, 50)
    make_comment(article)  # approved: not in the queue
    response = mod_client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].endswith("?status=pending")
    response = mod_client.get(response["Location"])
    assert response.status_code == 200
    assert row_ids(response) == [older.pk, newer.pk]


def test_queue_shows_reasons_and_history(mod_client, article):
    email = "hist@example.com"
    make_comment(article, email=email)
    make_comment(article, email=email.upper(), status=Comment.Status.SPAM)
    make_comment(article, email=email, status=Comment.Status.SPAM)
    make_comment(article, email=email, status=Comment.Status.REMOVED)
    pending(article, 1, email=email, hold_reasons=["3 links (limit 2)", "first-time commenter"])
    soup = parse(mod_client.get(QUEUE))
    row = text_of(soup.select_one("#result_list tbody tr"))
    assert "3 links (limit 2)" in row and "first-time commenter" in row
    assert "1 approved · 2 spam · 1 removed" in row
    # What the decision rests on comes first; six columns fit a laptop screen.
    headers = [text_of(th) for th in soup.select("#result_list thead th")][1:]
    assert headers == ["Comment", "Why held", "Commenter", "Article", "Age", "Status"]
    assert email in row


def test_queue_row_of_a_first_time_reply(mod_client, article):
    parent = make_comment(article, body="Does anyone know when the station reopens?")
    pending(article, 90, email="new@example.com", parent=parent, body="Word " * 1000)
    row = parse(mod_client.get(QUEUE)).select_one("#result_list tbody tr")
    assert "reply to “Does anyone know when the station reopens?”" in text_of(row)
    assert "no other comments" in text_of(row)
    assert "1 hour" in text_of(row.select_one(".field-age"))
    # A long comment is cut before it is sent; the stylesheet clamps it to a few lines.
    text = text_of(row.select_one(".queue-text"))
    assert text.startswith("Word Word") and text.endswith("…")
    assert len(text) <= QUEUE_TEXT_CHARS + 1


def test_queue_shows_commenters_ip(mod_client, article):
    pending(article, 1, name="Halyna", email="halyna@example.com", ip_address="203.0.113.7")
    row = text_of(parse(mod_client.get(QUEUE)).select_one("#result_list tbody tr"))
    assert "Halyna" in row and "halyna@example.com" in row and "203.0.113.7" in row


@pytest.mark.parametrize(
    ("action", "from_status", "to_status"),
    [
        ("approve", "pending", "approved"),
        ("mark_spam", "pending", "spam"),
        ("remove", "approved", "removed"),
        ("restore", "spam", "pending"),
    ],
)
def test_status_actions_logged(mod_client, moderator, article, action, from_status, to_status):
    comment = make_comment(article, status=from_status)
    response = run_action(mod_client, action, comment, url=f"{CHANGELIST}?status=all")
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == to_status
    entry = ModerationLogEntry.objects.get(comment=comment)
    assert (entry.actor, entry.from_status, entry.to_status) == (moderator, from_status, to_status)
    assert "1 comment" in response.content.decode()


def test_action_on_unchanged_status_not_logged(mod_client, article):
    comment = make_comment(article)
    run_action(mod_client, "approve", comment, url=f"{CHANGELIST}?status=all")
    assert not ModerationLogEntry.objects.exists()


def test_block_commenter(mod_client, moderator, article):
    target = pending(article, 10, email="Spam@Bad.example", ip_address="203.0.113.9")
    same_email = pending(article, 5, email="spam@bad.example", ip_address="198.51.100.1")
    same_ip = pending(article, 4, email="other@example.com", ip_address="203.0.113.9")
    bystander = pending(article, 3, email="nice@example.com", ip_address="198.51.100.2")
    response = run_action(mod_client, "block_commenter", target)
    assert response.status_code == 200
    assert set(BlockedCommenter.objects.values_list("kind", "value", "created_by")) == {
        ("email", "spam@bad.example", moderator.pk),
        ("ip", "203.0.113.9", moderator.pk),
    }
    for comment in (target, same_email, same_ip):
        comment.refresh_from_db()
        assert comment.status == Comment.Status.SPAM
        entry = comment.log_entries.get()
        assert (entry.actor, entry.action, entry.to_status) == (moderator, "block", "spam")
    bystander.refresh_from_db()
    assert bystander.status == Comment.Status.PENDING


def test_block_twice_adds_nothing_new(mod_client, article):
    comment = pending(article, 1, ip_address="203.0.113.9")
    run_action(mod_client, "block_commenter", comment)
    run_action(mod_client, "block_commenter", comment, url=f"{CHANGELIST}?status=all")
    assert BlockedCommenter.objects.count() == 2


def test_moderator_cannot_open_or_add_articles(mod_client, article):
    assert mod_client.get(f"/admin/articles/article/{article.pk}/change/").status_code == 403
    assert mod_client.get("/admin/articles/article/add/").status_code == 403
    response = mod_client.post("/admin/articles/article/add/", {"title": "x"})
    assert response.status_code == 403


def test_moderator_cannot_add_or_delete_comments(mod_client, article):
    comment = make_comment(article)
    assert mod_client.get(f"{CHANGELIST}add/").status_code == 403
    assert mod_client.get(f"{CHANGELIST}{comment.pk}/delete/").status_code == 403


def test_edit_body_keeps_original(mod_client, moderator, article):
    comment = make_comment(article, body="Original words")
    url = f"{CHANGELIST}{comment.pk}/change/"
    assert mod_client.get(url).status_code == 200
    response = mod_client.post(url, {"body": "Edited words", "_save": "Save"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.body, comment.original_body) == ("Edited words", "Original words")
    assert comment.edited_at is not None
    mod_client.post(url, {"body": "Edited again", "_save": "Save"})
    comment.refresh_from_db()
    assert comment.original_body == "Original words"
    entry = comment.log_entries.filter(action="edit").first()
    assert entry.actor == moderator


def test_change_page_cannot_change_status(mod_client, article):
    comment = make_comment(article, status=Comment.Status.PENDING)
    url = f"{CHANGELIST}{comment.pk}/change/"
    mod_client.post(url, {"body": comment.body, "status": "approved", "_save": "Save"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderation_log_read_only(mod_client, article):
    comment = make_comment(article)
    entry = ModerationLogEntry.objects.create(comment=comment, action="approve", to_status="x")
    url = f"/admin/comments/moderationlogentry/{entry.pk}/change/"
    assert mod_client.get("/admin/comments/moderationlogentry/").status_code == 200
    assert mod_client.get(url).status_code == 200
    assert mod_client.post(url, {"action": "forged", "reason": "x"}).status_code == 403
    assert mod_client.get("/admin/comments/moderationlogentry/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.action == "approve"


def test_anonymous_redirected_to_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_non_staff_reader_redirected_to_login(client, article):
    client.force_login(UserFactory())
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    comment = pending(article, 1)
    client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_staff_without_group_cannot_moderate(client, article):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(QUEUE).status_code == 403


def test_editor_can_moderate(client, article):
    editor = staff_in("Editors")
    client.force_login(editor)
    comment = pending(article, 1)
    assert row_ids(client.get(QUEUE)) == [comment.pk]
    run_action(client, "approve", comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.log_entries.get().actor == editor


def test_blocklist_admin_add_sets_creator(mod_client, moderator):
    response = mod_client.post(
        "/admin/comments/blockedcommenter/add/",
        {"kind": "domain", "value": " Spam.Example ", "reason": "spam farm"},
    )
    assert response.status_code == 302
    blocked = BlockedCommenter.objects.get()
    assert (blocked.value, blocked.created_by) == ("spam.example", moderator)


# --- one comment's page: the same moderation as the queue's actions --------------------------


def change_url(comment, query: str = "") -> str:
    return f"{CHANGELIST}{comment.pk}/change/{query}"


def moderation_buttons(response) -> list[str]:
    return [button.get_text(strip=True) for button in parse(response).select("[name=_moderate]")]


@pytest.mark.parametrize(
    ("button", "from_status", "to_status"),
    [
        ("approve", "pending", "approved"),
        ("spam", "pending", "spam"),
        ("remove", "approved", "removed"),
        ("restore", "spam", "pending"),
    ],
)
def test_a_comment_page_button_moderates_and_returns_to_the_queue(
    mod_client, moderator, article, button, from_status, to_status
):
    comment = make_comment(article, status=from_status)
    url = change_url(comment, "?_changelist_filters=status%3Dpending")

    response = mod_client.post(url, {"body": comment.body, "_moderate": button})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    comment.refresh_from_db()
    assert comment.status == to_status
    entry = comment.log_entries.get()
    assert (entry.actor, entry.from_status, entry.to_status) == (moderator, from_status, to_status)
    messages = text_of(parse(mod_client.get(QUEUE)).select_one("ul.messagelist"))
    assert messages == f"1 comment {BUTTONS_BY_VALUE[button].done}."


def test_a_comment_page_offers_the_moves_away_from_its_status(mod_client, article):
    held = make_comment(article, status=Comment.Status.PENDING)
    spam = make_comment(article, status=Comment.Status.SPAM, body="Other")

    assert moderation_buttons(mod_client.get(change_url(held))) == [
        "Approve",
        "Mark as spam",
        "Remove",
        "Block commenter",
    ]
    assert moderation_buttons(mod_client.get(change_url(spam))) == [
        "Approve",
        "Remove",
        "Back to pending",
        "Block commenter",
    ]


def test_an_edit_typed_before_approving_is_kept(mod_client, article):
    comment = make_comment(article, status=Comment.Status.PENDING, body="Typo'd wrods")

    mod_client.post(change_url(comment), {"body": "Typo'd words", "_moderate": "approve"})

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert (comment.body, comment.original_body) == ("Typo'd words", "Typo'd wrods")


def test_an_empty_body_is_refused_and_nothing_is_moderated(mod_client, article):
    comment = make_comment(article, status=Comment.Status.PENDING, body="Kept")

    response = mod_client.post(change_url(comment), {"body": "", "_moderate": "approve"})

    assert response.status_code == 200
    assert "This field is required." in text_of(parse(response).select_one(".field-body"))
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Comment.Status.PENDING, "Kept")


def test_block_commenter_from_a_comment_page(mod_client, moderator, article):
    comment = pending(article, 1, email="troll@bad.example", ip_address="203.0.113.50")

    response = mod_client.post(change_url(comment), {"body": comment.body, "_moderate": "block"})

    assert response.status_code == 302
    assert set(BlockedCommenter.objects.values_list("kind", "value")) == {
        ("email", "troll@bad.example"),
        ("ip", "203.0.113.50"),
    }
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_a_forged_moderation_button_changes_nothing(mod_client, article):
    comment = make_comment(article, status=Comment.Status.PENDING, body="Kept")

    response = mod_client.post(change_url(comment), {"body": "Changed", "_moderate": "delete"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Comment.Status.PENDING, "Kept")
    assert not comment.log_entries.exists()


def test_a_writer_cannot_moderate_from_a_comment_page(client, article):
    client.force_login(staff_in("Writers"))
    comment = make_comment(article, status=Comment.Status.PENDING)

    response = client.post(change_url(comment), {"body": comment.body, "_moderate": "approve"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_editing_comments_without_the_moderate_permission_moderates_nothing(client, article):
    """A custom group may fix typos in comments (change) without deciding on them."""
    copy_editor = UserFactory(is_staff=True)
    copy_editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(copy_editor)
    comment = make_comment(article, status=Comment.Status.PENDING)

    page = client.get(change_url(comment))
    assert page.status_code == 200
    assert moderation_buttons(page) == []
    queue = parse(client.get(QUEUE))
    offered = [option["value"] for option in queue.select("select[name=action] option")]
    assert "approve" not in offered and "block_commenter" not in offered
    response = client.post(change_url(comment), {"body": comment.body, "_moderate": "approve"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
