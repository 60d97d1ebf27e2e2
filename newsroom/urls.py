import posixpath

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from articles.sitemaps import news_sitemap, robots_txt, sitemap_index, sitemap_section
from articles.urls import author_urlpatterns
from images.renditions import RENDITIONS_DIR

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap_index, name="sitemap-index"),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap-section"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("authors/", include(author_urlpatterns)),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

# Renditions are named after their original and width (images/renditions.py), and uploads are
# never overwritten (the storage picks a new name), so a rendition's address always means the
# same bytes. Originals get an hour: one taken down from the disk leaves caches soon after.
RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"
ORIGINAL_CACHE_CONTROL = "public, max-age=3600"

if settings.NEWSROOM_SERVE_MEDIA:

    def serve_media(request, path):
        # MEDIA_ROOT is read per request, so it can change after start-up (tests do).
        response = serve(request, path, document_root=settings.MEDIA_ROOT)  # 404 raises
        # serve() normalises the path the same way: "renditions/../x" is not a rendition.
        in_renditions = posixpath.normpath(path).lstrip("/").startswith(RENDITIONS_DIR)
        response["Cache-Control"] = (
            RENDITION_CACHE_CONTROL if in_renditions else ORIGINAL_CACHE_CONTROL
        )
        return response

    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]
