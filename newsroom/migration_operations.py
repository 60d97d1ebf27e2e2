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


class AddIndexConcurrently(migrations.AddIndex):
    """``AddIndex``, as CREATE INDEX CONCURRENTLY where PostgreSQL can."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class RemoveIndexConcurrently(migrations.RemoveIndex):
    """``RemoveIndex``, as DROP INDEX CONCURRENTLY where PostgreSQL can."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.remove_index(model, index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.add_index(model, index, concurrently=True)
