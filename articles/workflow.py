"""The editorial workflow: transitions, publication checks, revisions, previews and notes.

Typed functions with keyword-only arguments, called by the admin (and anything else), so the
rules live in one place: who may do what, what is recorded, what must be complete.
"""

import difflib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from authors.models import Author
from images.models import Image
from newsroom.pagecache import content_changed

from .models import (
    Article,
    ArticleNote,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleTransition,
    Byline,
    PreviewLink,
    Section,
    Source,
)

Status = Article.Status


class WorkflowError(Exception):
    """A transition that cannot happen now; the message is for the editor."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    needs_publish_permission: bool


ACTIONS = {
    action.name: action
    for action in [
        Action("submit", "Submit for review", frozenset({Status.DRAFT, Status.RETURNED}),
               Status.IN_REVIEW, needs_publish_permission=False),
        Action("return", "Return to writer", frozenset({Status.IN_REVIEW}),
               Status.RETURNED, needs_publish_permission=True),
        Action("publish", "Publish", frozenset({Status.DRAFT, Status.IN_REVIEW, Status.RETURNED,
               Status.UNPUBLISHED, Status.PUBLISHED}), Status.PUBLISHED,
               needs_publish_permission=True),
        Action("unpublish", "Unpublish", frozenset({Status.PUBLISHED}), Status.UNPUBLISHED,
               needs_publish_permission=True),
    ]
}  # fmt: skip


def can_publish(user) -> bool:
    return user.is_active and user.has_perm("articles.publish_article")


# Whether an article is featured on the home page and whether readers may comment on it are
# editors' calls: a writer sees them but cannot change them (the admin leaves them out of the
# writer's form, so a forged POST carries no weight).
EDITOR_ONLY_FIELDS = ("is_featured", "comments_enabled")


def editor_only_fields(user) -> tuple[str, ...]:
    """The article fields this user may see but not change."""
    return () if can_publish(user) else EDITOR_ONLY_FIELDS


def can_edit(user, article: Article) -> bool:
    """Editors edit anything; writers only their own drafts and returned articles."""
    if not user.is_active or not user.has_perm("articles.change_article"):
        return False
    if can_publish(user):
        return True
    return article.created_by_id == user.pk and article.status in {Status.DRAFT, Status.RETURNED}


def can_preview(user, article: Article) -> bool:
    """Who may see an unpublished article (or learn its address): editors any, a writer
    their own. Moderators and staff without a role never do."""
    if not (user.is_active and user.is_staff and user.has_perm("articles.change_article")):
        return False
    return can_publish(user) or article.created_by_id == user.pk


def available_actions(user, article: Article) -> list[Action]:
    """The workflow buttons this user may press on this article now."""
    status = article.status if article.pk else Status.DRAFT
    actions = []
    for step in ACTIONS.values():
        if status not in step.sources or (
            article.pk is None and step.name not in {"submit", "publish"}
        ):
            continue
        if may_take(user, article, step):
            actions.append(step)
    return actions


def may_take(user, article: Article, step: Action) -> bool:
    """Whether this user may press this button at all (the status is checked apart)."""
    if step.needs_publish_permission:
        return can_publish(user)
    return article.pk is None or can_edit(user, article)


def missing_for_publication(article: Article) -> list[str]:
    """What a reader would miss; publishing waits until this list is empty."""
    return [what for _field, what in publication_gaps(article)]


def publication_gaps(article: Article, *, check_bylines: bool = True) -> list[tuple[str, str]]:
    """What a reader would miss, as (field name, what is missing). The admin form checks the
    fields without the bylines, which its byline formset checks (articles/admin.py)."""
    missing = []
    if not article.title.strip():
        missing.append(("title", "a title"))
    if not article.dek.strip():
        missing.append(("dek", "a dek (the summary under the title)"))
    if not strip_tags(article.body).strip():
        missing.append(("body", "a body"))
    if article.section_id is None:
        missing.append(("section", "a section"))
    # Asked of the database: a prefetched list would predate the byline formset's save.
    if check_bylines and not Byline.objects.filter(article=article).exists():
        missing.append(("bylines", "at least one author in the byline"))
    # The library requires alt text on upload; images carried over from before the library
    # (articles migration 0012) may still lack it.
    if article.image_id and not article.image.alt_text.strip():
        missing.append(("image", "alt text for the featured image"))
    return missing


def transition(
    article: Article,
    *,
    action: str,
    actor,
    note: str = "",
    publish_at: datetime | None = None,
) -> ArticleTransition:
    """Move the article along the workflow, check permission and completeness, log the step."""
    step = ACTIONS.get(action)
    if step is None:
        raise WorkflowError(f"Unknown action “{action}”.")
    if not may_take(actor, article, step):
        raise PermissionDenied(f"You may not {step.label.lower()} this article.")
    if article.status not in step.sources:
        raise WorkflowError(
            f"An article that is {article.get_status_display().lower()} cannot be "
            f"{'published' if action == 'publish' else step.label.lower()}."
        )
    if action == "return" and not note.strip():
        raise WorkflowError("Write a note telling the writer what to change.")
    if action == "publish":
        missing = missing_for_publication(article)
        if missing:
            raise WorkflowError("Not published. The article still needs " + _join(missing) + ".")
    with transaction.atomic():
        from_status = article.status
        article.status = step.target
        fields = ["status", "updated_at", "updated_by"]
        if action == "publish":
            # A future time schedules the article; none means now.
            article.published_at = publish_at or timezone.now()
            fields.append("published_at")
        article.updated_by = actor
        article.save(update_fields=fields)
        if from_status == Status.PUBLISHED or step.target == Status.PUBLISHED:
            content_changed()
        return ArticleTransition.objects.create(
            article=article,
            actor=actor,
            from_status=from_status,
            to_status=step.target,
            publish_at=article.published_at if action == "publish" else None,
            note=note.strip(),
        )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def record_slug_change(article: Article, *, old_slug: str) -> None:
    """Keep a published article's old address answering with a redirect to the new one."""
    with transaction.atomic():
        # The new address is live now: it must not redirect anywhere.
        ArticleSlugRedirect.objects.filter(old_slug=article.slug).delete()
        if old_slug and old_slug != article.slug:
            ArticleSlugRedirect.objects.update_or_create(
                old_slug=old_slug, defaults={"article": article}
            )


