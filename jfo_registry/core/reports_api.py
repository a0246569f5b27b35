"""Report endpoints under /api/v1/reports/: thin views over the selectors, as JSON or CSV, and
the parameters the reports share (`ReportQuery` and the parameter fields), which the report
pages validate with too (`reports.ReportQueryForm`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import spreadsheets
from . import shapes
from .api.fields import AsOfField, FiscalYearField
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
        """Args: the response data (the report as a dict, or an error body) and DRF's renderer
        context. Returns: the CSV bytes (UTF-8); an error (status >= 400) or a view without
        `csv_rows` gives the two rows `error` and the flattened message."""
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


class ReportQuery(serializers.Serializer):
    """Base of every report's parameters, for the API and the page alike: each report (and the
    dashboard) declares its own, `as_of` included (`as_of_parameter`); a bad value is a 400 under
    its name. Unknown parameters are ignored, as DRF does."""


def fiscal_year_parameter(help_text=_("2010-2011 or 2010; default: the current year.")) -> FiscalYearField:
    """The `fiscal_year` parameter: "2010-2011", "2010-11" or "2010", validated as the start year (an int)."""
    return FiscalYearField(required=False, help_text=help_text)


def as_of_parameter() -> AsOfField:
    """The `as_of` parameter: a date (the end of that day) or a date and time, as an aware datetime."""
    return AsOfField(
        required=False, help_text=_("Show the registry as it stood at this date or time (from the audit history).")
    )


def on_parameter(help_text=_("The date of the report; default: today.")) -> serializers.DateField:
    """The `on` parameter: a day (ISO date), the day the report describes."""
    return serializers.DateField(required=False, help_text=help_text)


def region_parameter(help_text=_("Region code(s), comma-separated.")) -> serializers.CharField:
    """The `region` parameter: region code(s), comma-separated (text, read by the selectors)."""
    return serializers.CharField(required=False, help_text=help_text)


class YearQuery(ReportQuery):
    """A fiscal year and a moment (the dashboard's parameters)."""

    fiscal_year = fiscal_year_parameter()
    as_of = as_of_parameter()


class ReportView(ThrottleFirstMixin, RejectNullCharactersMixin, APIView):
    """Base of the report endpoints: query parameters validated by `query_serializer` (a
    ReportQuery), the report computed by `report(params)`, which the report page calls too."""

    permission_classes = [RegistryPermission]
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    query_serializer: type[serializers.Serializer]
    report_name: str

    @classmethod
    def report(cls, params: dict):
        """The report (a Shape, or a dict) for validated `params`; raises ReportError when the
        registry's data cannot produce it. Each report view defines it."""
        raise NotImplementedError

    def respond(self, request) -> Response:
        """The GET answer: 200 with the report (as plain data); 400 for a refused parameter or a
        ReportError (`detail` and its details)."""
        params = self.params(request)
        return Response(shapes.plain(self.run(lambda: self.report(params))))

    def params(self, request) -> dict:
        """The validated query parameters (a dict); raises ValidationError (400) for a refused one."""
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
        """The response, with `Content-Disposition: attachment` (`csv_filename`) on a CSV report."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format == "csv":
            if response.status_code < 400:
                response["Content-Disposition"] = f'attachment; filename="{self.csv_filename(response.data)}"'
        return response

    def csv_filename(self, data) -> str:
        """The CSV download's file name for `data` (the report as sent): `<report_name>.csv`."""
        return f"{self.report_name}.csv"

    def run(self, call):
        """`call()`'s result; a ReportError becomes a ValidationError (400, `detail` and details)."""
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
