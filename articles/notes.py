"""Corrections, updates and clarifications shown at the end of a published article. Notes
are never deleted: a removal hides one and records who, when and why."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts import roles
from newsroom.pagecache import content_changed

from .models import Article, ArticleNote
from .workflow import WorkflowError


def add_note(article: Article, *, kind: str, text: str, actor) -> ArticleNote:
    """A correction, update or clarification; the article counts as updated now."""
    if not roles.is_editor(actor):
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
    if not roles.is_editor(actor):
        raise PermissionDenied("Only editors remove notes.")
    if not reason.strip():
        raise WorkflowError("Say why the note is removed.")
    note.removed_at = timezone.now()
    note.removed_by = actor
    note.removal_reason = reason.strip()[:300]
    note.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    content_changed()