# Revisions ------------------------------------------------------------------------------------


def snapshot(article: Article) -> dict:
    """Everything an editor typed, in a form that survives renames and deletions."""
    bylines = list(article.bylines.select_related("author").order_by("position", "id"))
    return {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "bylines": [{"id": b.author_id, "name": b.author.name} for b in bylines],
        "tags": list(article.tags.names()),  # in the order readers see them
        "section": {"id": article.section_id, "name": str(article.section or "")},
        "source": {"id": article.source_id, "name": str(article.source or "")},
        "source_url": article.source_url,
        # The library image by id, and its title for reading the history after a deletion.
        "image": {"id": article.image_id, "title": str(article.image or "")},
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }


def record_revision(
    article: Article, *, actor, restored_from: ArticleRevision | None = None
) -> ArticleRevision:
    """Store the article as it is now; bumps its version so stale forms are refused."""
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        number = locked.version + 1
        Article.objects.filter(pk=article.pk).update(version=number)
        article.version = number
        if article.status == Status.PUBLISHED:  # scheduled too: its time may have moved
            content_changed()
        return ArticleRevision.objects.create(
            article=article,
            number=number,
            content=snapshot(article),
            created_by=actor,
            restored_from=restored_from,
        )


def restore_revision(revision: ArticleRevision, *, actor) -> ArticleRevision:
    """Bring back an old revision's content as a new revision; nothing is overwritten.

    A published (or scheduled) article must stay complete by the rules publishing uses:
    a restore that would take away something readers need is refused and changes nothing.
    """
    article = revision.article
    if not can_edit(actor, article):
        raise PermissionDenied("You may not edit this article.")
    try:
        return _restore(article, revision, actor=actor)
    except WorkflowError:
        article.refresh_from_db()  # the database was rolled back; so is this instance
        raise


def _restore(article: Article, revision: ArticleRevision, *, actor) -> ArticleRevision:
    content = revision.content
    # What is already missing stays allowed (articles published before a rule existed);
    # only what the restore itself would take away is refused.
    missing_before = set(missing_for_publication(article))
    with transaction.atomic():
        for name in ("title", "dek", "body", "source_url"):
            setattr(article, name, content.get(name, ""))
        article.image = _revision_image(content.get("image"))
        article.section = Section.objects.filter(pk=content["section"]["id"]).first()
        article.source = Source.objects.filter(pk=content["source"]["id"]).first()
        article.updated_by = actor
        article.save()
        article.set_tags(content.get("tags", []))
        article.bylines.all().delete()
        authors = Author.objects.in_bulk([b["id"] for b in content.get("bylines", [])])
        Byline.objects.bulk_create(
            Byline(article=article, author=authors[b["id"]], position=position)
            for position, b in enumerate(content.get("bylines", []))
            if b["id"] in authors
        )
        if article.status == Status.PUBLISHED:
            lost = [m for m in missing_for_publication(article) if m not in missing_before]
            if lost:
                # Raised inside the atomic block: every change above is rolled back.
                raise WorkflowError(
                    f"Revision {revision.number} was not restored: the article is published, "
                    f"and with this revision it would lack {_join(lost)}. Nothing was "
                    "changed. Restore a complete revision, or unpublish the article first."
                )
        return record_revision(article, actor=actor, restored_from=revision)


