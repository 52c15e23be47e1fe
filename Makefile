# Two commands for a fresh clone (Python 3.11, pip and make are all it needs):
#   make run    install everything, build the warehouse on DuckDB, run GX, generate docs and the report
#   make test   install everything, lint, dbt build with every test, GX, docs, pytest (browser included)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
WAREHOUSE_DIR := warehouse
export DBT_PROFILES_DIR := $(CURDIR)
export CRM_DUCKDB_PATH ?= $(WAREHOUSE_DIR)/crm.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
# The environment sets PYTHONDONTWRITEBYTECODE; compiled bytecode halves dbt's start-up.
export UV_COMPILE_BYTECODE := 1
# Colour codes only on a terminal: piped into a file or a CI log they are noise. (Tested on
# stderr: $(shell) captures stdout, so `test -t 1` would always be false there.)
export DBT_USE_COLORS ?= $(shell test -t 2 && echo true || echo false)
DBT := $(BIN)/dbt
# For tools that colour their output whatever it goes to (dbt-bouncer's log lines).
NO_COLOURS := $(if $(filter true,$(DBT_USE_COLORS)),cat,perl -pe 's/\e\[[0-9;]*m//g')

.PHONY: help install run test test-postgres test-spark spark-env lock-spark postgres postgres-compare build quality semantic docs report browser lint format evaluate pytest generate bench bench-engines lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $@

install: $(BIN)/.installed  ## create .venv with the locked dependencies

$(WAREHOUSE_DIR)/tmp:
	mkdir -p $@

# Your own extract: `make build DATA=folder` (one <table>.parquet, <table>/ of Parquet files or
# <table>.csv per source table). The sources then read those files (CRM_SOURCE_PATH, see
# macros/staging/register_crm_files.sql); only the reference seeds (seeds/mappings) are loaded.
DATA ?= $(CRM_SOURCE_PATH)
ifneq ($(strip $(DATA)),)
export CRM_SOURCE_PATH := $(abspath $(DATA))
EXTRACT := $(DATA)
SEEDS := --select path:seeds/mappings
else
EXTRACT := seeds/crm
SEEDS :=
endif

# Unit tests check the models' logic on fixed inputs, not the data: a production build learns
# nothing from them, and dbt recommends running them in development and CI only. The main job
# leaves them out; `make test` runs them in its build phase (UNIT_TESTS=run).
UNIT_TESTS ?= skip
BUILD_EXCLUDE := --exclude-resource-type seed $(if $(filter run,$(UNIT_TESTS)),,--exclude-resource-type unit_test)

# Sources read the raw schema, which seeds load: seed first (staging has no ref to the seeds,
# so one `dbt build` would not order them), then build and test everything else. Both run in one
# process on one parse (crm_warehouse/dbt_steps.py), which saves dbt's start-up for the second.
DBT_STEPS := $(BIN)/python -m crm_warehouse.dbt_steps
SEED_STEP := seed --full-refresh --quiet $(SEEDS)
BUILD_STEP := build $(BUILD_EXCLUDE)
define build-prelude
$(BIN)/python -m crm_warehouse.warehouse_lock --write "$(CRM_DUCKDB_PATH)"
$(BIN)/python -m crm_warehouse.privacy protect "$(CRM_DUCKDB_PATH)"
$(BIN)/python -m crm_warehouse.preflight $(EXTRACT)
@echo "dbt seed: loading the $(if $(SEEDS),reference seeds,CRM extract and reference seeds) (quiet unless a seed fails)"
endef

build: install $(WAREHOUSE_DIR)/tmp  ## load the seeds (or read DATA=folder), then build every model and run its data tests
	$(build-prelude)
	$(DBT_STEPS) "$(SEED_STEP)" "$(BUILD_STEP)"

quality: install  ## Great Expectations suites against the built warehouse; the personal-data scan of the marts
	$(BIN)/python -m crm_warehouse.warehouse_lock "$(CRM_DUCKDB_PATH)"
	$(BIN)/python -m crm_warehouse.quality
	$(BIN)/python -m crm_warehouse.privacy scan "$(CRM_DUCKDB_PATH)"

