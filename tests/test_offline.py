"""The test suite runs offline: the pytest process and nbval's kernels refuse the network.

The process and kernel tests fail if the guard is missing (checked by running them without
it): the connection attempt to a public address then connects, or waits for its time-out,
instead of raising the guard's error at once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from nbval.kernel import start_new_kernel

PUBLIC = ("93.184.216.34", 80)  # example.com; with the guard on, never actually contacted
KERNEL = "python3"  # the kernelspec name stored in every lesson notebook

KERNEL_PROBE = f"""
import socket, threading, time

started = time.monotonic()
try:
    socket.create_connection({PUBLIC!r}, timeout=2).close()
    remote = "connected"
except OSError as error:
    remote = f"{{type(error).__name__}}: {{error}}"
remote_seconds = time.monotonic() - started

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
def _answer():
    conn, _ = server.accept()
    conn.sendall(conn.recv(16)[::-1])
    conn.close()
threading.Thread(target=_answer, daemon=True).start()
with socket.create_connection(server.getsockname(), timeout=5) as client:
    client.sendall(b"loopback")
    echoed = client.recv(16)
server.close()
print(remote)
print(f"remote_seconds={{remote_seconds:.3f}}")
print(f"loopback={{echoed.decode()}}")
print(f"guard_names={{sorted(n for n in globals() if 'guard' in n.lower())}}")
"""


def _run_in_kernel(code: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start a kernel as nbval does, run `code` as its first cell; (execution count, stdout)."""
    extra = {} if env is None else {"env": env}  # nbval passes no env: the kernel inherits ours
    manager, client = start_new_kernel(
        kernel_name=KERNEL, stderr=subprocess.DEVNULL, cwd=os.getcwd(), **extra
    )
    outputs: list[str] = []

    def keep(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            outputs.append(msg["content"]["text"])
        elif msg["msg_type"] in ("error", "display_data", "execute_result"):
            outputs.append(f"<{msg['msg_type']}: {msg['content']}>")

    try:
        reply = client.execute_interactive(code, output_hook=keep, timeout=60)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["content"]["execution_count"], "".join(outputs)


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("kernel.localhost", True),
        (None, True),
        ("", True),
        ("93.184.216.34", False),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        ("2606:2800:220:1::", False),
        ("example.org", False),
        ("pypi.org", False),
        ("<broadcast>", False),
    ],
)
def test_guard_tells_local_from_remote(network_guard, host, local) -> None:
    assert network_guard._is_local_host(host) is local


def test_pytest_process_is_guarded(network_guard) -> None:
    assert network_guard.is_installed()
    started = time.monotonic()
    with pytest.raises(OSError, match="network blocked by the lessons test suite"):
        socket.create_connection(PUBLIC, timeout=2)
    assert time.monotonic() - started < 1.0
    with pytest.raises(OSError, match="network blocked"), socket.socket() as sock:
        sock.settimeout(2)
        sock.connect(PUBLIC)
    with pytest.raises(OSError, match="network blocked"), socket.socket() as sock:
        sock.connect_ex(PUBLIC)
    with pytest.raises(OSError, match="network blocked"):
        socket.getaddrinfo("example.org", 443)
    with (
        pytest.raises(OSError, match="network blocked"),
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
    ):
        sock.sendto(b"x", ("8.8.8.8", 53))
    with pytest.raises(urllib.error.URLError, match="network blocked"):
        urllib.request.urlopen("http://example.org/", timeout=2)


def test_pytest_process_keeps_loopback_and_unix_sockets(tmp_path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        threading.Thread(target=lambda: server.accept()[0].sendall(b"ok"), daemon=True).start()
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            assert client.recv(2) == b"ok"
    assert socket.getaddrinfo("localhost", 80)
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"unix")
        assert right.recv(4) == b"unix"


def test_kernels_get_the_guard_from_the_environment(network_guard) -> None:
    assert os.environ["PYTHONSTARTUP"] == str(network_guard.STARTUP_FILE)
    assert os.environ["LESSONS_NETWORK_GUARD"] == "1"
    assert Path(os.environ["IPYTHONDIR"]).name.startswith("lessons-ipython-")  # not ~/.ipython


def test_nbval_kernel_blocks_the_network_but_keeps_loopback() -> None:
    count, output = _run_in_kernel(KERNEL_PROBE)
    lines = dict(line.partition("=")[::2] for line in output.splitlines()[1:])
    remote = output.splitlines()[0]
    assert remote.startswith("NetworkBlocked: network blocked by the lessons test suite"), output
    assert float(lines["remote_seconds"]) < 1.0, output  # refused at once, not a time-out
    assert lines["loopback"] == "kcabpool", output  # a local server still answers
    assert lines["guard_names"] == "[]", output  # start-up file leaves no names behind
    assert count == 1, "the start-up file must not use up an execution count"
    assert len(output.splitlines()) == 4, (
        f"unexpected output (the start-up file must be silent): {output!r}"
    )


def test_kernel_without_the_switch_is_not_guarded() -> None:
    """Control: the probe above would see an unguarded kernel (no network contacted here)."""
    env = {**os.environ, "LESSONS_NETWORK_GUARD": "0"}
    _count, output = _run_in_kernel("import socket; print(socket.socket.connect.__name__)", env)
    assert output.strip() == "connect"
