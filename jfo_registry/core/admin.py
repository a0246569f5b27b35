"""Shared admin behaviour: permissions come from `jfo_registry.core.permissions`, like everywhere else."""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, spreadsheets
from .audit import deletion_refusal
from .concurrency import VersionedFormMixin
from .integrity import as_validation_error, form_showing


class ReadOnlyAdminMixin:
    """An admin that lists and shows records written only by the services (their own rules
    and history), never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RendersVersionMixin:
    """For a model admin or inline whose form is versioned (`VersionedFormMixin`): the hidden
    `version` field is in the fieldsets of whoever may change the record, even when the admin
    lists its fields, so the page sends back the version it showed (an untouched record saves, a
    stale one is refused). View-only pages leave it out (nothing to save, no "version" row)."""

    def get_fieldsets(self, request, obj=None):
        name = VersionedFormMixin.version_field_name
        fieldsets = [
            (title, {**options, "fields": [field for field in options["fields"] if field != name]})
            for title, options in super().get_fieldsets(request, obj)
        ]
        if issubclass(self.form, VersionedFormMixin) and self.has_change_permission(request, obj) and fieldsets:
            title, options = fieldsets[-1]
            fieldsets[-1] = (title, {**options, "fields": [*options["fields"], name]})
        return fieldsets


class RegistryModelAdmin(RendersVersionMixin, SimpleHistoryAdmin):
    """Object-level checks through the one permissions module (the admin is for administrators).

    Every change page links to the record's history (read-only: reverting is disabled).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save refused by the database after its form was validated (a concurrent save took
        the unique value first) is shown again with the rule's message; nothing was saved."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            request.registry_refusal = as_validation_error(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    #: Relation fields whose choices a user who is not an administrator sees limited to their
    #: regions (and the records already chosen): the related model's `managed_by(user)`.
    region_limited_choices: frozenset[str] = frozenset()
    #: Of those, the ones a manager may choose only when every region of the choice is theirs.
    whole_region_choices: frozenset[str] = frozenset()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not permissions.is_administrator(request.user):
            for name in self.region_limited_choices:
                field = form.base_fields.get(name)
                if field is not None:
                    field.queryset = self._regional_choices(
                        request.user, field.queryset, obj, name, whole=name in self.whole_region_choices
                    )
        refusal = getattr(request, "registry_refusal", None)
        return form if refusal is None else form_showing(form, refusal)

    @staticmethod
    def _regional_choices(user, queryset, obj, name: str, *, whole: bool = False):
        chosen = []
        if obj is not None and obj.pk:
            relation = obj._meta.get_field(name)
            chosen = list(getattr(obj, name).values_list("pk", flat=True)) if relation.many_to_many else [
                getattr(obj, relation.attname)
            ]
        editable = (queryset.wholly_managed_by(user) if whole else queryset.managed_by(user)).values("pk")
        return queryset.filter(Q(pk__in=editable) | Q(pk__in=[pk for pk in chosen if pk is not None]))

    def get_search_results(self, request, queryset, search_term):
        """The admin's search; for a relation's autocomplete (the choices of another record's
        form) a user who is not an administrator is offered only rows of their regions, as the
        form's own choices are (`region_limited_choices`), when the model has region rules."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        autocomplete = getattr(request.resolver_match, "url_name", None) == "autocomplete"
        if autocomplete and hasattr(queryset, "managed_by") and not permissions.is_administrator(request.user):
            queryset = queryset.managed_by(request.user)
        return queryset, may_have_duplicates

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version is shown, never saved back: simple-history hides its "Revert" button
        when reverting is disabled but still saves a POSTed form, so a POST is refused (403)."""
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def save_model(self, request, obj, form, change):
        # The stored record was checked by has_change_permission; the one the form leaves
        # must be the user's to edit too (no move into another region).
        permissions.require_edit(request.user, obj)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        """No delete button, action or view for a kept record (`deletion_refusal`), nor any at
        all for a model whose records are never deleted (assignments)."""
        if getattr(self.model, "never_deleted", False):
            return False
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or (permissions.can_delete(request.user, obj) and not deletion_refusal(obj)))

    def get_deleted_objects(self, objs, request):
        """"Delete selected" lists each kept record with the reason, and deletes nothing. When
        anything is protected or kept, that list is the answer (not "no permission" for the
        kept records' model: nobody has it)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = [*protected, *(f"{obj}: {reason}" for obj in objs if (reason := deletion_refusal(obj)))]
        return deleted, counts, set() if protected else perms_needed, protected


class RegistryImportExportMixin(ImportExportModelAdmin):
    """Bulk import (CSV, XLSX; preview first, nothing written unless every row is valid) and
    export, through `operations.importers`: the same rules as single edits, history recorded.
    Files are written and read by `spreadsheets` (no cell is ever exported as a formula)."""

    formats = spreadsheets.FILE_FORMATS

    def export_action(self, request):
        """The export reads the change list's filters from the address: one it does not know
        (`?format=csv`, a mistyped field) sends back to the export form, all records, with a
        message, where the change list would have answered 500."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(request, _("The address holds filters this list does not have; choose the records to export again."))
            return HttpResponseRedirect(request.path)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was written.
            messages.error(request, _("Nothing was imported: the records changed since the preview. Import the file again."))
            return HttpResponseRedirect(
                reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
            )
        return super().process_result(result, request)
