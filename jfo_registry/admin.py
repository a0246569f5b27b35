"""Shared admin behaviour: permissions come from `jfo_registry.permissions`, like everywhere else."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, spreadsheets


class RegistryModelAdmin(SimpleHistoryAdmin):
    """Object-level checks through the one permissions module (the admin is for administrators).

    Every change page links to the record's history (read-only: reverting is disabled).
    """

    def has_view_permission(self, request, obj=None):
        return permissions.can_view(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_delete(request.user, obj))


class RegistryImportExportMixin(ImportExportModelAdmin):
    """Bulk import (CSV, XLSX; preview first, nothing written unless every row is valid) and
    export, through `operations.importers`: the same rules as single edits, history recorded.
    Files are written and read by `spreadsheets` (no cell is ever exported as a formula)."""

    formats = spreadsheets.FILE_FORMATS

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was written.
            messages.error(request, _("Nothing was imported: the records changed since the preview. Import the file again."))
            return HttpResponseRedirect(
                reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
            )
        return super().process_result(result, request)