DOCS_STEP := docs generate --static --quiet
docs: install $(WAREHOUSE_DIR)/tmp  ## dbt docs site (target/index.html and the self-contained target/static_index.html)
	$(BIN)/python -m crm_warehouse.warehouse_lock --write "$(CRM_DUCKDB_PATH)"
	@echo "dbt docs: generating the docs site from the warehouse's catalog (quiet unless it fails)"
	$(DBT) $(DOCS_STEP)
	@echo "dbt docs: $(CURDIR)/target/static_index.html"

# MetricFlow reads target/semantic_manifest.json (refreshed by the parse) and the profile's warehouse;
# perl drops its spinner frames, which are noise in a log.
semantic: install $(WAREHOUSE_DIR)/tmp  ## MetricFlow: validate the metrics and semantic models against the warehouse
	$(BIN)/python -m crm_warehouse.warehouse_lock --write "$(CRM_DUCKDB_PATH)"
	@echo "mf validate-configs: the semantic layer (models/semantic) against the warehouse"
	$(DBT) parse --quiet
	$(BIN)/mf validate-configs | perl -CS -pe 's/(?:[\x{2800}-\x{28FF}][^\x{2800}-\x{28FF}\x{2714}\x{2716}]*)+//g'

report: install  ## one self-contained HTML report from the marts (target/report/crm_report.html)
	$(BIN)/python -m crm_warehouse.warehouse_lock "$(CRM_DUCKDB_PATH)"
	$(BIN)/python -m crm_warehouse.report

browser:  ## Debian's chromium for the browser tests, where the machine allows (else they say not run)
	scripts/install_chromium.sh
	@command -v chromium > /dev/null || { mkdir -p target/not-run; \
		echo "no chromium here: the browser tests are skipped" > target/not-run/browser; }

# The main job runs build's and docs' dbt commands in one process: the docs then take the SQL the
# build compiled and wrote into target/manifest.json (--no-compile) instead of compiling the
# project again. The build does not compile analyses: they are compiled first, into the same
# manifest, without writing artifacts of their own.
run: install $(WAREHOUSE_DIR)/tmp  ## the main job: build the warehouse, check it, document it, report on it
	$(build-prelude)
	@echo "dbt docs: generated after the build, in the same process (quiet unless it fails)"
	$(DBT_STEPS) "$(SEED_STEP)" "compile --select resource_type:analysis --no-write-json --quiet" "$(BUILD_STEP)" "$(DOCS_STEP) --no-compile"
	@# Side by side: both only read the warehouse (DuckDB lets several processes read it) and each
	@# is mostly one Python thread; each one's output is printed whole when it ends (about 1 s
	@# saved at the default size: 8.0 against 9.0 s, three runs each, alternating).
	@$(MAKE) --no-print-directory -j2 --output-sync=target quality report
	@echo
	@echo "Warehouse:  $(CURDIR)/$(CRM_DUCKDB_PATH)"
	@echo "Report:     $(CURDIR)/target/report/crm_report.html (one file, works offline)"
	@echo "dbt docs:   $(CURDIR)/target/static_index.html (or: $(DBT) docs serve)"
	@echo "Quality:    $(CURDIR)/target/gx/quality.html (Great Expectations results, readable offline)"
	@echo "Metrics:    $(BIN)/mf list metrics; $(BIN)/mf query --saved-query kpi_sales_monthly (KPI pack: mf list saved-queries)"

lint: install $(WAREHOUSE_DIR)/tmp  ## sqlfluff over the SQL, yamlfix over the YAML, dbt-bouncer over the project's conventions
	@echo "sqlfluff: linting $$(find models tests analyses snapshots -name '*.sql' | wc -l) SQL files (compiles the project first; about a minute)"
	$(BIN)/sqlfluff lint models tests analyses snapshots
	@echo "yamlfix: one YAML style in every YAML file (make format applies it)"
	@$(BIN)/yamlfix --check --config-file pyproject.toml $(YAML_FILES) 2>&1 | $(NO_COLOURS)
	@echo "dbt-bouncer: the project's conventions (names, folders, descriptions, keys, contracts, access, lineage) on a fresh parse"
	$(DBT) parse --quiet --target-path target/bouncer
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml 2>&1 | $(NO_COLOURS)

