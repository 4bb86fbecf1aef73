# Two commands: `make run` (the document pipeline on the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export AGENTIC_MODEL_PROVIDER ?= offline
# Material's end-of-life banner on every mkdocs command, off
export NO_MKDOCS_2_WARNING := 1

.PHONY: run test system-packages test-e2e test-agents test-fleet test-bench fleet fleet-stop metrics server server-stop deploy worker runner gateway dead-letters bench bench-full bench-packages chaos chaos-tickets canary-drill docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,fleet,bench,docs]'
	touch $(STAMP)

run: $(STAMP)  ## run the document pipeline over examples/documents (starts a local server if needed; ARGS="--verbose")
	$(BIN)/agentic run $(ARGS)

system-packages:  ## Debian's prometheus (metrics test) and chromium (review form test), installed when missing, as root
	@for package in prometheus chromium; do \
	  command -v $$package >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then \
	      apt-get install -y -qq $$package >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $$package; }; \
	    else echo "$$package is not installed and this is not root: the test that needs it will skip"; fi; }; \
	done

test: $(STAMP) system-packages  ## the test suite: real Prefect server, real HTTP servers on 127.0.0.1
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mkdocs build --strict --site-dir .site
	$(BIN)/python -m pytest -q --numprocesses 1 --durations=15 --ignore=tests/fleet --ignore=tests/bench \
	  --ignore=tests/agents --ignore=tests/flows/test_support_agent.py -m "not e2e"

test-e2e: $(STAMP) system-packages  ## end to end across processes: servers started and stopped, a worker, Chromium, SIGKILLs, chaos
	$(BIN)/python -m pytest -q --numprocesses 1 --durations=15 --ignore=tests/fleet --ignore=tests/bench \
	  --ignore=tests/agents --ignore=tests/flows/test_support_agent.py -m e2e

test-agents: $(STAMP) system-packages  ## the tool-calling agents' tests: MCP servers, approvals in Chromium, a SIGKILL mid-run
	$(BIN)/python -m pytest -q --numprocesses 1 --durations=10 tests/agents tests/flows/test_support_agent.py

test-bench: $(STAMP)  ## the bench's own check: each peer, on 3 documents, sends the baseline's requests and writes every document
	$(BIN)/python -m pytest -q tests/bench

test-fleet: $(STAMP)  ## the fleet's tests: PostgreSQL-backed server, Redis, object store, 2 workers, a worker killed
	$(BIN)/python -m pytest -q tests/fleet

fleet: $(STAMP)  ## the production topology here: server on PostgreSQL + Redis, object store, N workers (AGENTIC_FLEET_WORKERS)
	$(BIN)/python -m deployments.fleet start

fleet-stop: $(STAMP)  ## stop exactly what `make fleet` started (by pid), remove its network namespaces
	$(BIN)/python -m deployments.fleet stop

server: $(STAMP)  ## make sure a Prefect server answers and print its API URL
	$(BIN)/python -m agentic_kit._operate.local_server

server-stop: $(STAMP)  ## stop the Prefect server `make run` started in the background (by its recorded pid)
	$(BIN)/agentic server stop

deploy: $(STAMP)  ## work pool, limits, blocks, notification block, automations, then prefect deploy --all
	api_url=$$($(BIN)/python -m agentic_kit._operate.local_server) && \
	PREFECT_API_URL=$$api_url $(BIN)/python -m deployments.bootstrap

worker: $(STAMP)  ## a process worker on the project's work pool (heartbeats on, for crash detection)
	api_url=$$($(BIN)/python -m agentic_kit._operate.local_server) && \
	PREFECT_API_URL=$$api_url PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30 $(BIN)/prefect worker start --pool agentic-process

runner: $(STAMP)  ## the event-triggered document pipeline's runs in one long-lived process (Running within 0.25 s, no process start each)
	api_url=$$($(BIN)/python -m agentic_kit._operate.local_server) && \
	PREFECT_API_URL=$$api_url $(BIN)/agentic runner document-pipeline/on-document-received

gateway: $(STAMP)  ## the signed-webhook gateway on 127.0.0.1:8780 (AGENTIC_WEBHOOK_SECRET=whsec_…)
	api_url=$$($(BIN)/python -m agentic_kit._operate.local_server) && \
	PREFECT_API_URL=$$api_url $(BIN)/python -m agentic_kit._operate.webhook_gateway

.PHONY: research
research: $(STAMP)  ## research Q="a question" over the sample documents (offline model); prints where the report is
	@test -n "$(Q)" || { echo 'usage: make research Q="your question" [URLS="https://… https://…"]'; exit 2; }
	$(BIN)/agentic research "$(Q)" $(foreach url,$(URLS),--url "$(url)")

metrics: $(STAMP)  ## /metrics for Prometheus on 127.0.0.1:9464 (AGENTIC_METRICS_PORT), from the store and the Prefect API
	api_url=$$($(BIN)/python -m agentic_kit._operate.local_server) && \
	PREFECT_API_URL=$$api_url $(BIN)/python -m agentic_kit._operate.metrics

dead-letters: $(STAMP)  ## dead letters: make dead-letters ARGS="list --step enrich" (agentic dead-letters list|show|replay|discard)
	$(BIN)/agentic dead-letters $(or $(ARGS),list)

bench-packages:  ## Debian's wrk, the gateway benchmark's load generator, installed when missing (as root)
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; \
	  else echo "wrk is not installed and this is not root: sudo apt-get install wrk"; exit 1; fi; }

bench: $(STAMP) bench-packages  ## benchmarks, quick (about 10 min): ratios against a plain-asyncio baseline and the peers, the webhook intake, bench/results/latest.json
	$(BIN)/python -m bench

bench-full: $(STAMP) bench-packages  ## every benchmark, with the 1,000/5,000-document scale pair (longer)
	$(BIN)/python -m bench --full

chaos: $(STAMP)  ## the pipeline under 30 % faults and 5 SIGKILLs, audited for lost and duplicated documents (ARGS="--documents 20 --kills 2")
	$(BIN)/python -m chaos $(ARGS)

canary-drill: $(STAMP)  ## a faulty candidate of a step rolled back on its own at a 20 % share, a healthy one kept (no key)
	$(BIN)/python -m chaos.canary_drill $(ARGS)

chaos-tickets: $(STAMP)  ## ticket triage on examples/tickets.jsonl under faults and 2 SIGKILLs: nothing lost, nothing done twice (ARGS="--kills 3 --seed 1")
	$(BIN)/agentic chaos flows.ticket_triage:ticket_triage --items examples/tickets.jsonl $(ARGS)

docs: $(STAMP)  ## this documentation site, served on 127.0.0.1:8000 while you edit docs/ (mkdocs.yml)
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

clean:  ## stop the background Prefect server `make run` started, remove the environment and all local state
ifneq ($(wildcard $(BIN)/agentic),)  # a fresh clone has no environment, and no server of `make run`'s
	-$(BIN)/agentic server stop
endif
	rm -rf $(VENV) .prefect .agentic
