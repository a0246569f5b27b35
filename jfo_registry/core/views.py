"""What every page shares: sign-in and a role required, sortable and paginated lists."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, JsonResponse

from . import permissions


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed in (else to the sign-in page) and holding a registry role (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SortedListMixin:
    """`?ordering=field` or `-field`, limited to `ordering_fields` (label per field); the
    filterset (`self.filterset`) shows the fields named in `filter_fields`."""

    ordering_fields: dict[str, str] = {}
    default_ordering: str = ""
    filterset_class = None
    filter_fields: tuple[str, ...] = ()
    paginate_by = 25

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        """The base rows, filtered when the filter form is valid (else unfiltered), then ordered."""
        self.filterset = self.filterset_class(self.request.GET or None, queryset=self.base_queryset(), request=self.request)
        queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else self.filterset.queryset
        return queryset.order_by(*self.get_ordering())

    def get_ordering(self):
        requested = self.request.GET.get("ordering", "")
        if requested.lstrip("-") in self.ordering_fields:
            return [requested, "pk"]
        return [self.default_ordering, "pk"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ordering"] = self.get_ordering()[0]
        context["ordering_fields"] = self.ordering_fields
        context["filter"] = self.filterset
        context["filter_fields"] = [self.filterset.form[name] for name in self.filter_fields]
        return context


def healthz(request):
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return JsonResponse({"status": "ok"})
