"""Every AGENTIC_* environment variable, with its default and what it does: the one place to look.

`Settings()` reads the environment when it is built. The task policies read it once, when they are
imported; a block's `from_environment()` and the per-document code read `current_settings()`, the settings of the
environment as it is at the call (built once per distinct environment), so a command that sets a variable before
building its blocks gets what it set. Defaults are named DEFAULT_* values below.

OPENAI_BASE_URL and OPENAI_API_KEY (the openai client's own names) are read here too.
"""

from __future__ import annotations

import os
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agentic_kit._domain.redaction import (
    register_credentials,
    register_secret,
    register_secret_url,
    register_url_credentials,
)

ENV_PREFIX = "AGENTIC_"
PROJECT_EXAMPLES = Path("examples").resolve()
"""The project's examples folder: commands run from the project's root, as Prefect runs deployments."""
"""The project's sample documents, readable by the document pipeline by default."""

DEFAULT_DATABASE_URL = "sqlite:///.agentic/pipeline.db"
"""The pipeline store: a SQLite file under the working directory, the embedded default."""
DEFAULT_EXPORT_FOLDER = ".agentic/exports"
"""Where published documents are exported, one JSON Lines file each."""
DEFAULT_LOCK_URL = "file:.agentic/locks"
"""Step locks on this machine's disk (flock)."""
DEFAULT_FLEET_FOLDER = ".fleet"
"""What `make fleet` started and keeps: pids, logs, the workers' homes."""
DEFAULT_CONTEXT_WINDOW = 16_384
"""The context window assumed when a model's is not given: small enough for most local models."""
DEFAULT_MAX_DOCUMENT_CHARACTERS = 4_000_000
"""A 1,000-page contract's text (about 4,000 characters a page)."""
DEFAULT_MAX_DOCUMENT_PARTS = 150
"""Parts of a document at most: DEFAULT_MAX_DOCUMENT_CHARACTERS at the default window take about 120."""
DEFAULT_MODEL = "gpt-4o-mini"
"""The model asked for when an OpenAI-compatible endpoint is configured and AGENTIC_MODEL is not set."""
DEFAULT_ALERTS_WEBHOOK_URL = "http://127.0.0.1:8900/notify"
"""Where the automations' default notification block posts."""
DEFAULT_NOTIFICATION_BLOCK = "custom-webhook/agentic-notifications"
DEFAULT_ESCALATION_BLOCK = "custom-webhook/agentic-escalation"
DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300
DEFAULT_WEBHOOK_READ_TIMEOUT_SECONDS = 10.0

RENAMED = {"AGENTIC_NOTIFY_URL": ("AGENTIC_PUBLISH_WEBHOOK_URL", "AGENTIC_ALERTS_WEBHOOK_URL"),
           "AGENTIC_NOTIFY_TOKEN": ("AGENTIC_PUBLISH_WEBHOOK_TOKEN",)}
"""Old names that still work for now, each with the names that replace it."""


