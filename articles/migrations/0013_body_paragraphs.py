"""Bodies stored by the previous editor (Trix) become paragraphs.

Trix stored ``<div>first paragraph<br>second paragraph</div>``; readers saw one wall of text.
Each body is rewritten into the canonical shape of articles/sanitize.py (a run of ``<br>``
in such a ``<div>`` ends a paragraph), and every article whose body changed gets a revision
saying so, so its history shows the change and it can be undone by restoring. The update
leaves ``updated_at`` alone: readers are not told the article was updated.

It uses the current sanitizer on purpose: the aim is the shape the editor produces now.
Running it again changes nothing (the sanitizer is idempotent).
"""

from django.db import migrations

BATCH = 500


def convert_bodies(apps, schema_editor):
    from articles.sanitize import sanitize_html

    Article = apps.get_model("articles", "Article")
    ArticleRevision = apps.get_model("articles", "ArticleRevision")
    last_id = 0
    while True:
        batch = list(
            Article.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values("pk", "body", "version", "title", "slug", "dek", "status", "published_at")[
                :BATCH
            ]
        )
        if not batch:
            return
        last_id = batch[-1]["pk"]
        for row in batch:
            body = sanitize_html(row["body"])
            if body == row["body"]:
                continue
            number = row["version"] + 1
            latest = (
                ArticleRevision.objects.filter(article_id=row["pk"])
                .order_by("-number")
                .values_list("content", flat=True)
                .first()
            )
            content = dict(latest) if latest else {
                "title": row["title"],
                "slug": row["slug"],
                "dek": row["dek"],
                "status": row["status"],
                "published_at": row["published_at"].isoformat() if row["published_at"] else None,
            }
            content["body"] = body
            Article.objects.filter(pk=row["pk"]).update(body=body, version=number)
            ArticleRevision.objects.create(
                article_id=row["pk"], number=number, content=content, created_by=None
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_copy_generic_tags"),
    ]

    operations = [
        migrations.RunPython(convert_bodies, migrations.RunPython.noop, elidable=True),
    ]
