"""The portable backup (`dumpdata` / `loaddata`, README.md ("Backups and restore")) round-trips without loss.

Every table of every installed model (auto-created many-to-many tables and simple_history's
Historical* tables included) gets a row count and a sha256 of its sorted rows before the dump;
the database is flushed, the dump loaded, and every table must come back identical.

The dump uses exactly the options of README.md ("Backups and restore") (`DUMPDATA_OPTIONS` below):

* `--natural-foreign`, `--exclude contenttypes`, `--exclude auth.permission`: content types and
  permissions are not data but derived from the code; `migrate` / `flush` recreate them (post_migrate),
  with ids that depend on the order they were created in. The dump refers to them by natural key
  (app label, model, codename), so the admin log, group and user permissions land on the right rows
  whatever their ids. For those two tables the checksum leaves out the surrogate id, and every
  reference to them (in any table) is compared by natural key.
* No `--natural-primary`: it would drop the ids of users and groups, and loaddata would number
  them anew (after a deleted user, every later user moves), breaking sessions, the admin log's
  object ids and links. Without it the ids of every model are kept.
* `--format yaml`: the JSON serializer (DjangoJSONEncoder) cuts datetimes to milliseconds, which
  this test catches on every `created` / `last_updated` / `history_date`; YAML keeps microseconds.
* Before `loaddata`, the role groups that `flush` / `migrate` recreate (jfo_registry's post_migrate)
  are deleted: the dump restores them with their own ids and permissions. Without that step
  loaddata fails (unique group name) whenever the source's group ids differ from the target's,
  which this test arranges on purpose.

The only column not compared is the surrogate `id` of Django's auto-created many-to-many tables
(`auth_user_groups`, `agreements_arrangement_jfos`, ...): dumpdata stores such a relation as the list
of related objects, and loaddata re-inserts the rows with new ids that nothing refers to.

The test is transactional (it flushes). It does not depend on the session seed: it flushes first
(without resetting sequences), reloads the inventory, the information-sharing conditions and the
role groups itself (as the browser tests do), and ends with the restored database, which
pytest-django then flushes as after every transactional test (those run after all the others,
and each of them reseeds what it needs). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from agreements.models import (
    Arrangement, ArrangementDocument, ArrangementParty, ConditionCoverage, GapAction,
    InformationSharingCondition, ReminderSent,
)
from jfo_registry.core.roles import Role, sync_role_groups
from agreements.inventory import load_inventory
from operations.models import Agency, Assignment, JointForceOperation, Region
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

# The options of README.md ("Backups and restore"); keep the two in step.
DUMPDATA_OPTIONS = [
    "--natural-foreign",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--format=yaml",
]
# Derived from the code and recreated by migrate/flush: compared by natural key, without their ids.
DERIVED = {ContentType, Permission}


def tables() -> list[type]:
    """Every model that owns a table: proxies and unmanaged models share or have none."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return sorted(models, key=lambda model: model._meta.db_table)


def _canonical(value):
    if isinstance(value, datetime.datetime):
        # Aware datetimes from either backend, compared in UTC to the microsecond.
        return ("datetime", value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat())
    if isinstance(value, (datetime.date, datetime.time)):
        return (type(value).__name__, value.isoformat())
    if isinstance(value, decimal.Decimal):
        return ("decimal", str(value))
    if isinstance(value, (bytes, memoryview)):
        return ("bytes", bytes(value).hex())
    return value


