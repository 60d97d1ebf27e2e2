from django.db import migrations

from articles.search import VECTOR_SQL

INDEX = "articles_article_search_idx"

FORWARD = f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := {VECTOR_SQL.replace("coalesce(", "coalesce(NEW.")};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF title, dek, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

UPDATE articles_article SET search_vector = {VECTOR_SQL};

DROP INDEX IF EXISTS {INDEX};
CREATE INDEX {INDEX} ON articles_article USING GIN (search_vector);
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector();
DROP INDEX IF EXISTS {INDEX};
CREATE INDEX {INDEX} ON articles_article USING GIN (({VECTOR_SQL}));
"""


def forward(apps, schema_editor):
    # PostgreSQL keeps the stored vector current itself, whatever writes the article; ranking
    # then reads it instead of re-parsing every matching body. SQLite searches without it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_stored_search_vector")]

    operations = [migrations.RunPython(forward, backward)]
