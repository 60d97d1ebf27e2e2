"""Small helpers shared by several test modules."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory

# What the admin's add-article form sends for a plain new draft (before the byline formset).
NEW_DRAFT_FORM = {
    "title": "Kyiv without power",
    "slug": "kyiv-without-power",
    "dek": "Strikes hit the grid overnight.",
    "body": "<p>Hello</p>",
    "image": "",
    "section": "",
    "tags": "",
    "source": "",
    "source_url": "",
    "published_at_0": "",
    "published_at_1": "",
    "comments_enabled": "on",
}


def is_rendition_of(src: str, field_file) -> bool:
    """Pages show resized copies (renditions/) of an upload, named after it."""
    stem = field_file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return src.startswith("/media/renditions/") and f"/{stem}-" in src


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def without_nonces(html: str) -> str:
    """A page without its CSP nonces: each response has its own, all else is the same."""
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def text_of(element) -> str:
    return " ".join(element.get_text().split())


def staff_in(group: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


def form_fields(response, form_id: str = "article_form") -> dict:
    """What a browser would send for the form as served: every named, enabled control."""
    assert response.status_code == 200, response.content.decode()[:2000]
    form = parse(response).find("form", id=form_id)
    assert form is not None
    data: dict = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or "__prefix__" in name or field.has_attr("disabled"):
            continue
        if field.name == "input":
            kind = field.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                continue
            if kind in {"checkbox", "radio"}:
                if field.has_attr("checked"):
                    data[name] = field.get("value", "on")
                continue
            data[name] = field.get("value", "")
        elif field.name == "textarea":
            # Django writes a newline after the opening tag, which browsers drop.
            data[name] = field.get_text().removeprefix("\r\n").removeprefix("\n")
        else:
            chosen = [option.get("value", "") for option in field.find_all("option", selected=True)]
            if field.has_attr("multiple"):
                data[name] = chosen
            else:
                data[name] = chosen[0] if chosen else ""
    return data


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def save_change(client, article, **changes):
    """Open the change page, alter some fields as a browser user would, and save."""
    data = form_fields(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


# --- feeds, sitemaps and page metadata ------------------------------------------------------

HOST = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def absolute(path: str) -> str:
    return HOST + path


def parse_xml(response) -> ET.Element:
    assert response.status_code == 200, response.content[:500]
    return ET.fromstring(response.content)


def sitemap_locs(response) -> list[str]:
    root = parse_xml(response)
    assert root.tag == f"{SITEMAP}urlset"
    return [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]


def same_second(shown: datetime, stored: datetime) -> bool:
    """A time as a feed or sitemap shows it (maybe without microseconds) matches the stored one."""
    return abs(shown - stored) < timedelta(seconds=1) and shown.utcoffset() is not None


def meta_content(soup: BeautifulSoup, **attrs) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag.get("content") if tag else None


def json_ld(response) -> dict:
    scripts = parse(response).find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def form_errors(response) -> dict:
    """The errors of the admin change form a refused save shows again."""
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def field_error(response, field: str) -> str:
    errors = parse(response).select_one(f".field-{field} .errorlist")
    return text_of(errors) if errors else ""
