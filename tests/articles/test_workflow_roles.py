"""Roles and the editorial workflow, through the admin: who may do what, and what is recorded.

The roles are the groups the migrations create: Writers, Editors and Moderators.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleRevision, ArticleTransition, Byline
from authors.models import Author
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    UserFactory,
    image_file,
)
from tests.helpers import NEW_DRAFT_FORM, change_url, parse, text_of

pytestmark = pytest.mark.django_db

Status = Article.Status
ADD_URL = "/admin/articles/article/add/"
CHANGELIST_URL = "/admin/articles/article/"
NOTE = "Add a second source for the casualty figure."


# --- helpers --------------------------------------------------------------------------------


def delete_url(article) -> str:
    return reverse("admin:articles_article_delete", args=[article.pk])


def history_url(article) -> str:
    return reverse("admin:articles_article_revisions", args=[article.pk])


def staff_member(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people():
    writer = staff_member("Writers", "wanda")
    other_writer = staff_member("Writers", "oscar")
    AuthorFactory(name="Wanda Writer", user=writer)
    AuthorFactory(name="Oscar Other", user=other_writer)
    return {
        "writer": writer,
        "other_writer": other_writer,
        "editor": staff_member("Editors", "edith"),
        "moderator": staff_member("Moderators", "moe"),
        "anonymous": None,
    }


def make_article(status: str, owner, **fields) -> Article:
    """A complete article (section, dek, body, byline) in ``status``, written by ``owner``."""
    profile = Author.objects.filter(user=owner).first() if owner else None
    fields.setdefault("authors", [profile or AuthorFactory()])
    published = status in {Status.PUBLISHED, Status.UNPUBLISHED}
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1) if published else None)
    return ArticleFactory(status=status, created_by=owner, updated_by=owner, **fields)


def local_parts(value) -> tuple[str, str]:
    if value is None:
        return "", ""
    value = timezone.localtime(value)
    return f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"


def form_data(article: Article | None = None, *, authors=(), **fields) -> dict:
    """What the admin form sends: ``article`` as stored (or a new draft), plus ``fields``.

    The byline inline is the ``bylines`` formset; an existing article sends its rows back.
    """
    if article is None:
        data = {
            **NEW_DRAFT_FORM,
            "workflow_note": "",
            "loaded_version": "0",
            "bylines-TOTAL_FORMS": str(len(authors)),
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
        for index, (author, position) in enumerate(authors):
            data[f"bylines-{index}-author"] = str(author.pk)
            data[f"bylines-{index}-position"] = str(position)
    else:
        article.refresh_from_db()
        bylines = list(article.bylines.order_by("position", "id"))
        date, time = local_parts(article.published_at)
        data = {
            "title": article.title,
            "slug": article.slug,
            "dek": article.dek,
            "body": article.body,
            "image": str(article.image_id or ""),
            "section": str(article.section_id or ""),
            "tags": ", ".join(article.tags.names()),
            "source": str(article.source_id or ""),
            "source_url": article.source_url,
            "published_at_0": date,
            "published_at_1": time,
            "workflow_note": "",
            "loaded_version": str(article.version),
            "bylines-TOTAL_FORMS": str(len(bylines)),
            "bylines-INITIAL_FORMS": str(len(bylines)),
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
        if article.comments_enabled:
            data["comments_enabled"] = "on"
        for index, byline in enumerate(bylines):
            data[f"bylines-{index}-id"] = str(byline.pk)
            data[f"bylines-{index}-article"] = str(article.pk)
            data[f"bylines-{index}-author"] = str(byline.author_id)
            data[f"bylines-{index}-position"] = str(byline.position)
    data.update(fields)
    return data


def db_state() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "articles": list(
            Article.objects.order_by("pk").values(
                "pk",
                "title",
                "dek",
                "body",
                "section",
                "status",
                "published_at",
                "version",
                "updated_at",
                "updated_by",
            )
        ),
        "bylines": list(Byline.objects.order_by("pk").values_list("article", "author", "position")),
        "transitions": list(ArticleTransition.objects.order_by("pk").values_list("pk", flat=True)),
        "revisions": list(ArticleRevision.objects.order_by("pk").values_list("pk", flat=True)),
    }


def messages_of(response, level: str) -> list[str]:
    """The messages of one level ("success", "error") shown on the page."""
    return [text_of(li) for li in parse(response).select(f"ul.messagelist li.{level}")]


def workflow_messages(response) -> list[str]:
    """The successes of the workflow (Django adds its own "was changed successfully")."""
    return [m for m in messages_of(response, "success") if not m.endswith("successfully.")]


def workflow_buttons(response) -> list[str]:
    return [text_of(button) for button in parse(response).select("button[name=_workflow]")]


def future_time(days: int = 3):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def assert_transition(transition, *, actor, from_status, to_status, note=""):
    assert (transition.actor, transition.from_status, transition.to_status, transition.note) == (
        actor,
        from_status,
        to_status,
        note,
    )


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


# --- 4. the steps of the workflow and their log --------------------------------------------


def post_step(client, article, **fields):
    return client.post(change_url(article), form_data(article, **fields), follow=True)


def history_rows(client, article) -> list[list[str]]:
    response = client.get(history_url(article))
    assert response.status_code == 200
    workflow_table = parse(response).find("h2", string="Workflow").find_next("table")
    return [[text_of(cell) for cell in row.find_all("td")] for row in workflow_table.tbody("tr")]


def test_article_moves_through_the_workflow_and_each_step_is_logged(client, people):
    writer, editor = people["writer"], people["editor"]
    section = SectionFactory(name="Energy")
    client.force_login(writer)
    client.post(ADD_URL, form_data(section=str(section.pk)))
    article = Article.objects.get()
    assert article.status == Status.DRAFT

    response = post_step(client, article, _workflow="submit")
    assert workflow_messages(response) == ["Submitted for review."]
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW

    client.force_login(editor)
    response = post_step(client, article, _workflow="return", workflow_note="  ")
    assert messages_of(response, "error") == [
        "Write a note telling the writer what to change. Your changes were saved."
    ]
    assert workflow_messages(response) == []
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert article.transitions.count() == 1

    response = post_step(client, article, _workflow="return", workflow_note=NOTE)
    assert workflow_messages(response) == ["Returned to the writer."]
    article.refresh_from_db()
    assert article.status == Status.RETURNED

    client.force_login(writer)
    response = post_step(client, article, dek="A better summary.", _workflow="submit")
    assert workflow_messages(response) == ["Submitted for review."]
    article.refresh_from_db()
    assert (article.status, article.dek) == (Status.IN_REVIEW, "A better summary.")

    client.force_login(editor)
    started = timezone.now().replace(microsecond=0)
    response = post_step(client, article, _workflow="publish")
    assert workflow_messages(response) == ["Published."]
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert started <= article.published_at <= timezone.now()
    published_at = article.published_at

    response = post_step(client, article, _workflow="unpublish")
    assert workflow_messages(response) == ["Unpublished: readers no longer see it."]
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED

    steps = list(article.transitions.order_by("id"))
    expected = [
        (writer, Status.DRAFT, Status.IN_REVIEW, ""),
        (editor, Status.IN_REVIEW, Status.RETURNED, NOTE),
        (writer, Status.RETURNED, Status.IN_REVIEW, ""),
        (editor, Status.IN_REVIEW, Status.PUBLISHED, ""),
        (editor, Status.PUBLISHED, Status.UNPUBLISHED, ""),
    ]
    assert [(s.actor, s.from_status, s.to_status, s.note) for s in steps] == expected
    assert steps[3].publish_at == published_at
    assert [s.publish_at for s in steps if s is not steps[3]] == [None] * 4

    # The history page lists the steps, newest first, for the editor and for the writer.
    published = f"{timezone.localtime(published_at):%-d %b %Y, %H:%M}"
    rows = [
        ["edith", "Published", "Unpublished", "", ""],
        ["edith", "In review", "Published", published, ""],
        ["wanda", "Returned for changes", "In review", "", ""],
        ["edith", "In review", "Returned for changes", "", NOTE],
        ["wanda", "Draft", "In review", "", ""],
    ]
    for user in (editor, writer):
        client.force_login(user)
        assert [row[1:] for row in history_rows(client, article)] == rows


# --- 5. publishing waits until the article is complete ---------------------------------------


# The byline check asks the database: the admin prefetches bylines, and a prefetched list
# would predate the byline formset's save (removing the last byline and publishing in one
# save used to publish an article without a byline).
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"section": "", "bylines": []},
            "Not published. The article still needs a section and at least one author in "
            "the byline.",
            id="section and byline",
        ),
        pytest.param(
            {"section": ""}, "Not published. The article still needs a section.", id="section"
        ),
        pytest.param(
            {"bylines": []},
            "Not published. The article still needs at least one author in the byline.",
            id="byline",
        ),
        pytest.param(
            {"body": "<p> </p>"}, "Not published. The article still needs a body.", id="body"
        ),
        pytest.param(
            {"body": "", "section": "", "bylines": []},
            "Not published. The article still needs a body, a section and at least one "
            "author in the byline.",
            id="body, section and byline",
        ),
    ],
)
def test_incomplete_article_is_not_published(client, people, changes, message):
    article = make_article(Status.IN_REVIEW, people["other_writer"])
    client.force_login(people["editor"])
    changes = dict(changes)
    data = form_data(article, title="A new headline", _workflow="publish")
    if changes.pop("bylines", None) is not None:
        data["bylines-0-DELETE"] = "on"
    data.update(changes)

    response = client.post(change_url(article), data, follow=True)

    assert response.status_code == 200
    assert messages_of(response, "error") == [f"{message} Your changes were saved."]
    assert workflow_messages(response) == []
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)
    assert article.title == "A new headline"  # the content is saved all the same
    assert not article.transitions.exists()


def test_incomplete_new_article_is_saved_but_not_published(client, people):
    client.force_login(people["editor"])  # no author profile: no automatic byline

    response = client.post(ADD_URL, form_data(_workflow="publish"), follow=True)

    assert response.status_code == 200
    assert messages_of(response, "error") == [
        "Not published. The article still needs a section and at least one author in the "
        "byline. Your changes were saved."
    ]
    article = Article.objects.get()
    assert (article.title, article.status, article.published_at) == (
        "Kyiv without power",
        Status.DRAFT,
        None,
    )
    assert not article.transitions.exists()


def test_byline_added_in_the_same_save_lets_the_article_publish(client, people):
    article = make_article(Status.IN_REVIEW, people["other_writer"], authors=[])
    author = AuthorFactory(name="Olena Kovalenko")
    client.force_login(people["editor"])
    data = form_data(article, _workflow="publish")
    data.update(
        {
            "bylines-TOTAL_FORMS": "1",
            "bylines-0-author": str(author.pk),
            "bylines-0-position": "0",
        }
    )

    response = client.post(change_url(article), data, follow=True)

    assert messages_of(response, "error") == []
    assert workflow_messages(response) == ["Published."]
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert [b.author for b in article.bylines.all()] == [author]


def test_complete_article_is_published(client, people):
    """The control for the refusals above: the same article, nothing removed."""
    article = make_article(Status.IN_REVIEW, people["other_writer"])
    client.force_login(people["editor"])

    response = client.post(
        change_url(article), form_data(article, _workflow="publish"), follow=True
    )

    assert workflow_messages(response) == ["Published."]
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("dek", "", "This field is required."),
        ("image", "999999", "Select a valid choice"),
    ],
)
def test_missing_dek_or_unknown_image_is_refused_by_the_form(client, people, field, value, error):
    # The form refuses these before the workflow runs: nothing is saved at all.
    article = make_article(
        Status.IN_REVIEW,
        people["other_writer"],
        image=ImageFactory(file=image_file(), alt_text="A substation"),
    )
    client.force_login(people["editor"])
    before = db_state()
    data = form_data(article, title="A new headline", _workflow="publish", **{field: value})

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert error in text_of(parse(response).find(id=f"id_{field}_error"))
    assert db_state() == before


def test_workflow_lists_a_missing_dek_and_image_alt_text(people):
    # Articles stored without the admin (imports, the shell) meet the same check.
    article = make_article(
        Status.IN_REVIEW,
        people["other_writer"],
        dek=" ",
        image=ImageFactory(file=image_file(), alt_text=""),
    )

    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.transition(article, action="publish", actor=people["editor"])

    assert str(refusal.value) == (
        "Not published. The article still needs a dek (the summary under the title) and alt "
        "text for the featured image."
    )
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)


# --- 6. scheduling -------------------------------------------------------------------------


def teaser_links(client) -> set[str]:
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    return {link["href"] for link in parse(response).select("main a[href]")}


def status_cell(client, article) -> str:
    response = client.get(CHANGELIST_URL)
    row = parse(response).find("a", href=change_url(article)).find_parent("tr")
    return text_of(row.find(class_="field-status_display"))


def test_scheduled_article_appears_at_its_time_without_any_other_action(client, people):
    article = make_article(Status.IN_REVIEW, people["other_writer"], title="Tomorrow's news")
    when = future_time(days=2)
    label = f"{timezone.localtime(when):%d %b %Y, %H:%M}"
    editor_client = client
    editor_client.force_login(people["editor"])
    date, time = local_parts(when)

    response = editor_client.post(
        change_url(article),
        form_data(article, _workflow="publish", published_at_0=date, published_at_1=time),
        follow=True,
    )

    assert workflow_messages(response) == [f"Scheduled for {label}."]
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.PUBLISHED, when)
    assert status_cell(editor_client, article) == f"Scheduled for {label}"
    editor_client.logout()
    url = article.get_absolute_url()
    assert client.get(url).status_code == 404
    assert url not in teaser_links(client)

    with time_machine.travel(when - timedelta(seconds=1)):
        assert client.get(url).status_code == 404
    with time_machine.travel(when + timedelta(minutes=1)):
        response = client.get(url)
        assert response.status_code == 200
        assert text_of(parse(response).find("h1")) == "Tomorrow’s news"  # curly at render time
        assert url in teaser_links(client)
        client.force_login(people["editor"])
        assert status_cell(client, article) == "Published"
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED  # nothing had to run: only the clock moved
    assert article.transitions.count() == 1


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
