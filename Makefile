# Osool: one command per job. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PYPROJECTS := $(wildcard services/*/pyproject.toml)
CONTRACTS_DIR := services/chain/contracts
# Node.js packages: the pinned solc of the contract build, hardhat for the chain's real-node test, and the web client.
NODE_DIRS := $(CONTRACTS_DIR) services/chain/tests/hardhat web
# The web client's build (web/dist) is made again when one of these is newer than its index.html.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package-lock.json \
  web/tsconfig.json web/vite.config.ts
SERVICE_PACKAGES := $(patsubst %/__init__.py,%,$(wildcard services/*/osool_*/__init__.py))

.DEFAULT_GOAL := help
.PHONY: help install node-packages llm run up down status logs migrate create-admin outbox fuzz ingest eval-search eval-agent eval-leads eval-contracts test lint typecheck unit bench chaos rehearse-scale contracts gas-report gateway-config kubernetes web backup restore clean

help: ## list the commands
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt $(PYPROJECTS) devstack/pg_stat_statements_build.py
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	$(PY) -m devstack.pgvector_build
	@# pg_stat_statements for the monitoring service's database report; the stack runs without it (the report says so).
	$(PY) -m devstack.pg_stat_statements_build \
	  || echo "pg_stat_statements not built (see above): PostgreSQL starts without it; retry: $(PY) -m devstack.pg_stat_statements_build"
	@# The search model exported to ONNX once, into ~/.cache/osool/models/ (nothing when there); search falls back to
	@# sentence-transformers (slower, same vectors) when it cannot be made, so a failure does not stop the install.
	$(PY) -m osool_search.embeddings export-onnx || true
	@touch $(STAMP)

install: $(STAMP) node-packages ## install what is missing (virtualenv, Python deps, PostgreSQL+pgvector, Valkey, nginx, Node.js packages); nothing when up to date

# npm ci where a package-lock.json is newer than what node_modules holds, then the web client's build when a source
# changed; without npm the tests that need it say so, and the gateway's / says how to build the client.
node-packages:
	@if command -v npm >/dev/null; then \
	  for dir in $(NODE_DIRS); do \
	    test $$dir/node_modules/.package-lock.json -nt $$dir/package-lock.json \
	      || npm ci --prefix $$dir --no-audit --no-fund --loglevel=error || exit 1; \
	  done; \
	  $(MAKE) -s -f $(firstword $(MAKEFILE_LIST)) web/dist/index.html || exit 1; \
	else echo "npm not found: the contract build check, the hardhat test and the browser tests will be skipped, and the web client is not built"; fi

web: ## build the web client into web/dist (npm ci first when its lock file changed); nothing when up to date
	@test web/node_modules/.package-lock.json -nt web/package-lock.json \
	  || npm ci --prefix web --no-audit --no-fund --loglevel=error
	@$(MAKE) -s -f $(firstword $(MAKEFILE_LIST)) web/dist/index.html

# Type-checks (tsc), then Vite writes index.html and the hashed assets/ (the gateway serves them).
web/dist/index.html: $(WEB_SOURCES)
	npm run build --prefix web --silent

# Not part of install or test: CI and the tests never need the local model.
llm: $(STAMP) ## the agent's local model: llama-cpp-python[server] (built once, ~11 min) and the verified Qwen2.5-Coder 1.5B weights, cached in ~/.cache/osool; nothing when installed
	$(PY) -m devstack.llm install

run: install ## start PostgreSQL, Valkey, the gateway and every service in the foreground; Ctrl-C stops all
	$(PY) -m devstack run

up: install ## the same in the background
	$(PY) -m devstack up

down: ## stop the background stack
	@$(PY) -m devstack down

status: ## processes and health of every service
	@$(PY) -m devstack status

logs: ## follow every log of the local stack
	@$(PY) -m devstack logs -f

migrate: install ## apply every service's pending migrations (the stack must be up)
	$(PY) -m devstack migrate

create-admin: install ## create the first administrator: make create-admin EMAIL=you@example.com (asks the password); ROLE=agent for a sales agent
	@test -n "$(EMAIL)" || { echo "usage: make create-admin EMAIL=you@example.com [ROLE=agent]"; exit 2; }
	OSOOL_ENV_FILE=$${OSOOL_ENV_FILE:-$(CURDIR)/.env} $(PY) -m osool_auth create-admin --email "$(EMAIL)" --role "$(or $(ROLE),admin)"

outbox: install ## development: the SMS and email that would have been sent (codes, links): make outbox [RECIPIENT=+2010...]
	@OSOOL_ENV_FILE=$${OSOOL_ENV_FILE:-$(CURDIR)/.env} $(PY) -m osool_auth outbox $(if $(RECIPIENT),--recipient "$(RECIPIENT)")

