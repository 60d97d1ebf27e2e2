from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from articles.sitemaps import SITEMAPS, news_sitemap, robots_txt, sitemap_section
from articles.urls import author_urlpatterns
from images.renditions import media_cache_control

urlpatterns = [
    path("admin/", admin.site.urls),
    # Served from the page cache (newsroom/pagecache.py), refreshed by every change.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap-section"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("authors/", include(author_urlpatterns)),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

if settings.NEWSROOM_SERVE_MEDIA:

    def serve_media(request, path):
        # MEDIA_ROOT is read per request, so it can change after start-up (tests do).
        response = serve(request, path, document_root=settings.MEDIA_ROOT)  # 404 raises
        # Renditions for good, originals an hour: the same as on object storage.
        response["Cache-Control"] = media_cache_control(path)
        return response

    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]
