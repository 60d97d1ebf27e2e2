"""RSS 2.0 and Atom feeds: the latest articles, and per section, tag and author."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from authors.models import Author

from .models import Article, Section

FEED_SIZE = 30

# Characters XML 1.0 cannot carry. Forms refuse them, but a name saved another way (the
# shell, an import) must not turn every feed that mentions it into a server error.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value):
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return [xml_safe(item) for item in value]
    return value


class XmlSafeFeedMixin:
    """A feed generator that drops characters XML cannot carry from every text it gets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(xml_safe, args), **{k: xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(xml_safe, args), **{k: xml_safe(v) for k, v in kwargs.items()})


class RssFeed(XmlSafeFeedMixin, Rss201rev2Feed):
    pass


class AtomFeed(XmlSafeFeedMixin, Atom1Feed):
    pass


class LatestArticlesFeed(Feed):
    feed_type = RssFeed
    description_template = None

    def title(self, obj=None) -> str:
        return settings.NEWSROOM_SITE_NAME

    def link(self, obj=None) -> str:
        return reverse("articles:home")

    def description(self, obj=None) -> str:
        return settings.NEWSROOM_SITE_TAGLINE

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        return self.articles(obj).for_detail()[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.dek

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.byline_authors)

    def item_author_link(self, item: Article) -> str | None:
        authors = item.byline_authors
        return authors[0].get_absolute_url() if len(authors) == 1 else None

    def item_categories(self, item: Article) -> list[str]:
        names = [item.section.name] if item.section else []
        return names + [tag.name for tag in item.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomFeed
    subtitle = LatestArticlesFeed.description


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Section:
        return get_object_or_404(Section, slug=slug)

    def title(self, obj) -> str:
        return f"{obj.name} · {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def description(self, obj) -> str:
        return obj.description or f"The latest from {obj.name}"

    def articles(self, obj):
        return Article.objects.published().filter(section=obj)


class SectionAtomFeed(SectionFeed):
    feed_type = AtomFeed
    subtitle = SectionFeed.description


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj) -> str:
        return f"{obj.name} · {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj) -> str:
        return reverse("articles:tag", kwargs={"slug": obj.slug})

    def description(self, obj) -> str:
        return f"Articles tagged {obj.name}"

    def articles(self, obj):
        return Article.objects.published().filter(tags=obj)


class TagAtomFeed(TagFeed):
    feed_type = AtomFeed
    subtitle = TagFeed.description


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def title(self, obj) -> str:
        return f"{obj.name} · {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def description(self, obj) -> str:
        return f"Articles by {obj.name}"

    def articles(self, obj):
        return Article.objects.published().filter(authors=obj)


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomFeed
    subtitle = AuthorFeed.description
