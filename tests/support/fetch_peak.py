"""Fetches in a fresh process, with their peak memory: `python -m tests.support.fetch_peak MAX_BYTES ALLOWED URL…`.

Prints one JSON line a URL: `peak_growth_kib`, how far the resident set rose during that fetch above where
it stood before (the kernel's high-water mark, VmHWM, is reset just before each fetch), and `outcome`, the
error's type and message, or "read N characters". ALLOWED is the fetch policy's one allow-list entry.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

from agentic_kit._blocks.fetch_policy import FetchPolicy
from tasks.research.fetch import fetch_text

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")
RESET_PEAK = "5"
"""Written to clear_refs, resets VmHWM to the current resident set (Linux 4.0 and later)."""


def _kib(field: str) -> int:
    """One memory field of /proc/self/status, in KiB."""
    match = re.search(rf"^{field}:\s+(\d+) kB", STATUS.read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"{STATUS} has no {field}: this helper needs Linux")
    return int(match.group(1))


async def _outcome(url: str, policy: FetchPolicy) -> str:
    """How one fetch ended, in words."""
    try:
        page = await fetch_text(url, policy)
    except Exception as exc:  # noqa: BLE001 (the test judges the type; this helper only reports it)
        return f"{type(exc).__name__}: {exc}"
    return f"read {len(page.text)} characters"


async def _measured(urls: list[str], policy: FetchPolicy) -> None:
    """Fetch each url in turn and print its peak growth and outcome as JSON."""
    for url in urls:
        CLEAR_REFS.write_text(RESET_PEAK)
        before = _kib("VmRSS")
        outcome = await _outcome(url, policy)
        print(json.dumps({"url": url, "peak_growth_kib": _kib("VmHWM") - before, "outcome": outcome}), flush=True)


def main() -> None:
    """Measure the fetches the command line names."""
    max_bytes, allowed, urls = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    asyncio.run(_measured(urls, FetchPolicy(allowed_hosts=[allowed], max_bytes=max_bytes)))


if __name__ == "__main__":
    main()
