"""OpenAPI: every operation documents the errors it can answer, not only its success."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorDetail(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")


class FieldErrors(serializers.Serializer):
    """400: a list of messages per field; errors of no single field under `non_field_errors`."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        ref_name = "FieldErrors"


class RegistryAutoSchema(AutoSchema):
    """Declares If-Match (and its 412/428) on PUT/PATCH of a record and on the POST actions a
    viewset lists in `if_match_actions` (e.g. an assignment's `change`)."""

    def _needs_if_match(self) -> bool:
        if "{id}" not in self.path:
            return False
        if self.method in ("PUT", "PATCH"):
            return True
        return self.method == "POST" and getattr(self.view, "action", None) in getattr(self.view, "if_match_actions", ())

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._needs_if_match():
            parameters = [*parameters, OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER, required=True,
                description="The ETag of the version being changed (from a GET), or * to overwrite it.",
            )]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "401": (ErrorDetail, "Not signed in: no session and no valid `Authorization: Token <key>`."),
            "403": (ErrorDetail, "Signed in, but the role (or, for a manager, the region) does not allow it."),
        }
        if self.method in ("POST", "PUT", "PATCH"):
            errors["400"] = (FieldErrors, "Invalid data: messages per field. Nothing was changed.")
        if self._needs_if_match():
            errors["412"] = (ErrorDetail, "If-Match does not match the current ETag: someone changed it since.")
            errors["428"] = (ErrorDetail, "If-Match missing: send the ETag you read, or * to overwrite.")
        if self.method == "DELETE":
            errors["409"] = (ErrorDetail, "Kept for the record (e.g. an arrangement that was in force; "
                             "`detail` says what to do instead), or still used by other records (`detail` "
                             "names them): nothing was deleted.")
        if self.method == "GET" and self._is_list_view():
            errors["400"] = (FieldErrors, "Invalid filter value.")
            errors["404"] = (ErrorDetail, "No such page.")
        if "{id}" in self.path:
            errors["404"] = (ErrorDetail, "No such record.")
        for code, (serializer, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(serializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


def optional_query_parameters_may_be_empty(result, generator, request, public):
    """An empty optional filter (`?region=`) means "no filter": say so in the schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
