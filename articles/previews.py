"""Shared previews: a secret link that shows an unpublished article to whoever holds it,
until it expires or an editor revokes it (the page is articles.views.shared_preview)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import roles

from .models import Article, PreviewLink
from .workflow import WorkflowError


def create_preview_link(article: Article, *, actor, hours: int = 48) -> PreviewLink:
    if not roles.is_editor(actor):
        raise PermissionDenied("You may not share previews.")
    if not 1 <= hours <= 24 * 30:
        raise WorkflowError("A preview link can last from 1 hour to 30 days.")
    return PreviewLink.objects.create(
        article=article, created_by=actor, expires_at=timezone.now() + timedelta(hours=hours)
    )


def revoke_preview_link(link: PreviewLink, *, actor) -> None:
    if not roles.is_editor(actor):
        raise PermissionDenied("You may not revoke previews.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
