"""The application's URLs plus the bare views the benchmarks compare against."""

from django.http import JsonResponse
from django.urls import path

from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.urls import urlpatterns as application_urls
from operations.models import Assignment
from operations.selectors import active_during

FIELDS = ("id", "officer_id", "officer__employee_number", "officer__name", "jfo_id", "jfo__acronym",
          "jfo__region__code", "fte", "start_date", "end_date", "role", "notes", "created", "last_updated")


def bare_assignments(request):
    """The same page of rows as the API's assignment list (region + fiscal year, 100 rows, same
    order), straight from `.values()`: no authentication, permissions, count or serializer."""
    year = FiscalYear.parse(request.GET["fiscal_year"])
    rows = active_during(Assignment.objects.filter(jfo__region__code=request.GET["region"]), year.start, year.end)
    rows = rows.order_by("officer__employee_number", "start_date", "pk").values(*FIELDS)[:100]
    return JsonResponse({"results": list(rows)})


urlpatterns = [path("bench/bare-assignments/", bare_assignments), *application_urls]

handler400 = "jfo_registry.core.errors.bad_request"
handler403 = "jfo_registry.core.errors.permission_denied"
handler404 = "jfo_registry.core.errors.page_not_found"
handler500 = "jfo_registry.core.errors.server_error"
