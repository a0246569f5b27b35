"""Error answers: JSON under /api/ (whatever Django itself refuses before DRF sees the
request: unknown URLs, oversized bodies), the site's pages elsewhere."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request: the request is malformed or too large.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": str(exception) or _("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error: the failure is logged; nothing was changed.")}, status=500)
    return defaults.server_error(request)


class RejectNullCharactersMiddleware:
    """A NUL character in the URL or query string is refused with a 400 before any view runs:
    PostgreSQL cannot store or compare it, and the error would abort the request's transaction."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            message = _("Null characters are not allowed.")
            if _is_api(request):
                return JsonResponse({"detail": message}, status=400)
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
