import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Byline, Section, Source
from authors.models import Author
from comments.models import Comment
from images.models import Image as LibraryImage
from images.tasks import queue_renditions


def image_file(
    name: str = "photo.jpg", size: tuple[int, int] = (64, 48), fmt: str = "JPEG", **save_options
) -> SimpleUploadedFile:
    """A real, small image made with Pillow, ready to upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt, **save_options)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}.get(
        fmt, f"image/{fmt.lower()}"
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    position = factory.Sequence(int)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    homepage = factory.Sequence(lambda n: f"https://www.source{n}.example/")


class AuthorFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "Correspondent"
    bio = "First paragraph of the bio.\n\nSecond paragraph of the bio."

    class Meta:
        model = Author
        skip_postgeneration_save = True

    @factory.post_generation
    def renditions(author, create, extracted, **kwargs):
        """A photo arrives as the admin's upload does, renditions queued (made at once by the
        tests' immediate task backend); ``renditions=False``: as before the worker ran."""
        if create and author.photo and extracted is not False:
            queue_renditions(author.photo, kind="portrait")


class ImageFactory(factory.django.DjangoModelFactory):
    """A library image with a real (small) JPEG file."""

    class Meta:
        model = LibraryImage
        skip_postgeneration_save = True

    file = factory.LazyAttribute(lambda image: image_file(f"{image.name}.jpg"))
    alt_text = "Engineers at work on a substation"
    caption = ""
    credit = ""

    class Params:
        name = factory.Sequence(lambda n: f"photo{n}")

    @factory.post_generation
    def renditions(image, create, extracted, **kwargs):
        """As the library's upload: renditions queued (see AuthorFactory)."""
        if create and extracted is not False:
            queue_renditions(image.file, kind="image")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article (an hour old) unless told otherwise."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Headline number {n}")
    slug = factory.Sequence(lambda n: f"headline-{n}")
    dek = "A summary paragraph under the headline."
    body = "<p>The body of the article.</p>"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        """ArticleFactory(authors=[a, b]) adds bylines in that order."""
        if create and extracted:
            for position, author in enumerate(extracted):
                Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved comment on a published article; saving places it in its thread."""

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    name = "Reader"
    email = "reader@example.com"
    body = "Stored comment."
    status = Comment.Status.APPROVED
