"""The base viewset of every resource: reads for every role, writes checked per object before
anything is saved, no lost updates (ETag/If-Match), a record's history, and deletions refused
with 409 when the record is kept or still used."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jfo_registry.core.audit import RecordKept, deletion_refusal
from jfo_registry.core.concurrency import etag_of
from jfo_registry.core.history import record_history

from .access import RegistryPermission, RejectNullCharactersMixin
from .errors import RecordInUseConflict, RecordKeptConflict, as_drf_error, in_use_message
from .listing import formatter, values_plan
from .preconditions import refuse_stale_write, with_etag
from .serializers import HistoryEntrySerializer
from .throttling import ThrottleFirstMixin


class RegistryViewSet(ThrottleFirstMixin, RejectNullCharactersMixin, viewsets.ModelViewSet):
    """A resource: reads for every role; writes checked per object before anything is saved.

    Lost updates are impossible: a retrieve sends an ETag, and PUT/PATCH must send it back in
    If-Match (428 without it; `*` explicitly overwrites), checked under the row's lock (412 when
    stale). Statuses: 403 for a role or region that may not, 404 for no such record, 400 for a
    refused value, 409 for a refused deletion.
    """

    permission_classes = [RegistryPermission]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    _values_plans: dict = {}

    def list(self, request, *args, **kwargs):
        """Flat resources are listed from `.values()` (no model instances), each value still
        formatted by its serializer field, so a row reads exactly as the record's retrieve.

        Returns: 200, a page `{count, next, previous, results: [row, ...]}` (or the bare list
        without pagination). Raises ValidationError (400) for a refused filter.
        """
        plan = self._values_plans.get(self.get_serializer_class(), ...)
        if plan is ...:  # built once per serializer class: fields are costly to build per request
            plan = self._values_plans[self.get_serializer_class()] = values_plan(self.get_serializer())
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values(*(path for _name, path, _field in plan)))
        formatters = [(name, path, formatter(field)) for name, path, field in plan]
        rows = [
            {name: row[path] if row[path] is None or format_value is None else format_value(row[path])
             for name, path, format_value in formatters}
            for row in (page if page is not None else queryset.values(*(p for _n, p, _f in plan)))
        ]
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    def retrieve(self, request, *args, **kwargs):
        """200, the record, with its version in the `ETag` header (`concurrency.etag_of`)."""
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(self.get_object())
        return response

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        """PUT/PATCH: 200 and the new `ETag`. Raises, in this order: NotFound (404),
        PermissionDenied (403), PreconditionRequired (428, no If-Match), PreconditionFailed (412,
        stale), ValidationError (400)."""
        instance = self.get_object()  # 404 and 403 come before the precondition
        refuse_stale_write(request, instance)
        return with_etag(super().update(request, *args, **kwargs), instance)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)}, request=None)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change of this record and of its parts (an arrangement's parties, a unit's
        assignments...), newest first: who, when, through which entry point, old and new values,
        links added and removed. History is read-only.

        Returns: 200, a page of `HistoryEntrySerializer` entries. Raises NotFound (404).
        """
        instance = self.get_object()
        entries = record_history(instance, limit=10_000)
        page = self.paginate_queryset(entries)
        serializer = HistoryEntrySerializer(page if page is not None else entries, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    @transaction.atomic
    def perform_create(self, serializer):
        """Save the new record in one transaction (`save`)."""
        self.save(serializer)

    @transaction.atomic
    def perform_update(self, serializer):
        """Save the changed record in the update's transaction (`save`)."""
        self.save(serializer)

    def save(self, serializer) -> None:
        """`serializer.save()`; a Django ValidationError raised by a service while saving is
        raised as DRF's ValidationError (400). Returns None."""
        try:
            serializer.save()
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def perform_destroy(self, instance):
        """Delete, or refuse with 409 Conflict and nothing deleted, body `{"detail": why}`: a kept
        record (RecordKeptConflict; `detail` says what to do instead), or a record other records
        still use (RecordInUseConflict; `detail` names up to ten of them), the latter also when a
        concurrent write began using it. Returns None."""
        reason = deletion_refusal(instance)
        if reason:
            raise RecordKeptConflict(reason)
        try:
            with transaction.atomic():  # a kept record among the cascade rolls back only this
                instance.delete()
        except RecordKept as error:
            raise RecordKeptConflict(error.reason) from error
        except (ProtectedError, RestrictedError) as error:
            held_by = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
            raise RecordInUseConflict(in_use_message(sorted({str(obj) for obj in held_by}))) from error
        except IntegrityError as error:  # a row referencing it was committed after the check
            raise RecordInUseConflict() from error
