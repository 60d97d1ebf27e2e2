"""The project's admin site guards every ModelAdmin registered with it, ours and third-party
ones alike, without anyone mixing the guards in: every admin is walked here."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Section
from newsroom.admin import NewsroomAdminSite
from newsroom.admin_guards import (
    GuardedAutocompleteSelect,
    GuardedAutocompleteSelectMultiple,
    GuardedFieldsMixin,
)
from tests.factories import SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
EVERY_ADMIN = pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def list_page(client, model) -> str:
    """The list's address as the admin shows it (the comment queue adds its filter)."""
    response = client.get(changelist_url(model), follow=True)
    assert response.status_code == 200
    return response.redirect_chain[-1][0] if response.redirect_chain else changelist_url(model)


def test_the_default_admin_site_is_the_guarded_one():
    assert isinstance(admin.site._wrapped, NewsroomAdminSite)
    assert len(REGISTERED) >= 15  # ours, Django's groups, taggit, axes, django-tasks-db


@EVERY_ADMIN
def test_a_forged_row_selection_is_a_bad_request_on_every_admin(
    admin_client, superuser_request, model, model_admin
):
    actions = list(model_admin.get_actions(superuser_request))
    rows = model._default_manager.count()

    response = admin_client.post(
        list_page(admin_client, model),
        {"action": actions[0] if actions else "delete_selected", "_selected_action": "abc"},
    )

    # An admin without actions never looks at the selection: it shows its list again.
    assert response.status_code == (400 if actions else 200)
    assert model._default_manager.count() == rows


@EVERY_ADMIN
def test_a_nul_in_the_search_term_is_dropped_on_every_admin(
    admin_client, superuser_request, model, model_admin
):
    response = admin_client.get(changelist_url(model), {"q": "\x00"}, follow=True)
    assert response.status_code == 200

    if model_admin.get_search_fields(superuser_request):
        everything = model._default_manager.all()
        searched, _ = model_admin.get_search_results(superuser_request, everything, "\x00")
        unsearched, _ = model_admin.get_search_results(superuser_request, everything, "")
        # PostgreSQL refuses NUL in a query: the term is searched without it.
        assert str(searched.query) == str(unsearched.query)


@EVERY_ADMIN
def test_autocomplete_widgets_are_guarded_on_every_admin_and_inline(
    superuser_request, model, model_admin
):
    forms = [(model_admin, model_admin.get_form(superuser_request))]
    for inline in model_admin.get_inline_instances(superuser_request):
        assert isinstance(inline, GuardedFieldsMixin)
        forms.append((inline, inline.get_formset(superuser_request).form))

    for owner, form in forms:
        for name in owner.get_autocomplete_fields(superuser_request):
            widget = form.base_fields[name].widget
            widget = getattr(widget, "widget", widget)  # inside the add/change links wrapper
            assert isinstance(
                widget, (GuardedAutocompleteSelect, GuardedAutocompleteSelectMultiple)
            ), f"{owner}: {name}"


def test_an_admin_registered_later_is_guarded_without_asking(superuser_request):
    """As a new app's admin (or a third-party one) would be: a plain ModelAdmin, no mixin."""
    site = NewsroomAdminSite(name="elsewhere")
    site.register(Section)
    site.register(admin.models.LogEntry, list_display=["action_time"])
    section = SectionFactory()
    forged = RequestFactory().post(
        "/", {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: ["1", "x"]}
    )
    forged.user = superuser_request.user

    for model_admin in site._registry.values():
        response = model_admin.response_action(forged, model_admin.model._default_manager.all())
        assert response.status_code == 400
    assert Section.objects.filter(pk=section.pk).exists()
