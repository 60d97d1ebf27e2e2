"""The site's URLs plus the bench's yardstick: a view that does nothing but say hello,
through the same middleware and server as every page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
