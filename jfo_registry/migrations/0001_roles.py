from django.db import migrations


def create_role_groups(apps, schema_editor):
    from jfo_registry.core.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("operations", "0001_initial"),
        ("agreements", "0002_information_sharing_conditions"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
