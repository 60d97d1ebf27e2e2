"""Django admin behaviours that answer forged or garbled requests with 400 or a form error.

The admin's "View on site" redirect (``/admin/r/<content type>/<id>/``) is guarded too: it
must not tell a staff user the address of an article they may not preview.

The admin trusts some values that only its own JavaScript and checkboxes send: the ids of
ticked rows, the ids an autocomplete puts in a select, the search term. A hand-made request
with text or a 30-digit number there reaches the database and ends in a 500. Every
ModelAdmin and inline of the project mixes in ``GuardedAdminMixin``, and the admins of
django-taggit's tags and Django's groups are registered again with it.
"""

from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest

from accounts import roles
from articles.models import Article

# The largest primary key (BigAutoField) any database here can store.
MAX_ID = 2**63 - 1


def is_id(value) -> bool:
    """A primary key as the admin sends it: ASCII digits, in range."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class _OnlyIds:
    """Render only the selected values that can be ids: a forged one is already refused
    by the form field ("Select a valid choice"), but Django's widget would look it up."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if v in ("", None) or is_id(v)], attr)


class GuardedAutocompleteSelect(_OnlyIds, AutocompleteSelect):
    pass


class GuardedAutocompleteSelectMultiple(_OnlyIds, AutocompleteSelectMultiple):
    pass


class GuardedAdminMixin:
    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL in text; nobody searches for one.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_id(value) for value in selected):
            return HttpResponseBadRequest("The selected rows are not valid ids.")
        return super().response_action(request, queryset, *args, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = GuardedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = GuardedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
