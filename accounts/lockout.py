"""The page a locked-out login gets (django-axes calls ``lockout_response``).

The admin's own login page, with the reason above the form and the status 429, so whoever
is locked out reads why and for how long, in the admin's look, instead of a bare "403".
"""

from datetime import timedelta

from axes.helpers import get_cool_off
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

LOCKED_OUT_STATUS = 429


def lockout_message(cool_off: timedelta | None) -> str:
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    wait = (
        ngettext("Try again in %(n)d minute.", "Try again in %(n)d minutes.", minutes)
        % {"n": minutes}
        if minutes
        else "Ask an administrator to unlock it."
    )
    return (
        "Too many failed login attempts for this account or from this address, so logging "
        f"in is paused. {wait} If you have forgotten your password, ask an administrator."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    # Unbound, so nothing is authenticated again; add_error needs cleaned_data to exist.
    form = AdminAuthenticationForm(request)
    form.cleaned_data = {}
    form.add_error(None, lockout_message(get_cool_off(request)))
    redirect_to = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    context = {
        **admin.site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "form": form,
        REDIRECT_FIELD_NAME: redirect_to or "",
        "locked_out": True,
    }
    return TemplateResponse(request, "admin/login.html", context, status=LOCKED_OUT_STATUS).render()
