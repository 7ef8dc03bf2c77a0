# dataip — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := .tools/bin/uv
PY := .venv/bin/python
export DATAIP_DATA_DIR ?= $(CURDIR)/var
TEST_DATA_DIR := $(CURDIR)/var/test

.PHONY: help run test bench lint format messages vendor demo tick clean

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock bin/system-deps
	bin/system-deps
	$(UV) sync --frozen --quiet
	touch $@

messages: .venv/.synced ## Compile translations (.po -> .mo)
	@$(PY) bin/compile-messages

vendor: $(UV) ## Install the front-end libraries (npm ci) and copy them into the static files
	@bin/vendor
	@bin/build-holder-tools

run: .venv/.synced messages vendor ## Install, migrate, load demo data once, serve http://127.0.0.1:8000
	.venv/bin/dataip migrate
	.venv/bin/dataip demo
	.venv/bin/dataip serve

test: .venv/.synced messages vendor ## Run the test suite (DATAIP_DATABASE_URL=postgres://... for PostgreSQL)
	DATAIP_DATA_DIR=$(TEST_DATA_DIR) .venv/bin/pytest $(TESTS)

bench: .venv/.synced messages vendor ## Run the benchmarks (ratios against a baseline measured in the same run)
	DATAIP_DATA_DIR=$(CURDIR)/var/bench $(PY) -m bench

lint: .venv/.synced ## ruff, formatting, mypy --strict, migrations in step with models
	.venv/bin/ruff check src tests bench bin
	.venv/bin/ruff format --check src tests bench bin
	.venv/bin/mypy src tests
	DATAIP_DATA_DIR=$(TEST_DATA_DIR) .venv/bin/dataip manage makemigrations --check --dry-run

format: .venv/.synced ## Reformat and fix what ruff can
	.venv/bin/ruff check --fix src tests bench bin
	.venv/bin/ruff format src tests bench bin

tick: .venv/.synced ## Apply time-driven transitions now
	.venv/bin/dataip tick

clean: ## Remove the environments and the local data folder
	rm -rf .venv .tools var node_modules src/dataip/web/static/vendor

makemessages: .venv/.synced ## Update the Chinese catalogue from the source (needs GNU gettext)
	cd src/dataip && DATAIP_DATA_DIR=$(TEST_DATA_DIR) ../../$(PY) -m django makemessages -l zh_Hans --ignore "migrations/*" --settings=dataip.config.settings
