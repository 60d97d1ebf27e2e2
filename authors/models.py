import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from images.uploads import NewsImageField
from newsroom.validators import no_control_characters


def is_web_address(value: str) -> bool:
    return urlsplit(value.strip()).scheme.lower() in {"http", "https"}


class AuthorQuerySet(models.QuerySet):
    def active(self) -> "AuthorQuerySet":
        return self.filter(is_active=True)


class Author(models.Model):
    """A public byline: the person's profile page and the bio box under their articles."""

    name = models.CharField(max_length=200, validators=[no_control_characters])
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the author page's address."
    )
    job_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown under the name, e.g. “Kyiv correspondent”.",
        validators=[no_control_characters],
    )
    bio = models.TextField(
        blank=True,
        help_text="Plain text. Leave an empty line between paragraphs.",
        validators=[no_control_characters],
    )
    photo = NewsImageField(
        upload_to="authors/%Y/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        renditions="portrait",
        help_text="A portrait, ideally square. JPEG, PNG, WebP or GIF.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True, help_text="Public contact address, shown on the page.")
    social_links = models.TextField(
        blank=True,
        help_text="One address per line (Mastodon, Bluesky, LinkedIn…). Shown on the author page.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text="The staff account of this author, if they write in the admin.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick for people who have left; their articles and page stay online.",
    )

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("authors:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        validate = URLValidator(schemes=["http", "https"])
        for line in self.social_link_list:
            try:
                validate(line)
            except ValidationError:
                raise ValidationError(
                    {
                        "social_links": ValidationError(
                            "“%(line)s” is not a web address starting with http:// or https://.",
                            code="invalid_link",
                            params={"line": line[:200]},
                        )
                    }
                ) from None

    @property
    def bio_paragraphs(self) -> list[str]:
        paragraphs = re.split(r"\n[ \t]*\n", self.bio.replace("\r\n", "\n"))
        return [paragraph.strip() for paragraph in paragraphs if paragraph.strip()]

    @property
    def social_link_list(self) -> list[str]:
        return [line.strip() for line in self.social_links.splitlines() if line.strip()]

    @property
    def public_links(self) -> list[str]:
        """Social links safe to show readers: http(s) only, whatever path stored them."""
        return [link for link in self.social_link_list if is_web_address(link)]

    @property
    def public_website(self) -> str:
        return self.website if is_web_address(self.website) else ""


def shows_photo_file(name: str) -> bool:
    """Whether an author's page and bio boxes show the photo stored as ``name``: every
    author has a public page (asked by images.usage)."""
    return Author.objects.filter(photo=name).exists()
