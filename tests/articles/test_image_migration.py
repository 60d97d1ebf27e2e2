"""Migrations articles 0017–0020: featured images already stored become library images that
reuse the same files, and going back puts the texts back on the articles."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import image_file

BEFORE = [("articles", "0016_source_unique_domain")]
AFTER = [("articles", "0020_image_library_roles")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_featured_images_move_to_the_library_and_back():
    old = migrate(BEFORE)
    Article = old.get_model("articles", "Article")
    User = old.get_model("accounts", "User")
    writer = User.objects.create(username="wanda")
    # The moderators' group, as comments 0002 made it: a transactional test run before this
    # one empties the tables the migrations filled.
    old.get_model("auth", "Group").objects.get_or_create(name="Moderators")
    stored = default_storage.save("articles/2025/03/grid.jpg", ContentFile(image_file().read()))
    common = {"dek": "Dek.", "body": "<p>Body.</p>", "status": "draft", "created_by": writer}
    with_image = Article.objects.create(
        title="Kyiv without power",
        slug="kyiv-without-power",
        image=stored,
        image_width=64,
        image_height=48,
        image_alt="Engineers at a substation — Олена 👩 \u200eשלום",
        image_caption="Repairs in Kyiv.",
        image_credit="Photo: Jane Doe / Reuters",
        **common,
    )
    same_picture = Article.objects.create(
        title="Repairs go on",
        slug="repairs-go-on",
        image=stored,
        image_width=64,
        image_height=48,
        image_alt="Engineers at a substation — Олена 👩 \u200eשלום",
        image_caption="Repairs in Kyiv.",
        image_credit="Photo: Jane Doe / Reuters",
        **common,
    )
    without_image = Article.objects.create(title="Talks", slug="talks", **common)

    new = migrate(AFTER)
    Article = new.get_model("articles", "Article")
    Image = new.get_model("images", "Image")
    image = Image.objects.get()  # one picture with the same texts: one library image
    assert image.file.name == stored  # the same file, not a copy
    assert (image.width, image.height) == (64, 48)
    assert image.title == "grid"
    assert image.alt_text == "Engineers at a substation — Олена 👩 \u200eשלום"
    assert image.caption == "Repairs in Kyiv."
    assert image.credit == "Photo: Jane Doe / Reuters"
    assert image.uploaded_by_id == writer.pk
    assert Article.objects.get(pk=with_image.pk).image_id == image.pk
    assert Article.objects.get(pk=same_picture.pk).image_id == image.pk
    assert Article.objects.get(pk=without_image.pk).image_id is None
    columns = {c.name for c in connection.introspection.get_table_description(
        connection.cursor(), "articles_article"
    )}  # fmt: skip
    assert not {"image_alt", "image_caption", "image_credit", "image_width"} & columns
    Group = new.get_model("auth", "Group")
    assert set(
        Group.objects.get(name="Writers")
        .permissions.filter(content_type__app_label="images")
        .values_list("codename", flat=True)
    ) == {"add_image", "change_image", "view_image"}
    assert Group.objects.get(name="Editors").permissions.filter(codename="delete_image").exists()
    assert (
        not Group.objects.get(name="Moderators")
        .permissions.filter(content_type__app_label="images")
        .exists()
    )

    old = migrate(BEFORE)
    Article = old.get_model("articles", "Article")
    restored = Article.objects.get(pk=with_image.pk)
    assert restored.image.name == stored
    assert (restored.image_width, restored.image_height) == (64, 48)
    assert restored.image_alt == "Engineers at a substation — Олена 👩 \u200eשלום"
    assert restored.image_credit == "Photo: Jane Doe / Reuters"
    assert Article.objects.get(pk=without_image.pk).image == ""

    migrate(AFTER)  # forwards again: the library image is found, not made twice
    assert new.get_model("images", "Image").objects.count() == 1
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
