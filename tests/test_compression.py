"""Gzip for pages, feeds and sitemaps (issue 12); static files are WhiteNoise's business."""

import gzip

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path, reverse
from django.views.decorators.http import etag

from tests.factories import ArticleFactory, UserFactory
from tests.helpers import without_nonces

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}


@pytest.fixture
def article():
    # Enough articles that every page is worth compressing: Django sends a response as it is
    # when gzip plus its random BREACH padding would not make it smaller (a one-entry sitemap
    # of 270 bytes sometimes).
    ArticleFactory.create_batch(10)
    return ArticleFactory(slug="a-story", body="<p>" + "Words of the story. " * 200 + "</p>")


def pages(article) -> list[str]:
    return [
        "/",
        article.get_absolute_url(),
        reverse("articles:feed_rss"),
        reverse("articles:feed_atom"),
        "/sitemap-articles.xml",
    ]


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def test_pages_feeds_and_sitemaps_are_gzipped_for_a_client_that_accepts_it(client, article):
    for url in pages(article):
        plain = client.get(url)
        packed = client.get(url, **GZIP)
        assert packed.status_code == plain.status_code == 200, url
        assert packed.get("Content-Encoding") == "gzip", (url, len(plain.content))
        assert "accept-encoding" in vary(packed), url
        assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content), url
        assert packed["Content-Type"] == plain["Content-Type"], url


def test_gzipped_page_decompresses_to_the_same_html(client, article):
    plain = client.get(article.get_absolute_url()).content.decode()
    unpacked = gzip.decompress(client.get(article.get_absolute_url(), **GZIP).content).decode()
    # Each response has its own CSP nonce; all else is the same.
    assert len(unpacked.splitlines()) == len(plain.splitlines())
    assert "Words of the story." in unpacked and "csrfmiddlewaretoken" in unpacked
    feed_plain = client.get(reverse("articles:feed_rss")).content
    feed_packed = client.get(reverse("articles:feed_rss"), **GZIP).content
    assert gzip.decompress(feed_packed) == feed_plain


def test_without_accept_encoding_nothing_is_compressed(client, article):
    for url in pages(article):
        response = client.get(url)
        assert "Content-Encoding" not in response, url
        assert "accept-encoding" in vary(response), url  # caches keep both versions apart
        assert b"<" in response.content[:100], url


def test_a_client_that_accepts_only_other_codings_gets_plain_html(client, article):
    response = client.get("/", HTTP_ACCEPT_ENCODING="br, identity")
    assert "Content-Encoding" not in response
    assert response.content.lstrip().lower().startswith(b"<!doctype html>")


def test_a_compressed_article_page_holds_no_csrf_token(client, article):
    """BREACH: the page carries no secret for reflected guesses to be matched against by the
    compressed length; the comment form's tokens are fetched apart (comments/views.py)."""
    html = gzip.decompress(client.get(article.get_absolute_url(), **GZIP).content).decode()
    assert 'name="csrfmiddlewaretoken" value=""' in html
    assert "csrftoken" not in client.cookies


def test_compressed_length_is_padded_at_random(client, article):
    """Django's "Heal the BREACH" padding: the same page is not always the same length."""
    lengths = {len(client.get(reverse("articles:feed_rss"), **GZIP).content) for _ in range(12)}
    assert len(lengths) > 1


def test_feed_keeps_its_last_modified_when_gzipped(client, article):
    plain = client.get(reverse("articles:feed_rss"))
    packed = client.get(reverse("articles:feed_rss"), **GZIP)
    assert packed["Last-Modified"] == plain["Last-Modified"]


