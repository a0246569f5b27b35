from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agreements.api import reports as agreement_reports
from operations.api import reports

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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
