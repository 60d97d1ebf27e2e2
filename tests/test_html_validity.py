"""The public pages are valid HTML, as the Nu HTML Checker (vnu) judges it.

A validator catches what no assertion of ours thinks to look for: a `<time datetime>` with
microseconds, a duplicate id, a `<div>` inside a `<p>`. The pages are filled the way real use
fills them: pictures in the body and on top, an embed, several authors, a source, tags and names
in Cyrillic, Arabic and emoji, a comment thread with a reply, and a refused comment.

vnu runs offline on Java (the npm package `vnu-jar`, installed by `make test` when npm is there).
Without Java or the jar the test skips and says why; CI (`NEWSROOM_REQUIRE_BROWSER=1`) has both
and fails instead of skipping.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from tests.comments.helpers import post_comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

VNU_JAR = Path(
    os.environ.get(
        "NEWSROOM_VNU_JAR",
        settings.BASE_DIR / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar",
    )
)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("no `java` on PATH")
    if not VNU_JAR.is_file():
        missing.append(f"no vnu.jar at {VNU_JAR} (`make test` installs it with npm)")
    if missing:
        reason = "Nu HTML Checker unavailable: " + "; ".join(missing)
        if os.environ.get("NEWSROOM_REQUIRE_BROWSER"):
            pytest.fail(reason + " (required in CI)")
        pytest.skip(reason)
    return [java, "-Xss2m", "-jar", str(VNU_JAR)]


@pytest.fixture
def site():
    world = SectionFactory(name="World", slug="world")
    olena = AuthorFactory(name="Олена Марченко", slug="olena", website="https://олена.example/")
    layla = AuthorFactory(name="ليلى حداد", slug="layla")
    picture = ImageFactory(alt_text="Київ 🌃 at night", caption="Вечір", credit="Photo: Олена")
    inline = ImageFactory(alt_text="مترو كييف", caption="المحطة 🚇")
    source = SourceFactory(name="Укрінформ", slug="ukrinform", homepage="https://www.ukrinform.ua/")
    article = ArticleFactory(
        slug="metro",
        title="Метро Києва працює 🚇 — “quotes” & <tags>",
        dek="مترو كييف يواصل العمل",
        body=(
            "<p>The metro kept running as power cuts returned.</p>"
            f'<figure data-image-id="{inline.pk}"><img src="{inline.file.url}" alt="x">'
            "<figcaption>المحطة 🚇</figcaption></figure>"
            "<h2>Ще один розділ</h2><ul><li><p>Пункт</p></li></ul>"
            '<figure data-embed-url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"></figure>'
            "<blockquote><p>«Цитата»</p></blockquote>"
        ),
        section=world,
        authors=[olena, layla],
        tags=["київ", "مترو", "🚇 transport"],
        image=picture,
        source=source,
        source_url="https://www.ukrinform.ua/rubric-kyiv/1.html",
    )
    ArticleFactory(title="Related: Харків", section=world, tags=["київ"], authors=[olena])
    parent = CommentFactory(
        article=article,
        name="Галина 👩",
        email="halyna@example.com",
        body="Дякую!\n\nشكرا https://example.com/a?b=1&c=2",
        status=Comment.Status.APPROVED,
    )
    CommentFactory(
        article=article,
        parent=parent,
        name="עמית",
        email="amit@example.com",
        body="תודה רבה",
        status=Comment.Status.APPROVED,
    )
    return article


def public_pages(client, article: Article) -> dict[str, bytes]:
    year = article.published_at.year
    urls = {
        "home": "/",
        "article": article.get_absolute_url(),
        "author": "/authors/olena/",
        "section": "/sections/world/",
        "tag": reverse("articles:tag", args=[article.tags.get(name="київ").slug]),
        "source": "/sources/ukrinform/",
        "search": "/search/?q=metro",
        "search-empty": "/search/?q=%D0%BD%D1%96%D1%87%D0%BE%D0%B3%D0%BE",
        "archive-year": f"/archive/{year}/",
        "archive-month": f"/archive/{year}/{article.published_at.month}/",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[name] = response.content
    refused = post_comment(client, article, name="", email="олена@", body="")
    assert refused.status_code == 400
    pages["comment-refused"] = refused.content
    return pages


def test_public_pages_have_no_html_errors(client, site, tmp_path):
    command = vnu_command()
    pages = public_pages(client, site)
    files = []
    for name, content in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(content)
        files.append(str(path))

    result = subprocess.run(
        [*command, "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )

    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
