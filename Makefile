# Two commands: `make run` (the document pipeline on the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export AGENTIC_MODEL_PROVIDER ?= offline

.PHONY: run test server clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## run the document pipeline over examples/documents (starts a local server if needed)
	$(BIN)/python -m deployments.run_local

test: $(STAMP)  ## the test suite: real Prefect server, real HTTP servers on 127.0.0.1
	$(BIN)/python -m pytest -q

server: $(STAMP)  ## make sure a Prefect server answers and print its API URL
	$(BIN)/python -m deployments.local_server

clean:  ## remove the environment and all local state
	rm -rf $(VENV) .prefect .agentic
