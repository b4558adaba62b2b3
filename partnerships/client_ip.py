"""The address a request came from, for sign-in throttling (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

Behind the TLS proxy every request arrives from the proxy's address, so throttling by that address would
lock a user out for everyone at once. The client's address is read from ``X-Forwarded-For`` only when
the request came from one of ``TRUSTED_PROXIES`` (the proxy appends the address it saw, so the right-most
address that is not a trusted proxy is the client; anything further left was sent by the client and is
not believed). From anywhere else the header is ignored: nobody can pick their own address.
"""

from ipaddress import ip_address

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or request.META.get("REMOTE_ADDR")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    chain = [_valid(a) for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(chain):
        if address is None:
            return remote  # a garbled header: fall back to the proxy's own address
        if address not in trusted:
            return address
    return remote
