"""The API's side of the stale-write refusal: a retrieve sends the record's ETag, and PUT/PATCH
must send it back in If-Match (428 without it; `*` explicitly overwrites; 412 when stale). What a
version is and whether a write is stale is decided by `jfo_registry.core.concurrency`, for the pages
and the admin alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from jfo_registry.core.concurrency import etag_of, is_stale


class PreconditionRequired(exceptions.APIException):
    """428 Precondition Required: a PUT/PATCH sent without If-Match."""

    status_code = 428
    default_detail = _(
        "Send If-Match with the ETag of the version you are changing (from a GET), or If-Match: * to "
        "overwrite whatever the current version is."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    """412 Precondition Failed: If-Match names none of the record's current version."""

    status_code = 412
    default_detail = _("Someone else changed this record since you read it: read it again, then retry.")
    default_code = "precondition_failed"


def tags_seen(request) -> set[str] | None:
    """The versions the client says it read, from its If-Match header.

    Args: a DRF request. Returns: the ETags listed (comma-separated; a weak `W/"…"` counts as
    its strong tag), or None for `*` (any version). Raises PreconditionRequired (428) without
    the header.
    """
    condition = request.headers.get("If-Match")
    if not condition:
        raise PreconditionRequired()
    tags = {tag.strip() for tag in condition.split(",")}
    if "*" in tags:
        return None
    return {tag.removeprefix("W/") for tag in tags}


def refuse_stale_write(request, instance) -> None:
    """Before a PUT/PATCH of `instance`, inside the write's transaction (the row stays locked).

    Returns None. Raises PreconditionRequired (428) without If-Match, PreconditionFailed (412)
    when the record changed since the version it names (`concurrency.is_stale`).
    """
    if is_stale(instance, tags_seen(request)):
        raise PreconditionFailed()


def with_etag(response, instance):
    """`response` with the ETag of `instance` as it is stored now (re-read). Returns the response."""
    response["ETag"] = etag_of(type(instance).objects.get(pk=instance.pk))
    return response
