from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions

from agreements.api import reports as agreement_reports
from operations.api import reports

from .core.api.throttling import ThrottleFirstMixin


class SchemaView(ThrottleFirstMixin, SpectacularAPIView):
    """The OpenAPI schema (access: `core.api.access.SchemaAccess`)."""


class SwaggerUIView(ThrottleFirstMixin, SpectacularSwaggerSplitView):
    """Swagger UI (access: `core.api.access.SchemaAccess`). Someone not signed in is sent to the
    sign-in page, and back here after it."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


urlpatterns = [
    path("", include("operations.api.urls")),
    path("", include("agreements.api.urls")),
    path("reports/resources/", reports.ResourcesReportView.as_view(), name="report-resources"),
    path("reports/tenure/", reports.TenureReportView.as_view(), name="report-tenure"),
    path("reports/allocation/", reports.AllocationReportView.as_view(), name="report-allocation"),
    path("reports/coverage/", agreement_reports.CoverageReportView.as_view(), name="report-coverage"),
    path("reports/conditions/", agreement_reports.ConditionsReportView.as_view(), name="report-conditions"),
    path("reports/expiring/", agreement_reports.ExpiringReportView.as_view(), name="report-expiring"),
    path("reports/gaps/", agreement_reports.GapsReportView.as_view(), name="report-gaps"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
]
