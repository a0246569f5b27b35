"""The table stamp triggers come from migrations: every stamped table has them once the database
is migrated, and unapplying the migrations removes them (and the stamp table)."""

import pytest
from django.core.management import call_command
from django.db import connection

from jfo_registry.core.datastamps import STAMP_TABLE, stamped_tables, stamps_of, tables_with_triggers
from operations.models import Region


def test_every_stamped_table_has_its_triggers_after_migrate(db):
    missing = set(stamped_tables()) - tables_with_triggers()
    # A new model (or, on SQLite, a migration that rebuilds a table, dropping its triggers)
    # needs `InstallStampTriggers(tables=[...])` in a later migration of its app.
    assert not missing, f"tables without stamp triggers: {sorted(missing)}"
    assert tables_with_triggers() == set(stamped_tables())


def test_a_write_bumps_its_tables_stamp(db):
    before = dict(stamps_of(["operations_region", "operations_agency"]))
    Region.objects.filter(code="GTA").update(name_en="Greater Toronto Area")
    after = dict(stamps_of(["operations_region", "operations_agency"]))
    assert after == {"operations_region": before["operations_region"] + 1, "operations_agency": before["operations_agency"]}


@pytest.mark.django_db(transaction=True)
def test_the_reverse_migrations_remove_the_triggers_then_the_stamp_table():
    operations_tables = {table for table in stamped_tables() if table.startswith("operations_")}
    try:
        call_command("migrate", "operations", "0009", verbosity=0)
        assert tables_with_triggers() == set(stamped_tables()) - operations_tables
        call_command("migrate", "agreements", "0009", verbosity=0)
        assert tables_with_triggers() == set()
        assert STAMP_TABLE in connection.introspection.table_names()
        call_command("migrate", "jfo_registry", "0001", verbosity=0)
        assert STAMP_TABLE not in connection.introspection.table_names()
    finally:
        call_command("migrate", verbosity=0)
    assert tables_with_triggers() == set(stamped_tables())
    assert STAMP_TABLE in connection.introspection.table_names()
