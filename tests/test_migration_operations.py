"""Indexes added to tables the site writes to are built without holding its writes
(newsroom/migration_operations.py): CREATE INDEX CONCURRENTLY on PostgreSQL."""

import pytest
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader

from newsroom.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently

PROJECT_APPS = ("accounts", "images", "authors", "articles", "comments")


@pytest.fixture
def outside_transactions(django_db_blocker):
    """The database as `migrate` has it: no test transaction around. The connection this
    opens (PostgreSQL's version decides some SQL) is closed afterwards: nothing else would,
    and the test database could not be dropped at the end of the run."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connection.close()


def project_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader, [
        migration
        for (app, _), migration in sorted(loader.disk_migrations.items())
        if app in PROJECT_APPS
    ]


def test_every_index_added_to_an_existing_table_is_built_concurrently():
    """A plain AddIndex on a table made by an earlier migration would hold every write to
    it (a million comments: every post) while the index is built."""
    _, found = project_migrations()
    plain = []
    for migration in found:
        created = {
            op.name_lower for op in migration.operations if isinstance(op, migrations.CreateModel)
        }
        for operation in migration.operations:
            if type(operation) in (migrations.AddIndex, migrations.RemoveIndex) and (
                operation.model_name_lower not in created
            ):
                plain.append(f"{migration.app_label}.{migration.name}")
            if isinstance(operation, (AddIndexConcurrently, RemoveIndexConcurrently)):
                assert migration.atomic is False, migration.name
    assert plain == []


def test_the_duplicate_rules_index_is_built_concurrently_on_postgresql(outside_transactions):
    loader, _ = project_migrations()
    migration = loader.get_migration("comments", "0009_duplicate_rule_index")
    before = loader.project_state(("comments", "0008_comment_report"))
    after = loader.project_state(("comments", "0009_duplicate_rule_index"))
    [operation] = migration.operations
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        operation.database_forwards("comments", editor, before, after)
        operation.database_backwards("comments", editor, after, before)
    create, drop = editor.collected_sql
    if connection.vendor == "postgresql":
        assert create.startswith('CREATE INDEX CONCURRENTLY "comment_article_body_start"')
        assert drop.startswith('DROP INDEX CONCURRENTLY IF EXISTS "comment_article_body_start"')
    else:
        assert create.startswith('CREATE INDEX "comment_article_body_start"')
        assert "CONCURRENTLY" not in drop


@pytest.mark.django_db
def test_inside_a_transaction_the_index_is_built_plainly():
    """A test migrating back and forth runs in a transaction, where PostgreSQL refuses
    CONCURRENTLY: the operation builds the index as AddIndex does."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite never builds concurrently, and its schema editor refuses a transaction")
    loader, _ = project_migrations()
    before = loader.project_state(("comments", "0008_comment_report"))
    after = loader.project_state(("comments", "0009_duplicate_rule_index"))
    [operation] = loader.get_migration("comments", "0009_duplicate_rule_index").operations
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        operation.database_forwards("comments", editor, before, after)
    assert "CONCURRENTLY" not in editor.collected_sql[0]


def test_an_index_replaced_is_dropped_concurrently_too(outside_transactions):
    """articles.0021 adds the published order's index and drops the one it replaces; both
    ways, on PostgreSQL, each statement is CONCURRENTLY."""
    loader, _ = project_migrations()
    migration = loader.get_migration("articles", "0021_published_order_index")
    before = loader.project_state(("articles", "0020_image_library_roles"))
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(before.clone(), editor)
        migration.unapply(before.clone(), editor)  # the state the migration starts from
    verbs = [" ".join(statement.split()[:3]) for statement in editor.collected_sql]
    if connection.vendor == "postgresql":
        assert verbs == [
            "CREATE INDEX CONCURRENTLY",
            "DROP INDEX CONCURRENTLY",
            "CREATE INDEX CONCURRENTLY",
            "DROP INDEX CONCURRENTLY",
        ]
    else:
        assert all("CONCURRENTLY" not in verb for verb in verbs)
