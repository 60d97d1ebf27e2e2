from django.db import migrations

from articles.search import VECTOR_SQL

INDEX = "articles_article_search_idx"


def create_index(apps, schema_editor):
    # PostgreSQL only: an expression index over the weighted text, kept current by the
    # database itself on every insert and update. SQLite searches without it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING GIN (({VECTOR_SQL}))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_featured_and_slug_redirects")]

    operations = [migrations.RunPython(create_index, drop_index)]
