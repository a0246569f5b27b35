"""API throttles that identify anonymous callers by `client_address` (the same address the
sign-in lockout uses), never by a client-supplied X-Forwarded-For. Their counts live in the
default cache: Redis (`REDIS_URL`) shares them between workers and hosts."""

from rest_framework import throttling

from .client_address import client_address


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """Anonymous requests: `API_THROTTLE_ANON` per client address."""


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """Signed-in users: `API_THROTTLE_USER` per user (per client address for anonymous callers)."""
