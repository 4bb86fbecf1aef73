"""A flow the in-process runner's tests deploy: it notes which process ran which item, and can fail once or wait."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from prefect import flow


@flow(name="runner-probe")
async def runner_probe(item: str, notes: str, seconds: float = 0.0, fail_first: bool = False) -> str:
    """Append `item pid` to the notes file, wait `seconds`; with fail_first, fail the first time this item runs."""
    if not _note(Path(notes), item) and fail_first:
        raise RuntimeError(f"{item}: failing its first run, as asked")
    await asyncio.sleep(seconds)
    return item


def _note(path: Path, item: str) -> bool:
    """Append `item pid`; whether the item had run before."""
    ran_before = path.exists() and any(line.split()[0] == item for line in path.read_text().splitlines())
    with path.open("a") as file:
        file.write(f"{item} {os.getpid()}\n")
    return ran_before