ingest: install ## validate and upsert a JSON or CSV export of listings: make ingest FILE=path (the stack must be up)
	@test -n "$(FILE)" || { echo "usage: make ingest FILE=listings.json"; exit 2; }
	OSOOL_ENV_FILE=$${OSOOL_ENV_FILE:-$(CURDIR)/.env} $(PY) -m osool_search ingest "$(FILE)"

eval-search: install ## run the labelled search queries through the gateway; prints the share of results meeting their constraints and of full pages
	$(PY) -m osool_search.evaluation --url http://127.0.0.1:$${GATEWAY_PUBLIC_PORT:-8080} --json bench/results/eval-search.json

eval-agent: install ## send the labelled chat requests through the gateway; prints Amr's tool accuracy per brain and language
	$(PY) -m osool_agent.evaluation --url http://127.0.0.1:$${GATEWAY_PUBLIC_PORT:-8080} --json bench/results/eval-agent.json

eval-contracts: install ## the labelled contract clauses (English, Arabic) through the contract analyser; prints precision and recall (held-out too), fails below 0.90
	$(PY) -m osool_agent.contracts_eval --json bench/results/contracts.json

eval-leads: install ## the labelled buyer and seller utterances read by the lead rules (and the model's qualify_lead when configured); prints intent accuracy and slot F1
	$(PY) -m osool_agent.leads.evaluation --url http://127.0.0.1:$${GATEWAY_PUBLIC_PORT:-8080} --json bench/results/eval-leads.json

lint: install ## ruff (lint and format check)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install ## mypy over the shared kit, every service, the launcher and the benchmarks
	$(VENV)/bin/mypy $(SERVICE_PACKAGES) devstack bench

unit: install ## unit tests only (no servers)
	$(PY) -m pytest -q -m "not stack" services/*/tests/unit devstack/tests bench/tests

test: install lint typecheck ## lint, types, then every test against real servers it starts itself
	$(PY) -m pytest

fuzz: install ## Schemathesis with every check against every service's OpenAPI, as a user and an admin, on a private stack; writes bench/results/fuzz.json
	$(PY) -m devstack.fuzz

bench: install ## benchmarks: print figures and write JSON under bench/results/
	$(PY) -m bench.gateway
	$(PY) -m bench.auth
	$(PY) -m bench.history
	$(PY) -m bench.search
	$(PY) -m bench.embedding
	$(PY) -m bench.agent
	$(PY) -m bench.monitoring
	$(PY) -m bench.web
	$(PY) -m bench.startup

# Not part of bench or test: about 10 minutes of faults under load on a private stack.
chaos: install ## mixed load through the gateway while replicas are killed and Valkey, PostgreSQL and the chain node fail; writes bench/results/chaos.json
	$(PY) -m bench.chaos

# Not part of bench (tests/test_rehearsal.py runs a shorter one in make test): about 4 minutes, 1 of them starting.
rehearse-scale: install ## the compose topology natively on loopback (PostgreSQL + replica, Valkey + 3 Sentinels, 2 replicas each, TLS gateway): Valkey failover, replica stop, lag, backup restore; writes bench/results/rehearsal.json
	$(PY) -m bench.rehearsal

# The build needs only the standard library and Node.js, so any python3 runs it (no virtualenv needed).
contracts: ## compile the property registry (Node.js + pinned solcjs) into services/chain/osool_chain/contract/PropertyRegistry.json
	@test -d $(CONTRACTS_DIR)/node_modules/solc || npm ci --prefix $(CONTRACTS_DIR) --no-audit --no-fund
	python3 $(CONTRACTS_DIR)/build.py

gas-report: install ## gas per function of the property registry on the in-process EVM, against its goals; writes bench/results/gas.json
	$(PY) -m osool_chain.contract.gas_report --out bench/results/gas.json

gateway-config: install ## render the compose gateway config (gateway/nginx/nginx.compose.conf)
	$(PY) -m devstack gateway-config --out gateway/nginx/nginx.compose.conf

kubernetes: install ## write infrastructure/kubernetes/base/generated/ (the gateway's nginx.conf and the mounted files) from their sources; commit the result
	$(PY) infrastructure/kubernetes/generate.py

backup: install ## back up the local stack's database (pg_dump, custom format) into backups/ (BACKUP_DIR=...); the stack must be up
	$(PY) -m devstack.backups backup

restore: install ## replace the local stack's database with a backup: make restore FILE=backups/osool-<time>.dump (asks first, CONFIRM=yes does not; the replaced one is kept)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/osool-<time>.dump"; exit 2; }
	$(PY) -m devstack.backups restore "$(FILE)"

clean: down ## stop and delete local state (.osool/ and .env: data and secrets)
	rm -rf .osool .env