def test_admin_pages_are_not_compressed(client, article):
    """Staff pages hold private data (commenters' emails and addresses) next to reflected
    input (the changelist search), the case BREACH needs; they are few and small."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/comments/comment/?q=guess&status=pending", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_uploaded_media_is_not_gzipped(client, settings, tmp_path):
    (tmp_path / "big.jpg").write_bytes(b"\xff\xd8" + b"\0" * 5000)
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/media/big.jpg", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response


@etag(lambda request: "v1")
def tagged(request):
    return HttpResponse("<p>" + "tagged " * 100 + "</p>")


urlpatterns = [path("tagged/", tagged)]


@pytest.mark.urls("tests.test_compression")
def test_etag_is_made_weak_and_still_answers_304(client):
    first = client.get("/tagged/", **GZIP)
    assert first["Content-Encoding"] == "gzip"
    assert first["ETag"] == 'W/"v1"'
    again = client.get("/tagged/", HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)
    assert again.status_code == 304


def test_a_page_kept_for_every_reader_is_packed_harder_than_a_readers_own(article, settings):
    """The page cache's copy is compressed once for thousands of readers (level 6); a page
    rendered for one reader is compressed as it is sent, fast (level 1). Both pad."""
    from django.test import Client

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    url = article.get_absolute_url()
    kept = Client().get(url, **GZIP)
    assert kept["X-Cache"] == "miss"  # rendered now, and kept
    reader = Client()
    reader.cookies["newsroom_theme"] = "dark"  # any cookie makes the page the reader's own
    own = reader.get(url, **GZIP)
    assert own["X-Cache"] == "bypass"
    # The gzip header's XFL byte: 4 is "fastest", 0 the default level.
    assert (kept.content[8], own.content[8]) == (0, 4)
    assert kept.content[3] & gzip.FNAME and own.content[3] & gzip.FNAME  # padded
    for response in (kept, own):
        assert "Words of the story." in gzip.decompress(response.content).decode()
    lengths = {len(reader.get(url, **GZIP).content) for _ in range(12)}
    assert len(lengths) > 1


def test_a_front_caches_fetch_is_packed_hard_even_with_the_page_cache_off(article, settings):
    """Varnish keeps what it fetches for every reader: level 6, as the page cache's copy."""
    from django.test import Client

    from newsroom import frontcache

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    url = article.get_absolute_url()
    fetched = Client().get(url, **GZIP, headers={frontcache.FETCH_HEADER: "1"})
    plain = Client().get(url, **GZIP)
    assert (fetched.content[8], plain.content[8]) == (0, 4)


def test_fast_compression_without_padding_is_plain_gzip():
    from newsroom.compression import compress_fast

    text = "Сторінка 🌧 ".encode() * 50
    packed = compress_fast(text, 0)
    assert not packed[3] & gzip.FNAME
    assert gzip.decompress(packed) == text


# Kept fragments spliced into a reader's gzip stream ------------------------------------------


def spliced(content: bytes, fragments: list[bytes]) -> tuple[bytes, list[bytes]]:
    """``content`` compressed with ``fragments`` spliced in; also what each was kept as."""
    from newsroom.compression import KEPT_LEVEL, compress_fast, deflate_piece

    kept = [deflate_piece(data, KEPT_LEVEL) for data in fragments]
    return compress_fast(content, 100, zip(fragments, kept, strict=True)), kept


def test_spliced_fragments_decompress_to_the_page_in_any_script_and_order():
    comments = "".join(
        f'<li id="c{n}"><bdi>Олена {n}</bdi><p dir="auto">مرحبا بالعالم 🌧 #{n}</p></li>'
        for n in range(200)
    ).encode()
    related = ("<ul>" + "<li>Дамба витримала шторм 🌊</li>" * 120 + "</ul>").encode()
    missing = b"<p>a fragment the page does not show</p>" * 200
    page = b"<!doctype html><h1>\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xb8\xd0\xbd\xd0\xb8</h1>" + comments
    page += b"<aside>" + related + b"</aside><footer>\xf0\x9f\x93\xb0</footer>"
    # Offered in another order than they appear (the related list is made before the page),
    # one not in the page, one twice (only one splice), one inside another.
    packed, kept = spliced(page, [related, missing, comments, related, comments[:5000]])
    assert gzip.decompress(packed) == page
    assert kept[0] in packed and kept[2] in packed  # sent as kept, not compressed again
    assert packed[3] & gzip.FNAME and packed[8] == 4  # padded; "fastest", as compress_fast


def test_a_fragment_at_either_end_of_the_page_or_the_whole_page_splices():
    body = ("Сторінка " * 1000).encode()
    for page in (body + b"<p>after</p>", b"<p>before</p>" + body, body):
        packed, kept = spliced(page, [body])
        assert gzip.decompress(packed) == page
        assert kept[0] in packed