def _revision_image(value) -> Image | None:
    """The library image a revision names; one deleted since is gone from the restore too."""
    if isinstance(value, dict):
        return Image.objects.filter(pk=value.get("id")).first() if value.get("id") else None
    # Revisions from before the media library stored the file's path; the library image
    # made from that file (migration articles 0012) stands in for it.
    return Image.objects.filter(file=value).order_by("pk").first() if value else None


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    diff_html: str = ""  # word-by-word, for long text fields


TEXT_FIELDS = [("title", "Title"), ("dek", "Dek"), ("body", "Body")]
OTHER_FIELDS = [
    ("slug", "Slug"),
    ("bylines", "Byline"),
    ("tags", "Tags"),
    ("section", "Section"),
    ("source", "Source"),
    ("source_url", "Original article URL"),
    ("image", "Featured image"),
    ("status", "Status"),
    ("published_at", "Publish time"),
]


def _display(name: str, value) -> str:
    if name == "bylines":
        return ", ".join(b["name"] for b in value or []) or "—"
    if name == "tags":
        return ", ".join(value or []) or "—"
    if name in {"section", "source"}:
        return (value or {}).get("name") or "—"
    if name == "image" and isinstance(value, dict):
        return value.get("title") or "—"
    if name == "status":
        return Status(value).label if value in Status.values else str(value)
    if name == "body":
        # Tags become spaces, so words either side of a paragraph break stay apart.
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value or "")).split())
    return "" if value is None else str(value)


def word_diff(before: str, after: str) -> str:
    """HTML marking removed words <del> and added words <ins>; everything escaped."""
    old, new = re.findall(r"\S+|\s+", before), re.findall(r"\S+|\s+", after)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(html.escape("".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{html.escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{html.escape(''.join(new[j1:j2]))}</ins>")
    return "".join(parts)


def compare(before: dict, after: dict) -> list[FieldChange]:
    """What changed between two snapshots: text fields word by word, the rest as values."""
    changes = []
    for name, label in TEXT_FIELDS:
        a, b = _display(name, before.get(name)), _display(name, after.get(name))
        if a != b:
            changes.append(FieldChange(label, a, b, word_diff(a, b)))
    for name, label in OTHER_FIELDS:
        a, b = _display(name, before.get(name)), _display(name, after.get(name))
        if a != b:
            changes.append(FieldChange(label, a, b))
    return changes


# Shared previews and notes ---------------------------------------------------------------------


def create_preview_link(article: Article, *, actor, hours: int = 48) -> PreviewLink:
    if not actor.has_perm("articles.change_article"):
        raise PermissionDenied("You may not share previews.")
    if not 1 <= hours <= 24 * 30:
        raise WorkflowError("A preview link can last from 1 hour to 30 days.")
    return PreviewLink.objects.create(
        article=article, created_by=actor, expires_at=timezone.now() + timedelta(hours=hours)
    )


def revoke_preview_link(link: PreviewLink, *, actor) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])


def add_note(article: Article, *, kind: str, text: str, actor) -> ArticleNote:
    """A correction, update or clarification; the article counts as updated now."""
    if not can_publish(actor):
        raise PermissionDenied("Only editors add corrections and updates.")
    if not text.strip():
        raise WorkflowError("Write the text of the note.")
    with transaction.atomic():
        note = ArticleNote.objects.create(article=article, kind=kind, text=text.strip(),
                                          created_by=actor)  # fmt: skip
        article.updated_by = actor
        article.save(update_fields=["updated_at", "updated_by"])
        content_changed()
    return note


def remove_note(note: ArticleNote, *, actor, reason: str) -> None:
    """Notes are never deleted: a removal hides the note and records who, when and why."""
    if not can_publish(actor):
        raise PermissionDenied("Only editors remove notes.")
    if not reason.strip():
        raise WorkflowError("Say why the note is removed.")
    note.removed_at = timezone.now()
    note.removed_by = actor
    note.removal_reason = reason.strip()[:300]
    note.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    content_changed()
