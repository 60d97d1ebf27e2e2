"""The editorial workflow: the steps an article takes (submit, return, publish, unpublish),
what publishing requires, and the old addresses a published article keeps.

Typed functions with keyword-only arguments, called by the admin (and anything else), so the
rules live in one place: what each step does, what it is called, what must be complete. Who may
take a step is asked of accounts.roles; revisions are in articles/revisions.py, shared previews
in articles/previews.py, corrections in articles/notes.py.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from accounts import roles
from newsroom.pagecache import content_changed

from .models import Article, ArticleSlugRedirect, ArticleTransition, Byline

Status = Article.Status


class WorkflowError(Exception):
    """A step that cannot happen now; the message is for the editor."""


@dataclass(frozen=True)
class Action:
    """A workflow button: where it leads from where, who may press it, and all its wording."""

    name: str
    button: str  # the button's text
    done: str  # "An article that is draft cannot be {done}."
    success: str  # the message once it is done
    sources: frozenset[str]
    target: str
    editors_only: bool
    offered_on_new: bool = False  # a new article's page offers it too (saved, then the step)
    note_request: str = ""  # the refusal when the note is empty; empty: no note is needed

    def allowed(self, user, article: Article) -> bool:
        """Whether this user may press this button at all (the status is checked apart)."""
        if self.editors_only:
            return roles.is_editor(user)
        return article.pk is None or roles.can_edit(user, article)

    def success_message(self, article: Article) -> str:
        if self.target == Status.PUBLISHED and article.is_scheduled:
            return f"Scheduled for {timezone.localtime(article.published_at):%d %b %Y, %H:%M}."
        return self.success


ACTIONS = {
    action.name: action
    for action in [
        Action(
            "submit",
            button="Submit for review",
            done="submitted for review",
            success="Submitted for review.",
            sources=frozenset({Status.DRAFT, Status.RETURNED}),
            target=Status.IN_REVIEW,
            editors_only=False,
            offered_on_new=True,
        ),
        Action(
            "return",
            button="Return to writer",
            done="returned to the writer",
            success="Returned to the writer.",
            sources=frozenset({Status.IN_REVIEW}),
            target=Status.RETURNED,
            editors_only=True,
            note_request="Write a note telling the writer what to change.",
        ),
        Action(
            "publish",
            # A publish time in the future schedules the article instead.
            button="Publish / schedule",
            done="published",
            success="Published.",
            sources=frozenset(
                {
                    Status.DRAFT,
                    Status.IN_REVIEW,
                    Status.RETURNED,
                    Status.UNPUBLISHED,
                    Status.PUBLISHED,
                }
            ),  # fmt: skip
            target=Status.PUBLISHED,
            editors_only=True,
            offered_on_new=True,
        ),
        Action(
            "unpublish",
            button="Unpublish",
            done="unpublished",
            success="Unpublished: readers no longer see it.",
            sources=frozenset({Status.PUBLISHED}),
            target=Status.UNPUBLISHED,
            editors_only=True,
        ),
    ]
}


# Whether an article is featured on the home page and whether readers may comment on it are
# editors' calls: a writer sees them but cannot change them (the admin leaves them out of the
# writer's form, so a forged POST carries no weight).
EDITOR_ONLY_FIELDS = ("is_featured", "comments_enabled")


def editor_only_fields(user) -> tuple[str, ...]:
    """The article fields this user may see but not change."""
    return () if roles.is_editor(user) else EDITOR_ONLY_FIELDS


def available_actions(user, article: Article) -> list[Action]:
    """The workflow buttons this user may press on this article now."""
    status = article.status if article.pk else Status.DRAFT
    return [
        action
        for action in ACTIONS.values()
        if status in action.sources
        and (article.pk is not None or action.offered_on_new)
        and action.allowed(user, article)
    ]


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
    if not step.allowed(actor, article):
        raise PermissionDenied(f"This article cannot be {step.done} by you.")
    if article.status not in step.sources:
        raise WorkflowError(
            f"An article that is {article.get_status_display().lower()} cannot be {step.done}."
        )
    if step.note_request and not note.strip():
        raise WorkflowError(step.note_request)
    publishing = step.target == Status.PUBLISHED
    if publishing and (missing := missing_for_publication(article)):
        raise WorkflowError(f"Not {step.done}. The article still needs {join_and(missing)}.")
    with transaction.atomic():
        from_status = article.status
        article.status = step.target
        fields = ["status", "updated_at", "updated_by"]
        if publishing:
            # A future time schedules the article; none means now.
            article.published_at = publish_at or timezone.now()
            fields.append("published_at")
        article.updated_by = actor
        article.save(update_fields=fields)
        if from_status == Status.PUBLISHED or publishing:
            content_changed()
        return ArticleTransition.objects.create(
            article=article,
            actor=actor,
            from_status=from_status,
            to_status=step.target,
            publish_at=article.published_at if publishing else None,
            note=note.strip(),
        )


def join_and(items: list[str]) -> str:
    """“a, b and c”, for messages listing what is missing."""
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
