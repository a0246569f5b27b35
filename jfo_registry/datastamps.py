"""Change stamps per table, kept by database triggers, so a cached figure (a list's row count)
can never be served once the data under it changed: the cache key includes the stamps of the
tables a query reads, and every write — ORM, raw SQL, loaddata, TRUNCATE — bumps its table's
stamp in the writer's own transaction."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.db import connections

STAMP_TABLE = "jfo_registry_tablestamp"
STAMPED_APPS = ("operations", "agreements")


def stamped_tables() -> list[str]:
    tables = set()
    for label in STAMPED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if not model._meta.model_name.startswith("historical"):
                tables.add(model._meta.db_table)
    return sorted(tables)


def install_triggers(using: str = "default") -> None:
    """(Re)create the triggers on every registry table; idempotent (run after each migrate)."""
    connection = connections[using]
    tables = stamped_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS {STAMP_TABLE} ("table" varchar(100) PRIMARY KEY, stamp bigint NOT NULL)'
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"""
                CREATE OR REPLACE FUNCTION jfo_bump_table_stamp() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO {STAMP_TABLE} ("table", stamp) VALUES (TG_TABLE_NAME, 1)
                    ON CONFLICT ("table") DO UPDATE SET stamp = {STAMP_TABLE}.stamp + 1;
                    RETURN NULL;
                END $$ LANGUAGE plpgsql
            """)
            for table in tables:
                cursor.execute(f'DROP TRIGGER IF EXISTS jfo_stamp ON "{table}"')
                cursor.execute(
                    f'CREATE TRIGGER jfo_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                    "FOR EACH STATEMENT EXECUTE FUNCTION jfo_bump_table_stamp()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "jfo_stamp_{event.lower()}_{table}" AFTER {event} ON "{table}" '
                        f"BEGIN INSERT INTO {STAMP_TABLE} (\"table\", stamp) VALUES ('{table}', 1) "
                        f'ON CONFLICT ("table") DO UPDATE SET stamp = stamp + 1; END'
                    )


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
