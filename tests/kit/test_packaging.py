"""The wheel holds the kit alone: one namespaced, typed package with its data, and none of the project's folders."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT

PROJECT_FOLDERS = {"tasks", "flows", "blocks", "domain", "deployments", "examples", "fault_servers", "bench", "chaos"}


def test_the_wheel_holds_exactly_one_top_level_package(tmp_path: Path) -> None:
    """`pip wheel . --no-deps`: agentic_kit (with py.typed and the bundled service's entities) and its metadata."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "--quiet", "-w", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == {"agentic_kit"}, top_level
    assert not top_level & PROJECT_FOLDERS
    assert "agentic_kit/py.typed" in names
    assert any(name.startswith("agentic_kit/enrichment_service/entities/") and name.endswith(".json") for name in names)
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "agentic = agentic_kit._operate.cli.app:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_public_api_is_listed_and_importable() -> None:
    """Every name in each public module's __all__ resolves, and importing the kit imports no Prefect."""
    code = ("import sys, agentic_kit, agentic_kit.models, agentic_kit.store, agentic_kit.operate, agentic_kit.offline,"
            " agentic_kit.events\n"
            "assert not any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules), 'prefect imported'\n"
            "for module in (agentic_kit, agentic_kit.models, agentic_kit.store, agentic_kit.operate,"
            " agentic_kit.offline, agentic_kit.events):\n"
            "    for name in module.__all__: getattr(module, name)\n"
            "print(len(agentic_kit.__all__))")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 20
