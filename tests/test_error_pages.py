"""The styled error pages readers meet."""

import pytest
from django.test import Client
from django.urls import path

from newsroom.urls import urlpatterns as site_urls


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view), *site_urls]


@pytest.mark.django_db
def test_server_error_page_is_styled_and_apologises(settings):
    settings.ROOT_URLCONF = "tests.test_error_pages"
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Something went wrong" in html
    assert "css/site.css" in html
    assert "boom" not in html  # no internals shown to readers


@pytest.mark.django_db
def test_not_found_page_uses_the_site_layout(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html
    assert 'href="#main"' in html
