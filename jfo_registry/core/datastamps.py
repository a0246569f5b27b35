"""Change stamps per table, kept by database triggers, so a cached figure (a list's row count)
can never be served once the data under it changed: the cache key includes the stamps of the
tables a query reads, and every write — ORM, raw SQL, loaddata, TRUNCATE — bumps its table's
stamp in the writer's own transaction."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.db import connections, router
from django.db.migrations.operations.base import Operation

STAMP_TABLE = "jfo_registry_tablestamp"
STAMPED_APPS = ("operations", "agreements")


def stamped_tables() -> list[str]:
    """Names of the tables whose writes bump a stamp: every table of the stamped apps, their
    many-to-many tables included, history tables excluded (no cached figure reads them).
    Each of them must have its triggers installed by a migration of its app (a test holds
    this list against the database)."""
    tables = set()
    for label in STAMPED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if not model._meta.model_name.startswith("historical"):
                tables.add(model._meta.db_table)
    return sorted(tables)


# The triggers are installed by migrations, so `sqlmigrate` shows them and a rollback removes
# them. RunSQL cannot branch on the database vendor and the SQL differs (PostgreSQL: one
# statement-level trigger per table calling a shared function, which also sees TRUNCATE;
# SQLite: one row-level trigger per table and event, no functions), hence these two small
# operations (django-pgtrigger would declare them on the models, but supports PostgreSQL only).
# Every statement goes through `schema_editor.execute`, so `sqlmigrate` prints it; both are
# idempotent, so databases whose triggers an earlier release made keep working.

_TRIGGER_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _sqlite_trigger(event: str, table: str) -> str:
    return f"jfo_stamp_{event.lower()}_{table}"


class _StampOperation(Operation):
    """A database-only migration operation (no model state changes) run on every database
    the router lets the app migrate."""

    reduces_to_sql = True  # only SQL, through schema_editor.execute: `sqlmigrate` prints it
    reversible = True

    def state_forwards(self, app_label, state) -> None:
        pass

    def _allowed(self, app_label, schema_editor) -> bool:
        return router.allow_migrate(schema_editor.connection.alias, app_label)


class CreateStampTable(_StampOperation):
    """Create the stamp table (`"table"` varchar(100) primary key, `stamp` bigint) and, on
    PostgreSQL, the trigger function that bumps it; backwards, drop both. Belongs to the
    `jfo_registry` app's migrations."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not self._allowed(app_label, schema_editor):
            return
        schema_editor.execute(
            f'CREATE TABLE IF NOT EXISTS {STAMP_TABLE} ("table" varchar(100) PRIMARY KEY, stamp bigint NOT NULL)'
        )
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"""
                CREATE OR REPLACE FUNCTION jfo_bump_table_stamp() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO {STAMP_TABLE} ("table", stamp) VALUES (TG_TABLE_NAME, 1)
                    ON CONFLICT ("table") DO UPDATE SET stamp = {STAMP_TABLE}.stamp + 1;
                    RETURN NULL;
                END $$ LANGUAGE plpgsql
            """)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not self._allowed(app_label, schema_editor):
            return
        if schema_editor.connection.vendor == "postgresql":
            # CASCADE: triggers made outside these migrations (by an earlier release) go too.
            schema_editor.execute("DROP FUNCTION IF EXISTS jfo_bump_table_stamp() CASCADE")
        schema_editor.execute(f"DROP TABLE IF EXISTS {STAMP_TABLE}")

    def describe(self) -> str:
        return "Create the table stamp table and its trigger function"


class InstallStampTriggers(_StampOperation):
    """Install the stamp triggers on `tables` (explicit names, the app's own tables: a
    migration must not depend on today's models); backwards, drop them. Needs
    `CreateStampTable` applied first (depend on `jfo_registry`'s migration that runs it).

    A new table needs this operation in its app's migration. So does a table that a later
    migration rebuilds on SQLite (an `AlterField` that changes a column copies the table
    into a new one, leaving its triggers behind); `tests/jfo_registry/test_datastamps.py`
    finds either omission."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = list(tables)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not self._allowed(app_label, schema_editor):
            return
        for table in self.tables:
            self._drop(schema_editor, table)  # replaces a trigger an earlier release made
            self._create(schema_editor, table)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not self._allowed(app_label, schema_editor):
            return
        for table in self.tables:
            self._drop(schema_editor, table)

    @staticmethod
    def _create(schema_editor, table: str) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f'CREATE TRIGGER jfo_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION jfo_bump_table_stamp()"
            )
        elif vendor == "sqlite":
            for event in _TRIGGER_EVENTS:
                schema_editor.execute(
                    f'CREATE TRIGGER "{_sqlite_trigger(event, table)}" AFTER {event} ON "{table}" '
                    f"BEGIN INSERT INTO {STAMP_TABLE} (\"table\", stamp) VALUES ('{table}', 1) "
                    f'ON CONFLICT ("table") DO UPDATE SET stamp = stamp + 1; END'
                )

    @staticmethod
    def _drop(schema_editor, table: str) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS jfo_stamp ON "{table}"')
        elif vendor == "sqlite":
            for event in _TRIGGER_EVENTS:
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{_sqlite_trigger(event, table)}"')

    def describe(self) -> str:
        return f"Install the table stamp triggers on {len(self.tables)} tables"


def tables_with_triggers(using: str = "default") -> set[str]:
    """Names of the tables that carry the complete set of stamp triggers in database `using`
    (PostgreSQL: `jfo_stamp`; SQLite: one per insert, update and delete). Raises nothing;
    answers an empty set on another vendor."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'jfo_stamp' AND c.relnamespace = to_regnamespace(current_schema())"
            )
            return {table for (table,) in cursor.fetchall()}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            names = {(table, name) for table, name in cursor.fetchall()}
            return {
                table for table, _name in names
                if all((table, _sqlite_trigger(event, table)) in names for event in _TRIGGER_EVENTS)
            }
    return set()


def stamps_of(tables, using: str = "default") -> tuple:
    tables = sorted(set(tables))
    with connections[using].cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(f'SELECT "table", stamp FROM {STAMP_TABLE} WHERE "table" IN ({placeholders})', tables)
        found = dict(cursor.fetchall())
    return tuple((table, found.get(table, 0)) for table in tables)


def cached_count(queryset) -> int:
    """`queryset.count()`, cached until a table it reads changes (exact: never stale)."""
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    tables = {alias.table_name for alias in query.alias_map.values()}
    if not tables or not set(tables) <= set(stamped_tables()):
        return queryset.count()
    key = "count:" + hashlib.sha256(repr((sql, params, stamps_of(tables, queryset.db))).encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout=24 * 60 * 60)
    return count


def cached_by_stamps(key_parts: tuple, compute, using: str = "default"):
    """`compute()`, cached until any registry table changes (every table's stamp is in the key)."""
    key = "figures:" + hashlib.sha256(repr((key_parts, stamps_of(stamped_tables(), using))).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=24 * 60 * 60)
    return value
