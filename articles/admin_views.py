"""Admin pages of an article beyond the change form: history, compare, restore, shared
previews and corrections. Each checks permission itself (accounts.roles) and leaves the work
to articles.revisions, articles.previews and articles.notes."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import roles

from .models import Article, ArticleNote, ArticleRevision, PreviewLink
from .notes import add_note, remove_note
from .previews import create_preview_link, revoke_preview_link
from .revisions import compare as compare_snapshots
from .revisions import restore_revision
from .workflow import WorkflowError


def _context(request: HttpRequest, model_admin, article: Article, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "article": article,
        "title": title,
        "subtitle": str(article),
        "has_view_permission": True,
    }


def _article(request: HttpRequest, model_admin, pk: int) -> Article:
    article = get_object_or_404(Article, pk=pk)
    if not model_admin.has_view_permission(request, article):
        raise PermissionDenied
    return article


def revisions(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    article = _article(request, model_admin, pk)
    context = _context(request, model_admin, article, f"History of “{article}”")
    context.update(
        revisions=article.revisions.select_related("created_by", "restored_from"),
        transitions=article.transitions.select_related("actor"),
        can_edit=roles.can_edit(request.user, article),
    )
    return render(request, "admin/articles/article/revisions.html", context)


def compare(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    article = _article(request, model_admin, pk)
    try:
        numbers = sorted({int(request.GET["a"]), int(request.GET["b"])})
    except (KeyError, ValueError):
        numbers = []
    if any(not 0 < number < 2**31 for number in numbers):
        raise Http404("No such revisions.")
    if len(numbers) != 2:
        messages.error(request, "Choose two different revisions to compare.")
        return redirect("admin:articles_article_revisions", pk=article.pk)
    found = {r.number: r for r in article.revisions.filter(number__in=numbers)}
    if len(found) != 2:
        raise Http404("No such revisions.")
    older, newer = found[numbers[0]], found[numbers[1]]
    context = _context(request, model_admin, article, f"Compare revisions of “{article}”")
    context.update(
        older=older, newer=newer, changes=compare_snapshots(older.content, newer.content)
    )
    return render(request, "admin/articles/article/compare.html", context)


@require_POST
def restore(request: HttpRequest, pk: int, number: int, model_admin) -> HttpResponse:
    article = _article(request, model_admin, pk)
    revision = get_object_or_404(ArticleRevision, article=article, number=number)
    try:
        new = restore_revision(revision, actor=request.user)  # checks permission
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("admin:articles_article_revisions", pk=article.pk)
    messages.success(
        request, f"Revision {revision.number} restored as revision {new.number}. Nothing was lost."
    )
    return redirect("admin:articles_article_change", article.pk)


class PreviewLinkForm(forms.Form):
    hours = forms.IntegerField(
        label="Valid for (hours)", min_value=1, max_value=24 * 30, initial=48
    )


def previews(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    article = _article(request, model_admin, pk)
    if not roles.is_editor(request.user):
        raise PermissionDenied
    form = PreviewLinkForm(request.POST if "create" in request.POST else None)
    if request.method == "POST":
        if "revoke" in request.POST:
            link_id = request.POST["revoke"]
            if not (link_id.isascii() and link_id.isdigit() and len(link_id) < 10):
                raise Http404("No such preview link.")
            link = get_object_or_404(PreviewLink, article=article, pk=int(link_id))
            revoke_preview_link(link, actor=request.user)
            messages.success(request, "The preview link was revoked; it no longer works.")
            return redirect(request.path)
        if form.is_valid():
            link = create_preview_link(
                article, actor=request.user, hours=form.cleaned_data["hours"]
            )
            messages.success(request, "Preview link created. Copy it from the list below.")
            return redirect(request.path)
    context = _context(request, model_admin, article, f"Share a preview of “{article}”")
    context.update(
        form=form,
        links=[
            (link, request.build_absolute_uri(link.get_absolute_url()))
            for link in article.preview_links.select_related("created_by")
        ],
    )
    return render(request, "admin/articles/article/previews.html", context)


class NoteForm(forms.ModelForm):
    class Meta:
        model = ArticleNote
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}


class RemoveNoteForm(forms.Form):
    note = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why is it removed?", max_length=300)


def notes(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    article = _article(request, model_admin, pk)
    if not roles.is_editor(request.user):
        raise PermissionDenied
    form = NoteForm(request.POST if "add" in request.POST else None)
    remove_form = RemoveNoteForm(request.POST if "remove" in request.POST else None)
    if request.method == "POST":
        if "add" in request.POST and form.is_valid():
            add_note(
                article,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                actor=request.user,
            )
            messages.success(request, "Note added. It appears at the end of the article.")
            return redirect(request.path)
        if "remove" in request.POST and remove_form.is_valid():
            note = get_object_or_404(
                ArticleNote, article=article, pk=remove_form.cleaned_data["note"]
            )
            remove_note(note, actor=request.user, reason=remove_form.cleaned_data["reason"])
            messages.success(request, "Note removed from the article; the removal is recorded.")
            return redirect(request.path)
    context = _context(request, model_admin, article, f"Corrections and updates: “{article}”")
    context.update(
        form=form,
        remove_form=remove_form,
        notes=article.notes.select_related("created_by", "removed_by"),
        article_url=reverse("articles:detail", kwargs={"slug": article.slug}),
    )
    return render(request, "admin/articles/article/notes.html", context)
