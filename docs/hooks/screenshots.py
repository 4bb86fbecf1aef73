"""MkDocs hook: screenshots that appear once they exist.

A page names a screenshot with `<!-- screenshot: images/run-graph.png | What it shows -->` (the path relative to
docs/). When the file is there (the browser test writes the UI's screenshots), the marker becomes the image with
its caption; until then it stays an HTML comment, so the page builds, in strict mode too, without it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

MARKER = re.compile(r"<!-- screenshot: (?P<path>[^|>]+?) \| (?P<caption>[^>]+?) -->")


def on_page_markdown(markdown: str, page: Any, config: Any, **_: Any) -> str:
    """Turn each marker whose image exists into the image and its caption."""
    docs = Path(config["docs_dir"])
    page_folder = posixpath.dirname(page.file.src_uri)

    def image(match: re.Match[str]) -> str:
        path, caption = match.group("path").strip(), match.group("caption").strip()
        if not (docs / path).is_file():
            return match.group(0)
        return f"![{caption}]({posixpath.relpath(path, page_folder or '.')})\n\n*{caption}*"

    return MARKER.sub(image, markdown)
