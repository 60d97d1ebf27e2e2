"""Who may do what with articles in the admin: the role x action matrix, forged requests,
what each role lists and the buttons each is offered, and the editors' own fields.

The roles are the groups the migrations create: Writers, Editors and Moderators.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.articles.admin_helpers import (
    ADD_URL,
    CHANGELIST_URL,
    NOTE,
    Status,
    assert_transition,
    db_state,
    delete_url,
    form_data,
    future_time,
    history_url,
    local_parts,
    make_article,
    workflow_buttons,
)
from tests.factories import AuthorFactory, SectionFactory
from tests.helpers import change_url, parse, text_of

pytestmark = pytest.mark.django_db

# --- 1. the role x action matrix ------------------------------------------------------------
#
# Each action sets up its article and returns: the request a person in the role would send
# (sent later, so the test can snapshot the database first), where an allowed request
# redirects (None: it answers 200), and a check that the action took effect. "Own" articles
# belong to the person acting (to another writer for anonymous visitors).


def owner_for(people, role):
    return people[role] or people["other_writer"]


def act_add(people, role):
    def send(client):
        return client.post(ADD_URL, form_data(title="Fresh story", slug="fresh-story"))

    def took_effect():
        article = Article.objects.get(slug="fresh-story")
        assert (article.status, article.published_at) == (Status.DRAFT, None)
        assert article.created_by == people[role]

    return send, CHANGELIST_URL, took_effect


def act_change(status, *, own):
    def act(people, role):
        owner = owner_for(people, role) if own else people["other_writer"]
        article = make_article(status, owner)
        published_at = article.published_at

        def send(client):
            return client.post(change_url(article), form_data(article, title="Edited headline"))

        def took_effect():
            article.refresh_from_db()
            assert article.title == "Edited headline"
            assert article.status == status
            assert article.updated_by == people[role]
            if published_at:  # the form shows the time to the second
                assert article.published_at == published_at.replace(microsecond=0)

        return send, CHANGELIST_URL, took_effect

    return act


def act_workflow(start, action, target, *, publish_at=None, note=""):
    def act(people, role):
        article = make_article(start, owner_for(people, role))
        started = timezone.now().replace(microsecond=0)

        def send(client):
            data = form_data(article, _workflow=action, workflow_note=note)
            if publish_at:
                data["published_at_0"], data["published_at_1"] = local_parts(publish_at)
            return client.post(change_url(article), data)

        def took_effect():
            article.refresh_from_db()
            assert article.status == target
            if publish_at:
                assert article.published_at == publish_at
                assert article.is_scheduled
            elif action == "publish":
                assert started <= article.published_at <= timezone.now()
                assert article.is_published
            step = article.transitions.get()
            assert_transition(
                step, actor=people[role], from_status=start, to_status=target, note=note
            )
            if action == "publish":
                assert step.publish_at == article.published_at

        return send, change_url(article), took_effect

    return act


def act_delete(people, role):
    article = make_article(Status.DRAFT, owner_for(people, role))

    def send(client):
        return client.post(delete_url(article), {"post": "yes"})

    def took_effect():
        assert not Article.objects.filter(pk=article.pk).exists()

    return send, CHANGELIST_URL, took_effect


def act_history(people, role):
    article = make_article(Status.DRAFT, owner_for(people, role), title="Own story")
    response = None

    def send(client):
        nonlocal response
        response = client.get(history_url(article))
        return response

    def took_effect():
        assert "History of “Own story”" in text_of(parse(response).find("h1"))

    return send, None, took_effect


ALLOWED, FORBIDDEN, HIDDEN, LOGIN = "allowed", "forbidden", "hidden", "login"

# action: (setup, (writer, editor, moderator)); anonymous visitors are sent to log in.
MATRIX = {
    "add": (act_add, (ALLOWED, ALLOWED, FORBIDDEN)),
    "change own draft": (act_change(Status.DRAFT, own=True), (ALLOWED, ALLOWED, FORBIDDEN)),
    "change own returned": (
        act_change(Status.RETURNED, own=True),
        (ALLOWED, ALLOWED, FORBIDDEN),
    ),
    # A writer's admin holds only their own articles: another's is answered as not found.
    "change another's draft": (
        act_change(Status.DRAFT, own=False),
        (HIDDEN, ALLOWED, FORBIDDEN),
    ),
    "change own in review": (
        act_change(Status.IN_REVIEW, own=True),
        (FORBIDDEN, ALLOWED, FORBIDDEN),
    ),
    "change published": (
        act_change(Status.PUBLISHED, own=True),
        (FORBIDDEN, ALLOWED, FORBIDDEN),
    ),
    "submit for review": (
        act_workflow(Status.DRAFT, "submit", Status.IN_REVIEW),
        (ALLOWED, ALLOWED, FORBIDDEN),
    ),
    "publish": (
        act_workflow(Status.DRAFT, "publish", Status.PUBLISHED),
        (FORBIDDEN, ALLOWED, FORBIDDEN),
    ),
    "schedule": (
        act_workflow(Status.DRAFT, "publish", Status.PUBLISHED, publish_at=future_time()),
        (FORBIDDEN, ALLOWED, FORBIDDEN),
    ),
    "unpublish": (
        act_workflow(Status.PUBLISHED, "unpublish", Status.UNPUBLISHED),
        (FORBIDDEN, ALLOWED, FORBIDDEN),
    ),
    "return with a note": (
        act_workflow(Status.IN_REVIEW, "return", Status.RETURNED, note=NOTE),
        (FORBIDDEN, ALLOWED, FORBIDDEN),
    ),
    "delete": (act_delete, (FORBIDDEN, ALLOWED, FORBIDDEN)),
    "view history": (act_history, (ALLOWED, ALLOWED, FORBIDDEN)),
}
ROLES = ["writer", "editor", "moderator", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_role_action_matrix(client, people, role, action):
    setup, outcomes = MATRIX[action]
    expected = LOGIN if role == "anonymous" else outcomes[ROLES.index(role)]
    if people[role]:
        client.force_login(people[role])
    send, location, took_effect = setup(people, role)
    before = db_state()

    response = send(client)

    if expected == ALLOWED:
        assert response.status_code == (200 if location is None else 302)
        if location:
            assert response["Location"] == location
        took_effect()
        return
    if expected == FORBIDDEN:
        assert response.status_code == 403
    elif expected == HIDDEN:
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=/admin/")
    assert db_state() == before


# --- forged requests from a writer ----------------------------------------------------------

FUTURE_FIELDS = {"published_at_0": "2031-01-02", "published_at_1": "09:00:00"}


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (Status.DRAFT, "publish"),
        (Status.RETURNED, "publish"),
        (Status.IN_REVIEW, "publish"),
        (Status.DRAFT, "return"),
        (Status.IN_REVIEW, "return"),
        (Status.DRAFT, "unpublish"),
        (Status.PUBLISHED, "unpublish"),
        (Status.PUBLISHED, "publish"),
        (Status.IN_REVIEW, "submit"),  # already in review: no longer the writer's to edit
        (Status.DRAFT, "delete"),  # no such button
    ],
)
def test_writer_forged_workflow_button_is_refused(client, people, start, action):
    writer = people["writer"]
    article = make_article(start, writer)
    client.force_login(writer)
    data = form_data(article, _workflow=action, workflow_note=NOTE, status="published")
    data.update(FUTURE_FIELDS)
    before = db_state()

    response = client.post(change_url(article), data)

    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize("action", ["publish", "return", "unpublish", "nonsense"])
def test_writer_forged_workflow_button_on_the_add_page_is_refused(client, people, action):
    client.force_login(people["writer"])
    data = form_data(_workflow=action, workflow_note=NOTE, status="published", **FUTURE_FIELDS)

    response = client.post(ADD_URL, data)

    assert response.status_code == 403
    assert not Article.objects.exists()


def test_writer_forged_status_and_publish_time_fields_are_ignored_on_save(client, people):
    writer = people["writer"]
    article = make_article(Status.DRAFT, writer)
    client.force_login(writer)
    data = form_data(article, title="Edited headline", status="published", **FUTURE_FIELDS)

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Edited headline"  # the save went through...
    assert (article.status, article.published_at) == (Status.DRAFT, None)  # ...the rest did not
    assert not article.transitions.exists()


def test_writer_forged_publish_time_is_ignored_when_submitting(client, people):
    writer = people["writer"]
    article = make_article(Status.DRAFT, writer)
    client.force_login(writer)
    data = form_data(article, _workflow="submit", status="published", **FUTURE_FIELDS)

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)
    assert article.transitions.get().publish_at is None


def test_writer_forged_status_and_publish_time_are_ignored_when_adding(client, people):
    client.force_login(people["writer"])
    data = form_data(status="published", **FUTURE_FIELDS)

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.status, article.published_at) == (Status.DRAFT, None)
    assert article.created_by == people["writer"]


@pytest.mark.parametrize("who", ["writer on another's draft", "editor on a deleted article"])
def test_forged_workflow_button_on_an_article_out_of_reach_is_refused(client, people, who):
    if who.startswith("writer"):
        client.force_login(people["writer"])
        article = make_article(Status.DRAFT, people["other_writer"])
        data = form_data(article, _workflow="submit")
        url = change_url(article)
    else:
        client.force_login(people["editor"])
        article = make_article(Status.IN_REVIEW, people["other_writer"])
        data = form_data(article, _workflow="publish")
        url = change_url(article)
        article.delete()
    before = db_state()

    response = client.post(url, data)

    # Refused like the same POST without the button (not found), or as forbidden; not a 500.
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert db_state() == before


def test_writer_cannot_open_another_writers_history(client, people):
    article = make_article(Status.DRAFT, people["other_writer"])
    client.force_login(people["writer"])

    assert client.get(history_url(article)).status_code == 403
    assert client.get(change_url(article)).status_code == 302  # answered as not found


def test_writer_adds_and_submits_in_one_step(client, people):
    section = SectionFactory()
    client.force_login(people["writer"])

    response = client.post(ADD_URL, form_data(section=str(section.pk), _workflow="submit"))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)
    assert_transition(
        article.transitions.get(),
        actor=people["writer"],
        from_status=Status.DRAFT,
        to_status=Status.IN_REVIEW,
    )
    # From now on the writer may look at it but not change it.
    page = client.get(change_url(article))
    assert page.status_code == 200
    assert workflow_buttons(page) == []
    assert (
        client.post(change_url(article), form_data(article, title="Late edit")).status_code == 403
    )


# --- 2. what each role lists, and the automatic byline -------------------------------------


def changelist_titles(response) -> set[str]:
    return {text_of(cell) for cell in parse(response).select("#result_list .field-title")}


@pytest.fixture
def articles_of_everyone(people):
    return {
        "Wanda's draft": make_article(Status.DRAFT, people["writer"], title="Wanda's draft"),
        "Wanda's published": make_article(
            Status.PUBLISHED, people["writer"], title="Wanda's published"
        ),
        "Oscar's draft": make_article(Status.DRAFT, people["other_writer"], title="Oscar's draft"),
        "Edith's story": make_article(Status.IN_REVIEW, people["editor"], title="Edith's story"),
    }


def test_writer_lists_only_their_own_articles(client, people, articles_of_everyone):
    client.force_login(people["writer"])

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert changelist_titles(response) == {"Wanda's draft", "Wanda's published"}


def test_editors_list_all_articles(client, people, articles_of_everyone):
    client.force_login(people["editor"])

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert changelist_titles(response) == set(articles_of_everyone)
    assert len(parse(response).select("#result_list .field-title a")) == 4


def test_moderators_list_only_published_articles_and_cannot_open_them(
    client, people, articles_of_everyone
):
    client.force_login(people["moderator"])

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 200
    published = {title for title, article in articles_of_everyone.items() if article.is_published}
    # What readers can see, never a draft's title; and no links, since they may not open one.
    assert published and changelist_titles(response) == published
    assert parse(response).select("#result_list .field-title a") == []


def test_writers_new_article_gets_their_byline(client, people):
    client.force_login(people["writer"])

    response = client.post(ADD_URL, form_data())

    assert response.status_code == 302
    article = Article.objects.get()
    assert [(b.author.name, b.position) for b in article.bylines.all()] == [("Wanda Writer", 0)]


def test_writers_own_byline_choice_is_kept(client, people):
    colleague = AuthorFactory(name="Guest Author")
    client.force_login(people["writer"])

    response = client.post(ADD_URL, form_data(authors=[(colleague, 0)]))

    assert response.status_code == 302
    assert [b.author for b in Article.objects.get().bylines.all()] == [colleague]


def test_no_automatic_byline_for_a_user_without_an_author_profile(client, people):
    client.force_login(people["editor"])

    response = client.post(ADD_URL, form_data())

    assert response.status_code == 302
    assert not Article.objects.get().bylines.exists()


# --- 3. the admin shows only the buttons a user may use -------------------------------------


def publish_time_inputs(response) -> list:
    return parse(response).find_all(attrs={"name": ["published_at_0", "published_at_1"]})


def test_writer_add_page_offers_submit_only(client, people):
    client.force_login(people["writer"])

    response = client.get(ADD_URL)

    assert response.status_code == 200
    assert workflow_buttons(response) == ["Submit for review"]
    assert publish_time_inputs(response) == []
    # The byline inline the other tests post to is the "bylines" formset.
    assert parse(response).find("input", attrs={"name": "bylines-TOTAL_FORMS"}) is not None


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_writer_change_page_offers_submit_only(client, people, status):
    article = make_article(status, people["writer"])
    client.force_login(people["writer"])

    response = client.get(change_url(article))

    assert response.status_code == 200
    assert workflow_buttons(response) == ["Submit for review"]
    assert "Publish / schedule" not in response.content.decode()
    assert "Return to writer" not in response.content.decode()
    assert publish_time_inputs(response) == []
    assert parse(response).find("a", class_="deletelink") is None


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.PUBLISHED])
def test_writer_read_only_page_offers_no_buttons(client, people, status):
    article = make_article(status, people["writer"])
    client.force_login(people["writer"])

    response = client.get(change_url(article))

    assert response.status_code == 200
    assert workflow_buttons(response) == []
    assert parse(response).find("input", attrs={"type": "submit", "name": "_continue"}) is None


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        (Status.DRAFT, ["Submit for review", "Publish / schedule"]),
        (Status.IN_REVIEW, ["Return to writer", "Publish / schedule"]),
        (Status.RETURNED, ["Submit for review", "Publish / schedule"]),
        (Status.PUBLISHED, ["Publish / schedule", "Unpublish"]),
        (Status.UNPUBLISHED, ["Publish / schedule"]),
    ],
)
def test_editor_change_page_offers_the_steps_of_the_status(client, people, status, buttons):
    article = make_article(status, people["other_writer"])
    client.force_login(people["editor"])

    response = client.get(change_url(article))

    assert response.status_code == 200
    assert workflow_buttons(response) == buttons
    assert len(publish_time_inputs(response)) == 2
    assert parse(response).find("a", class_="deletelink") is not None


def test_editor_add_page_offers_submit_and_publish(client, people):
    client.force_login(people["editor"])

    response = client.get(ADD_URL)

    assert workflow_buttons(response) == ["Submit for review", "Publish / schedule"]
    assert len(publish_time_inputs(response)) == 2


# --- featured and comments open: editors' calls ----------------------------------------------


def test_writer_sees_featured_and_comments_open_but_cannot_change_them(client, people):
    article = make_article(Status.DRAFT, people["writer"])
    client.force_login(people["writer"])

    page = parse(client.get(change_url(article)))

    assert page.select_one(".field-is_featured") is not None
    assert page.select_one(".field-comments_enabled") is not None
    assert page.select_one('input[name="is_featured"]') is None
    assert page.select_one('input[name="comments_enabled"]') is None


def test_writers_forged_post_leaves_featured_and_comments_open_unchanged(client, people):
    article = make_article(Status.DRAFT, people["writer"], is_featured=False, comments_enabled=True)
    client.force_login(people["writer"])
    data = form_data(article, title="A new headline", is_featured="on")
    del data["comments_enabled"]  # an unticked box is absent from the POST

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "A new headline"  # the rest of the edit is saved
    assert article.is_featured is False
    assert article.comments_enabled is True


def test_writers_new_article_cannot_be_featured_or_closed(client, people):
    client.force_login(people["writer"])
    data = form_data(is_featured="on")
    del data["comments_enabled"]

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.is_featured, article.comments_enabled) == (False, True)


def test_writer_keeps_an_editors_choice_when_editing(client, people):
    article = make_article(Status.DRAFT, people["writer"], is_featured=True, comments_enabled=False)
    client.force_login(people["writer"])

    response = client.post(change_url(article), form_data(article, title="Edited"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.is_featured, article.comments_enabled) == ("Edited", True, False)


def test_editor_can_feature_an_article_and_close_its_comments(client, people):
    article = make_article(Status.DRAFT, people["writer"], is_featured=False, comments_enabled=True)
    client.force_login(people["editor"])
    data = form_data(article, is_featured="on")
    del data["comments_enabled"]

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.is_featured, article.comments_enabled) == (True, False)
