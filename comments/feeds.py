"""RSS 2.0 and Atom feeds of comments: the site's latest, and one article's.

Only what readers see on the page: approved comments on published articles, and not a reply
the article page hides because the comment it answers (or its thread's first comment) is
not approved. No email address, IP or user agent is ever written; the commenter's name is
the author, the text is escaped exactly as on the page.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from articles.feeds import AtomFeed, RssFeed
from articles.models import Article

from .models import Comment
from .templatetags.comments_tags import comment_body
from .threads import THREAD_PARAM

FEED_SIZE = 30


def feed_comments(article: Article | None = None):
    """The newest comments a reader can see, with their article, in one query."""
    comments = Comment.objects.visible().filter(
        Q(parent__isnull=True)
        | Q(parent__status=Comment.Status.APPROVED, thread__status=Comment.Status.APPROVED)
    )
    if article is not None:
        comments = comments.filter(article=article)
    return comments.select_related("article").order_by("-submitted_at", "-id")[:FEED_SIZE]


class LatestCommentsFeed(Feed):
    feed_type = RssFeed
    description_template = None

    def title(self, obj=None) -> str:
        return f"Comments · {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj=None) -> str:
        return reverse("articles:home")

    def description(self, obj=None) -> str:
        return f"The latest reader comments on {settings.NEWSROOM_SITE_NAME}"

    def feed_url(self, obj=None) -> str:
        return reverse("comments:feed_rss")

    def items(self, obj=None):
        return feed_comments()

    def item_title(self, item: Comment) -> str:
        return f"{item.name} on “{item.article.title}”"

    def item_description(self, item: Comment) -> str:
        # HTML, as feed readers expect in a description: the text escaped, then its
        # paragraphs and links, exactly as on the page. The feed writer escapes it once
        # more for XML, so "<script>" typed by a reader arrives as text.
        return comment_body(item.body)

    def item_link(self, item: Comment) -> str:
        # The thread's own page always shows its first comment and the first replies; the
        # article page shows only its first page of threads.
        article_url = item.article.get_absolute_url()
        return f"{article_url}?{THREAD_PARAM}={item.thread_id}#comment-{item.pk}"

    def item_pubdate(self, item: Comment):
        return item.submitted_at

    def item_updateddate(self, item: Comment):
        return item.edited_at or item.submitted_at

    def item_author_name(self, item: Comment) -> str:
        return item.name


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = AtomFeed
    subtitle = LatestCommentsFeed.description

    def feed_url(self, obj=None) -> str:
        return reverse("comments:feed_atom")


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, slug: str) -> Article:
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, obj: Article) -> str:
        return f"Comments on “{obj.title}” · {settings.NEWSROOM_SITE_NAME}"

    def link(self, obj: Article) -> str:
        return f"{obj.get_absolute_url()}#comments"

    def description(self, obj: Article) -> str:
        return f"Reader comments on “{obj.title}”"

    def feed_url(self, obj: Article) -> str:
        return reverse("comments:article_feed_rss", kwargs={"slug": obj.slug})

    def items(self, obj: Article):
        return feed_comments(obj)

    def item_title(self, item: Comment) -> str:
        return f"By {item.name}"


class ArticleCommentsAtomFeed(ArticleCommentsFeed):
    feed_type = AtomFeed
    subtitle = ArticleCommentsFeed.description

    def feed_url(self, obj: Article) -> str:
        return reverse("comments:article_feed_atom", kwargs={"slug": obj.slug})
