"""Errors as API answers: Django's validation errors as DRF's 400 body, a database refusal as a
400 rather than a 500 (the project's EXCEPTION_HANDLER), and the 409 refusals of a deletion."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, views
from rest_framework.settings import api_settings

from jfo_registry.core.integrity import as_validation_error


def as_drf_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """Django's validation error as DRF's (answered 400).

    Args: `error`, a Django ValidationError with or without per-field messages.
    Returns: a DRF ValidationError whose detail is `{field: [message, ...]}`; errors of no
    field (`__all__`, or an error without fields) stand under `non_field_errors`.
    Raises nothing.
    """
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]), and a database refusal (a
    write that passed validation, then lost a race to a concurrent one) answers 400 with the
    message its validator gives, never a 500.

    Args: `exc`, the exception a view raised; `context`, DRF's context (view, request...).
    Returns: DRF's Response (status of the exception: 400 for an IntegrityError) or None for
    an exception DRF does not handle (Django then answers 500).
    """
    if isinstance(exc, IntegrityError):
        exc = as_drf_error(as_validation_error(exc))
    return views.exception_handler(exc, context)


class RecordKeptConflict(exceptions.APIException):
    """409 Conflict, `{"detail": why}`: a record kept for the record cannot be deleted."""

    status_code = 409
    default_detail = _("This record is kept for the record and cannot be deleted.")
    default_code = "record_kept"


class RecordInUseConflict(RecordKeptConflict):
    """409 Conflict, `{"detail": why}`: a record other records still use cannot be deleted."""

    default_detail = _("This record is still used by other records and cannot be deleted.")
    default_code = "record_in_use"


def in_use_message(held_by: list[str]) -> str | None:
    """The refusal naming up to ten of the records that hold it.

    Args: `held_by`, the records' names (text), in the order to show them.
    Returns: the message (text), or None without any record (the exception's default then).
    """
    if not held_by:
        return None
    return _("This record is still used by other records and cannot be deleted: %(records)s.") % {
        "records": ", ".join(held_by[:10]) + (" …" if len(held_by) > 10 else "")
    }
