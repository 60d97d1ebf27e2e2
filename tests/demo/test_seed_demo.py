import io
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

import demo
from articles import workflow
from articles.models import Article
from articles.sanitize import sanitize_html
from authors.models import Author
from comments.models import Comment
from comments.moderation import actions
from images.models import Image as LibraryImage
from tests.helpers import parse

DEMO_PASSWORD = "newsroom-demo"
METRO = "kyiv-metro-keeps-running-as-power-cuts-return"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def model_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.mark.django_db
def test_first_run_loads_the_demo_content():
    seed()

    assert Article.objects.count() == 12
    assert Article.objects.filter(status=Article.Status.DRAFT, published_at=None).count() == 1
    scheduled = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    )
    assert scheduled.count() == 1
    assert Article.objects.published().count() == 10
    assert Article.objects.annotate(n=Count("bylines")).filter(n__gte=2).exists()
    assert Article.objects.exclude(source=None).exclude(source_url="").exists()
    for article in Article.objects.all():
        assert article.section is not None
        assert 2 <= article.tags.count() <= 4
        image = article.image
        assert image and image.file.storage.exists(image.file.name)
        assert (image.width, image.height) == (1600, 900)
        assert image.alt_text and image.credit and image.caption
        assert image.title == article.title
    assert LibraryImage.objects.count() == 12

    for article in Article.objects.all():
        # History starts with the demo text, so an editor's first change can be compared
        # with it and undone.
        first = article.revisions.get()
        assert first.content["title"] == article.title
        assert first.content["body"] == article.body
        assert first.number == article.version

    assert Author.objects.count() == 4
    for author in Author.objects.all():
        assert author.photo and author.photo.storage.exists(author.photo.name)
        assert len(author.bio_paragraphs) >= 2
        author.full_clean()  # social links are valid web addresses

    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    for username, group in [
        ("editor", "Editors"),
        ("writer", "Writers"),
        ("moderator", "Moderators"),
    ]:
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.groups.filter(name=group).exists()
        assert user.check_password(DEMO_PASSWORD)
        assert Group.objects.get(name=group).permissions.exists()
    assert User.objects.get(username="writer").author_profile is not None


@pytest.mark.django_db
def test_second_run_creates_and_changes_nothing(settings):
    seed()
    counts = model_counts()
    files = media_files(settings)
    articles = list(Article.objects.values_list("slug", "published_at", "updated_at", "image"))
    passwords = list(get_user_model().objects.values_list("username", "password"))

    output = seed()

    assert model_counts() == counts
    assert media_files(settings) == files
    assert list(Article.objects.values_list("slug", "published_at", "updated_at", "image")) == (
        articles
    )
    assert list(get_user_model().objects.values_list("username", "password")) == passwords
    assert "nothing created or changed" in output


@pytest.mark.django_db
def test_an_existing_users_password_is_kept():
    User = get_user_model()
    User.objects.create_user("editor", password="my-own-password", is_staff=True)

    seed()

    editor = User.objects.get(username="editor")
    assert editor.check_password("my-own-password")
    assert editor.groups.filter(name="Editors").exists()


@pytest.mark.django_db
def test_logins_are_printed_only_in_debug(settings):
    settings.DEBUG = True
    output = seed()
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/admin/" in output

    settings.DEBUG = False
    output = seed()
    assert DEMO_PASSWORD not in output
    assert "not shown" in output


@pytest.mark.django_db
def test_demo_has_comment_threads_and_a_moderation_queue_with_reasons(client):
    seed()

    metro = Article.objects.get(slug="kyiv-metro-keeps-running-as-power-cuts-return")
    page = parse(client.get(metro.get_absolute_url()))
    heading = page.find(id="comments-heading")
    assert heading is not None and "3 Comments" in heading.get_text()
    text = page.get_text(" ", strip=True)
    assert "Iryna Sydorenko" in text and "Mark Daniels" in text  # a thread with a reply
    assert "Dmytro Koval" not in text  # held
    assert "CHEAP GENERATORS" not in text  # spam

    pending = Comment.objects.filter(status=Comment.Status.PENDING)
    assert pending.count() == 3  # as the README says
    assert all(comment.hold_reasons for comment in pending)
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 1
    # Blocking the demo spammer (email and IP) must not sweep up the other commenters.
    addresses = list(Comment.objects.values_list("ip_address", flat=True))
    assert len(set(addresses)) == len(addresses)
    for comment in Comment.objects.all():
        assert comment.submitted_at >= comment.article.published_at
        assert comment.log_entries.filter(action="submitted").exists()
        if comment.parent_id:
            assert comment.thread_id == comment.parent.thread_id
        else:
            assert comment.thread_id == comment.pk

    client.force_login(get_user_model().objects.get(username="moderator"))
    queue = client.get("/admin/comments/comment/", follow=True)
    assert queue.status_code == 200
    assert "first-time commenter" in queue.content.decode()
    assert "Dmytro Koval" in queue.content.decode()


