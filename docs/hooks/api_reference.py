"""MkDocs hook: the kit's API reference, listed at build time from the public modules' exports.

The kit's public names load lazily (PEP 562 `__getattr__` over an `_EXPORTS` map of name → private module), so a
plain `::: agentic_kit` would find nothing to document. Each page under `reference/api/` holds a marker
`<!-- agentic:api GROUP -->`; this hook replaces it with one mkdocstrings directive per public name of that group,
pointing at the real object in its private module (`::: agentic_kit._steps.model_step.model_step`). Groups come from
the name or its module (GROUP_OF, MODULE_GROUPS), so a name added to `__all__` lands on a page without editing the
docs, and the build warns (and `mkdocs build --strict` fails) when a public name is on no page.
`<!-- agentic:api-index -->` renders the table of every public name of `agentic_kit` with the page it is on.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger("api_reference")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!-- agentic:api (?P<group>[a-z-]+) -->")
INDEX_MARKER = "<!-- agentic:api-index -->"

PAGES = {
    "steps": ("steps.md", "Steps"),
    "pipelines": ("pipelines.md", "Pipelines and item scopes"),
    "blocks": ("blocks.md", "Blocks"),
    "errors": ("errors.md", "Errors"),
    "policies": ("policies.md", "Policies"),
    "helpers": ("helpers.md", "Settings and helpers"),
    "models": ("models.md", "agentic_kit.models"),
    "store": ("store.md", "agentic_kit.store"),
    "testing": ("testing.md", "agentic_kit.testing"),
    "operate": ("operate.md", "agentic_kit.operate, .offline, .events"),
    "agents": ("agents.md", "Agents"),
}
"""Each group's page under reference/api/ and its title."""

GROUP_OF = {
    "offline_answer": "steps", "OfflineAnswer": "steps", "prompt_tokens": "steps", "Instructions": "steps",
    "budget_reset_since": "blocks", "ensure_budget_covers": "blocks",
}
"""Names of `agentic_kit` whose page is not their module's."""

MODULE_GROUPS = (
    ("agentic_kit._domain.errors", "errors"),
    ("agentic_kit._agents", "agents"),
    ("agentic_kit._steps.policies", "policies"),
    ("agentic_kit._steps.model_step", "steps"),
    ("agentic_kit._steps.tool_step", "steps"),
    ("agentic_kit._steps.calls", "steps"),
    ("agentic_kit._steps.rollout", "steps"),
    ("agentic_kit._steps.pipeline", "pipelines"),
    ("agentic_kit._steps.item_scope", "pipelines"),
    ("agentic_kit._steps.pipeline_key", "pipelines"),
    ("agentic_kit._steps.progress", "pipelines"),
    ("agentic_kit._steps.observe", "pipelines"),
    ("agentic_kit._steps.tracing", "pipelines"),
    ("agentic_kit._steps.log_format", "pipelines"),
    ("agentic_kit._steps.cache_index", "pipelines"),
    ("agentic_kit._blocks", "blocks"),
)
"""The group of a name of `agentic_kit` by its module (the first prefix that matches); the rest: helpers."""

FIRST = {
    "steps": ["model_step", "ModelStep", "Prompt", "Instructions", "offline_answer", "OfflineAnswer", "tool_step",
              "ToolStep", "Dependency", "guarded"],
    "pipelines": ["pipeline", "Pipeline", "PipelineRunReport", "ItemOutcome", "item_scope", "ItemScope", "at_step",
                  "current_scope"],
    "blocks": ["PipelineBlocks", "LanguageModel", "EnrichmentApi", "PipelineStore", "PublishTargets", "FetchPolicy",
               "ModelBudget", "WebhookGateway"],
    "policies": ["TaskOptions", "LLM_CALL", "TOOL_CALL", "PUBLISH", "LOCAL_READ"],
    "errors": ["PipelineError", "TransientError", "PermanentError", "is_transient"],
    "helpers": ["Settings"],
    "agents": ["Agent", "AgentRun", "AgentLimits", "tool_dependency", "idempotency_key", "idempotency_headers"],
}
"""Names shown first on their page, in this order; the others follow in `__all__` order."""

SUBMODULES = {
    "models": "agentic_kit.models",
    "store": "agentic_kit.store",
    "testing": "agentic_kit.testing",
    "operate": ("agentic_kit.operate", "agentic_kit.offline", "agentic_kit.events"),
}
"""Pages that document a public module of their own, one section per private module behind it."""

