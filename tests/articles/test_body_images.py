"""Library images in the article body: found in the HTML, indexed on every save, kept safe by
the sanitizer, and protected from deletion while an article shows them."""

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from articles import workflow
from articles.models import Article, BodyImage, image_ids_in
from articles.sanitize import sanitize_html
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, UserFactory


def figure(pk, alt: str = "", caption: str = "") -> str:
    return (
        f'<figure data-image-id="{pk}"><img src="/media/images/{pk}.jpg" alt="{alt}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def test_image_ids_in_finds_each_figure_once_in_order():
    body = (
        "<p>Intro</p>" + figure(42) + figure(7) + figure(42)
        + '<figure data-image-id="x1"></figure><figure data-image-id="">'
        '<figure data-image-id="99999999999999999999999"></figure>'
        '<div data-image-id="5"></div><p>data-image-id="6"</p>'
    )  # fmt: skip

    assert image_ids_in(body) == [42, 7]
    assert image_ids_in("") == []
    assert image_ids_in("<figure data-image-id='3'>unclosed") == [3]


def test_sanitizer_keeps_a_library_figure_with_mixed_script_text():
    html = figure(42, alt="Олена 👩 \u200eשלום", caption="Вечір 🌃 ערב")

    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example/pixel.gif",
        "//tracker.example/media/a.jpg",
        "javascript:alert(1)",
        "/media/../admin/",
        "/static/a.jpg",
        "data:image/png;base64,AAAA",
    ],
)
def test_sanitizer_drops_pictures_from_anywhere_but_our_media(src):
    clean = sanitize_html(f'<figure data-image-id="3"><img src="{src}" alt="x"></figure><p>Hi</p>')

    assert "<img" not in clean
    assert '<figure data-image-id="3">' in clean
    assert "<p>Hi</p>" in clean


def test_sanitizer_drops_a_forged_image_id_and_other_attributes():
    clean = sanitize_html(
        '<figure data-image-id="3 onload=alert(1)" class="x" data-other="y">'
        '<img src="/media/a.jpg" alt="a" onerror="alert(1)" width="1" style="x"></figure>'
    )

    # Not a library figure any more: like any figure the editor did not make, it keeps only
    # its text (here none).
    assert clean == ""


def test_sanitized_picture_is_stable_when_sanitized_again():
    once = sanitize_html('<img src="/media/a.jpg" alt="a > b &quot; c"><img alt="orphan">')

    assert once == sanitize_html(once)
    assert "<img" not in once  # pictures stand only in library figures


@pytest.mark.django_db
def test_saving_an_article_indexes_its_body_images():
    first, second, third = ImageFactory(), ImageFactory(), ImageFactory()
    article = ArticleFactory(body=figure(first.pk) + figure(second.pk) + figure(999999))

    assert set(article.body_images.values_list("image_id", flat=True)) == {first.pk, second.pk}

    article.body = figure(second.pk) + figure(third.pk)
    article.save()

    assert set(article.body_images.values_list("image_id", flat=True)) == {second.pk, third.pk}
    assert BodyImage.objects.count() == 2

    article.body = "<p>No pictures now.</p>"
    article.save()
    assert not BodyImage.objects.exists()


@pytest.mark.django_db
def test_a_workflow_step_keeps_the_index():
    image = ImageFactory()
    article = ArticleFactory(
        body="<p>Text.</p>" + figure(image.pk), draft=True, authors=[AuthorFactory()]
    )
    editor = UserFactory(is_superuser=True, is_staff=True)

    workflow.transition(article, action="publish", actor=editor)

    assert list(article.body_images.values_list("image_id", flat=True)) == [image.pk]


@pytest.mark.django_db
def test_an_image_in_a_body_cannot_be_deleted_until_it_is_taken_out():
    image = ImageFactory()
    article = ArticleFactory(title="Kyiv without power", body=figure(image.pk))

    with pytest.raises(ProtectedError):
        image.delete()
    assert str(article.body_images.get()) == "Body of “Kyiv without power”"

    article.body = "<p>Text only.</p>"
    article.save()
    image.delete()


@pytest.mark.django_db
def test_deleting_an_article_frees_its_images():
    image = ImageFactory()
    ArticleFactory(body=figure(image.pk)).delete()

    assert Article.objects.count() == 0
    image.delete()


@pytest.mark.django_db
def test_the_article_page_loads_body_images_in_one_query_however_many(client):
    """One query for all of a body's library images: the page costs the same with one picture
    as with five, and a body without pictures costs none."""

    def queries_for(body: str) -> int:
        article = ArticleFactory(body=body, authors=[AuthorFactory()])
        client.get(article.get_absolute_url())  # renditions made once, outside the count
        with CaptureQueriesContext(connection) as captured:
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        return len(captured)

    images = [ImageFactory(caption=f"Підпис {n}") for n in range(5)]
    none = queries_for("<p>Text only.</p>")
    one = queries_for("<p>Text.</p>" + figure(images[0].pk, alt="a"))
    five = queries_for("<p>Text.</p>" + "".join(figure(i.pk, alt="a") for i in images))

    assert one == five == none + 1
