from django.contrib import admin
from django.http import JsonResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache

from accounts import roles

from .forms import ImageForm
from .models import Image
from .renditions import fallback_extension, renditions
from .tasks import queue_renditions
from .usage import refresh_pages_showing

SUMMARY_WIDTH = 800


def thumbnail(field_file, alt: str = "", size: int = 60, position: str = "") -> str:
    """A small picture for admin lists and forms (the original file, scaled by the browser)."""
    if not field_file:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px;object-fit:cover{}">',
        field_file.url,
        alt,
        size,
        size,
        f";object-position:{position}" if position else "",
    )


def display_url(image: Image, width: int = SUMMARY_WIDTH) -> str:
    """A rendition about ``width`` pixels wide, or the file itself (GIFs, unknown sizes)."""
    extension = fallback_extension(image.file.name)
    if extension and image.width and image.height:
        made = renditions(
            image.file, (width,), extension, original_size=(image.width, image.height)
        )
        if made:
            return made[-1].url
    return image.file.url


class UsageFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "Used in an article"), ("no", "Not used")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=Image.objects.in_use().values("pk"))
        if self.value() == "no":
            return queryset.unused()
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """Cached pages are refreshed only for an image a public page shows (images.usage), once
    per change. Deleting never refreshes them: whatever shows an image protects it."""

    form = ImageForm
    list_display = [
        "list_thumbnail",
        "title",
        "alt_text",
        "credit",
        "size",
        "uploaded_by",
        "created_at",
    ]
    list_display_links = ["list_thumbnail", "title"]
    list_filter = [
        ("created_at", admin.DateFieldListFilter),
        ("uploaded_by", admin.RelatedOnlyFieldListFilter),
        UsageFilter,
    ]
    list_select_related = ["uploaded_by"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    date_hierarchy = "created_at"
    list_per_page = 50
    readonly_fields = ["preview", "size", "usage", "uploaded_by", "created_at"]

    class Media:
        css = {"all": ["newsroom/admin/images.css"]}
        js = ["newsroom/admin/focal-point.js"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["file", "title", "alt_text", "caption", "credit"]})]
        return [
            (None, {"fields": ["preview", "file", "title", "alt_text", "caption", "credit"]}),
            (
                "Focal point",
                {
                    "fields": [("focal_x", "focal_y")],
                    "description": "The part of the picture kept in view where it is cropped "
                    "(teasers). Click the preview above, or type percentages.",
                },
            ),
            ("Where it is used", {"fields": ["usage"]}),
            ("Upload", {"fields": ["size", "uploaded_by", "created_at"]}),
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        # A new file alone is refreshed by its renditions task once they are made; anything
        # else saved with it (alt text, caption) right away, not only if the task succeeds.
        queued = "file" in form.changed_data and queue_renditions(obj.file, kind="image")
        if not queued or set(form.changed_data) - {"file"}:
            refresh_pages_showing(obj.file.name)

    def get_urls(self):
        return [
            path(
                "<int:pk>/summary/",
                never_cache(self.summary),
                name="images_image_summary",
            ),
            *super().get_urls(),
        ]

    def summary(self, request, pk: int):
        """What the body editor needs to insert a library image, as JSON."""
        if not roles.can_use_media_library(request.user):
            return JsonResponse({"error": "You may not view the media library."}, status=403)
        image = Image.objects.filter(pk=pk).first()
        if image is None:
            return JsonResponse({"error": f"There is no image with id {pk}."}, status=404)
        return JsonResponse(
            {
                "id": image.pk,
                "title": str(image),
                "url": display_url(image),
                "alt": image.alt_text,
                "caption": image.caption,
                "credit": image.credit,
                "width": image.width,
                "height": image.height,
            }
        )

    @admin.display(description="Image")
    def list_thumbnail(self, obj):
        return thumbnail(obj.file, obj.alt_text, position=obj.object_position)

    @admin.display(description="Size")
    def size(self, obj):
        if not obj.width:
            return "—"
        return f"{obj.width} × {obj.height} px"

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.file:
            return "—"
        return format_html(
            '<div class="focal-point" data-x-input="id_focal_x" data-y-input="id_focal_y">'
            '<img src="{}" alt="{}"><span class="focal-point__marker" aria-hidden="true" '
            'style="left:{}%;top:{}%"></span></div>',
            display_url(obj),
            obj.alt_text,
            obj.focal_x,
            obj.focal_y,
        )

    @admin.display(description="Used in")
    def usage(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        uses = []
        # Every relation to an image (featured image, body figure…), named as the delete page
        # names what protects the image.
        for relation in Image._meta.related_objects:
            label = capfirst(relation.related_model._meta.verbose_name)
            items = getattr(obj, relation.get_accessor_name()).all()[:50]
            uses.extend(f"{label}: {item}" for item in items)
        if not uses:
            return "Not used yet."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((u,) for u in uses)))
