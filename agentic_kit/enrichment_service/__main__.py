"""Run the service: python -m agentic_kit.enrichment_service --host 127.0.0.1 --port 8765."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import uvicorn

from .app import create_app
from .catalog import DEFAULT_ENTITIES_DIR, EntityCatalog


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the token defaults to $ENRICHMENT_SERVICE_TOKEN."""
    parser = argparse.ArgumentParser(
        prog="python -m agentic_kit.enrichment_service",
        description="Entity enrichment HTTP service backed by a directory of JSON files.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--entities", type=Path, default=DEFAULT_ENTITIES_DIR,
                        help="directory of known-entity *.json files")
    parser.add_argument("--token", default=os.environ.get("ENRICHMENT_SERVICE_TOKEN") or None,
                        help="required bearer token (default: $ENRICHMENT_SERVICE_TOKEN)")
    return parser.parse_args(argv)


async def serve(server: uvicorn.Server, entities: int) -> None:
    """Start server, print the listening line once it accepts connections, serve until stopped."""
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started:
        host = server.config.host
        port = server.servers[0].sockets[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        print(f"enrichment service listening on http://{shown}:{port} ({entities} known entities)",
              flush=True)
    await task


def main(argv: list[str] | None = None) -> None:
    """Load the catalog and serve it with uvicorn."""
    args = parse_args(argv)
    catalog = EntityCatalog.from_directory(args.entities)
    app = create_app(catalog, args.token)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning"))
    try:
        asyncio.run(serve(server, len(catalog)))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
