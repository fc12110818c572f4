"""HTTPS for the class hub: a small TLS forwarder in front of the proxy.

Why our own: the Python `configurable-http-proxy` (which spares the teacher Node.js) does not
speak TLS yet ("--ssl-* is not supported yet"). So with `--https` the proxy listens on
127.0.0.1 and this forwarder — one process, standard library only — accepts the learners'
HTTPS connections on the public address and passes the bytes both ways, websockets included.
It runs as `python -m lessons.classroom.tls LISTEN_IP LISTEN_PORT TARGET_PORT CERT KEY`.

>>> import asyncio
>>> async def echo_through_pipe():
...     reader = asyncio.StreamReader()
...     reader.feed_data(b"GET / HTTP/1.1\\r\\n")
...     reader.feed_eof()
...     sink = _Sink()
...     await _pipe(reader, sink)
...     return bytes(sink.data), sink.closed
>>> from lessons._background import outside_running_loop
>>> outside_running_loop(asyncio.run, echo_through_pipe())
(b'GET / HTTP/1.1\\r\\n', True)
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import sys
from typing import Any


async def _pipe(reader: asyncio.StreamReader, writer: Any) -> None:
    """Copy bytes from `reader` to `writer` until either side closes."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class _Sink:
    """A stand-in writer (for the example above)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True


async def serve(listen_ip: str, listen_port: int, target_port: int, cert: str, key: str) -> None:
    """Accept TLS on `listen_ip:listen_port`, forward to 127.0.0.1:`target_port`, forever."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def handle(client_reader: asyncio.StreamReader, client_writer: Any) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", target_port
            )
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            _pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer)
        )

    def quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # A browser that has not yet accepted the self-signed certificate drops the
        # hand-shake: expected, once per learner, not worth a traceback in the log.
        if not isinstance(context.get("exception"), ssl.SSLError | ConnectionError):
            loop.default_exception_handler(context)

    asyncio.get_running_loop().set_exception_handler(quiet)
    server = await asyncio.start_server(handle, listen_ip, listen_port, ssl=context)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    listen_ip, listen_port, target_port, cert, key = (argv or sys.argv[1:])[:5]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(listen_ip, int(listen_port), int(target_port), cert, key))


if __name__ == "__main__":
    main()
