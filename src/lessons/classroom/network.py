"""The machine's address on the room's network, and free ports — without sending anything.

Why the UDP trick: `connect()` on a UDP socket only asks the kernel which local address would
carry a packet to the given address; no packet leaves the machine, so it works offline and
on a Wi-Fi with no internet. With no route at all (no network), loopback is the answer.

>>> lan_address(probe="127.0.0.1")
'127.0.0.1'
>>> 1024 <= free_port() <= 65535
True
"""

from __future__ import annotations

import socket

PROBE = "10.255.255.255"  # any non-local address; nothing is sent to it


def lan_address(probe: str = PROBE) -> str:
    """The local IPv4 address the machine would use for the room's network (or 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((probe, 9))
            address = sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address if address and address != "0.0.0.0" else "127.0.0.1"


def port_is_free(ip: str, port: int) -> bool:
    """Whether a server could listen on `ip:port` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((ip, port))
        except OSError:
            return False
    return True


def free_port(ip: str = "127.0.0.1", preferred: int = 0) -> int:
    """`preferred` if it is free on `ip`, else the next free one up to +20, else any free port."""
    if preferred:
        for port in range(preferred, min(preferred + 21, 65536)):
            if port_is_free(ip, port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return int(sock.getsockname()[1])
