"""A commenter's personal data: export as JSON and erasure, from the admin and from manage.py."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import (
    BlockedCommenter,
    Comment,
    CommentSubscription,
    ModerationLogEntry,
    NotificationAddress,
)
from comments.moderation import actions
from comments.personal_data import (
    ANONYMOUS_NAME,
    ERASED_MARK,
    REMOVED_TEXT,
    email_variants,
    erase_commenter_data,
    export_commenter_data,
)
from tests.factories import ArticleFactory
from tests.helpers import staff_in

from .helpers import make_comment, parse, text_of

pytestmark = pytest.mark.django_db

PAGE = "/admin/comments/comment/personal-data/"
# One mailbox, typed three ways: Unicode domain in capitals, and its IDNA (xn--) form.
TYPED_EMAIL = "Olena@Bücher.Example"
STORED_UNICODE = "olena@bücher.example"
STORED_IDNA = "olena@xn--bcher-kva.example"


@pytest.fixture
def article():
    return ArticleFactory(title="Grid repairs")


@pytest.fixture
def olena(article):
    """Three comments by one commenter (Cyrillic, RTL and emoji names, IDN address typed both
    ways), each with its IP, browser and log; a blocklist entry for her address."""
    moderator = staff_in("Moderators")
    first = make_comment(
        article,
        name="Олена Коваль",
        email=STORED_UNICODE,
        website="https://olena.example/",
        body="Перший коментар 🌻",
        status=Comment.Status.PENDING,
        ip_address="203.0.113.7",
        user_agent="Firefox/140",
    )
    second = make_comment(
        article,
        parent=first,
        name="אולנה 🦊",
        email=STORED_IDNA,
        body="Second, from another browser.",
        status=Comment.Status.PENDING,
        hold_reasons=["blocked email olena@xn--bcher-kva.example", "blocked IP 198.51.100.23"],
        ip_address="198.51.100.23",
        user_agent="Safari/18",
    )
    ModerationLogEntry.objects.create(
        comment=second,
        action="submitted",
        to_status=Comment.Status.PENDING,
        reason="blocked email olena@xn--bcher-kva.example; blocked IP 198.51.100.23",
    )
    actions.approve(Comment.objects.filter(pk=first.pk), actor=moderator)
    BlockedCommenter.objects.create(kind="email", value=STORED_IDNA, reason="test")
    BlockedCommenter.objects.create(kind="ip", value="198.51.100.23", reason="test")
    return [first, second]


@pytest.fixture
def someone_else(article):
    return make_comment(
        article,
        name="Bob",
        email="bob@example.com",
        body="Not Olena's.",
        ip_address="203.0.113.7",  # the same café Wi-Fi: still not her data
        user_agent="Chrome/150",
    )


def test_email_variants_cover_case_and_both_forms_of_an_international_domain():
    assert {STORED_UNICODE, STORED_IDNA} <= email_variants(TYPED_EMAIL)
    assert email_variants("  ") == set()


def test_export_has_every_comment_ip_browser_log_and_blocklist_entry(olena, someone_else):
    data = export_commenter_data(email=TYPED_EMAIL)

    json.dumps(data)  # JSON-ready as it is
    assert [c["id"] for c in data["comments"]] == [c.pk for c in olena]
    first, second = data["comments"]
    assert first["name"] == "Олена Коваль"
    assert second["name"] == "אולנה 🦊"
    assert first["text"] == "Перший коментар 🌻"
    assert first["website"] == "https://olena.example/"
    assert (first["ip_address"], first["user_agent"]) == ("203.0.113.7", "Firefox/140")
    assert (second["ip_address"], second["user_agent"]) == ("198.51.100.23", "Safari/18")
    assert second["in_reply_to"] == olena[0].pk
    assert first["article"] == "Grid repairs"
    assert [e["action"] for e in first["moderation_log"]] == ["approve"]
    assert first["moderation_log"][0]["by"] == "moderator"
    assert second["moderation_log"][0]["by"] == "automatic rules"
    assert {(b["kind"], b["value"]) for b in data["blocklist"]} == {
        ("email", STORED_IDNA),
        ("ip", "198.51.100.23"),
    }
    assert "bob@example.com" not in json.dumps(data)
    assert "Chrome/150" not in json.dumps(data)


def test_erase_keeping_text_anonymises_and_logs_without_the_data(
    client, article, olena, someone_else
):
    erasure = erase_commenter_data(email=TYPED_EMAIL, remove_text=False)

    assert (erasure.comments, erasure.texts_removed, erasure.blocklist_entries_kept) == (2, 0, 2)
    for comment in Comment.objects.filter(pk__in=[c.pk for c in olena]):
        assert comment.name == ANONYMOUS_NAME
        assert (comment.email, comment.website, comment.user_agent) == ("", "", "")
        assert comment.ip_address is None
    first, second = (Comment.objects.get(pk=c.pk) for c in olena)
    assert first.body == "Перший коментар 🌻"
    assert first.status == Comment.Status.APPROVED
    assert second.hold_reasons == [f"blocked email {ERASED_MARK}", f"blocked IP {ERASED_MARK}"]
    # The log says an erasure happened, and nothing of what was erased.
    log = ModerationLogEntry.objects.filter(comment__in=olena)
    erase_entries = log.filter(action="erase")
    assert erase_entries.count() == 2
    assert erase_entries.first().reason == "personal data erased on request; text kept"
    everything_logged = " ".join(log.values_list("reason", flat=True))
    for secret in ("olena", "bücher", "xn--", "198.51.100.23", "203.0.113.7"):
        assert secret not in everything_logged
    # Blocklist entries stay; the other commenter is untouched.
    assert BlockedCommenter.objects.count() == 2
    bob = Comment.objects.get(pk=someone_else.pk)
    assert (bob.email, bob.ip_address, bob.user_agent) == (
        "bob@example.com",
        "203.0.113.7",
        "Chrome/150",
    )
    # Round trip: nothing is found under the address any more.
    data = export_commenter_data(email=TYPED_EMAIL)
    assert data["comments"] == []
    # Readers see the text, by "Anonymous".
    page = parse(client.get(article.get_absolute_url()))
    shown = page.find(id=f"comment-{first.pk}")
    assert "Anonymous" in text_of(shown)
    assert "Перший коментар 🌻" in text_of(shown)
    assert "Олена" not in page.decode()


def test_erase_removing_text_takes_published_comments_off_the_site(client, article, olena):
    erasure = erase_commenter_data(email=STORED_IDNA, remove_text=True)

    assert (erasure.comments, erasure.texts_removed) == (2, 2)
    first, second = (Comment.objects.get(pk=c.pk) for c in olena)
    assert first.body == second.body == REMOVED_TEXT
    assert first.status == Comment.Status.REMOVED
    assert second.status == Comment.Status.PENDING  # never shown; stays where it was
    for comment in (first, second):
        assert comment.name == ANONYMOUS_NAME
        assert (comment.email, comment.website, comment.user_agent) == ("", "", "")
        assert comment.ip_address is None
        assert comment.log_entries.filter(action="erase").count() == 1
    entry = first.log_entries.get(action="erase")
    assert (entry.from_status, entry.to_status) == ("approved", "removed")
    entry = second.log_entries.get(action="erase")
    assert (entry.from_status, entry.to_status) == ("pending", "pending")
    assert entry.reason == "personal data erased on request; text removed"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Перший коментар" not in page
    assert f"comment-{first.pk}" not in page


def test_erase_of_an_unknown_address_changes_nothing(olena):
    erasure = erase_commenter_data(email="nobody@example.com", remove_text=True)
    assert erasure.comments == 0
    assert Comment.objects.filter(name="Олена Коваль").exists()


# manage.py


def test_export_command_prints_json_with_any_script(olena):
    out = StringIO()
    call_command("export_commenter_data", TYPED_EMAIL.upper(), stdout=out)
    text = out.getvalue()
    assert "Олена Коваль" in text  # not \\u escapes
    data = json.loads(text)
    assert len(data["comments"]) == 2


def test_erase_command_with_remove_text(olena):
    out = StringIO()
    call_command("erase_commenter_data", TYPED_EMAIL, "--remove-text", "--no-input", stdout=out)
    assert "Erased the personal data of 2 comment(s), text removed from 2." in out.getvalue()
    assert "2 blocklist entries naming this commenter kept" in out.getvalue()
    erased = Comment.objects.filter(pk__in=[c.pk for c in olena])
    assert set(erased.values_list("name", "body")) == {(ANONYMOUS_NAME, REMOVED_TEXT)}
    assert erased.count() == 2


def test_erase_command_asks_first_and_erases_nothing_without_yes(olena, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("erase_commenter_data", TYPED_EMAIL)
    assert Comment.objects.filter(name="Олена Коваль").exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("erase_commenter_data", TYPED_EMAIL, stdout=StringIO())
    assert not Comment.objects.filter(name="Олена Коваль").exists()


@pytest.mark.parametrize("command", ["export_commenter_data", "erase_commenter_data"])
@pytest.mark.parametrize("email", ["", "  ", "olena\x00@example.com"])
def test_commands_refuse_an_empty_or_garbled_address(olena, command, email):
    with pytest.raises(CommandError, match="Give the commenter's email address"):
        call_command(command, email, *(["--no-input"] if command.startswith("erase") else []))
    assert Comment.objects.filter(name="Олена Коваль").exists()


# The admin page


@pytest.fixture
def mod_client(client):
    client.force_login(staff_in("Moderators"))
    return client


def test_queue_links_to_the_personal_data_page(mod_client):
    page = parse(mod_client.get("/admin/comments/comment/?status=pending"))
    assert page.find("a", href=PAGE) is not None


def test_admin_export_downloads_json(mod_client, olena):
    response = mod_client.post(PAGE, {"email": TYPED_EMAIL, "text": "keep", "_export": "1"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="commenter-data-')
    assert "olena" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [c["name"] for c in data["comments"]] == ["Олена Коваль", "אולנה 🦊"]


def test_admin_erase_asks_for_confirmation_then_erases(mod_client, olena):
    form = {"email": TYPED_EMAIL, "text": "remove"}
    confirm = mod_client.post(PAGE, {**form, "_erase": "1"})

    assert confirm.status_code == 200
    assert "2 comments" in text_of(parse(confirm).find(id="content-main"))
    assert Comment.objects.filter(name="Олена Коваль").exists()  # not yet

    done = mod_client.post(PAGE, {**form, "_erase_confirmed": "1"}, follow=True)
    assert "Personal data of 2 comment(s) erased; text removed from 2." in done.content.decode()
    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in olena]).values_list("name", "body")
    ) == {(ANONYMOUS_NAME, REMOVED_TEXT)}
    assert ModerationLogEntry.objects.filter(action="erase").first().actor is not None


def test_admin_refuses_a_bad_address_next_to_the_field(mod_client, olena):
    response = mod_client.post(PAGE, {"email": "not an address", "_erase_confirmed": "1"})
    assert response.status_code == 200
    error = parse(response).select_one(".form-row.errors .errorlist")
    assert "Enter a valid email address." in text_of(error)
    assert Comment.objects.filter(name="Олена Коваль").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_writer_may_neither_export_nor_erase(client, olena, method):
    client.force_login(staff_in("Writers"))
    form = {"email": TYPED_EMAIL, "text": "remove", "_erase_confirmed": "1"}
    response = getattr(client, method)(PAGE, form if method == "post" else None)
    assert response.status_code == 403
    assert Comment.objects.filter(name="Олена Коваль").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, olena):
    response = client.post(PAGE, {"email": TYPED_EMAIL, "_export": "1"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_erased_comments_are_nobodys_record_in_the_queue(mod_client, olena):
    erase_commenter_data(email=TYPED_EMAIL, remove_text=False)
    queue = parse(mod_client.get("/admin/comments/comment/?status=pending"))
    record = queue.select_one(".queue-record")
    # The other erased comment (approved) shares the empty address: not a history.
    assert text_of(record) == "no other comments"


@pytest.fixture
def subscriptions(olena, someone_else):
    """Olena asked to hear of replies (confirmed); Bob asked too, and has not confirmed."""
    hers = NotificationAddress.objects.create(
        email=STORED_UNICODE, confirmed_at=timezone.now(), confirmation_sent_at=timezone.now()
    )
    CommentSubscription.objects.create(comment=olena[0], address=hers, on_reply=True)
    CommentSubscription.objects.create(comment=olena[1], address=hers, on_approval=True)
    his = NotificationAddress.objects.create(email="bob@example.com")
    CommentSubscription.objects.create(comment=someone_else, address=his, on_reply=True)
    return hers, his


def test_export_has_notification_address_and_what_it_asked_for(olena, subscriptions):
    data = export_commenter_data(email=TYPED_EMAIL)

    json.dumps(data)
    [address] = data["notifications"]["addresses"]
    assert address["email"] == STORED_UNICODE
    assert address["confirmed_at"] == subscriptions[0].confirmed_at.isoformat()
    assert [
        (s["comment"], s["when_published"], s["when_replied_to"])
        for s in data["notifications"]["subscriptions"]
    ] == [(olena[0].pk, False, True), (olena[1].pk, True, False)]
    assert "bob@example.com" not in json.dumps(data)


def test_erase_deletes_notification_address_and_subscriptions(olena, subscriptions):
    erasure = erase_commenter_data(email=TYPED_EMAIL, remove_text=False)

    assert erasure.notification_addresses == 1
    assert list(NotificationAddress.objects.values_list("email", flat=True)) == ["bob@example.com"]
    assert [s.comment.email for s in CommentSubscription.objects.all()] == ["bob@example.com"]
    data = export_commenter_data(email=TYPED_EMAIL)
    assert data["notifications"] == {"addresses": [], "subscriptions": []}
