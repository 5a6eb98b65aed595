"""Full-text index per database vendor: FTS5 (unicode61) on SQLite, a GIN tsvector on PostgreSQL.

A GinIndex in Meta.indexes would break migrate on SQLite, so the index is created here by vendor.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE catalog_itemsearch_fts USING fts5(
        name_tokens, tokens, content='catalog_itemsearchindex', content_rowid='item_id', tokenize='unicode61')""",
    """CREATE TRIGGER catalog_itemsearch_ai AFTER INSERT ON catalog_itemsearchindex BEGIN
        INSERT INTO catalog_itemsearch_fts(rowid, name_tokens, tokens) VALUES (new.item_id, new.name_tokens, new.tokens);
    END""",
    """CREATE TRIGGER catalog_itemsearch_ad AFTER DELETE ON catalog_itemsearchindex BEGIN
        INSERT INTO catalog_itemsearch_fts(catalog_itemsearch_fts, rowid, name_tokens, tokens)
        VALUES ('delete', old.item_id, old.name_tokens, old.tokens);
    END""",
    """CREATE TRIGGER catalog_itemsearch_au AFTER UPDATE ON catalog_itemsearchindex BEGIN
        INSERT INTO catalog_itemsearch_fts(catalog_itemsearch_fts, rowid, name_tokens, tokens)
        VALUES ('delete', old.item_id, old.name_tokens, old.tokens);
        INSERT INTO catalog_itemsearch_fts(rowid, name_tokens, tokens) VALUES (new.item_id, new.name_tokens, new.tokens);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_itemsearch_au",
    "DROP TRIGGER IF EXISTS catalog_itemsearch_ad",
    "DROP TRIGGER IF EXISTS catalog_itemsearch_ai",
    "DROP TABLE IF EXISTS catalog_itemsearch_fts",
]
PG_UP = [
    """CREATE INDEX catalog_itemsearch_gin ON catalog_itemsearchindex USING GIN (
        (setweight(to_tsvector('simple', name_tokens), 'A') || setweight(to_tsvector('simple', tokens), 'B')))"""
]
PG_DOWN = ["DROP INDEX IF EXISTS catalog_itemsearch_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