SECTION_TITLES = {
    "agentic_kit._domain.models.common": "Requests, replies and usage",
    "agentic_kit._domain.models.documents": "Documents",
    "agentic_kit._domain.models.research": "Research",
    "agentic_kit._domain.models.cassette": "Cassettes",
    "agentic_kit._blocks.store": "The store",
    "agentic_kit._blocks.tables": "Tables (rows)",
    "agentic_kit._blocks.agent_tables": "The agents' tables (rows)",
    "agentic_kit._blocks.dead_letters": "Dead letters",
    "agentic_kit._blocks.saga_log": "The publish saga's log",
    "agentic_kit._blocks.exchange_log": "Model exchanges",
    "agentic_kit._blocks.research_store": "Research runs and their budget",
    "agentic_kit._blocks.sql": "SQL helpers",
    "agentic_kit.testing.model_server": "The model server",
    "agentic_kit.testing.scripted_agents": "Scripted agents",
    "agentic_kit.testing.enrichment_server": "The enrichment server",
    "agentic_kit.testing.faults": "Faults and request logs",
    "agentic_kit.testing.publish_sink": "The publish receiver",
    "agentic_kit.testing.notification_sink": "The notification receiver",
    "agentic_kit.testing.otlp_receiver": "The OTLP receiver",
    "agentic_kit.testing.stub_http": "The stub server underneath",
    "agentic_kit.testing.schema_sample": "Sample answers from a schema",
    "agentic_kit._operate.local_server": "The local Prefect server",
    "agentic_kit._operate.automations": "Automations",
    "agentic_kit._steps.health": "Health checks",
    "agentic_kit._steps.slo": "SLOs",
    "agentic_kit._steps.run_tally": "The run tally",
    "agentic_kit._operate.run_progress": "Run progress",
    "agentic_kit._operate.console_logs": "Console logs",
    "agentic_kit._steps.log_format": "Log format",
    "agentic_kit._operate.cli.output": "Command output and exit codes",
    "agentic_kit._operate.cli.times": "Times on the command line",
    "agentic_kit._operate.cli.dead_letters": "The dead-letters commands",
    "agentic_kit._operate.pipeline_command": "A pipeline's own command",
    "agentic_kit._blocks.offline_model": "Offline answers",
    "agentic_kit._blocks.text_heuristics": "Text heuristics",
    "agentic_kit._domain.events": "Event names",
}
"""Section titles of the module pages by private module, in the order they are shown (others: after them, titled
by the module's name)."""


def _import(name: str) -> Any:
    """A public module of the kit, imported from the project's root."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    return importlib.import_module(name)


def _exports(module: Any) -> dict[str, str]:
    """name → the module that defines it, for each name of the module's `__all__`, in `__all__` order."""
    explicit = getattr(module, "_EXPORTS", None)
    result = {}
    for name in module.__all__:
        if explicit is not None:
            result[name] = explicit[name]
        else:  # imported eagerly (agentic_kit.testing): the module its `from .x import name` names
            result[name] = _imported_from(module).get(name, module.__name__)
    return result