YAML_FILES = $(shell git ls-files '*.yml' '*.yaml' 2>/dev/null || find . -name '*.yml' -not -path './.venv/*' -not -path './target/*')
format: install  ## apply the one YAML style (yamlfix, configured in pyproject.toml) to every YAML file
	@$(BIN)/yamlfix --config-file pyproject.toml $(YAML_FILES) 2>&1 | $(NO_COLOURS)

# dbt Labs' project evaluator with the project's exceptions (evaluator/): a development check, not in
# CI (not on PyPI). PEERS: a folder with checkouts of dbt-labs/dbt-utils and dbt-project-evaluator.
evaluate: install  ## dbt-project-evaluator over the project (PEERS=folder with dbt_utils/ and dbt_project_evaluator/)
	scripts/evaluate_project.sh $(PEERS)

pytest: install $(WAREHOUSE_DIR)/tmp  ## Python tests (generator, seeds, faults, quality checks)
	$(BIN)/python -m pytest

# docs before pytest: the browser tests open the docs site this build generated. Each phase is
# timed (scripts/phase.sh); the summary at the end says which passed, failed or could not run.
TEST_PHASES := lint build postgres quality semantic docs browser pytest
test: export UNIT_TESTS := run
test: install  ## every check CI runs (the build with the unit tests), phase by phase, with a timed summary at the end
	@rm -f target/phases.txt
	@status=0; for phase in $(TEST_PHASES); do \
		scripts/phase.sh $$phase $(MAKE) --no-print-directory $$phase || { status=1; break; }; \
	done; \
	echo; echo "make test, phase by phase:"; cat target/phases.txt; exit $$status

# Portability check: the same seeds, models, snapshot and tests on a throwaway PostgreSQL (built
# by an owner role), the analyst role's access checked (marts readable, nothing else), a second
# run of the incremental models (their incremental path) and a rebuild of two marts, access
# checked again, then every mart's figures compared with the DuckDB build. dbt's output goes to target/postgres-dbt, so the DuckDB
# target/ stays as it is. In `make test` where PostgreSQL's server binaries are installed or
# can be (scripts/install_postgres.sh); elsewhere it says "not run" and why.
PG_FLAGS := --target postgres --target-path target/postgres-dbt
postgres-compare: install
	scripts/with_postgres.sh bash -c '$(DBT) seed $(PG_FLAGS) --full-refresh --quiet \
		&& $(DBT) build $(PG_FLAGS) --exclude-resource-type seed --quiet \
		&& $(BIN)/python -m crm_warehouse.quality.check_grants --label "after the build" \
		&& echo "postgres: dbt build passed; running the incremental models again and rebuilding two marts" \
		&& $(DBT) build $(PG_FLAGS) --select config.materialized:incremental int_customers__state_as_of dim_customers dim_customer_contacts --quiet \
		&& $(BIN)/python -m crm_warehouse.quality.check_grants --label "after a rebuild" \
		&& $(BIN)/python -m crm_warehouse.quality.compare_databases'

postgres: install  ## the PostgreSQL check on the warehouse just built, where PostgreSQL can be had (else: not run)
	@if scripts/install_postgres.sh; then \
		echo "postgres: the same build on a throwaway PostgreSQL, every mart compared with DuckDB"; \
		$(MAKE) --no-print-directory postgres-compare; \
	else \
		echo "postgres: NOT RUN (no PostgreSQL server here; make test-postgres runs it where there is one)"; \
		mkdir -p target/not-run; echo "no PostgreSQL server here" > target/not-run/postgres; \
	fi

test-postgres: build  ## build on DuckDB, then the same build and tests on a throwaway PostgreSQL, marts compared
	$(MAKE) --no-print-directory postgres-compare

