"""Operating pipelines: the local Prefect server, automations, progress and console logs, health checks, SLOs,
a pipeline's own command (`run_from_command_line`), evaluations for `agentic eval` and the helpers project commands use on the `agentic` command
line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentic_kit._lazy import load_attribute

if TYPE_CHECKING:
    from agentic_kit._operate.automations import NotificationBlocks, apply_automations
    from agentic_kit._operate.bundled_service import bundled_enrichment_service, free_port
    from agentic_kit._operate.cli.dead_letters import dead_letters_app
    from agentic_kit._operate.cli.output import (
        EXIT_FAILED,
        EXIT_NOT_FOUND,
        EXIT_OK,
        EXIT_UNAVAILABLE,
        EXIT_USAGE,
        console,
        fail,
        print_json,
        use_local_server,
    )
    from agentic_kit._operate.cli.times import utc_moment
    from agentic_kit._operate.console_logs import show_run_logs
    from agentic_kit._operate.evaluation import Evaluation
    from agentic_kit._operate.local_server import (
        ensure_server,
        server_command,
        server_environment,
        started_server,
        stop_process,
        wait_until_answering,
    )
    from agentic_kit._operate.pipeline_command import run_from_command_line
    from agentic_kit._operate.run_progress import showing_progress
    from agentic_kit._steps.health import check_enrichment, check_model, check_prefect_api, check_store
    from agentic_kit._steps.log_format import apply_log_format
    from agentic_kit._steps.run_tally import RunTally, current_tally, watching
    from agentic_kit._steps.slo import SloReading, measure_slos

_EXPORTS = {
    "Evaluation": "agentic_kit._operate.evaluation",
    "EXIT_FAILED": "agentic_kit._operate.cli.output",
    "EXIT_NOT_FOUND": "agentic_kit._operate.cli.output",
    "EXIT_OK": "agentic_kit._operate.cli.output",
    "EXIT_UNAVAILABLE": "agentic_kit._operate.cli.output",
    "EXIT_USAGE": "agentic_kit._operate.cli.output",
    "NotificationBlocks": "agentic_kit._operate.automations",
    "RunTally": "agentic_kit._steps.run_tally",
    "SloReading": "agentic_kit._steps.slo",
    "apply_automations": "agentic_kit._operate.automations",
    "apply_log_format": "agentic_kit._steps.log_format",
    "bundled_enrichment_service": "agentic_kit._operate.bundled_service",
    "check_enrichment": "agentic_kit._steps.health",
    "check_model": "agentic_kit._steps.health",
    "check_prefect_api": "agentic_kit._steps.health",
    "check_store": "agentic_kit._steps.health",
    "console": "agentic_kit._operate.cli.output",
    "current_tally": "agentic_kit._steps.run_tally",
    "dead_letters_app": "agentic_kit._operate.cli.dead_letters",
    "ensure_server": "agentic_kit._operate.local_server",
    "fail": "agentic_kit._operate.cli.output",
    "free_port": "agentic_kit._operate.bundled_service",
    "measure_slos": "agentic_kit._steps.slo",
    "print_json": "agentic_kit._operate.cli.output",
    "run_from_command_line": "agentic_kit._operate.pipeline_command",
    "server_command": "agentic_kit._operate.local_server",
    "server_environment": "agentic_kit._operate.local_server",
    "show_run_logs": "agentic_kit._operate.console_logs",
    "showing_progress": "agentic_kit._operate.run_progress",
    "started_server": "agentic_kit._operate.local_server",
    "stop_process": "agentic_kit._operate.local_server",
    "use_local_server": "agentic_kit._operate.cli.output",
    "utc_moment": "agentic_kit._operate.cli.times",
    "wait_until_answering": "agentic_kit._operate.local_server",
    "watching": "agentic_kit._steps.run_tally",
}

__all__ = [
    "EXIT_FAILED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "Evaluation",
    "NotificationBlocks",
    "RunTally",
    "SloReading",
    "apply_automations",
    "apply_log_format",
    "bundled_enrichment_service",
    "check_enrichment",
    "check_model",
    "check_prefect_api",
    "check_store",
    "console",
    "current_tally",
    "dead_letters_app",
    "ensure_server",
    "fail",
    "free_port",
    "measure_slos",
    "print_json",
    "run_from_command_line",
    "server_command",
    "server_environment",
    "show_run_logs",
    "showing_progress",
    "started_server",
    "stop_process",
    "use_local_server",
    "utc_moment",
    "wait_until_answering",
    "watching",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its private module the first time it is used."""
    return load_attribute(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    """The public names."""
    return __all__
