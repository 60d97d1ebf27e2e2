from django.contrib import admin
from django.db.models import Count
from django.http import JsonResponse
from django.urls import path
from django.utils.html import format_html
from taggit.models import Tag

from .forms import ArticleAdminForm
from .models import Article, Byline, Section, Source


def thumbnail(image, alt: str = "", size: int = 60) -> str:
    if not image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px;object-fit:cover">',
        image.url,
        alt,
        size,
        size,
    )


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "Byline (authors in the order shown to readers: lowest position first)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline]
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
    list_filter = ["status", "section", "source", ("published_at", admin.DateFieldListFilter)]
    list_select_related = ["section", "updated_by"]
    search_fields = ["title", "dek", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "source"]
    readonly_fields = ["image_preview", "created_at", "created_by", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body"]}),
        (
            "Featured image",
            {"fields": ["image", "image_preview", "image_alt", "image_caption", "image_credit"]},
        ),
        ("Filing", {"fields": ["section", "tags"]}),
        ("Original source", {"fields": ["source", "source_url"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_enabled"]}),
        (
            "History",
            {
                "classes": ["collapse"],
                "fields": ["created_at", "created_by", "updated_at", "updated_by"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__author")

    def has_view_permission(self, request, obj=None):
        # Moderators may list articles (to find comments) but not open them: 403.
        if obj is not None:
            return self.has_change_permission(request, obj)
        return super().has_view_permission(request, obj)

    def get_list_display_links(self, request, list_display):
        if not self.has_change_permission(request):
            return None
        return super().get_list_display_links(request, list_display)

    def get_urls(self):
        suggestions = path(
            "tag-suggestions/",
            self.admin_site.admin_view(self.tag_suggestions),
            name="articles_article_tag_suggestions",
        )
        return [suggestions, *super().get_urls()]

    def tag_suggestions(self, request):
        """Existing tag names starting with ?q=, for the tag field's suggestions."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return JsonResponse({"error": "Permission denied."}, status=403)
        term = request.GET.get("q", "").strip()[:100]
        names = []
        if term:
            names = list(
                Tag.objects.filter(name__istartswith=term)
                .order_by("name")
                .values_list("name", flat=True)[:10]
            )
        return JsonResponse({"results": names})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="Image")
    def list_thumbnail(self, obj):
        return thumbnail(obj.image, obj.image_alt)

    @admin.display(description="Current image")
    def image_preview(self, obj):
        return thumbnail(obj.image, obj.image_alt, size=240)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj):
        if obj.is_scheduled:
            return f"Scheduled for {obj.published_at:%d %b %Y, %H:%M}"
        return obj.get_status_display()

    @admin.display(description="Byline")
    def byline_display(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all()) or "—"


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
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
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "homepage"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count
