"""The command line every timed child process of the bench shares: a folder in, figures out as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any


def run_child(run: Callable[[Path, int], Awaitable[dict[str, Any]]], description: str | None) -> None:
    """Parse `FOLDER [--concurrency N]`, run once, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.folder, args.concurrency))))
