from django.db import migrations

from jfo_registry.core.history import record_unrecorded_creations


def record_creations(apps, schema_editor):
    # The seven conditions were created (0002) before history was kept (0004): without their
    # creation row, a report `as_of` any moment would find no condition at all.
    record_unrecorded_creations(apps, schema_editor, app_label="agreements", model_name="InformationSharingCondition")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0011_table_stamp_triggers"),
    ]

    operations = [migrations.RunPython(record_creations, migrations.RunPython.noop)]
