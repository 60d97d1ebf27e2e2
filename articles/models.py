import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from authors.models import Author
from images.models import Image
from newsroom.validators import no_control_characters

from .body import render_body
from .sanitize import sanitize_html
from .tags import OrderedTagField


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[no_control_characters])
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(
        blank=True,
        help_text="Shown at the top of the section page.",
        validators=[no_control_characters],
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the site navigation: lower numbers come first."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:section", kwargs={"slug": self.slug})


def normalize_domain(url: str) -> str:
    """The domain that identifies a source, from any URL at it: lower case, IDNA (punycode)
    for international names, without a leading “www.”, a port, a path or a trailing dot.
    “https://www.KyivPost.com:443/news” and “kyivpost.com” both give
    “kyivpost.com”; “https://пример.укр” gives “xn--e1afmkfd.xn--j1amh”. Empty when the
    text names no host."""
    text = url.strip()
    if "://" not in text:
        text = "//" + text.removeprefix("//")  # “kyivpost.com/news”: a host, not a path
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
        domain = host.encode("idna").decode("ascii").lower() if host else ""
    except (ValueError, UnicodeError):  # a bad IPv6 literal, an empty or 64+ letter label
        return ""
    if not re.fullmatch(r"[a-z0-9_.:-]+", domain):  # spaces, NUL, slashes: no host
        return ""
    return domain.removeprefix("www.") if domain.count(".") >= 2 else domain  # not www.com


class SourceQuerySet(models.QuerySet):
    def for_url(self, url: str) -> "Source | None":
        """The source whose domain a URL belongs to: its own host, else the closest parent
        domain that is a source (“edition.kyivpost.com” → kyivpost.com)."""
        labels = normalize_domain(url[:2000]).split(".")
        candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
        if not candidates:
            return None
        found = {
            source.normalized_domain: source
            for source in self.filter(normalized_domain__in=candidates)
        }
        return next((found[domain] for domain in candidates if domain in found), None)


