"""Move articles' tags from django-taggit's generic TaggedItem to articles.TaggedArticle.

Rows are copied in the order of their ids, which becomes their order on the article; the
copied generic rows are then removed. Tags themselves (taggit.Tag) stay as they are.
Generic rows naming an article that no longer exists are left where they are.
"""

from django.db import migrations

BATCH = 2000


def _article_type(apps, *, create: bool):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if create:
        return ContentType.objects.get_or_create(app_label="articles", model="article")[0]
    # A database that never had an article has no content type for it, and nothing to copy.
    return ContentType.objects.filter(app_label="articles", model="article").first()


def copy_to_tagged_article(apps, schema_editor):
    article_type = _article_type(apps, create=False)
    if article_type is None:
        return
    Article = apps.get_model("articles", "Article")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    generic = TaggedItem.objects.filter(
        content_type=article_type, object_id__in=Article.objects.values("id")
    )
    rows = (
        TaggedArticle(content_object_id=object_id, tag_id=tag_id)
        for object_id, tag_id in generic.order_by("id").values_list("object_id", "tag_id").iterator(
            chunk_size=BATCH
        )
    )
    TaggedArticle.objects.bulk_create(rows, batch_size=BATCH)
    generic.delete()


def copy_to_generic(apps, schema_editor):
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    if not TaggedArticle.objects.exists():
        return
    article_type = _article_type(apps, create=True)
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    rows = (
        TaggedItem(content_type_id=article_type.pk, object_id=article_id, tag_id=tag_id)
        for article_id, tag_id in TaggedArticle.objects.order_by("id")
        .values_list("content_object_id", "tag_id")
        .iterator(chunk_size=BATCH)
    )
    TaggedItem.objects.bulk_create(rows, batch_size=BATCH)
    TaggedArticle.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_tagged_article"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_to_tagged_article, copy_to_generic, elidable=False),
    ]
