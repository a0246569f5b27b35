from django.db import migrations

import jfo_registry.core.datastamps


class Migration(migrations.Migration):
    """The stamp triggers of the closed-year tables, and again on the assignment table: on
    SQLite, 0012's new columns (a foreign key among them) rebuilt it, leaving its triggers
    behind (InstallStampTriggers is idempotent, so PostgreSQL keeps one of each)."""

    dependencies = [
        ('jfo_registry', '0002_table_stamps'),
        ('operations', '0012_assignment_periods_and_closed_years'),
    ]

    operations = [
        jfo_registry.core.datastamps.InstallStampTriggers(
            tables=[
                'operations_assignment',
                'operations_closedyearcorrection',
                'operations_fiscalyearclosure',
            ],
        ),
    ]
