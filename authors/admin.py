from django.contrib import admin
from django.db.models import Count

from images.admin import thumbnail
from images.tasks import queue_renditions
from newsroom.pagecache import ChangesPublicPagesAdmin, content_changed

from .models import Author


@admin.register(Author)
class AuthorAdmin(ChangesPublicPagesAdmin, admin.ModelAdmin):
    ordering = ["name"]  # the annotation below drops Meta.ordering
    list_display = ["name", "list_photo", "job_title", "is_active", "article_count", "user"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "job_title", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    readonly_fields = ["photo_preview"]
    fields = [
        "name",
        "slug",
        "job_title",
        "bio",
        "photo",
        "photo_preview",
        "website",
        "email",
        "social_links",
        "user",
        "is_active",
    ]

    def save_model(self, request, obj, form, change):
        # ModelAdmin's save without ChangesPublicPagesAdmin's refresh, made here: a new photo
        # alone is refreshed by its renditions task once they are made (every author's photo
        # is shown); anything else saved with it right away, not only if the task succeeds.
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        queued = "photo" in form.changed_data and queue_renditions(obj.photo, kind="portrait")
        if not queued or set(form.changed_data) - {"photo"}:
            content_changed()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("bylines"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="Photo")
    def list_photo(self, obj):
        return thumbnail(obj.photo, obj.name)

    @admin.display(description="Current photo")
    def photo_preview(self, obj):
        return thumbnail(obj.photo, obj.name, size=160)
