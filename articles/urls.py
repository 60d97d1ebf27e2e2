from django.urls import path, register_converter

from . import feeds, views


class UnicodeSlugConverter:
    """Slugs as django-taggit makes them: letters of any script ("україна", "café")."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("archive/<int:year>/", views.archive, name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.archive, name="archive_month"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("tags/<uslug:slug>/", views.tag_detail, name="tag"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("sections/<slug:slug>/rss/", feeds.SectionFeed(), name="section_feed_rss"),
    path("sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("tags/<uslug:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("tags/<uslug:slug>/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
]

# An author's page is a listing like a section's, so its views live here; it keeps the
# "authors" namespace its addresses always had (Author.get_absolute_url reverses it).
author_urlpatterns = (
    [
        path("<slug:slug>/", views.author_detail, name="detail"),
        path("<slug:slug>/rss/", feeds.AuthorFeed(), name="feed_rss"),
        path("<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="feed_atom"),
    ],
    "authors",
)