def test_a_readers_article_page_sends_its_kept_comments_as_kept(client, article, settings):
    """An article with many comments, for a reader with a cookie (rendered for them): the
    comment list comes from the fragment cache and goes out deflated as it was kept."""
    from newsroom.pagecache import local_copies
    from tests.comments.helpers import make_comment

    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    for number in range(40):
        make_comment(article, name=f"Олена {number}", body=f"Коментар 🌧 номер {number}, مرحبا")
    client.cookies["newsroom_theme"] = "dark"  # any cookie: the page is the reader's own
    url = article.get_absolute_url()
    client.get(url, **GZIP)  # renders and keeps the fragments
    client.get(url, **GZIP)  # this process's first use of them: compressed with the page
    response = client.get(url, **GZIP)
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert html.count('class="comment"') == 40 and "Коментар 🌧 номер 39" in html
    plain = client.get(url).content.decode()
    assert without_nonces(html) == without_nonces(plain)
    deflated = [
        entry[0][2]
        for key, entry in local_copies._entries.items()
        if key.startswith("deflated:fragment:comments:")
    ]
    assert len(deflated) == 1 and deflated[0] in response.content


def page_with_fragment(rf, text: str) -> tuple[bytes, bytes]:
    """A page holding the kept fragment ``text``, plain and as compressed for its reader."""
    from newsroom import compression
    from newsroom.fragments import Fragment, cached_fragments

    request = rf.get("/")
    shown = cached_fragments(request, [Fragment("story", "", lambda: text)])[0]
    content = f"<main>{shown}</main>".encode()
    offered = getattr(request, compression.SPLICEABLE)
    spliced = [pieces for piece, spliceable in offered if (pieces := spliceable(piece))]
    return content, compression.compress_fast(content, 0, spliced)


def deflate_levels(monkeypatch) -> list[int]:
    """The level of every deflate made from now on."""
    from newsroom import compression

    levels = []
    real = compression.deflate_piece
    monkeypatch.setattr(
        compression,
        "deflate_piece",
        lambda data, level, **kwargs: levels.append(level) or real(data, level, **kwargs),
    )
    return levels


def test_a_deflated_copy_is_used_only_for_the_text_it_was_made_from(rf, settings):
    """Under one key a new deploy may render other text (a static file's hashed address):
    the copy deflated from the old text is never sent for the new, and the new text gets
    its own copy."""
    from newsroom import compression
    from newsroom.pagecache import local_copies

    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    old, new = "<p>Стара версія 🌧</p>" * 400, "<p>Нова версія 🌊</p>" * 400
    for _ in range(3):  # kept, first use, spliced
        content, packed = page_with_fragment(rf, old)
    assert gzip.decompress(packed) == content
    # The same key now holds the new text (the deflated copy of the old one stays here).
    key = next(k for k in local_copies._entries if k.startswith("fragment:story:"))
    cache.set(key, new)
    local_copies.keep(key, new, len(new))
    for _ in range(3):  # first use of the new text, then spliced
        content, packed = page_with_fragment(rf, new)
        assert "Нова версія 🌊".encode() in content
        assert gzip.decompress(packed) == content
    assert compression.deflate_piece(new.encode(), compression.KEPT_LEVEL) in packed


def test_without_local_copies_a_readers_page_is_gzipped_whole(
    client, article, settings, monkeypatch
):
    """With the per-process copies off, a fragment's deflated copy could not be kept: made
    for every page at level 6, it would cost more than the whole page at level 1."""
    from newsroom import compression
    from tests.comments.helpers import make_comment

    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    settings.NEWSROOM_PAGE_CACHE_LOCAL_MS = 0
    for number in range(40):
        make_comment(article, body=f"Коментар 🌧 номер {number}")
    client.cookies["newsroom_theme"] = "dark"
    levels = deflate_levels(monkeypatch)
    for _ in range(2):
        response = client.get(article.get_absolute_url(), **GZIP)
        assert "Коментар 🌧 номер 39" in gzip.decompress(response.content).decode()
    assert compression.KEPT_LEVEL not in levels


def test_a_fragment_too_large_for_its_deflated_copy_is_never_deflated_apart(
    rf, settings, monkeypatch
):
    """A fragment whose deflated copy could not be kept beside it (too large a share of the
    local copies) is compressed with its page every time, never deflated at level 6 for
    each page."""
    import sys

    from newsroom import compression
    from newsroom.pagecache import local_copies

    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    text = "<p>Дуже довгий фрагмент 🌧</p>" * 400
    # Room for the fragment itself, not for it with its UTF-8 and deflated bytes.
    monkeypatch.setattr(local_copies, "LOCAL_BYTES", 8 * 3 * sys.getsizeof(text))
    levels = deflate_levels(monkeypatch)
    for _ in range(3):
        content, packed = page_with_fragment(rf, text)
        assert gzip.decompress(packed) == content
    assert compression.KEPT_LEVEL not in levels
