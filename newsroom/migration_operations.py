"""Migration operations that keep the site writable while they run.

Adding an index to a table that readers write to (a million comments) holds every write to
it until the index is built: `comments.0009` took 1.3 s on the bench's 1,000,000 comments,
and every comment post waited. On PostgreSQL these build and drop indexes CONCURRENTLY
(reads and writes go on; the build takes longer), so their migrations set `atomic = False`.
Elsewhere (SQLite), and inside a transaction (a test migrating back and forth), they are the
plain operations.

If a concurrent build fails (a deploy interrupted), PostgreSQL leaves the index INVALID:
`DROP INDEX CONCURRENTLY <name>;` and run `migrate` again.
"""

from django.db import migrations


def _concurrently(schema_editor) -> bool:
    connection = schema_editor.connection
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _change_index(operation, schema_editor, state, app_label, index, *, add: bool) -> None:
    """Add or remove ``index`` CONCURRENTLY, as the plain operation would without it."""
    model = state.apps.get_model(app_label, operation.model_name)
    if operation.allow_migrate_model(schema_editor.connection.alias, model):
        change = schema_editor.add_index if add else schema_editor.remove_index
        change(model, index, concurrently=True)


def _index_named(operation, state, app_label):
    return state.models[app_label, operation.model_name_lower].get_index_by_name(operation.name)


class AddIndexConcurrently(migrations.AddIndex):
    """``AddIndex``, as CREATE INDEX CONCURRENTLY where PostgreSQL can."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        _change_index(self, schema_editor, to_state, app_label, self.index, add=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        _change_index(self, schema_editor, from_state, app_label, self.index, add=False)


class RemoveIndexConcurrently(migrations.RemoveIndex):
    """``RemoveIndex``, as DROP INDEX CONCURRENTLY where PostgreSQL can."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        index = _index_named(self, from_state, app_label)
        _change_index(self, schema_editor, from_state, app_label, index, add=False)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        index = _index_named(self, to_state, app_label)
        _change_index(self, schema_editor, to_state, app_label, index, add=True)
