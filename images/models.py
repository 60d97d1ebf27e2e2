from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from newsroom.validators import no_control_characters

from .uploads import NewsImageField

FOCAL_HELP = (
    "Percent from the {side} (0–100). Where the image is cropped, this point stays in view."
)


class ImageQuerySet(models.QuerySet):
    def in_use(self) -> "ImageQuerySet":
        """Images something points at (a featured image, a body figure…), whatever app it is:
        every relation to an image protects it, so the relations are the definition of use."""
        return self.filter(_used_condition()).distinct()

    def unused(self) -> "ImageQuerySet":
        return self.exclude(pk__in=self.model.objects.in_use().values("pk"))


def _used_condition() -> Q:
    condition = Q(pk__in=[])
    for relation in Image._meta.related_objects:
        condition |= Q(**{f"{relation.name}__isnull": False})
    return condition


class Image(models.Model):
    """A picture in the media library, reused by articles with its alt text, caption and credit."""

    file = NewsImageField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, WebP or GIF. Location data is removed on upload.",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    title = models.CharField(
        max_length=255,
        blank=True,
        help_text="How the image is found in the library. Left empty, the file's name is used.",
        validators=[no_control_characters],
    )
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        help_text="What the image shows, for readers who cannot see it.",
        validators=[no_control_characters],
    )
    caption = models.CharField(max_length=500, blank=True, validators=[no_control_characters])
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text="E.g. “Photo: Jane Doe / Reuters”.",
        validators=[no_control_characters],
    )
    focal_x = models.PositiveSmallIntegerField(
        "focal point, across",
        default=50,
        validators=[MaxValueValidator(100, "Use a percentage between 0 and 100.")],
        help_text=FOCAL_HELP.format(side="left"),
    )
    focal_y = models.PositiveSmallIntegerField(
        "focal point, down",
        default=50,
        validators=[MaxValueValidator(100, "Use a percentage between 0 and 100.")],
        help_text=FOCAL_HELP.format(side="top"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField("uploaded", auto_now_add=True, db_index=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Found by its stored name: whether a published page shows a file whose renditions
        # were just made (articles.models.shows_image_file), a revision's featured image.
        indexes = [models.Index(fields=["file"], name="image_file")]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__lte=100) & Q(focal_y__lte=100),
                name="image_focal_point_in_picture",
                violation_error_message="The focal point lies inside the picture: 0 to 100 %.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.file_title

    def save(self, *args, **kwargs) -> None:
        if not self.title.strip():
            self.title = self.file_title
        super().save(*args, **kwargs)

    @property
    def file_title(self) -> str:
        return PurePosixPath(self.file.name or "").stem[:255] or "Untitled image"

    @property
    def object_position(self) -> str:
        """CSS object-position keeping the focal point in view where the image is cropped."""
        return f"{self.focal_x}% {self.focal_y}%"
