"""The client's address, for sign-in lockout (django-axes) and API throttling (DRF) alike.

One setting says how far to trust X-Forwarded-For: `TRUSTED_PROXY_COUNT`, the number of reverse
proxies in front of the application, each of which appends the address it received the request
from (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`).
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    """`value` as a normalised IP address, or None when it is not one. Accepts the forms proxies
    write: `192.0.2.1`, `192.0.2.1:5678`, `2001:db8::1`, `[2001:db8::1]:5678`."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address (IPv4 or IPv6, as a string) of the client that sent `request`.

    With `TRUSTED_PROXY_COUNT = 0` X-Forwarded-For is ignored and the client is REMOTE_ADDR: a
    client cannot choose its address by sending the header. With N proxies the client is the Nth
    address from the right of X-Forwarded-For, the one the outermost proxy saw; entries further
    left were sent by the client and are never used. When the header has fewer than N entries or
    that entry is not an address, the request did not come through the proxies as configured and
    REMOTE_ADDR is used (an empty string when that is not an address either, e.g. a Unix socket).
    """
    remote = _address(request.META.get("REMOTE_ADDR", "")) or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    return _address(entries[-proxies]) or remote
