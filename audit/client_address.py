"""The client's address behind the bureau's HTTPS proxy.

`REMOTE_ADDR` is the proxy's address when the site runs behind one, so the address a lockout and
the audit log use comes from `X-Forwarded-For`, but only as far as the hops are proxies named in
`MEDSUPP_TRUSTED_PROXIES` (addresses or networks): read from the right, the first hop that is not
a trusted proxy is the client. A request that reaches the site directly keeps its own address
whatever header it sends, so a client cannot choose the address it is locked out or audited by.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _networks(raw: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip())


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address (see the module's doc); None without a request."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.MEDSUPP_TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote or ""), networks):
        return remote
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed([h for h in hops if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # a forged or broken hop: keep the last address a trusted proxy vouched for
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
