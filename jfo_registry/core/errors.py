"""Error answers: JSON under /api/ (whatever Django itself refuses before DRF sees the
request: unknown URLs, oversized bodies), the site's pages elsewhere."""

from django.db import IntegrityError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from .integrity import as_validation_error


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


def null_character_parameters(request) -> list[str]:
    """Query parameters holding a NUL character, which PostgreSQL can neither store nor compare
    (the error would abort the request's transaction)."""
    return sorted(
        key.replace("\x00", "\\0") for key, values in request.GET.lists()
        if "\x00" in key or any("\x00" in value for value in values)
    )


class RejectNullCharactersMiddleware:
    """Pages and the admin: a NUL character in the URL or query string is a 400 before any view
    runs. The API checks the same after authentication (so anonymous callers still get 401)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_api(request) and ("\x00" in request.path or null_character_parameters(request)):
            return HttpResponseBadRequest(
                _("Null characters are not allowed."), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class IntegrityErrorMiddleware:
    """Pages and the admin: a database refusal that no form turned into a field error (a write
    that lost a race to a concurrent one) answers 409 with the rule's message instead of a 500.
    Nothing was saved: the view's transaction was rolled back. (The API answers 400 itself.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _is_api(request) or not isinstance(exception, IntegrityError):
            return None
        refusal = as_validation_error(exception)
        return render(request, "409.html", {"refusal": refusal.messages}, status=409)
