"""Report endpoints under /api/v1/reports/: thin views over the selectors, as JSON or CSV."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from . import spreadsheets
from . import shapes
from .api.access import RegistryPermission, RejectNullCharactersMixin
from .api.throttling import ThrottleFirstMixin
from .reports import ReportError


class CSVRenderer(renderers.BaseRenderer):
    """Renders what the view's `csv_rows(data)` gives: a header row, then one row per line
    (through `spreadsheets.csv_text`: no cell is read as a formula)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400 or not hasattr(view, "csv_rows"):
            rows = [["error"], [_flatten_error(data)]]
        else:
            rows = view.csv_rows(data)
        return spreadsheets.csv_text(rows).encode(self.charset)


def _flatten_error(data) -> str:
    if isinstance(data, dict):
        return "; ".join(f"{key}: {_flatten_error(value)}" for key, value in data.items())
    if isinstance(data, list):
        return "; ".join(_flatten_error(item) for item in data)
    return str(data)


class ReportView(ThrottleFirstMixin, RejectNullCharactersMixin, APIView):
    """Base of the report endpoints: query parameters validated by `query_serializer`."""

    permission_classes = [RegistryPermission]
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    query_serializer: type[serializers.Serializer]
    report_name: str

    def params(self, request) -> dict:
        serializer = self.query_serializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def perform_content_negotiation(self, request, force=False):
        """Only the report has a CSV form: OPTIONS (the endpoint's description) answers in JSON
        even when `format=csv` or `Accept: text/csv` asks for the report as CSV."""
        renderer, media_type = super().perform_content_negotiation(request, force)
        if request.method == "OPTIONS" and renderer.format == CSVRenderer.format:
            return renderers.JSONRenderer(), renderers.JSONRenderer.media_type
        return renderer, media_type

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "csv":
            if response.status_code < 400:
                response["Content-Disposition"] = f'attachment; filename="{self.csv_filename(response.data)}"'
        return response

    def csv_filename(self, data) -> str:
        return f"{self.report_name}.csv"

    def run(self, call):
        try:
            return call()
        except ReportError as error:
            raise ValidationError({"detail": error.message, **error.details}) from error


#: A report's period (first and last day, inclusive), derived from its shape.
Period = shapes.serializer_for(shapes.Period)


FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv` downloads the report as CSV."
)
ERRORS = {
    400: OpenApiResponse(description="Invalid parameter, or the data cannot be costed (e.g. no salary rate)."),
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="No role in the registry."),
    404: OpenApiResponse(description="Unknown `format` (json or csv)."),
}
