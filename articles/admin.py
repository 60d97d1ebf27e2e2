from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from taggit.admin import TagAdmin
from taggit.forms import MergeTagsForm
from taggit.models import Tag

from accounts import roles
from authors.models import Author
from images.admin import thumbnail
from images.widgets import ImageChooserWidget
from newsroom.admin_guards import is_id
from newsroom.pagecache import ChangesPublicPagesAdmin, content_changed

from . import admin_views, revisions, workflow
from .forms import ArticleAdminForm, SourceAdminForm
from .models import Article, Byline, Section, Source, TaggedArticle
from .search import clean_query


def stays_live(request, article: Article) -> bool:
    """Whether this save leaves a published (or scheduled) article in readers' reach; it must
    then stay complete. Unpublishing takes it away, so a broken article can always go."""
    return (
        article.status == Article.Status.PUBLISHED and request.POST.get("_workflow") != "unpublish"
    )


class BylineFormSet(BaseInlineFormSet):
    """A published article keeps at least one byline; a draft may have none yet."""

    stays_live = False  # set per request by BylineInline.get_formset

    def clean(self):
        super().clean()
        # Without bylines before this save (an older article), this save takes none away.
        if not self.stays_live or not self.initial_forms:
            return
        if any(form.errors for form in self.forms):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("author") and not self._should_delete_form(form)
        ]
        if not kept:
            raise ValidationError(
                "A published article needs at least one byline. Add another author before "
                "removing the last one.",
                code="byline_required",
            )


