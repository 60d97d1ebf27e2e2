"""The project's admin site: every ModelAdmin registered with it is guarded against forged
input (``admin_guards.py``), and its "View on site" redirect keeps unpublished articles'
addresses to those who may preview them.

Why a site and not a middleware: the guards are ModelAdmin hooks (the rows an action gets,
the search term, the autocomplete widgets of a form and its inlines), which only the admin
knows how to find; a middleware would have to re-parse the admin's URLs and forms to guess
them. Registration is the one door every admin goes through, including third-party ones
(django-taggit's tags, Django's groups), so nobody has to remember a mixin.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from accounts import roles
from articles.models import Article

from .admin_guards import guarded, is_id


class NewsroomAdminSite(admin.AdminSite):
    index_title = "Newsroom"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self.site_header = f"{settings.NEWSROOM_SITE_NAME} administration"
        self.site_title = settings.NEWSROOM_SITE_NAME

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        super().register(model_or_iterable, guarded(admin_class or admin.ModelAdmin), **options)

    def get_urls(self):
        # The same address and name as Django's own "view_on_site" route, guarded.
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(view_on_site),
                name="view_on_site",
            )
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in super().get_urls()
        ]


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """Django's "View on site" redirect, refused (404, as for a missing object) when the
    object is an unpublished article, or belongs to one (a comment, a byline), that this
    user may not preview: the redirect alone would give away its address."""
    article = _article_behind(content_type_id, object_id)
    if (
        article is not None
        and not article.is_published
        and not roles.can_preview(request.user, article)
    ):
        raise Http404("No article found matching the query")
    return contenttype_views.shortcut(request, content_type_id, object_id)


def _article_behind(content_type_id: str, object_id: str) -> Article | None:
    if not is_id(content_type_id):
        return None  # Django's view answers 404 for it
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        obj = model._default_manager.get(pk=object_id) if model else None
    except (ObjectDoesNotExist, ValueError, ValidationError):
        return None
    if isinstance(obj, Article):
        return obj
    article = getattr(obj, "article", None)
    return article if isinstance(article, Article) else None
