"""Django admin behaviours that answer forged or garbled requests with 400 or a form error.

The admin trusts some values that only its own JavaScript and checkboxes send: the ids of
ticked rows, the ids an autocomplete puts in a select, the search term. A hand-made request
with text or a 30-digit number there reaches the database and ends in a 500.

Nobody mixes these guards in by hand: the project's admin site (``newsroom/admin.py``) puts
``GuardedAdminMixin`` under every ModelAdmin registered with it, ours and third-party ones
alike, and under their inlines. This module imports no app, so any app may use ``is_id``.
"""

from functools import cache

from django.contrib.admin import helpers
from django.contrib.admin.options import InlineModelAdmin, ModelAdmin
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


class GuardedFieldsMixin:
    """Autocomplete widgets that never look up a forged id (ModelAdmins and inlines)."""

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


class GuardedAdminMixin(GuardedFieldsMixin):
    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL in text; nobody searches for one.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_id(value) for value in selected):
            return HttpResponseBadRequest("The selected rows are not valid ids.")
        return super().response_action(request, queryset, *args, **kwargs)

    def get_inlines(self, request, obj):
        return [guarded(inline) for inline in super().get_inlines(request, obj)]


@cache  # one guarded class per admin class, so an inline's class is the same on every request
def guarded(admin_class: type[ModelAdmin | InlineModelAdmin]) -> type:
    """`admin_class` with the guards under it. The subclass keeps the class's name, module
    and docstring, so the admin's checks and reprs still name the class its author wrote."""
    mixin = GuardedAdminMixin if issubclass(admin_class, ModelAdmin) else GuardedFieldsMixin
    if issubclass(admin_class, mixin):
        return admin_class
    return type(
        admin_class.__name__,
        (mixin, admin_class),
        {
            "__module__": admin_class.__module__,
            "__qualname__": admin_class.__qualname__,
            "__doc__": admin_class.__doc__,
        },
    )
