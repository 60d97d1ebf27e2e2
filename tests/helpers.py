"""Small helpers shared by several test modules."""

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
