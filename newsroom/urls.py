from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} administration"
admin.site.site_title = settings.NEWSROOM_SITE_NAME
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("authors/", include("authors.urls")),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

if settings.NEWSROOM_SERVE_MEDIA:

    def serve_media(request, path):
        # MEDIA_ROOT is read per request, so it can change after start-up (tests do).
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]
