"""Revisions of an article: what is recorded at each save, restoring an old one, and what
changed between two (shown word by word).

A revision is a snapshot of everything an editor typed, stored as JSON that survives renames
and deletions; each save through the admin records one and bumps the article's version, which
is how a form opened before someone else's save is recognised (articles/forms.py).
"""

import difflib
import html
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import roles
from authors.models import Author
from images.models import Image
from newsroom.pagecache import content_changed

from .models import Article, ArticleRevision, Byline, Section, Source
from .workflow import WorkflowError, join_and, missing_for_publication

Status = Article.Status


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
        if article.status == Article.Status.PUBLISHED:  # scheduled too: its time may move
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
    if not roles.can_edit(actor, article):
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
                    f"and with this revision it would lack {join_and(lost)}. Nothing was "
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