class Settings(BaseSettings):
    """The project's settings, each from the environment variable AGENTIC_<NAME> (case-insensitive)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # The project the `agentic` command serves (agentic_kit/_operate/cli/app.py).
    commands: str = "deployments.cli"
    """The project's module (importable from the folder `agentic` runs in) whose `register(app)` adds the project's
    own commands, such as `agentic run`; a missing module adds none."""

    # Task policies: retries, backoff, timeouts and step locks (agentic_kit/_steps/policies.py).
    llm_retries: int = 4
    """How many times a model call is tried again after a transient error."""
    llm_timeout_seconds: float = 120.0
    """The longest one model call may take, retries and waiting for a rate-limit turn not included."""
    llm_task_timeout_seconds: float = 900.0
    """The longest one attempt of a model task may take, waiting for its rate-limit turn included."""
    tool_retries: int = 3
    """How many times a tool call is tried again after a transient error."""
    tool_timeout_seconds: float = 30.0
    """The longest one tool call may take, waiting for a rate-limit turn not included."""
    tool_task_timeout_seconds: float = 300.0
    """The longest one attempt of a tool task may take, waiting for its rate-limit turn included."""
    backoff_base_seconds: float = 1.0
    """The first retry's delay; each further retry doubles it."""
    backoff_cap_seconds: float = 30.0
    """No retry waits longer than this, before jitter."""
    backoff_jitter: float = 0.5
    """Each delay varies randomly by up to this fraction, so workers do not retry in lockstep."""
    lock_url: str = DEFAULT_LOCK_URL
    """Where workers lock a step while one of them computes it: `file:FOLDER` (one machine),
    `redis://HOST:PORT/DB` (several machines) or `none`."""
    lock_lease_seconds: float = 30.0
    """A Redis lock's lease: its holder renews it while alive, so a lock whose holder died lapses within this long
    (file locks end with their process)."""

    # The language model block built from the environment (agentic_kit/_blocks/language_model.py).
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    """An OpenAI-compatible endpoint (vLLM, Ollama, LM Studio …); with it or a key the model is not offline."""
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    """The endpoint's API key."""
    model_provider: str | None = None
    """`offline`, `openai-compatible` or `cassette`; unset: offline unless OPENAI_BASE_URL or OPENAI_API_KEY is set."""
    model: str = DEFAULT_MODEL
    """The model's name at the endpoint."""
    price_input: float = 0.0
    """USD per million input tokens."""
    price_cached_input: float | None = None
    """USD per million input tokens served from the provider's prompt cache; unset: the input price."""
    price_output: float = 0.0
    """USD per million output tokens."""
    model_context_window: int = DEFAULT_CONTEXT_WINDOW
    """The model's context window in tokens; documents whose prompt would not fit are chunked."""
    model_tokenizer: str = "auto"
    """How the model's tokens are counted: `auto`, `estimate` or a tiktoken encoding (agentic_kit/_blocks/tokenizers.py)."""
    model_tokens_per_minute: int | None = None
    """The model's tokens-per-minute limit across all workers; unset: none."""
    fallback_model_block: str | None = None
    """A saved Language Model block to fall back to when this model's endpoint keeps failing."""
    model_cassette: str | None = None
    """The cassette file the `cassette` provider answers from (`agentic cassette record` writes one)."""
    keep_exchanges: bool = True
    """Keep each call to a model endpoint (its messages and answer) in the store's `model_exchanges` table, what
    `agentic cassette record` reads; the offline model's calls are never kept."""

    # The shared model budget built from the environment when no Model Budget block names the pipeline
    # (agentic_kit/_blocks/model_budget.py).
    budget_pipeline: str | None = None
    """The pipeline (flow name, e.g. document-pipeline) the environment's budget limits; unset: no budget."""
    budget_period: str = "day"
    """`day` or `month`: how long the budget lasts before it starts again."""
    budget_period_start: datetime | None = None
    """When periods start (UTC), repeating every day or month; unset: midnight UTC, the 1st of the month."""
    budget_max_usd: float | None = None
    """The most the pipeline's model calls may cost in a period, in USD; unset: no cost limit."""
    budget_max_tokens: int | None = None
    """The most tokens (prompt plus answer) the pipeline's model calls may use in a period; unset: no token limit."""
    budget_refresh_seconds: float = 30.0
    """How long a process keeps a pipeline's budget before reading its block again (0: on every call)."""

    # The other blocks built from the environment.
    database_url: SecretStr = SecretStr(DEFAULT_DATABASE_URL)
    """The pipeline store: any SQLAlchemy URL, sqlite:///… or postgresql://…"""
    enrichment_url: str | None = None
    """The enrichment API's base URL; unset: entities are not enriched."""
    enrichment_token: SecretStr | None = None
    """The enrichment API's bearer token."""
    export_folder: str = DEFAULT_EXPORT_FOLDER
    """Where published documents are exported; `none` for no export."""
    export_format: Literal["jsonl", "parquet", "both"] = "jsonl"
    """jsonl: one file a published document; parquet: one file a run, partitioned by date; both."""
    publish_webhook_url: str | None = None
    """POSTed to with a `document.published` payload for each published document; unset: none."""
    publish_webhook_token: SecretStr | None = None
    """Sent to the publish webhook as a bearer token."""
    fetch_allowed_hosts: str = ""
    """Comma-separated hosts or networks the fetch tools (research pages, documents by URL) may read besides public
    addresses."""
    webhook_secret: SecretStr | None = None
    """The signed-webhook gateway's shared secret (whsec_…)."""
    webhook_tolerance_seconds: int = DEFAULT_WEBHOOK_TOLERANCE_SECONDS
    """How far a delivery's timestamp may be from now."""
    webhook_read_timeout_seconds: float = DEFAULT_WEBHOOK_READ_TIMEOUT_SECONDS
    """How long a webhook sender may take to send its headers, then its body (a late body is answered 408)."""

    ingest_roots: str = ""
    """Folders (separated by `:`) the document pipeline may read `folder` and `paths` from; unset: the project's
    examples and the inbox folder, plus the folder a person gave a command (`agentic run FOLDER`, `python -m
    flows.document_pipeline FOLDER`: the command adds it, ingest_roots_with). Never the working directory: a
    worker started in `/` would read the whole machine. A folder outside them fails the run; a path outside is
    rejected, and the run goes on with the rest."""

    # What one document may cost, whatever its file's size (agentic_kit/_steps/text_extraction.py, the chunker).
    max_document_characters: int = Field(default=DEFAULT_MAX_DOCUMENT_CHARACTERS, ge=1)
    """The most characters of text one document may hold: reading stops as soon as its text passes this (a small
    file can expand to far more text than its bytes: a PDF repeating one content stream on every page, a .docx of
    one paragraph repeated), and the document is rejected. The default reads a 1,000-page contract."""
    max_document_parts: int = Field(default=DEFAULT_MAX_DOCUMENT_PARTS, ge=1)
    """The most parts one document may be read in (each part is a few model calls): a document that would take more
    is rejected before any model call. The default fits max_document_characters of text at the default context
    window (about 120 parts at three characters a token)."""

    # `make deploy`: the automations and their notification block (deployments/).
    alerts_webhook_url: str = DEFAULT_ALERTS_WEBHOOK_URL
    """Where the default custom-webhook notification block of the automations posts."""
    notification_block: str = DEFAULT_NOTIFICATION_BLOCK
    """The notification block automations use, as type-slug/name; swap it for a Slack or email block."""
    escalation_webhook_url: str | None = None
    """Where the default escalation block posts a review still waiting after review_escalation_seconds (a team
    lead, say); unset: the alerts webhook."""
    escalation_block: str = DEFAULT_ESCALATION_BLOCK
    """The notification block escalated reviews go through, as type-slug/name."""
    inbox_folder: str = Field(default_factory=lambda: os.path.abspath("inbox"))
    """The folder the nightly-ingest deployment processes."""
    dead_letter_alert_count: int = 10
    """Notify when this many dead letters are recorded …"""
    dead_letter_alert_minutes: int = 10
    """… within this many minutes."""
    max_run_minutes: int = 120
    """Cancel (and notify about) a flow run still running after this long."""
    heartbeat_timeout_seconds: int = 90
    """Mark a flow run Crashed when its process sent no heartbeat for this long (workers must set
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY, e.g. 30)."""

    # Observability (agentic_kit/_steps/log_format.py, agentic_kit/_steps/tracing.py, agentic_kit/_operate/metrics.py, agentic_kit/_steps/slo.py).
    log_format: str = "text"
    """`text` (Prefect's console format) or `json`: one JSON object a line with the flow-run, task-run and document
    ids."""
    trace_content: bool = False
    """Put prompts and answers on the model-call spans (off: only names, models, token counts and errors leave)."""
    metrics_port: int = 9464
    """Where `make metrics` serves /metrics (on 127.0.0.1 unless AGENTIC_METRICS_HOST says otherwise)."""
    metrics_host: str = "127.0.0.1"
    slo_window_minutes: int = 15
    """The SLO check looks at the calls and documents of this many minutes back."""
    slo_p95_seconds: float = 30.0
    """Objective: 95 % of a pipeline's model and tool call attempts take at most this long."""
    slo_error_rate: float = 0.05
    """Objective: at most this share of a pipeline's call attempts fail for good (retried attempts do not count)."""
    slo_dead_letter_rate: float = 0.05
    """Objective: at most this share of the documents seen in the window become dead letters."""

    # `agentic run` and `make run`: what the terminal shows while the pipeline works (agentic_kit/_operate/run_progress.py).
    progress_interval_seconds: float = Field(default=5.0, gt=0)
    """When the output is not a terminal (CI, a pipe): seconds between two plain progress lines."""

    # `make fleet`: the production topology on one machine (deployments/fleet/).
    fleet_folder: str = DEFAULT_FLEET_FOLDER
    """Where the fleet keeps what it started (pids), its logs, and each worker's PREFECT_HOME and working folder."""
    fleet_workers: int = Field(default=2, ge=1, le=50)
    """How many process workers `make fleet` starts."""
    fleet_worker_limit: int = Field(default=2, ge=1)
    """How many flow runs one worker runs at once; more wait in the work queue."""
    fleet_api_port: int = 4300
    """The fleet's Prefect server port."""
    fleet_object_store_port: int = 9300
    """The S3-compatible object store's port (moto in server mode), holding the results and the code."""
    fleet_database: str = "agentic_fleet"
    """The fleet's PostgreSQL databases are `<this>_prefect` (the Prefect server's) and `<this>_store` (the pipeline
    store); both are created when missing."""
    fleet_postgres: str = "postgres@127.0.0.1:5432"
    """The PostgreSQL server the fleet uses, as user@host:port (with its password, user:password@host:port)."""
    fleet_redis: str = "127.0.0.1:6379"
    """The Redis the fleet uses for the server's messaging and cache and the step locks, as host:port."""
    fleet_redis_db: int = Field(default=10, ge=0, le=13)
    """The Redis database of the server's messaging; the step locks use the next one, the server's docket the one
    after."""
    fleet_network: str = "auto"
    """`namespaces` (each worker in its own network namespace, reaching the others over a veth link, as a separate
    host would), `loopback` (every process on 127.0.0.1), or `auto`: namespaces when run as root with `ip netns`."""
    fleet_subnet: str = "10.231.0"
    """The first three parts of the IPv4 /24 the namespaces use: the host is .1, worker N is .(10+N)."""

    @field_validator("openai_api_key", "enrichment_token", "publish_webhook_token", "webhook_secret")
    @classmethod
    def _empty_secret_is_none(cls, secret: SecretStr | None) -> SecretStr | None:
        """A secret variable set to nothing counts as unset."""
        return secret if secret is not None and secret.get_secret_value() else None

    @model_validator(mode="after")
    def _secrets_redacted(self) -> Settings:
        """Every secret set here (keys, tokens, webhook URLs in full, Prefect's API credentials) is hidden from every
        message, log line and cassette of this process from now on (agentic_kit/_domain/redaction.py)."""
        register_secret(self.openai_api_key, self.enrichment_token, self.publish_webhook_token, self.webhook_secret)
        register_credentials(os.environ.get("PREFECT_API_AUTH_STRING"), os.environ.get("PREFECT_API_KEY"))
        register_secret_url(self.publish_webhook_url, self.escalation_webhook_url,
                            None if self.alerts_webhook_url == DEFAULT_ALERTS_WEBHOOK_URL else self.alerts_webhook_url)
        register_url_credentials(self.database_url, self.enrichment_url, self.openai_base_url)
        return self

    @model_validator(mode="before")
    @classmethod
    def _renamed_variables(cls, values: Any) -> Any:
        """Take a value from a renamed variable when its new name is unset, with a warning naming the new one."""
        if not isinstance(values, dict):
            return values
        for old, new_names in RENAMED.items():
            value = os.environ.get(old)
            if not value:
                continue
            for new in new_names:
                field = new.removeprefix(ENV_PREFIX).lower()
                if field not in values and not os.environ.get(new):
                    values[field] = value
            warnings.warn(f"{old} is renamed: set {' and '.join(new_names)} instead "
                          f"({old} still sets {'both' if len(new_names) > 1 else 'it'} for now)",
                          FutureWarning, stacklevel=2)
        return values

    @property
    def ingest_root_paths(self) -> list[Path]:
        """AGENTIC_INGEST_ROOTS as resolved folders, or the default roots: the examples and the inbox folder (not
        the working directory)."""
        if self.ingest_roots.strip():
            return [Path(root).expanduser().resolve() for root in self.ingest_roots.split(os.pathsep) if root.strip()]
        return [PROJECT_EXAMPLES.resolve(), Path(self.inbox_folder).resolve()]

    def ingest_roots_with(self, *folders: str | None) -> str:
        """The AGENTIC_INGEST_ROOTS value naming these roots and the folders given (None is skipped): what a command
        sets for the folder a person named on its command line."""
        roots = [str(root) for root in self.ingest_root_paths]
        for folder in folders:
            if folder and (resolved := str(Path(folder).expanduser().resolve())) not in roots:
                roots.append(resolved)
        return os.pathsep.join(roots)

    @property
    def fetch_allow_list(self) -> list[str]:
        """AGENTIC_FETCH_ALLOWED_HOSTS as a list."""
        return [entry.strip() for entry in self.fetch_allowed_hosts.split(",") if entry.strip()]


_by_environment: dict[frozenset[tuple[str, str]], Settings] = {}
ENVIRONMENTS_KEPT = 32
"""Distinct environments whose settings current_settings keeps (tests change the environment often)."""


def current_settings() -> Settings:
    """The settings of the environment as it is now, built once per distinct environment: the way a hot path reads
    them (building them parses every variable, about a millisecond). Read-only: never change the result."""
    environment = frozenset(os.environ.items())
    settings = _by_environment.get(environment)
    if settings is None:
        if len(_by_environment) >= ENVIRONMENTS_KEPT:
            _by_environment.clear()
        settings = _by_environment[environment] = Settings()
    return settings