def snapshot() -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 of its sorted rows)} for every table."""
    content_types = {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}
    permissions = {
        pk: (codename, *content_types[ct_id])
        for pk, codename, ct_id in Permission.objects.values_list("pk", "codename", "content_type_id")
    }
    natural = {ContentType: content_types, Permission: permissions}

    result = {}
    for model in tables():
        fields = [
            field
            for field in model._meta.concrete_fields
            if not (field.primary_key and (model in DERIVED or model._meta.auto_created))
        ]
        renderers = []
        for field in fields:
            target = field.related_model if field.is_relation else None
            if target in natural:
                mapping = natural[target]
                renderers.append(lambda value, mapping=mapping: None if value is None else mapping[value])
            else:
                renderers.append(_canonical)
        rows = sorted(
            repr(tuple(render(value) for render, value in zip(renderers, row)))
            for row in model._base_manager.values_list(*(field.attname for field in fields))
        )
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        result[model._meta.db_table] = (len(rows), digest)
    return result


def seed() -> None:
    """What the session seed holds, in case a transactional test flushed it before this one."""
    if Group.objects.filter(name__in=[role.group_name for role in Role]).count() != len(Role):
        sync_role_groups(apps)
    if InformationSharingCondition.objects.count() == 0:
        migration = importlib.import_module("agreements.migrations.0002_information_sharing_conditions")
        migration.create_conditions(apps, None)
    load_inventory()


def add_records() -> None:
    """A bit of everything the inventory does not hold: users with roles and permissions, a custom
    group, a token, a session, an admin log entry, arrangements with parties, coverage, a document
    row, a gap action and a reminder (each of these writing its history rows)."""
    # A user who left: the ids of the others have a gap, as in any real database, so a restore
    # that renumbers users (`--natural-primary`) shows up in the comparison.
    make_user("backup-leaver", Role.HQ_ANALYST).delete()
    manager = make_user("backup-manager", Role.REGIONAL_MANAGER, ("GTA",))
    administrator = make_user("backup-admin", Role.ADMINISTRATOR)
    reviewers = Group.objects.create(name="Backup reviewers")
    reviewers.permissions.add(Permission.objects.get(codename="view_arrangement"))
    manager.groups.add(reviewers)
    manager.user_permissions.add(Permission.objects.get(codename="view_gapaction"))
    Token.objects.create(user=administrator)
    session = SessionStore()
    session["_auth_user_id"] = str(manager.pk)
    session.create()

    jfo = JointForceOperation.objects.order_by("pk").first()
    agency = Agency.objects.order_by("pk").first()
    arrangement = Arrangement.objects.create(
        reference="WCA-BACKUP-1",
        title="Entente écrite — sauvegarde",
        status="in_force",
        signed_date=datetime.date(2010, 5, 3),
        effective_date=datetime.date(2010, 6, 1),
        expiry_date=datetime.date(2015, 5, 31),
        notes="Ligne 1\nLigne 2 « guillemets »",
    )
    arrangement.jfos.add(jfo)
    ArrangementParty.objects.create(arrangement=arrangement, agency=agency)
    condition = InformationSharingCondition.objects.get(letter="a")
    ConditionCoverage.objects.create(
        arrangement=arrangement, condition=condition, status="addressed", clause_reference="s. 4.2"
    )
    ArrangementDocument.objects.create(
        arrangement=arrangement,
        title="Signed text",
        file=f"arrangements/{arrangement.pk}/signed.pdf",
        content_type="application/pdf",
        size=12345,
        uploaded_by=manager,
    )
    GapAction.objects.create(jfo=jfo, action="Negotiate a WCA", owner="GTA region", due_date=datetime.date(2011, 3, 31))
    ReminderSent.objects.create(
        arrangement=arrangement, kind="expiry", target_date=arrangement.expiry_date, threshold_days=90,
        recipients="manager@example.org",
    )
    LogEntry.objects.log_actions(
        user_id=administrator.pk, queryset=[arrangement], action_flag=CHANGE, change_message="Backup test"
    )


def test_dumpdata_loaddata_round_trip_restores_every_table(tmp_path: Path):
    # Start as a transactional test run after another does (and as a long-lived production
    # database may be): the role groups were recreated, so their ids are not the 1, 2, 3 that
    # a fresh `migrate` / `flush` gives them. Then the seed and some records of every kind.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    seed()
    add_records()
    before = snapshot()

    # The round trip is only worth something if the interesting tables are not empty.
    populated = {table for table, (count, _digest) in before.items() if count}
    for model in (
        Region, Assignment, Arrangement, GapAction, ArrangementDocument, LogEntry, Token, Session,
        Arrangement.jfos.through, Region.managers.through, Group.permissions.through,
        User.groups.through, User.user_permissions.through,
        GapAction.history.model, Assignment.history.model,
    ):
        assert model._meta.db_table in populated, model._meta.db_table

    role_groups = Group.objects.filter(name__in=[role.group_name for role in Role])
    role_group_ids = set(role_groups.values_list("pk", flat=True))

    backup = tmp_path / "backup.yaml"
    call_command("dumpdata", *DUMPDATA_OPTIONS, output=str(backup), verbosity=0)

    call_command("flush", interactive=False, verbosity=0)
    # Only what post_migrate recreates is left: content types, permissions and the role groups.
    left = {table for table, (count, _digest) in snapshot().items() if count}
    assert left == {
        ContentType._meta.db_table,
        Permission._meta.db_table,
        Group._meta.db_table,
        Group.permissions.through._meta.db_table,
    }
    assert set(role_groups.values_list("pk", flat=True)) != role_group_ids  # the case the next line handles
    Group.objects.all().delete()  # README.md ("Backups and restore"): the dump restores them with their own ids

    out = io.StringIO()
    call_command("loaddata", str(backup), stdout=out)
    assert "Installed" in out.getvalue()

    after = snapshot()
    assert before.keys() == after.keys()
    differences = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    assert differences == {}

    # The restored database is usable: loaddata reset the id sequences past the loaded rows.
    user = make_user("backup-after-restore", Role.REGIONAL_MANAGER, ("GTA",))
    GapAction.objects.create(
        jfo=JointForceOperation.objects.order_by("pk").first(), action="After the restore", owner="HQ",
        due_date=datetime.date(2011, 3, 31),
    )
    assert user.groups.get().name == Role.REGIONAL_MANAGER.group_name
