"""Block network access from Python, except to this machine (loopback and Unix sockets).

Used by the test suite in two places: the pytest process itself (tests/conftest.py) and every
Jupyter kernel that nbval or nbclient starts during a test run (through the IPython start-up
file `startup.py` beside this module, named by the PYTHONSTARTUP variable that
`configure_kernels` sets). Standard library only: a kernel loads this file by path.

What is guarded: `socket.socket.connect`, `connect_ex`, `sendto`, `socket.create_connection`
and `socket.getaddrinfo`. A destination is allowed when it is a Unix or other non-IP socket, a
loopback or unspecified address (127.0.0.0/8, ::1, 0.0.0.0, ::), or the names `localhost`
(and `*.localhost`) or this machine's own host name. Anything else raises `NetworkBlocked`
(an OSError) at once, so a lesson that reached for the internet fails loudly instead of
hanging on a time-out. Kernel messaging is not affected: ZeroMQ uses its own C sockets on
127.0.0.1. Code outside Python (a Rust or C library doing its own networking) is not covered;
`tools/check_determinism.py --netns on` runs the notebooks in a network namespace for that.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import MutableMapping
from pathlib import Path

MESSAGE = "network blocked by the lessons test suite"
ENV_SWITCH = "LESSONS_NETWORK_GUARD"
STARTUP_FILE = Path(__file__).resolve().with_name("startup.py")

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_originals: dict[str, object] = {}


class NetworkBlocked(OSError):
    """Raised instead of opening a connection to another machine."""


def _is_local_host(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().rstrip(".").lower()
    if name == "" or name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    if name == _HOSTNAME:
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False  # a host name other than this machine's: resolving it needs DNS
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _is_local_address(family: int, address: object) -> bool:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # AF_UNIX, AF_NETLINK, …: never leave this machine
    if isinstance(address, tuple) and address:
        return _is_local_host(address[0])
    return False


def _blocked(what: str, destination: object) -> NetworkBlocked:
    return NetworkBlocked(
        f"{MESSAGE}: {what} {destination!r} (the lessons must work offline; "
        "see tests/ipython_offline/network_guard.py)"
    )


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local_address(self.family, address):
        raise _blocked("connect to", address)
    return _originals["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local_address(self.family, address):
        raise _blocked("connect to", address)
    return _originals["connect_ex"](self, address)


def _guarded_sendto(self: socket.socket, data: object, *args: object) -> int:
    address = args[-1] if args else None
    if not _is_local_address(self.family, address):
        raise _blocked("send to", address)
    return _originals["sendto"](self, data, *args)


def _guarded_create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
    if not (isinstance(address, tuple) and address and _is_local_host(address[0])):
        raise _blocked("connect to", address)
    return _originals["create_connection"](address, *args, **kwargs)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if not _is_local_host(host):
        raise _blocked("look up", host)
    return _originals["getaddrinfo"](host, *args, **kwargs)


_HOSTNAME = socket.gethostname().rstrip(".").lower()
_GUARDS = {
    (socket.socket, "connect"): _guarded_connect,
    (socket.socket, "connect_ex"): _guarded_connect_ex,
    (socket.socket, "sendto"): _guarded_sendto,
    (socket, "create_connection"): _guarded_create_connection,
    (socket, "getaddrinfo"): _guarded_getaddrinfo,
}


def is_installed() -> bool:
    """True when this process's `socket` module is guarded (by this or another copy)."""
    return getattr(socket.socket.connect, "__name__", "") == "_guarded_connect"


def install() -> None:
    """Guard this process's `socket` module; calling it again does nothing."""
    if is_installed():
        return
    for (owner, name), guard in _GUARDS.items():
        _originals[name] = getattr(owner, name)
        setattr(owner, name, guard)


def uninstall() -> None:
    """Put the original functions back (only those this copy of the module replaced)."""
    for (owner, name), _guard in _GUARDS.items():
        if name in _originals:
            setattr(owner, name, _originals.pop(name))


def configure_kernels(env: MutableMapping[str, str] | None = None) -> None:
    """Make every IPython kernel started with `env` (default: os.environ) install the guard.

    IPython runs the file named by PYTHONSTARTUP in each kernel before the first cell, without
    output and without using up an execution count; the file installs the guard only while
    LESSONS_NETWORK_GUARD is "1". Plain `python script.py` subprocesses ignore PYTHONSTARTUP.
    """
    target = os.environ if env is None else env
    target["PYTHONSTARTUP"] = str(STARTUP_FILE)
    target[ENV_SWITCH] = "1"
