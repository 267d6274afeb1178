"""Whether a host is this machine's loopback: where anonymous mode (the local Playground) may listen and answer."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1`` (also in brackets, or IPv4-mapped), written out literally.

    Nothing is resolved: a name such as ``bot.example.fi``, or ``2130706433`` (127.0.0.1 as one number), is
    not loopback here however it resolves, so what is accepted does not depend on DNS or on the resolver.
    """
    if not host:
        return False
    name = host.strip().lower()
    if name == "localhost":
        return True
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