def _imported_from(module: Any) -> dict[str, str]:
    """name → module, for each relative `from .x import name` of a package's __init__."""
    package = module.__name__
    found = {}
    for node in ast.parse(Path(module.__file__).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{package}.{node.module}"
    return found


def _root_group(name: str, source: str) -> str:
    """The page of one name of `agentic_kit`."""
    if name in GROUP_OF:
        return GROUP_OF[name]
    return next((group for prefix, group in MODULE_GROUPS if source == prefix or source.startswith(prefix + ".")),
                "helpers")


Section = tuple[int, str | None, list[tuple[str, str, str]]]
"""(heading level of its entries, title or None, [(public module, name, object path)])."""


def _section_title(source: str) -> str:
    """A section's title: SECTION_TITLES, else the private module's last name in words."""
    return SECTION_TITLES.get(source) or source.rsplit(".", 1)[-1].lstrip("_").replace("_", " ").capitalize()


def _section_order(source: str) -> int:
    titles = list(SECTION_TITLES)
    return titles.index(source) if source in titles else len(titles)


def layout() -> dict[str, list[Section]]:
    """group → its page's sections, in order."""
    pages: dict[str, list[Section]] = {group: [] for group in PAGES}
    flat: dict[str, list[tuple[str, str, str]]] = {}
    for name, source in _exports(_import("agentic_kit")).items():
        flat.setdefault(_root_group(name, source), []).append(("agentic_kit", name, f"{source}.{name}"))
    for group, entries in flat.items():
        order = FIRST.get(group, [])
        entries.sort(key=lambda entry: order.index(entry[1]) if entry[1] in order else len(order))
        pages[group].append((2, None, entries))
    for group, modules in SUBMODULES.items():
        publics = (modules,) if isinstance(modules, str) else modules
        for public in publics:
            sections: dict[str, list[tuple[str, str, str]]] = {}
            for name, source in _exports(_import(public)).items():
                path = f"{source}.{name}" if source != public else f"{public}.{name}"
                sections.setdefault(source, []).append((public, name, path))
            level = 3 if len(publics) == 1 else 4
            if len(publics) > 1:
                pages[group].append((2, f"`{public}`", []))
            for source in sorted(sections, key=_section_order):
                pages[group].append((level, _section_title(source), sections[source]))
    return pages


_layout: dict[str, list[Section]] | None = None
_rendered_names: set[tuple[str, str]] = set()


def _pages() -> dict[str, list[Section]]:
    global _layout
    if _layout is None:
        _layout = layout()
    return _layout


_package: Any = None


def _griffe_finds(path: str) -> bool:
    """Whether mkdocstrings (griffe, reading the source) finds the object at path."""
    global _package
    import griffe

    if _package is None:
        _package = griffe.load("agentic_kit", search_paths=[str(PROJECT_ROOT)], resolve_aliases=False)
    try:
        _package[path.removeprefix("agentic_kit.")]
    except KeyError:
        return False
    return True


def _constant(path: str, level: int) -> list[str]:
    """A constant griffe does not see (one target of a tuple assignment, `A, B = "a", "b"`): its value and the
    docstring under it, read from the source."""
    module_name, name = path.rsplit(".", 1)
    source_file = PROJECT_ROOT / Path(*module_name.split(".")).with_suffix(".py")
    body = ast.parse(source_file.read_text(encoding="utf-8")).body
    for index, node in enumerate(body):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            names = [target.id for target in node.targets[0].elts if isinstance(target, ast.Name)]
            if name in names and isinstance(node.value, ast.Tuple):
                value = ast.unparse(node.value.elts[names.index(name)])
                following = body[index + 1] if index + 1 < len(body) else None
                doc = (following.value.value if isinstance(following, ast.Expr) and isinstance(following.value,
                       ast.Constant) and isinstance(following.value.value, str) else "")
                return [f"{'#' * level} `{name}` {{ #{path} }}", "", "```python", f"{name} = {value}", "```", "",
                        doc, ""]
    log.warning("%s: neither mkdocstrings nor the source show it", path)
    return []


def _primary_pages() -> dict[str, str]:
    """object path → the group whose page documents it: the first that lists it (a name exported by two public
    modules, e.g. `PipelineStore` from `agentic_kit` and `agentic_kit.store`, is documented once, linked from the
    other)."""
    primary: dict[str, str] = {}
    for group, sections in _pages().items():
        for _, _, items in sections:
            for _, _, path in items:
                primary.setdefault(path, group)
    return primary


def _directives(group: str) -> str:
    """The markdown of one group's page: a directive per public name, under its section's heading."""
    out: list[str] = []
    primary = _primary_pages()
    for level, title, entries in _pages()[group]:
        if title:
            out += [f"{'#' * (level - 1)} {title}", ""]
        for public, name, path in entries:
            _rendered_names.add((public, name))
            if primary[path] != group:
                page, page_title = PAGES[primary[path]]
                out += [(f"`{name}` is documented on [{page_title}]({page}#{path}): the same object, also importable "
                        f"from `{public}`."), ""]
            elif _griffe_finds(path):
                out += [f"::: {path}", "    options:", f"      heading_level: {level}", ""]
            else:
                out += _constant(path, level)
    return "\n".join(out)


def _index(page: Any) -> str:
    """The table of every public name of agentic_kit and the page it is on."""
    rows = ["| Name | Page |", "| --- | --- |"]
    entries = sorted(((name, group, path) for group, sections in _pages().items() for _, _, items in sections
                      for public, name, path in items if public == "agentic_kit"), key=lambda e: e[0].lower())
    for name, group, path in entries:
        rows.append(f"| [`{name}`]({PAGES[group][0]}#{path}) | {PAGES[group][1]} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the markers with the directives (and the index)."""
    if INDEX_MARKER in markdown:
        markdown = markdown.replace(INDEX_MARKER, _index(page))
    return MARKER.sub(lambda match: _directives(match.group("group")), markdown)


def on_post_build(config: Any, **_: Any) -> None:
    """Warn about every public name no page documents (a group whose page is missing from the build)."""
    expected = {(public, name) for sections in _pages().values() for _, _, items in sections
                for public, name, _ in items}
    missing = sorted(expected - _rendered_names)
    if missing:
        log.warning("public names on no API page: %s", ", ".join(f"{p}.{n}" for p, n in missing))
    _rendered_names.clear()
