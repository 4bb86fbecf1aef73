"""MCP server "agentic-lookups": the enrichment service's entity lookups plus a tiny customer-support dataset.

Tools, for tool-calling agents:
- lookup_entity(name, type=None): the same catalog and matching as POST /enrich of the HTTP enrichment service
  (EntityCatalog over DEFAULT_ENTITIES_DIR), answering the same body: the entity's fields, or found=false.
- lookup_customer(email): one fictional customer and their orders from support/customers.json (email matched
  case-insensitively), or found=false.
- search_knowledge(query, limit=3): fictional help articles from support/knowledge.json ranked by word overlap
  with the query (one point per query word in the article, one more if it is in the title; ties by id).

The data is loaded once when the server is built; the tools only read it, so every answer is deterministic.
Built with the official MCP SDK (MCPServer); stands alone like the HTTP service (no other module of the kit).

Run it:
- stdio (default, for a client that spawns it): python -m agentic_kit.enrichment_service.mcp_server
- streamable HTTP at http://127.0.0.1:8767/mcp:  python -m agentic_kit.enrichment_service.mcp_server --http
  (--host and --port change the address; the port defaults to 8767, next to the enrichment service's 8765).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from .catalog import DEFAULT_ENTITIES_DIR, EntityCatalog

SUPPORT_DIR = Path(__file__).resolve().parent / "support"
DEFAULT_HTTP_PORT = 8767
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in", "is", "it",
    "me", "my", "of", "on", "or", "the", "to", "what", "when", "where", "why", "with", "you", "your",
})


def terms(text: str) -> set[str]:
    """Distinct lower-case words of text, stop words dropped and a plural "s" folded ("refunds" -> "refund")."""
    words = re.findall(r"[a-z0-9]+", text.casefold())
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words} - STOP_WORDS


def rank_articles(articles: list[dict[str, Any]], query: str, limit: int) -> list[dict[str, Any]]:
    """Articles sharing a word with query, best first: a point per shared word, another if it is in the title."""
    wanted = terms(query)
    scored = []
    for article in articles:
        title = terms(article["title"])
        score = len(wanted & (title | terms(article["text"]))) + len(wanted & title)
        if score > 0:
            scored.append({**article, "score": score})
    scored.sort(key=lambda article: (-article["score"], article["id"]))
    return scored[:limit]


def create_server(
    catalog: EntityCatalog, customers: list[dict[str, Any]], articles: list[dict[str, Any]]
) -> MCPServer:
    """Build the server whose tools answer from catalog, customers and articles."""
    by_email = {customer["email"].casefold(): customer for customer in customers}
    server = MCPServer(
        "agentic-lookups",
        instructions="Look up known entities, customers and their orders, and help-center articles.",
        log_level="WARNING",
    )

    @server.tool()
    def lookup_entity(name: str, type: str | None = None) -> dict[str, Any]:
        """Look up a person, organization or place by name or alias; type (e.g. ORG, PERSON) only breaks ties."""
        return catalog.enrich(name, type)

    @server.tool()
    def lookup_customer(email: str) -> dict[str, Any]:
        """Look up a customer by email (case-insensitive): id, name, plan and orders, or found=false."""
        customer = by_email.get(email.strip().casefold())
        return {"found": True, **customer} if customer else {"found": False, "email": email}

    @server.tool()
    def search_knowledge(query: str, limit: Annotated[int, Field(ge=1, le=20)] = 3) -> list[dict[str, Any]]:
        """Search the help-center articles by keyword; returns the best matches (id, title, text, score) first."""
        return rank_articles(articles, query, limit)

    return server


def load_json(path: Path) -> list[dict[str, Any]]:
    """The list of records in the JSON file at path."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def main(argv: list[str] | None = None) -> None:
    """Load the bundled data and serve it over stdio, or over streamable HTTP with --http."""
    parser = argparse.ArgumentParser(
        prog="python -m agentic_kit.enrichment_service.mcp_server",
        description="MCP server with entity, customer and help-article lookups (stdio unless --http).",
    )
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP host (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_HTTP_PORT, help=f"HTTP port (default: {DEFAULT_HTTP_PORT})")
    args = parser.parse_args(argv)
    server = create_server(
        EntityCatalog.from_directory(DEFAULT_ENTITIES_DIR),
        load_json(SUPPORT_DIR / "customers.json"),
        load_json(SUPPORT_DIR / "knowledge.json"),
    )
    try:
        if args.http:
            print(f"agentic-lookups: streamable HTTP on http://{args.host}:{args.port}/mcp", file=sys.stderr, flush=True)
            server.run("streamable-http", host=args.host, port=args.port, streamable_http_path="/mcp")
        else:
            server.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
