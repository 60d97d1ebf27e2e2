"""Load ``demo/content/`` (see its README.md) through the site's own paths: upload validation,
the workflow and revisions, the moderation rules and actions. ``make run`` runs it on every start:
what exists (found by slug, username or commenter) is left as it is, so nothing changes.
"""

import os
import tomllib
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ensure_role_groups
from articles import revisions, workflow
from articles.models import Article, Byline, Section, Source
from authors.models import Author
from comments.models import Comment
from comments.moderation import actions
from comments.moderation.rules import FormToken, Submission
from images.models import Image
from images.tasks import queue_renditions
from images.uploads import clean_image_upload

DEMO = Path(__file__).resolve().parents[2] / "content"
NOTHING_NEW = "Demo content already present: nothing created or changed."
NOT_SHOWN = "Passwords are not shown because DEBUG is off."
KEPT = "  (Passwords are set when the accounts are created; a changed password is kept.)"


def pick(data: dict, *keys: str) -> dict:
    return {key: data[key] for key in keys if key in data}


class Command(BaseCommand):
    help = "Load the demo content of demo/content/. Running it again changes nothing."

    def handle(self, *args, **options) -> None:
        self.data = tomllib.loads((DEMO / "demo.toml").read_text(encoding="utf-8"))
        self.created = Counter()
        with transaction.atomic():
            self.load(now=timezone.now())
        self.report()

    def find_or_create(self, model, data: dict, key: str = "slug"):
        obj, created = model.objects.get_or_create(**{key: data[key]}, defaults=data)
        self.created[str(model._meta.verbose_name_plural)] += created
        return obj, created

    def attach(self, field_file, name: str, *, kind: str) -> None:
        """Store images/<name>.webp as an upload is stored, renditions queued as the admin
        queues them; again only if the media lost it."""
        if not (field_file and field_file.storage.exists(field_file.name)):
            path = DEMO / "images" / f"{name}.webp"
            upload = clean_image_upload(SimpleUploadedFile(path.name, path.read_bytes()))
            field_file.save(upload.name, upload, save=True)
            queue_renditions(field_file, kind=kind)

    def load(self, *, now) -> None:
        for model, key in [(Section, "sections"), (Source, "sources"), (Author, "authors")]:
            for data in self.data[key]:
                self.find_or_create(model, data)
        for author in Author.objects.filter(slug__in=[a["slug"] for a in self.data["authors"]]):
            self.attach(author.photo, author.slug, kind="portrait")
        users, User, groups = {}, get_user_model(), ensure_role_groups()  # as the migrations
        for data in self.data["users"]:
            fields = pick(data, "username", "first_name", "last_name", "email", "is_superuser")
            user, created = self.find_or_create(User, {**fields, "is_staff": True}, "username")
            if created:  # only then: someone may have changed the password since
                user.set_password(self.data["password"])
                user.save(update_fields=["password"])
            user.groups.add(*filter(None, [groups.get(data.get("group"))]))
            if "author" in data and not Author.objects.filter(user=user).exists():
                Author.objects.filter(slug=data["author"], user=None).update(user=user)
            users[user.username] = user
        for path in sorted((DEMO / "articles").glob("*.html")):
            self.load_article(path, now=now, editor=users["editor"])
        comments: dict[str, Comment] = {}
        for data in self.data["comments"]:
            self.load_comment(data, comments, now=now, moderator=users["moderator"])

    def load_article(self, path: Path, *, now, editor) -> None:
        _, front_matter, body = path.read_text(encoding="utf-8").split("+++\n", 2)
        meta = tomllib.loads(front_matter)  # TOML between +++ lines, then the body's HTML
        article = Article.objects.filter(slug=meta["slug"]).select_related("image").first()
        if article is not None:  # as the editors left it; only a lost image file comes back
            if article.image and article.image.credit == meta["image"]["credit"]:
                self.attach(article.image.file, article.slug, kind="image")
            return
        # As the admin saves a new one: article, byline, tags, the editor's workflow step, revision.
        image = Image(**meta["image"], title=meta["title"], uploaded_by=editor)
        self.attach(image.file, meta["slug"], kind="image")
        article = Article(**pick(meta, "slug", "title", "dek", "source_url"), image=image)
        article.section = Section.objects.get(slug=meta["section"])
        article.source = Source.objects.filter(slug=meta.get("source")).first()
        article.body, article.created_by, article.updated_by = body.strip(), editor, editor
        article.save()
        self.created["articles"] += 1
        for n, slug in enumerate(meta["authors"]):
            Byline.objects.create(article=article, author=Author.objects.get(slug=slug), position=n)
        article.set_tags(meta["tags"])
        hours = meta.get("publish_in_hours")  # past: published, future: scheduled, none: draft
        if hours is not None:
            publish_at = now + timedelta(hours=hours)
            workflow.transition(article, action="publish", actor=editor, publish_at=publish_at)
        revisions.record_revision(article, actor=editor)
        if hours is not None and hours < 0:
            # Written shortly before publication: "Updated" shows only after a later edit.
            updated = publish_at + timedelta(hours=meta.get("updated_hours_later", 0))
            written = publish_at - timedelta(hours=2)
            Article.objects.filter(pk=article.pk).update(created_at=written, updated_at=updated)
            article.transitions.update(created_at=publish_at)
            article.revisions.update(created_at=updated)

    def load_comment(self, data: dict, comments: dict, *, now, moderator) -> None:
        # Found again by commenter, not by text: moderators may edit the text.
        comment = Comment.objects.filter(article__slug=data["article"], email=data["email"]).first()
        article = Article.objects.published().filter(slug=data["article"]).first()
        if comment is None and article is not None:  # none on an unpublished or deleted article
            token = FormToken(article_id=article.pk, issued_at=now.timestamp() - 60, nonce="demo")
            fields = pick(data, "name", "email", "body", "website", "ip_address", "honeypot")
            sent = Submission(**fields, article_id=article.pk, form_token=token, received_at=now)
            comment = actions.submit_comment(
                submission=sent, parent=comments.get(data.get("parent")), user_agent="demo"
            )
            if data.get("approved_by_moderator"):
                actions.approve([comment], actor=moderator)
            posted = min(article.published_at + timedelta(hours=data["posted_after_hours"]), now)
            Comment.objects.filter(pk=comment.pk).update(submitted_at=posted)
            comment.log_entries.update(created_at=posted)
            self.created["comments"] += 1
        comments[data["key"]] = comment

    def report(self) -> None:
        created = ", ".join(f"{n} {kind}" for kind, n in self.created.items() if n)
        message = f"Demo content loaded: {created} created." if created else NOTHING_NEW
        self.stdout.write(self.style.SUCCESS(message))
        if not settings.DEBUG:
            names = ", ".join(user["username"] for user in self.data["users"])
            self.stdout.write(f"Demo accounts: {names}. {NOT_SHOWN}")
            return
        admin_url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}{reverse('admin:index')}"
        self.stdout.write("\n" + self.style.MIGRATE_HEADING(f"Demo logins for {admin_url}"))
        for user in self.data["users"]:
            login = f"  {user['username']:<10} password: {self.data['password']}"
            self.stdout.write(f"{login}  ({user.get('group', 'superuser')})")
        self.stdout.write(KEPT)
