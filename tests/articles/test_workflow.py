"""The editorial workflow through the admin: each step and its log, publishing only a complete
article, and scheduled articles going live on their own."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Byline
from tests.articles.admin_helpers import (
    ADD_URL,
    CHANGELIST_URL,
    COMPLETE_BODY,
    NOTE,
    Status,
    db_state,
    form_data,
    future_time,
    history_url,
    local_parts,
    make_article,
    messages_of,
    workflow_messages,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    UserFactory,
    image_file,
)
from tests.helpers import change_url, form_fields, parse, save_change, text_of

pytestmark = pytest.mark.django_db

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
        assert text_of(parse(response).find("h1")) == "Tomorrow's news"
        assert url in teaser_links(client)
        client.force_login(people["editor"])
        assert status_cell(client, article) == "Published"
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED  # nothing had to run: only the clock moved
    assert article.transitions.count() == 1


# --- 2. the byline inline of a published article -----------------------------------------------


def byline_rows(article, **changes) -> dict:
    """The change form as served, with every existing byline row marked for deletion."""
    return {
        **{
            f"bylines-{index}-DELETE": "on"
            for index in range(Byline.objects.filter(article=article).count())
        },
        **changes,
    }


BYLINE_REQUIRED = (
    "A published article needs at least one byline. "
    "Add another author before removing the last one."
)


def inline_errors(response) -> str:
    """The errors shown in the byline inline, above its rows."""
    group = parse(response).find(id="bylines-group")
    assert group is not None
    return " ".join(text_of(errors) for errors in group.select("ul.errorlist"))


@pytest.fixture
def live_article():
    return ArticleFactory(
        title="Power back in Kharkiv",
        body=COMPLETE_BODY,
        authors=[AuthorFactory(name="Olena Kovalenko"), AuthorFactory(name="Mark Smith")],
    )


def test_deleting_every_byline_of_a_published_article_is_refused(
    reader, editor_client, live_article
):
    response = save_change(editor_client, live_article, **byline_rows(live_article))

    assert response.status_code == 200
    assert inline_errors(response) == BYLINE_REQUIRED
    stored = Article.objects.get(pk=live_article.pk)
    assert [a.name for a in stored.byline_authors] == ["Olena Kovalenko", "Mark Smith"]
    assert stored.revisions.count() == 0
    page = reader.get(stored.get_absolute_url()).content.decode()
    assert "Olena Kovalenko" in page


def test_a_scheduled_article_cannot_lose_every_byline_either(editor_client):
    article = ArticleFactory(scheduled=True, authors=[AuthorFactory(name="Olena Kovalenko")])

    response = save_change(editor_client, article, **byline_rows(article))

    assert response.status_code == 200
    assert inline_errors(response) == BYLINE_REQUIRED
    assert Byline.objects.filter(article=article).count() == 1


def test_replacing_the_bylines_of_a_published_article_is_allowed(editor_client, live_article):
    newcomer = AuthorFactory(name="Iryna Shevchenko")
    data = form_fields(editor_client.get(change_url(live_article)))
    data.update(byline_rows(live_article))
    extra = int(data["bylines-TOTAL_FORMS"]) - 1  # the empty row the admin offers
    data[f"bylines-{extra}-author"] = str(newcomer.pk)
    data[f"bylines-{extra}-position"] = "0"

    response = editor_client.post(change_url(live_article), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(pk=live_article.pk).byline_authors == [newcomer]


def test_a_draft_may_lose_every_byline(editor_client):
    article = ArticleFactory(draft=True, authors=[AuthorFactory(name="Olena Kovalenko")])

    response = save_change(editor_client, article, **byline_rows(article))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Byline.objects.filter(article=article).exists()


def test_unpublishing_may_remove_every_byline(reader, editor_client, live_article):
    # Readers lose the article, so nothing of theirs is at stake; publishing again checks.
    response = save_change(
        editor_client, live_article, _workflow="unpublish", **byline_rows(live_article)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Article.objects.get(pk=live_article.pk)
    assert stored.status == Article.Status.UNPUBLISHED
    assert not stored.bylines.exists()
    assert reader.get(stored.get_absolute_url()).status_code == 404


def test_an_older_published_article_without_a_byline_can_still_be_corrected(editor_client):
    # Published before bylines were required: the save takes nothing away, so it goes through.
    article = ArticleFactory(title="Legacy story with a typpo")

    response = save_change(editor_client, article, title="Legacy story without a typo")

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(pk=article.pk).title == "Legacy story without a typo"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "", "A published article needs a body."),
        ("body", "<p> </p>", "A published article needs a body."),
        ("section", "", "A published article needs a section."),
    ],
)
def test_emptying_the_body_or_section_of_a_published_article_is_refused(
    reader, editor_client, live_article, field, value, message
):
    response = save_change(editor_client, live_article, **{field: value})

    assert response.status_code == 200
    errors = parse(response).select(f".field-{field} ul.errorlist")
    assert [text_of(e) for e in errors] == [message]
    stored = Article.objects.get(pk=live_article.pk)
    assert stored.body == COMPLETE_BODY
    assert stored.section is not None
    page = reader.get(stored.get_absolute_url()).content.decode()
    assert "restored power to the eastern districts" in page


# --- each step's own wording when it cannot be taken -------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("submit", Status.PUBLISHED, "An article that is published cannot be submitted for review"),
        ("return", Status.DRAFT, "An article that is draft cannot be returned to the writer"),
        ("unpublish", Status.IN_REVIEW, "An article that is in review cannot be unpublished"),
    ],
)
def test_a_step_from_the_wrong_status_is_refused_in_its_own_words(action, status, message):
    editor = UserFactory(is_superuser=True, is_staff=True)
    published = status == Status.PUBLISHED
    article = ArticleFactory(status=status, **({} if published else {"draft": True}))

    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.transition(article, action=action, actor=editor, note="Why.")

    assert str(refusal.value) == message + "."
    article.refresh_from_db()
    assert article.status == status
    assert not article.transitions.exists()