class Source(models.Model):
    """An outlet an article is based on or republished from (“Kyiv Post”). One per domain."""

    name = models.CharField(max_length=200, validators=[no_control_characters])
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(
        "homepage URL", max_length=500, help_text="E.g. https://www.kyivpost.com/"
    )
    # Derived from the homepage on every save (kept as typed there, for display); the
    # constraint below is what keeps two requests from adding the same outlet twice.
    normalized_domain = models.CharField("domain", max_length=253, editable=False, default="")
    description = models.TextField(blank=True, validators=[no_control_characters])

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_domain"],
                condition=~Q(normalized_domain=""),
                name="articles_source_unique_domain",
                violation_error_message="Another source already uses this domain.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_domain = normalize_domain(self.homepage)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "homepage" in update_fields:
            kwargs["update_fields"] = {*update_fields, "normalized_domain"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:source", kwargs={"slug": self.slug})

    @property
    def domain(self) -> str:
        """The host readers recognise, e.g. “www.kyivpost.com”."""
        return urlsplit(self.homepage).hostname or ""


class SearchVectorField(models.Field):
    """A tsvector column on PostgreSQL, kept current by a trigger (articles/search.py);
    an unused text column on other databases."""

    description = "Full-text search vector"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """What readers may see: published, with a publish time that has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def next_timed_change(self) -> datetime | None:
        """The next moment readers' pages change by themselves: a scheduled article goes
        live, or an article's comments close (NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS)."""
        now = timezone.now()
        going_live = (
            self.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        found = [going_live] if going_live is not None else []
        days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
        if days:
            window = timedelta(days=days)
            closing = (
                self.published()
                .filter(comments_enabled=True, published_at__gt=now - window)
                .order_by("published_at")
                .values_list("published_at", flat=True)
                .first()
            )
            if closing is not None:
                found.append(closing + window)
        return min(found, default=None)

    def for_listing(self) -> "ArticleQuerySet":
        """Everything a teaser (title, dek, byline, image, section) needs, in fixed queries."""
        return self.select_related("section", "source", "image").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        )

    def sharing_most_tags(self, tag_ids: list[int], limit: int) -> "ArticleQuerySet":
        """The ``limit`` of these articles with the most of ``tag_ids``, then the newest.

        The tag links are grouped by article first, on the article's id and publish time
        alone (the (tag, article) index gives the links), so only the chosen articles are
        read whole; grouping the joined articles themselves carried every body along.
        """
        chosen = (
            self.filter(tagged_items__tag_id__in=tag_ids)
            .values("pk", "published_at")
            # The links' tag ids, not their ids: the (tag, article) index alone answers,
            # without reading a link row (1,300 table pages for five busy tags).
            .annotate(shared=Count("tagged_items__tag"))
            .order_by("-shared", "-published_at", "-pk")
            .values("pk")[:limit]
        )
        shared = (
            TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
            .order_by()
            .values("content_object")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            self.filter(pk__in=chosen)
            .annotate(shared=Subquery(shared))
            .order_by("-shared", "-published_at", "-pk")
        )

    def for_detail(self) -> "ArticleQuerySet":
        return self.for_listing().prefetch_related("tags", "notes")


def authors_with_published_articles() -> models.QuerySet:
    """Authors with at least one article readers can see. EXISTS stops at each author's
    first such byline, where DISTINCT over the join read every byline of every article."""
    return Author.objects.filter(
        Exists(
            Byline.objects.filter(author=OuterRef("pk"), article__in=Article.objects.published())
        )
    )


class ArticleTagsField(TaggableManager):
    """An article's tags, read and saved in the order the editor typed them."""

    def formfield(self, form_class=OrderedTagField, **kwargs):
        return super().formfield(form_class=form_class, **kwargs)

    def save_form_data(self, instance: "Article", value: list[str]) -> None:
        instance.set_tags(value)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self) -> ArticleQuerySet:
        return super().get_queryset().defer("search_vector")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        RETURNED = "returned", "Returned for changes"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=300, validators=[no_control_characters])
    slug = models.SlugField(
        max_length=300, unique=True, help_text="The last part of the article's address."
    )
    dek = models.TextField(
        max_length=600,
        help_text="One or two sentences under the headline. Also used as the description "
        "shown by search engines and in shares.",
        validators=[no_control_characters],
    )
    body = models.TextField(blank=True)
    image = models.ForeignKey(
        "images.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="featured_in",
        verbose_name="featured image",
        help_text="Chosen from the media library, which keeps its alt text, caption and credit.",
    )
    authors = models.ManyToManyField(
        "authors.Author", through="Byline", related_name="articles", blank=True
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    tags = ArticleTagsField(
        blank=True,
        help_text="A comma-separated list of tags, the main tag first: readers see them in "
        "this order.",
        through="TaggedArticle",
        # Also orders the tags prefetched for many articles (taggit orders only one's).
        ordering=["tagged_articles__id"],
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The outlet this article is based on, if any.",
    )
    source_url = models.URLField(
        "original article URL",
        max_length=1000,
        blank=True,
        help_text="The address of the original article at the source.",
    )
    canonical_is_source = models.BooleanField(
        "canonical URL is the original",
        default=False,
        help_text="For republished articles: tell search engines the original article URL is "
        "the canonical one. Otherwise this article's own address is.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        db_index=True,
        help_text="Readers see the article from this time on. A future time schedules it; "
        "left empty, publishing uses the current time.",
    )
    is_featured = models.BooleanField(
        "featured",
        default=False,
        help_text="Show in the featured area at the top of the home page.",
    )
    comments_enabled = models.BooleanField(
        "comments open", default=True, help_text="Untick to close comments on this article."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save through the admin; a form loaded at an older version is refused.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # Written only by the database (trigger), read only by search; never loaded with articles.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Listings read it in their order (keyset pages); with the id in it, related
            # articles and the tag joins find which articles are published, and when,
            # without reading the article rows.
            models.Index(fields=["status", "-published_at", "-id"], name="article_published_order"),
        ]
        permissions = [("publish_article", "Can publish, schedule and unpublish articles")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_publish_time",
                violation_error_message="A published article needs a publish time.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Sanitized on every save, so no path (admin, shell, import) can store unsafe HTML.
        self.body = sanitize_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.sync_body_images()

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # Before constraint validation, so a form can publish "now" with an empty time.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def sync_body_images(self) -> None:
        """Index the library images the body shows, so deleting one of them is refused."""
        wanted = set(
            Image.objects.filter(pk__in=image_ids_in(self.body)).values_list("pk", flat=True)
        )
        indexed = set(self.body_images.values_list("image_id", flat=True))
        if indexed - wanted:
            self.body_images.filter(image_id__in=indexed - wanted).delete()
        BodyImage.objects.bulk_create(
            [BodyImage(article=self, image_id=pk) for pk in sorted(wanted - indexed)],
            ignore_conflicts=True,  # a concurrent save of the same article indexed it first
        )

    @cached_property
    def body_html(self) -> SafeString:
        """The body for templates: sanitized again on output, whatever path stored it, with
        its library images (one query, none without) and embeds made whole."""
        ids = image_ids_in(self.body)
        images = Image.objects.in_bulk(ids) if ids else {}
        return render_body(self.body, images)

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_with_writer(self) -> bool:
        """Still its writer's to change: a draft, or returned for changes (accounts.roles)."""
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}

    @property
    def comments_open(self) -> bool:
        """Readers may comment: switched on, and not past the automatic closing time. Posting
        asks it again of the article's state read in its transaction (``gather``)."""
        if not self.comments_enabled:
            return False
        days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
        return not (
            days and self.published_at and timezone.now() > self.published_at + timedelta(days=days)
        )

    @property
    def was_updated(self) -> bool:
        """Edited after it went out (a minute's grace); back-dated articles are not "updated"."""
        if not self.published_at:
            return False
        went_out = max(self.published_at, self.created_at or self.published_at)
        return self.updated_at > went_out + timedelta(minutes=1)

    def set_tags(self, names: Iterable[str]) -> None:
        """Give the article these tags, in this order (the order readers see).

        A tag's link row id is its place. django-taggit's set() keeps the links it already
        has and adds new ones after them, so a new order alone would change nothing: the links
        from the first one out of place onward are made again, in order.
        """
        names = list(names)
        rank: dict[str, int] = {}
        for position, name in enumerate(names):
            rank.setdefault(name.casefold(), position)
        with transaction.atomic():
            self.tags.set(names)
            links = list(TaggedArticle.objects.filter(content_object=self).select_related("tag"))
            wanted = sorted(links, key=lambda link: rank.get(link.tag.name.casefold(), len(names)))
            # The links before the first one out of place stay; the rest are made again.
            moved = 0
            while moved < len(links) and links[moved] == wanted[moved]:
                moved += 1
            if moved == len(links):
                return
            TaggedArticle.objects.filter(pk__in=[link.pk for link in links[moved:]]).delete()
            TaggedArticle.objects.bulk_create(
                TaggedArticle(content_object=self, tag_id=link.tag_id) for link in wanted[moved:]
            )

    @cached_property
    def tag_list(self) -> list:
        """The tags in their typed order, read once per instance: the page shows them in its
        head, its tag list, its JSON-LD and its related articles, and an article kept lean
        (articles/views.py: page_part) has none prefetched."""
        return list(self.tags.all())

    @cached_property
    def byline_authors(self) -> list:
        """Authors in byline order; uses the prefetched bylines when present, else reads
        them with their authors in one query."""
        bylines = self.bylines.all()
        if "bylines" not in getattr(self, "_prefetched_objects_cache", {}):
            bylines = bylines.select_related("author")
        return [byline.author for byline in bylines]


class Byline(models.Model):
    """One author on one article, in order: “By A and B”."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey("authors.Author", on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(999, "Use a position between 0 and 999.")]
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_author_per_article"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class TaggedArticle(TaggedItemBase):
    """One tag on one article; the row id orders an article's tags (Article.set_tags).

    Replaces django-taggit's generic TaggedItem, whose integer object_id could not use an
    index when joined to the bigint article id.
    """

    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items", db_index=False
    )
    # The (tag, article) index below serves the tag page and a tag's deletion.
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="tagged_articles", db_index=False
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            # Its index also serves an article's tags, in order of id.
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_tag_per_article"
            ),
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_by_tag")]

    @classmethod
    def merge(cls, tag_ids: Iterable[int], *, into: Tag) -> None:
        """Put ``into`` in place of these tags on every article, where the first of them
        stood; an article that has ``into`` already keeps it where it is."""
        with transaction.atomic():
            tagged = set(cls.objects.filter(tag=into).values_list("content_object_id", flat=True))
            links = cls.objects.filter(tag_id__in=tag_ids).exclude(tag=into).order_by("id")
            for link in links.select_for_update():
                if link.content_object_id in tagged:
                    link.delete()
                else:
                    link.tag = into
                    link.save(update_fields=["tag"])
                    tagged.add(link.content_object_id)


class _FigureImageIds(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[int] = []

    def handle_starttag(self, tag, attrs):
        value = dict(attrs).get("data-image-id") if tag == "figure" else None
        if value and value.isascii() and value.isdigit() and len(value) < 19:
            pk = int(value)
            if pk not in self.ids:
                self.ids.append(pk)


def image_ids_in(body: str) -> list[int]:
    """Ids of the library images the body shows (``<figure data-image-id="42">``), in order."""
    parser = _FigureImageIds()
    parser.feed(body or "")
    parser.close()
    return parser.ids


class BodyImage(models.Model):
    """A library image shown in an article's body; kept in step with the body on every save."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="body_images")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="body_uses")

    class Meta:
        verbose_name = "image in an article body"
        verbose_name_plural = "images in article bodies"
        constraints = [
            models.UniqueConstraint(fields=["article", "image"], name="unique_body_image"),
        ]

    def __str__(self) -> str:
        return f"Body of “{self.article.title}”"


def shows_image_file(name: str) -> bool:
    """Whether a published article shows the library image stored as ``name``, as its
    featured image (pages, teasers, related cards) or in its body (asked by images.usage)."""
    published = Article.objects.published()
    return (
        Image.objects.filter(file=name)
        .filter(
            Exists(published.filter(image=OuterRef("pk")))
            | Exists(BodyImage.objects.filter(image=OuterRef("pk"), article__in=published))
        )
        .exists()
    )


class ArticleTransition(models.Model):
    """One step of the workflow: who moved the article from which status to which, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    publish_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article}: {self.from_status} → {self.to_status}"


class ArticleRevision(models.Model):
    """The full content of an article as one save left it. Never edited, never deleted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article} revision {self.number}"


PREVIEW_LINK_SALT = "articles.preview-link"


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows an unpublished article to anyone."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.article} until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("articles:shared_preview", kwargs={"token": self.token})

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=PREVIEW_LINK_SALT)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ArticleNote(models.Model):
    """A dated correction, update or clarification shown at the end of the article."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"
        CLARIFICATION = "clarification", "Clarification"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        help_text="Plain text, shown to readers as written.", validators=[no_control_characters]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    removal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.article}"


class ArticleSlugRedirect(models.Model):
    """An address a published article used to have; it answers 301 to the current one."""

    old_slug = models.SlugField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"