class BylineInline(admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "Byline (authors in the order shown to readers: lowest position first)"

    def get_queryset(self, request):
        # Each row shows its byline as "<author> on <article>": both in the rows' query,
        # not two queries a row (the article without its body and search vector).
        return (
            super()
            .get_queryset(request)
            .select_related("author", "article")
            .defer("article__body", "article__search_vector")
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class on every call
        formset.stays_live = obj is not None and stays_live(request, obj)
        return formset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline]
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title",
        "list_thumbnail",
        "status_display",
        "published_at",
        "section",
        "byline_display",
        "updated_at",
        "updated_by",
    ]
    list_filter = [
        "status",
        "is_featured",
        "section",
        "source",
        ("published_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["section", "updated_by", "image"]
    # At 100k articles each row of the list cost 2 ms to render, and a second COUNT(*) of
    # the whole table only said "100,000 total" beside the filtered count.
    list_per_page = 50
    show_full_result_count = False
    search_fields = ["title", "dek", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "source"]
    raw_id_fields = ["image"]
    readonly_fields = [
        "status_display",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]

    def get_fieldsets(self, request, obj=None):
        publishing = ["status_display", "is_featured", "comments_enabled"]
        if obj is None or self.has_change_permission(request, obj):
            # Form-only fields; a read-only view has no form to carry them.
            publishing += ["workflow_note", "loaded_version"]
        if roles.is_editor(request.user):
            publishing.insert(1, "published_at")
        # The byline inline follows the first fieldset (change_form.html).
        return [
            (None, {"fields": ["title", "slug", "dek"]}),
            ("Body", {"fields": ["body"]}),
            ("Featured image", {"fields": ["image"]}),
            (
                "Filing",
                {"fields": ["section", "tags", "source", "source_url", "canonical_is_source"]},
            ),
            ("Publishing", {"fields": publishing}),
            (
                "History",
                {
                    "classes": ["collapse"],
                    "fields": ["created_at", "created_by", "updated_at", "updated_by"],
                },
            ),
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "image":
            # The library's own list (thumbnails, search, filters, Add) chooses the image.
            kwargs["widget"] = ImageChooserWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            *workflow.editor_only_fields(request.user),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class on every call
        form.stays_live = obj is not None and stays_live(request, obj)
        return form

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("bylines__author")
        if roles.is_editor(request.user):
            return queryset
        if roles.is_writer(request.user):
            return queryset.filter(created_by=request.user)  # writers see their own articles
        # Anyone else who may list articles (moderators): what readers see, never drafts.
        return queryset.published()

    def has_view_permission(self, request, obj=None):
        if obj is None or roles.is_editor(request.user):
            return super().has_view_permission(request, obj)
        # Writers may look at their own articles in any status; nobody else opens one (403).
        return roles.is_writer(request.user) and obj.created_by_id == request.user.pk

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and roles.is_editor(request.user)

    def get_list_display_links(self, request, list_display):
        if not self.has_change_permission(request) and not roles.is_writer(request.user):
            return None
        return super().get_list_display_links(request, list_display)

    def get_urls(self):
        def route(pattern: str, view, name: str):
            return path(
                pattern,
                self.admin_site.admin_view(view),
                {"model_admin": self},
                name=f"articles_article_{name}",
            )

        return [
            path(
                "tag-suggestions/",
                self.admin_site.admin_view(self.tag_suggestions),
                name="articles_article_tag_suggestions",
            ),
            route("<int:pk>/revisions/", admin_views.revisions, "revisions"),
            route("<int:pk>/revisions/compare/", admin_views.compare, "compare"),
            route("<int:pk>/revisions/<int:number>/restore/", admin_views.restore, "restore"),
            route("<int:pk>/previews/", admin_views.previews, "previews"),
            route("<int:pk>/notes/", admin_views.notes, "notes"),
            *super().get_urls(),
        ]

    def tag_suggestions(self, request):
        """Existing tag names starting with ?q=, for the tag field's suggestions."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return JsonResponse({"error": "Permission denied."}, status=403)
        term = clean_query(request.GET.get("q", ""))[:100]
        names = []
        if term:
            names = list(
                Tag.objects.filter(name__istartswith=term)
                .order_by("name")
                .values_list("name", flat=True)[:10]
            )
        return JsonResponse({"results": names})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id and not roles.can_open_articles(request.user):
            raise PermissionDenied
        if request.method == "POST" and "_workflow" in request.POST:
            # Refuse a forged or stale workflow button before anything is saved.
            obj = self.get_object(request, object_id) if object_id else Article()
            if obj is None:  # out of this user's reach: the admin's usual "doesn't exist"
                return super().changeform_view(request, object_id, form_url, extra_context)
            allowed = {a.name for a in workflow.available_actions(request.user, obj)}
            if request.POST["_workflow"] not in allowed:
                raise PermissionDenied("You may not do that to this article.")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["workflow_actions"] = workflow.available_actions(request.user, obj or Article())
        context["can_publish"] = roles.is_editor(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Saves refresh the cached pages through the workflow and revisions; deletes have no
    # workflow step, so the admin refreshes them here.
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed()

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed() and "_workflow" not in request.POST:
            # Opened and saved without an edit: the row, its updated time and its body
            # stay exactly as they were (save_related records no revision either).
            return
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if (
            change
            and "slug" in form.changed_data
            and obj.published_at
            and obj.status
            in {
                Article.Status.PUBLISHED,
                Article.Status.UNPUBLISHED,
            }
        ):
            workflow.record_slug_change(obj, old_slug=form.initial.get("slug", ""))

    def response_post_save_add(self, request, obj):
        return self._after_workflow(request, obj) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        return self._after_workflow(request, obj) or super().response_post_save_change(request, obj)

    def _after_workflow(self, request, obj):
        # After a workflow button, stay with the article (read-only for a writer in review).
        if "_workflow" in request.POST:
            return redirect("admin:articles_article_change", obj.pk)
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        action = request.POST.get("_workflow")
        if change and not action and not form.has_changed():
            if not any(formset.has_changed() for formset in formsets):
                return  # nothing changed: no new revision
            # Only the byline changed: the article row was not saved, but it was edited.
            article.updated_by = request.user
            article.save(update_fields=["updated_by", "updated_at"])
        if not change and not article.bylines.exists():
            profile = Author.objects.filter(user=request.user).first()
            if profile is not None:  # a writer's new article carries their byline
                Byline.objects.create(article=article, author=profile, position=0)
        if action:
            try:
                workflow.transition(
                    article,
                    action=action,
                    actor=request.user,
                    note=form.cleaned_data.get("workflow_note", ""),
                    publish_at=form.cleaned_data.get("published_at"),
                )
            except workflow.WorkflowError as error:
                messages.error(request, f"{error} Your changes were saved.")
            else:
                messages.success(request, workflow.ACTIONS[action].success_message(article))
        revisions.record_revision(article, actor=request.user)

    @admin.display(description="Image")
    def list_thumbnail(self, obj):
        if obj.image is None:
            return "—"
        return thumbnail(obj.image.file, obj.image.alt_text)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj):
        if obj is None or obj.pk is None:
            return "Draft (new)"
        if obj.is_scheduled:
            return f"Scheduled for {timezone.localtime(obj.published_at):%d %b %Y, %H:%M}"
        return obj.get_status_display()

    @admin.display(description="Byline")
    def byline_display(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all()) or "—"


@admin.register(Section)
class SectionAdmin(ChangesPublicPagesAdmin, admin.ModelAdmin):
    ordering = ["position", "name"]  # the annotation below drops Meta.ordering
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Source)
class SourceAdmin(ChangesPublicPagesAdmin, admin.ModelAdmin):
    form = SourceAdminForm
    ordering = ["name"]
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "homepage"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            # Another request saved a source with this domain after this form checked it,
            # and the unique constraint refused ours (the admin's transaction is rolled
            # back). Validating again finds that source and shows the form with its error.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "for-url/",
                self.admin_site.admin_view(self.source_for_url),
                name="articles_source_for_url",
            ),
            *super().get_urls(),
        ]

    def source_for_url(self, request):
        """The source whose domain ?url= is at, for the article form's script: {"source":
        {"id", "name"}}, or {"source": null} when no source (or no domain) matches."""
        if not self.has_view_permission(request):
            return JsonResponse({"error": "Permission denied."}, status=403)
        source = Source.objects.for_url(request.GET.get("url", ""))
        found = {"id": source.pk, "name": source.name} if source else None
        return JsonResponse({"source": found})


# django-taggit's own admin, for editors tidying tags: merging must move articles' tags too.
admin.site.unregister(Tag)


@admin.register(Tag)
class ArticleTagAdmin(ChangesPublicPagesAdmin, TagAdmin):
    # django-taggit's inline lists its generic TaggedItem rows, which hold no article's tags.
    inlines = []

    def merge_tags_view(self, request):
        # django-taggit merges only its generic rows; articles' tags are TaggedArticle rows.
        form = MergeTagsForm(request.POST) if request.method == "POST" else None
        if form is None or not form.is_valid():
            return super().merge_tags_view(request)
        selected = request.session.get("selected_tag_ids", "").split(",")
        with transaction.atomic():
            into, _ = Tag.objects.get_or_create(name=form.cleaned_data["new_tag_name"])
            TaggedArticle.merge([int(i) for i in selected if is_id(i)], into=into)
            content_changed()
            return super().merge_tags_view(request)
