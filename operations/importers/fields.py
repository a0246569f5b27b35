"""Resource fields whose comparison or saving differs from django-import-export's stock Field."""

from __future__ import annotations

from import_export.fields import Field

from .widgets import same_text


def column(name: str, widget, kind: type[Field] = Field, **kwargs) -> Field:
    """A `kind` field for the column `name`, which holds the model attribute of the same name,
    read and written by `widget`; `kwargs` go to the field class (`role` of a ParticipationField)."""
    return kind(attribute=name, column_name=name, widget=widget, **kwargs)


class TextField(Field):
    """Text that keeps the stored value when the file's differs only by line endings or
    surrounding white space (spreadsheets turn CRLF into LF), so a round trip changes nothing."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        """Set the cleaned cell on `instance` unless it equals the stored text (see the class).
        Raises ValueError from the widget for a bad cell."""
        if self.readonly:
            return
        cleaned = self.clean(row, **kwargs)
        current = getattr(instance, self.attribute, None)
        if isinstance(current, str) and same_text(current, cleaned):
            return
        setattr(instance, self.attribute, cleaned)


class SetField(Field):
    """A column holding a set of related records (comparison ignores order and duplicates)."""

    def wanted(self, row) -> list[str]:
        """The sorted keys the row's cell names. Raises ValueError for unknown keys."""
        return self.widget.keys(self.clean(row))

    def current(self, instance) -> list[str]:
        """The sorted keys of the records `instance` holds now ([] for an unsaved instance)."""
        if instance is None or instance.pk is None:
            return []
        return self.widget.keys(self.related(instance))

    def related(self, instance):
        """The related records of a saved `instance` (an iterable of model instances)."""
        return getattr(instance, self.attribute).all()


class ParticipationField(SetField):
    """The lead (or partner) agencies of a JFO unit, by acronym: the unit's Participation rows.
    Written by `JointForceOperationResource.save_m2m`, never by attribute assignment."""

    def __init__(self, role: str, **kwargs):
        super().__init__(**kwargs)
        self.role = role

    def related(self, instance):
        """The agencies of the unit's participations in this field's role (a list of Agency)."""
        return [p.agency for p in instance.participations.all() if p.role == self.role]

    def get_value(self, instance):
        """The sorted agency acronyms of the role, None for an unsaved unit (exported as '')."""
        if instance is None or instance.pk is None:
            return None
        return self.current(instance)

    def save(self, instance, row, is_m2m=False, **kwargs):
        """Nothing: participations are rows of their own, written after the unit is saved."""