@pytest.mark.django_db
def test_a_demo_comment_a_moderator_edited_is_not_loaded_again():
    seed()
    comment = Comment.objects.get(name="Dmytro Koval")
    actions.edit_body(comment, body="Good piece.", actor=None)
    counts = model_counts()

    seed()

    assert model_counts() == counts
    comment.refresh_from_db()
    assert comment.body == "Good piece."


@pytest.mark.django_db
def test_demo_bodies_have_the_shape_the_body_editor_writes():
    """Demo articles look like typed ones: paragraphs, items and quotes holding paragraphs,
    so opening one in the editor and saving it changes nothing."""
    seed()

    for article in Article.objects.all():
        assert sanitize_html(article.body) == article.body, article.slug
        assert "<div" not in article.body
    bodies = "".join(Article.objects.values_list("body", flat=True))
    assert "<li><p>" in bodies and "<blockquote><p>" in bodies and "<li>A" not in bodies


@pytest.mark.django_db
def test_demo_goes_through_the_workflow_and_the_moderation_rules():
    """Loaded as an editor and readers would make it, so its history reads like theirs."""
    seed()
    User = get_user_model()
    editor, moderator = User.objects.get(username="editor"), User.objects.get(username="moderator")

    for article in Article.objects.exclude(status=Article.Status.DRAFT):
        step = article.transitions.get()
        assert (step.actor, step.to_status) == (editor, Article.Status.PUBLISHED)
        assert step.publish_at == article.published_at
    assert not Article.objects.get(status=Article.Status.DRAFT).transitions.exists()

    # Held as first-time comments by the rules, then approved by the moderator.
    approved = Comment.objects.filter(status=Comment.Status.APPROVED)
    assert approved.count() == 4
    for comment in approved:
        log = comment.log_entries.order_by("pk").values_list("action", "actor")
        assert list(log) == [("submitted", None), ("approve", moderator.pk)]
    spam = Comment.objects.get(status=Comment.Status.SPAM)
    assert spam.hold_reasons == ["hidden honeypot field filled in", "first-time commenter"]
    links = Comment.objects.get(name="Oleh Tkachenko")
    assert links.hold_reasons == ["2 links (limit 2)", "first-time commenter"]


@pytest.mark.django_db
def test_a_lost_media_file_comes_back_and_nothing_else_changes():
    seed()
    article = Article.objects.get(slug=METRO)
    author = Author.objects.get(slug="tomas-rivera")
    article.image.file.storage.delete(article.image.file.name)
    author.photo.storage.delete(author.photo.name)
    counts = model_counts()

    seed()

    assert model_counts() == counts
    article.image.refresh_from_db()
    author.refresh_from_db()
    assert article.image.file.storage.exists(article.image.file.name)
    assert (article.image.width, article.image.height) == (1600, 900)
    assert author.photo.storage.exists(author.photo.name)


@pytest.mark.django_db
def test_a_demo_article_an_editor_changed_is_left_as_they_left_it():
    seed()
    editor = get_user_model().objects.get(username="editor")
    article = Article.objects.get(slug=METRO)
    article.set_tags(["Kyiv"])
    workflow.transition(article, action="unpublish", actor=editor)
    counts = model_counts()

    seed()

    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED
    assert list(article.tags.names()) == ["Kyiv"]
    assert model_counts() == counts  # and its comments are not posted again


def test_the_shipped_demo_images_stay_small():
    images = list((Path(demo.__file__).parent / "content" / "images").iterdir())
    assert len(images) == 12 + 4  # the articles' and the authors'
    assert sum(image.stat().st_size for image in images) < 300_000
