"""`python -m deployments.fleet.relay LISTEN_HOST PORT…`: offer local TCP services on another address of the host.

PostgreSQL and Redis listen on 127.0.0.1 here; workers in their own network namespaces reach the host only at its
bridge address. This relay listens there and copies bytes both ways to 127.0.0.1 on the same port, as a
database host's own network interface would. On real machines it is not needed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

CHUNK_BYTES = 64 * 1024
TARGET_HOST = "127.0.0.1"


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(CHUNK_BYTES):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def _relay_to(port: int) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            target_reader, target_writer = await asyncio.open_connection(TARGET_HOST, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_copy(client_reader, target_writer), _copy(target_reader, client_writer))

    return relay


async def serve(listen_host: str, ports: list[int]) -> None:
    """Relay every port until the process is stopped."""
    servers = [await asyncio.start_server(_relay_to(port), listen_host, port) for port in ports]
    print(f"relaying {', '.join(map(str, ports))} from {listen_host} to {TARGET_HOST}", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit("usage: python -m deployments.fleet.relay LISTEN_HOST PORT [PORT…]")
    asyncio.run(serve(sys.argv[1], [int(port) for port in sys.argv[2:]]))
