"""Change history from django-simple-history: who, when, through which entry point, each field's
old and new value and the links (many-to-many) added and removed. `RegistryHistory` records it;
`history_entries` reads it for the pages, the API and the stale-edit message; the admin's history
view diffs the same rows."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

IGNORED_FIELDS = {"id", "created", "last_updated"}
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class LinkedHistoricalModel(models.Model):
    """Base of the historical rows of a record with links: whether the row holds the links as
    they stood (rows written before links were recorded do not, and are not diffed on them)."""

    links_recorded = models.BooleanField(gettext_lazy("links recorded"), default=True, editable=False)

    class Meta:
        abstract = True


class RegistryHistory(HistoricalRecords):
    """HistoricalRecords that writes a row only for a real change.

    - A save that changes no tracked field (a transition to the same status, a form saved as it
      was) writes no row.
    - `links=[field names]` records those many-to-many fields with each row (simple-history's
      `m2m_fields`); a change of links from either side (`unit.threats.add(t)` or
      `threat.jfos.add(unit)`) writes a row for each record whose links changed.
    - Links changed through the instance just saved (a form or PATCH that saves the fields then
      sets the links; `set()` removes then adds) update that row instead of adding more: one
      write, one row.
    """

    def __init__(self, *args, links: tuple[str, ...] = (), **kwargs):
        if links:
            kwargs.update(m2m_fields=list(links), bases=[LinkedHistoricalModel])
        super().__init__(*args, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not kwargs.get("raw", False) and not self._fields_changed(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)
        self._remember_row(instance)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or hasattr(instance, "skip_history_when_saving"):
            return
        if not reverse:
            if action in ("post_add", "post_remove", "post_clear") and self._links_changed(instance):
                self._record_links(instance)
            return
        # `instance` is the other side; the records whose links changed are the ones named.
        key = f"_history_cleared_{self.cls._meta.label_lower}_{attr}"
        if action == "pre_clear":
            setattr(instance, key, list(self.cls._default_manager.filter(**{attr: instance})))
            return
        if action == "post_clear":
            records = getattr(instance, key, [])
        elif action in ("post_add", "post_remove"):
            records = self.cls._default_manager.filter(pk__in=pk_set or ())
        else:
            return
        for record in records:
            if self._links_changed(record):
                self.create_historical_record(record, "~")

    def _remember_row(self, instance) -> None:
        """Remember the row just written, until the transaction ends (one write is one
        transaction: later link changes through the same object are another write)."""
        if self.get_m2m_fields_from_model(self.cls) and transaction.get_connection().in_atomic_block:
            latest = self._latest(instance)
            instance._history_row_id = latest.history_id if latest is not None else None
            transaction.on_commit(lambda: setattr(instance, "_history_row_id", None))

    def _record_links(self, instance) -> None:
        latest = self._latest(instance)
        if latest is not None and latest.history_id == getattr(instance, "_history_row_id", None):
            for field in self.get_m2m_fields_from_model(self.cls):
                getattr(latest, field.name).all().delete()
            self.create_historical_record_m2ms(latest, instance)
            return
        self.create_historical_record(instance, "~")
        self._remember_row(instance)

    def _latest(self, instance):
        return getattr(instance, self.manager_name).order_by("-history_date", "-history_id").first()

    def _fields_changed(self, instance) -> bool:
        latest = self._latest(instance)
        return latest is None or any(
            getattr(latest, field.attname) != getattr(instance, field.attname)
            for field in self.fields_included(instance)
            if field.name not in IGNORED_FIELDS
        )

    def _links_changed(self, instance) -> bool:
        latest = self._latest(instance)
        if latest is None or not latest.links_recorded:
            return True
        for field in self.get_m2m_fields_from_model(self.cls):
            target = get_m2m_reverse_field_name(field)
            recorded = set(getattr(latest, field.name).values_list(f"{target}_id", flat=True))
            if recorded != set(getattr(instance, field.name).values_list("pk", flat=True)):
                return True
        return False


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS]


def _display(field, value, labels) -> str | None:
    if value is None or value == "":
        return None
    if field.is_relation:
        return labels.get(field.related_model, {}).get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _recorded_links(records: list) -> dict:
    """{(field, history_id): frozenset of target ids} for the rows that recorded their links."""
    if not records:
        return {}
    model = type(records[0])
    links = {}
    for field in getattr(model, "_history_m2m_fields", ()):
        recorded = [record.history_id for record in records if record.links_recorded]
        for history_id in recorded:
            links[field.name, history_id] = set()
        target = f"{get_m2m_reverse_field_name(field)}_id"
        rows = getattr(model, field.name).model.objects.filter(history_id__in=recorded)
        for history_id, target_id in rows.values_list("history_id", target):
            links[field.name, history_id].add(target_id)
    return {key: frozenset(ids) for key, ids in links.items()}


def _link_changes(model, before, record, links: dict, labels: dict) -> list[dict]:
    """Each link field whose set differs from the row before: what it was, is, and the items
    added and removed (labels, sorted). A created record lists the links it starts with."""
    changes = []
    for field in getattr(type(record), "_history_m2m_fields", ()):
        new = links.get((field.name, record.history_id))
        if before is not None:
            old = links.get((field.name, before.history_id))
        else:  # a record starts with no links; a later row seen alone says nothing of what changed
            old = frozenset() if record.history_type == "+" else None
        if new is None or old is None or new == old:
            continue  # not recorded on one side: nothing can be said about the change

        def named(ids):
            return sorted(labels.get(field.related_model, {}).get(pk, str(pk)) for pk in ids)

        changes.append({
            "field": field.name,
            "label": str(model._meta.get_field(field.name).verbose_name),
            "old": (", ".join(named(old)) or None) if before is not None else None,
            "new": ", ".join(named(new)) or None,
            "added": named(new - old),
            "removed": named(old - new),
        })
    return changes


def _label(record) -> str:
    """The record as this row holds it (a deleted one: as it was when deleted); when a record it
    names is gone too, its number."""
    try:
        return str(record.instance)
    except models.ObjectDoesNotExist:
        return _("(deleted) %(id)s") % {"id": record.id}


def history_entries(history: QuerySet, *, limit: int = 200) -> list[dict]:
    """The changes recorded in `history` (historical rows of one model), newest first.

    Each entry: history_id, object_id, object (text: the record as the row holds it, a deleted
    one as it was), date, user, entry_point, type (created, changed, deleted) and changes, a list
    of {field, label, old, new} (text or None; a deletion lists the values the record had, new
    None); a link (many-to-many) change also has `added` and `removed`, lists of labels.

    A few queries for the rows, their links and the labels, whatever the number of rows.
    """
    model = history.model.instance_type
    fields = _tracked_fields(model)
    records = list(history.select_related("history_user").order_by("id", "history_date", "history_id"))
    links = _recorded_links(records)
    ids_by_model = defaultdict(set)
    for record in records:
        for field in fields:
            if field.is_relation and getattr(record, field.attname) is not None:
                ids_by_model[field.related_model].add(getattr(record, field.attname))
    for field in getattr(history.model, "_history_m2m_fields", ()):
        for (name, _history_id), ids in links.items():
            if name == field.name:
                ids_by_model[field.related_model].update(ids)
    labels = {
        related: {pk: str(obj) for pk, obj in related._default_manager.in_bulk(list(ids)).items()}
        for related, ids in ids_by_model.items()
    }
    previous: dict[int, object] = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        deleted = record.history_type == "-"
        changes = []
        for field in fields:
            new = getattr(record, field.attname)
            old = getattr(before, field.attname) if before is not None else None
            if deleted:  # the row holds the record as it was: each value it had, old → none
                if new not in (None, ""):
                    changes.append({"field": field.name, "label": str(field.verbose_name),
                                    "old": _display(field, new, labels), "new": None})
                continue
            if before is None and record.history_type == "+" and new in (None, ""):
                continue
            if before is None or old != new:
                changes.append({
                    "field": field.name,
                    "label": str(field.verbose_name),
                    "old": _display(field, old, labels) if before is not None else None,
                    "new": _display(field, new, labels),
                })
        if not deleted:
            changes += _link_changes(model, before, record, links, labels)
        previous[record.id] = record
        entries.append({
            "history_id": record.history_id,
            "object_id": record.id,
            "object": _label(record),
            "date": record.history_date,
            "user": record.history_user.get_username() if record.history_user else _("system"),
            "entry_point": record.history_change_reason or "",
            "type": CHANGE_TYPES.get(record.history_type, record.history_type),
            "changes": changes,
        })
    entries.sort(key=lambda entry: (entry["date"], entry["history_id"]), reverse=True)
    return entries[:limit]


def merged_history(*histories: QuerySet, limit: int = 200) -> list[dict]:
    """Entries of several historical querysets (a record and its parts), newest first."""
    entries = [entry for history in histories for entry in history_entries(history, limit=limit)]
    entries.sort(key=lambda entry: entry["date"], reverse=True)
    return entries[:limit]


def record_history(instance, *, limit: int = 200) -> list[dict]:
    """The history of `instance` and of its parts, newest first, as `history_entries` gives it.

    A model names its parts (parties, assignments...) in `history_parts()`, a list of historical
    querysets, so the pages and the API show the same history.
    """
    parts = instance.history_parts() if hasattr(instance, "history_parts") else []
    return merged_history(type(instance).history.filter(id=instance.pk), *parts, limit=limit)


def rows_as_of(model, moment: datetime.datetime) -> QuerySet:
    """`model`'s records as they stood at `moment` (aware datetime): a queryset of historical
    rows, each record's latest at or before `moment`, the records deleted by then left out.
    Filter it as the model (its fields, `id` the record's key); raises nothing."""
    return model.history.filter(history_date__lte=moment).latest_of_each().exclude(history_type="-")


def replayed_values(queryset: QuerySet, moment: datetime.datetime, models_replayed) -> list[dict]:
    """Run the values queryset `queryset` (built on the live tables: filters, joins,
    subqueries, aggregates) against the registry as it stood at `moment` (aware datetime):
    each table of `models_replayed` (models with history) is read as `rows_as_of` gives it, so
    a report computed in the database answers `as_of` through the same query it answers now.

    Returns the rows as `queryset` would (dicts by its values names, its converters applied:
    Decimals stay Decimals on SQLite). Raises ValueError for a queryset that is not a values
    queryset, or a model without history."""
    if queryset._fields is None and not queryset.query.values_select and not queryset.query.annotation_select:
        raise ValueError("replayed_values needs a values() queryset.")
    using = queryset.db
    connection = connections[using]
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    params = list(params)
    for model in models_replayed:
        if getattr(model, "history", None) is None:
            raise ValueError(f"{model.__name__} keeps no history.")
        table = connection.ops.quote_name(model._meta.db_table)
        columns = [field.attname for field in model._meta.concrete_fields]
        replay_sql, replay_params = rows_as_of(model, moment).order_by().values(*columns).query.sql_with_params()
        sql, params = _substitute_table(sql, params, table, f"({replay_sql})", list(replay_params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    fields = [select[0] for select in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(fields)
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    query = queryset.query
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    return [dict(zip(names, row)) for row in rows]


def _substitute_table(sql: str, params: list, table: str, derived: str, derived_params: list) -> tuple[str, list]:
    """`sql` with each reference to the table `table` (a quoted name, as FROM or JOIN reads
    it, not a column qualified by it) read from `derived` (a parenthesised SELECT with the
    same columns) instead, keeping its alias (the table's own name where it has none); the
    parameters of `derived` are put where its text goes, so the placeholders stay in order."""
    pattern = re.compile(re.escape(table) + r"(?!\.)( [A-Z]\d+\b)?")  # Django's aliases: T4, U0
    pieces: list[str] = []
    new_params: list = []
    position = 0
    for match in pattern.finditer(sql):
        before = sql[position:match.start()]
        taken = len(re.findall(r"(?<!%)%s", before))
        pieces.append(before)
        new_params.extend(params[:taken])
        params = params[taken:]
        pieces.append(f"{derived}{match.group(1) or ' ' + table}")
        new_params.extend(derived_params)
        position = match.end()
    pieces.append(sql[position:])
    new_params.extend(params)
    return "".join(pieces), new_params
def records_as_of(model, moment: datetime.datetime | None = None) -> QuerySet:
    """`model`'s records as they are (`moment` None: its default manager's queryset) or as they
    stood at `moment` (`rows_as_of`: historical rows). Either way, filter and read it through the
    model's fields and `id` (never `pk`, which is a historical row's own key); raises nothing."""
    return rows_as_of(model, moment) if moment is not None else model._default_manager.all()


def links_as_of(record, field: str, moment: datetime.datetime) -> frozenset:
    """Which records `record` was linked to through its many-to-many `field` (e.g. an
    arrangement's "jfos", its parties' "agencies", a unit's "threats" or "agencies") at `moment`
    (an aware datetime: transaction time, what the registry said then), from the history.

    Returns a frozenset of the linked records' primary keys: empty when `record` did not exist
    yet (or had been deleted) at `moment`. See `all_links_as_of` for the rules; raises as it."""
    return all_links_as_of(type(record), field, moment, ids=[record.pk]).get(record.pk, frozenset())


def all_links_as_of(model, field: str, moment: datetime.datetime, *, ids=None) -> dict[int, frozenset]:
    """{record id: frozenset of linked primary keys} of `model`'s records (those of `ids`, or all)
    through the many-to-many `field` at `moment` (aware datetime), in a few queries whatever
    the number of records. A record absent from the answer had no links then (or did not exist).

    - A link recorded with its record (`RegistryHistory(links=...)`, simple-history's
      `m2m_fields`): the links the record's latest historical row at `moment` holds. A row
      written before links were recorded holds none: the links first recorded after it stand
      for it (the earliest known; the changes before recording began are not known).
    - A link through a model of its own with history (`ArrangementParty`, `Participation`): the
      through rows that existed at `moment` (their history `as_of`).

    Raises FieldDoesNotExist for an unknown `field`, ValueError for a field that is neither."""
    m2m = model._meta.get_field(field)
    if not m2m.many_to_many or m2m.auto_created:
        raise ValueError(f"{model.__name__}.{field} is not a many-to-many field of {model.__name__}.")
    through = m2m.remote_field.through
    owner, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    recorded_links = getattr(model, "history", None) is not None and any(
        f.name == field for f in getattr(model.history.model, "_history_m2m_fields", ())
    )
    links: dict[int, set] = defaultdict(set)
    if recorded_links:
        rows = rows_as_of(model, moment)
        if ids is not None:
            rows = rows.filter(id__in=list(ids))
        latest = {pk: (history_id, recorded) for pk, history_id, recorded in rows.order_by(
            "history_date", "history_id").values_list("id", "history_id", "links_recorded")}
        history_ids = {pk: history_id for pk, (history_id, recorded) in latest.items() if recorded}
        unrecorded = [pk for pk, (_history_id, recorded) in latest.items() if not recorded]
        if unrecorded:  # the earliest row that recorded links stands for the rows before it
            first = model.history.filter(id__in=unrecorded, links_recorded=True).order_by("id", "history_date", "history_id")
            for pk, history_id in first.values_list("id", "history_id"):
                history_ids.setdefault(pk, history_id)
        owner_of = {history_id: pk for pk, history_id in history_ids.items()}
        recorded = getattr(model.history.model, field).model.objects.filter(history_id__in=list(owner_of))
        for history_id, target_id in recorded.values_list("history_id", target):
            links[owner_of[history_id]].add(target_id)
    elif getattr(through, "history", None) is not None:
        rows = rows_as_of(through, moment)
        if ids is not None:
            rows = rows.filter(**{f"{owner}__in": list(ids)})
        for owner_id, target_id in rows.values_list(owner, target):
            links[owner_id].add(target_id)
    else:
        raise ValueError(f"{model.__name__}.{field} keeps no history.")
    return {pk: frozenset(targets) for pk, targets in links.items() if targets}


def all_links(model, field: str, moment: datetime.datetime | None = None, *, ids=None) -> dict[int, frozenset]:
    """`all_links_as_of(model, field, moment, ids=ids)`, or with `moment` None the links as they
    stand (the many-to-many table itself): {record id: frozenset of linked primary keys}, records
    without links absent. One query now; raises as `all_links_as_of`."""
    if moment is not None:
        return all_links_as_of(model, field, moment, ids=ids)
    m2m = model._meta.get_field(field)
    if not m2m.many_to_many or m2m.auto_created:
        raise ValueError(f"{model.__name__}.{field} is not a many-to-many field of {model.__name__}.")
    owner, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    rows = m2m.remote_field.through._default_manager.all()
    if ids is not None:
        rows = rows.filter(**{f"{owner}__in": list(ids)})
    links: dict[int, set] = defaultdict(set)
    for owner_id, target_id in rows.values_list(owner, target):
        links[owner_id].add(target_id)
    return {pk: frozenset(targets) for pk, targets in links.items()}


def record_unrecorded_creations(apps, schema_editor, *, app_label: str, model_name: str) -> None:
    """For a migration: each record of `model_name` with no historical row at all (made before
    its history was kept, e.g. by a data migration) gets its creation row ("+"), dated when it
    was created (`created`), entry point "command", holding its values as they stand, so `rows_as_of` finds it
    from then on (what it was before a change made without history is not known)."""
    model = apps.get_model(app_label, model_name)
    historical = apps.get_model(app_label, f"Historical{model_name}")
    recorded = set(historical.objects.values_list("id", flat=True).distinct())
    fields = [f.attname for f in model._meta.concrete_fields]
    historical.objects.bulk_create(
        (
            historical(
                **{name: getattr(record, name) for name in fields},
                history_date=record.created, history_type="+", history_change_reason="command",
            )
            for record in model.objects.exclude(pk__in=recorded).order_by("pk")
        ),
        batch_size=1000,
    )


def record_current_links(
    apps, schema_editor, *, app_label: str, model_name: str, link: str, ids: list[int] | None = None,
) -> None:
    """For a migration that starts recording `link` (a many-to-many field), or after links were
    written in bulk (`ids`: those records only): each record's latest historical row gets the
    links as they stand, so the next change diffs against them.
    Older rows keep `links_recorded` false: what their links were is not known. (A record whose
    only row is its creation shows these links as the ones it was created with.)"""
    model = apps.get_model(app_label, model_name)
    historical = apps.get_model(app_label, f"Historical{model_name}")
    recorded = apps.get_model(app_label, f"Historical{model_name}_{link}")
    field = model._meta.get_field(link)
    owner, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows_of = historical.objects.filter(id__in=ids) if ids is not None else historical.objects
    latest = dict(
        rows_of.filter(
            history_id=models.Subquery(
                historical.objects.filter(id=models.OuterRef("id"))
                .order_by("-history_date", "-history_id").values("history_id")[:1]
            )
        ).values_list("id", "history_id")
    )
    rows = field.remote_field.through.objects.filter(**{f"{owner}_id__in": list(latest)})
    recorded.objects.bulk_create(
        (
            recorded(id=row_id, history_id=latest[owner_id], **{f"{owner}_id": owner_id, f"{target}_id": target_id})
            for row_id, owner_id, target_id in rows.values_list("id", f"{owner}_id", f"{target}_id")
        ),
        batch_size=1000,
    )
    historical.objects.filter(history_id__in=list(latest.values())).update(links_recorded=True)