# Spark: its own environment (.venv-spark from requirements-spark.lock), a standalone cluster on
# 127.0.0.1 started from it (scripts/spark_cluster.sh), the same seeds, models, snapshot and
# tests there, every mart compared with the DuckDB build, then the incremental models' second run
# and the comparison again. Not in `make test`: about 12 minutes at the default size.
SPARK_VENV := .venv-spark
SPARK_FLAGS := --target spark --target-path target/spark-dbt
$(SPARK_VENV)/bin/.installed: requirements-spark.lock
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(SPARK_VENV)/bin/uv pip sync --quiet --python $(SPARK_VENV)/bin/python requirements-spark.lock
	touch $@

spark-env: $(SPARK_VENV)/bin/.installed  ## create .venv-spark (dbt-spark, pyspark, Iceberg's jar) from requirements-spark.lock

test-spark: build spark-env  ## build on DuckDB, then the same build on a local Spark cluster (Iceberg tables), marts compared
	CRM_SPARK_DIR=$(CURDIR)/warehouse/spark \
	CRM_ICEBERG_JAR=$$(ls $(CURDIR)/$(SPARK_VENV)/lib/python3.11/site-packages/snowpark_connect_deps_iceberg/jars/iceberg-spark-runtime-3.5_2.12-*.jar) \
	scripts/with_spark.sh bash -c '$(SPARK_VENV)/bin/dbt seed $(SPARK_FLAGS) --full-refresh --quiet \
		&& $(SPARK_VENV)/bin/dbt build $(SPARK_FLAGS) --exclude-resource-type seed \
		&& $(SPARK_VENV)/bin/python -m crm_warehouse.quality.compare_databases --engine spark \
		&& echo "spark: dbt build passed; running the incremental models again and rebuilding a mart" \
		&& $(SPARK_VENV)/bin/dbt build $(SPARK_FLAGS) --select config.materialized:incremental int_customers__state_as_of dim_customers --quiet \
		&& $(SPARK_VENV)/bin/python -m crm_warehouse.quality.compare_databases --engine spark'

lock-spark:  ## re-resolve requirements-spark.in into requirements-spark.lock
	$(BIN)/uv pip compile requirements-spark.in --python-version 3.11 --no-header -o requirements-spark.lock

generate: install  ## regenerate the seeds from the generator (seed 42, default size)
	$(BIN)/python -m crm_warehouse.generator

# Benchmark at a scale factor (1 = about 2,000 customers, 22,000 order lines): generates the
# Parquet extract data/sf$(SF) once, then times dbt build, dbt run, a raw replay of the same SQL
# and an incremental run in a scratch database under warehouse/bench/sf$(SF) (never the
# warehouse). Figures in warehouse/bench/sf$(SF)/bench.json; BENCH_FLAGS=--strict fails on a
# model over its budget (crm_warehouse/bench_budgets.yml).
SF ?= 1
BENCH_FLAGS ?=
data/sf%/order_items.parquet: | $(BIN)/.installed
	$(BIN)/python -m crm_warehouse.bench --scale $* --data data/sf$* --generate-only

bench: install data/sf$(SF)/order_items.parquet  ## time the build at scale SF (make bench SF=50): one table of figures
	$(BIN)/python -m crm_warehouse.bench --scale $(SF) --data data/sf$(SF) $(BENCH_FLAGS)

# The same build on DuckDB, PostgreSQL and Spark at scale SF, side by side (scripts/bench_engines.sh):
# each engine loads the generated CSV extract with dbt seed, then dbt build, both timed; PostgreSQL
# and Spark compare every mart with DuckDB. ENGINES picks some of them.
ENGINES ?= duckdb postgres spark
bench-engines: install $(if $(filter spark,$(ENGINES)),spark-env)  ## the build timed on DuckDB, PostgreSQL and Spark at scale SF
	$(if $(filter postgres,$(ENGINES)),scripts/install_postgres.sh)
	scripts/bench_engines.sh $(SF) $(ENGINES)

lock:  ## re-resolve requirements.in into requirements.lock
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --no-header -o requirements.lock

clean:  ## remove build output and the warehouse (keeps .venv and .venv-spark)
	rm -rf target logs $(WAREHOUSE_DIR) dbt_packages .pytest_cache
