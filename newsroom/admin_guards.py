"""Django admin behaviours that answer forged or garbled requests with 400 or a form error.

The admin trusts some values that only its own JavaScript and checkboxes send: the ids of
ticked rows, the ids an autocomplete puts in a select, the search term. A hand-made request
with text or a 30-digit number there reaches the database and ends in a 500. Every
ModelAdmin and inline of the project mixes in ``GuardedAdminMixin``, and the admins of
django-taggit's tags and Django's groups are registered again with it.
"""

from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.http import HttpResponseBadRequest

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
