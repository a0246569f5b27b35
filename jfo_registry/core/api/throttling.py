"""API throttles (settings: DEFAULT_THROTTLE_CLASSES) that identify anonymous callers by
`client_address` (the same address the sign-in lockout uses), never by a client-supplied
X-Forwarded-For. Their counts live in the
default cache: Redis (`REDIS_URL`) shares them between workers and hosts."""

from rest_framework import throttling

from jfo_registry.core.client_address import client_address


class ClientAddressMixin:
    """A throttle's caller identified by `client_address` (the sign-in lockout's address)."""

    def get_ident(self, request) -> str:
        """The client's address (text)."""
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """Anonymous requests: `API_THROTTLE_ANON` per client address."""


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """Signed-in users: `API_THROTTLE_USER` per user (per client address for anonymous callers)."""


class ThrottleFirstMixin:
    """For every API view: throttles count every request, before authentication and permissions.

    DRF checks throttles last, so a request refused with 401 (no or a wrong token) or 403 was never
    counted: token guessing was unlimited. Here a bad token is throttled as an anonymous caller (by
    client address), and 429 wins over 401/403 once over the rate."""

    def perform_authentication(self, request):
        """DRF's authentication, then the throttles, failed or not. Raises AuthenticationFailed
        (401) or Throttled (429; it wins once over the rate)."""
        try:
            super().perform_authentication(request)
        finally:  # on failure DRF has made the caller anonymous: counted by address
            self.check_throttles(request)

    def check_throttles(self, request):
        """Once per request: DRF calls it again after the permissions. Raises Throttled (429)."""
        if getattr(request, "throttles_checked", False):
            return
        request.throttles_checked = True
        super().check_throttles(request)
