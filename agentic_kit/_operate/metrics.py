"""`make metrics`: /metrics in the Prometheus text format, computed at each scrape from durable truth.

The pipeline store gives calls, tokens, cost, durations, dead letters, breakers and documents; the Prefect API gives
steps answered from cache, flow runs by deployment and state, and runs waiting for a review. So the figures are
right whichever worker did the work, and survive restarts of the exporter. Labels are bounded (models, steps,
dependencies, states); no document id is ever a label. Serves on AGENTIC_METRICS_HOST:AGENTIC_METRICS_PORT
(127.0.0.1:9464), reading the store AGENTIC_DATABASE_URL names and the Prefect API PREFECT_API_URL names.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateName,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prometheus_client import start_http_server
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from agentic_kit._blocks.rollout_records import rollouts, variant_figures
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.store_metrics import store_figures
from agentic_kit._domain.settings import Settings

REVIEW_STATES = ["Paused", "Suspended"]


class PipelineCollector(Collector):
    """Builds every metric family at scrape time from the store and the Prefect API."""

    def __init__(self, store: PipelineStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        figures = store_figures(self.store)
        model_calls = CounterMetricFamily("agentic_model_calls", "Model calls by model, step and outcome "
                                          "(ok, retried, failed; cached: answered from Prefect's cache).",
                                          labels=["model", "step", "outcome"])
        tool_calls = CounterMetricFamily("agentic_tool_calls", "Tool calls by dependency, step and outcome.",
                                         labels=["dependency", "step", "outcome"])
        for kind, target, step, outcome, count in figures.calls:
            (model_calls if kind == "model" else tool_calls).add_metric([target, step, outcome], count)
        with get_client(sync_client=True) as client:
            flow_runs = _flow_runs(client)
            waiting = client.count_flow_runs(flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(name=FlowRunFilterStateName(any_=REVIEW_STATES))))
        yield model_calls
        yield tool_calls
        tokens = CounterMetricFamily("agentic_tokens", "Tokens of the model calls made, by kind.",
                                     labels=["model", "step", "kind"])
        cost = CounterMetricFamily("agentic_cost_usd", "Cost of the model calls made, in USD.", labels=["model", "step"])
        for model, step, input_tokens, output_tokens, cached, usd in figures.usage:
            for kind, value in (("input", input_tokens), ("output", output_tokens), ("cached_input", cached)):
                tokens.add_metric([model, step, kind], value)
            cost.add_metric([model, step], usd)
        yield tokens
        yield cost
        durations = HistogramMetricFamily("agentic_step_duration_seconds", "Duration of model and tool call "
                                          "attempts (model: the model; tool: the dependency).", labels=["step", "model"])
        for (step, target), histogram in figures.durations.items():
            durations.add_metric([step, target], histogram.buckets, histogram.total_seconds)
        yield durations
        letters = GaugeMetricFamily("agentic_dead_letters_open", "Open dead letters.", labels=["step", "error_type"])
        for step, error_type, count in figures.dead_letters_open:
            letters.add_metric([step, error_type], count)
        yield letters
        breakers = GaugeMetricFamily("agentic_circuit_breaker_state", "0 closed, 1 half-open, 2 open.",
                                     labels=["dependency"])
        for name, value in figures.breakers.items():
            breakers.add_metric([name], value)
        yield breakers
        yield _variant_items(self.store)
        yield GaugeMetricFamily("agentic_reviews_waiting", "Flow runs paused or suspended for a human review.",
                                value=waiting)
        documents = CounterMetricFamily("agentic_documents", "Documents, research runs and every kit pipeline's items, by pipeline and final status.",
                                        labels=["pipeline", "status"])
        for pipeline, status, count in figures.documents:
            documents.add_metric([pipeline, status], count)
        yield documents
        runs = GaugeMetricFamily("agentic_flow_runs", "Flow runs by deployment and state type (Prefect API).",
                                 labels=["deployment", "state"])
        for (deployment, state), count in flow_runs.items():
            runs.add_metric([deployment, state], count)
        yield runs


def _variant_items(store: PipelineStore) -> Metric:
    """Each step's latest canary: its items by variant and what they showed."""
    family = GaugeMetricFamily("agentic_variant_items", "Items of each step's latest canary, by variant: all of "
                               "them, those with an error, a low review score, a repair round.",
                               labels=["step", "variant", "figure"])
    latest = {rollout.step: rollout for rollout in reversed(rollouts(store, limit=100))}
    for step, rollout in sorted(latest.items()):
        for variant, figures in variant_figures(store, rollout.id).items():
            for figure, value in (("items", figures.items), ("errors", figures.errors),
                                  ("low_scores", figures.low_scores), ("repairs", figures.repairs)):
                family.add_metric([step, variant, figure], value)
    return family


def _flow_runs(client: SyncPrefectClient) -> dict[tuple[str, str], int]:
    """Flow runs of each deployment by state type."""
    counts: dict[tuple[str, str], int] = {}
    for deployment in client.read_deployments():
        flow = client.read_flow(deployment.flow_id)
        for state in StateType:
            count = client.count_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[state]))))
            if count:
                counts[(f"{flow.name}/{deployment.name}", state.value)] = count
    return counts


def serve(store: PipelineStore, host: str, port: int) -> None:
    """Serve /metrics until the process is stopped."""
    REGISTRY.register(PipelineCollector(store))
    start_http_server(port, addr=host)
    print(f"metrics: http://{host}:{port}/metrics", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    settings = Settings()
    serve(PipelineStore.from_environment(), settings.metrics_host, settings.metrics_port)
