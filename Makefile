# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    set up, migrate, create the demo council on SQLite, serve http://127.0.0.1:8000
#   make test   set up and run the whole test suite (also on PostgreSQL when
#               COUNCIL_TEST_DATABASE_URL is set, as .ci/run does)
# the first interpreter that really runs and is 3.11 or newer (pyenv shims may not run)
PYTHON ?= $(shell for p in python3 python3.11 python3.12 python3.13 python3.14; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && command -v $$p && break; \
	done)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck mutate format setup system-packages browser messages oidc-node html-checker bench

run: setup system-packages
	$(VENV)/bin/council migrate
	$(VENV)/bin/council demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")
	@echo "Serving the demo council at http://$(HOST):$(PORT)  (Ctrl-C stops it)"
	$(VENV)/bin/council serve --host $(HOST) --port $(PORT)

# Coverage of the SQLite run (the PostgreSQL run goes through the same code): the total, and a
# floor a little under the figure measured when it was set; raise it as tests are added.
COVERAGE_FLOOR ?= 94
COVERAGE := --cov=council --cov=workspaces --cov-report= --cov-fail-under=$(COVERAGE_FLOOR)

# With COUNCIL_TEST_DATABASE_URL set (as in CI), the run on PostgreSQL goes side by side with
# the one on SQLite, each on a core of its own: they share nothing (other databases, temporary
# folders and screens), and PostgreSQL's report is printed after SQLite's.
test: setup system-packages browser oidc-node html-checker
	@status=0; postgres=""; \
	if [ -n "$$COUNCIL_TEST_DATABASE_URL" ]; then \
		mkdir -p var; \
		echo "== the same suite on PostgreSQL ($$COUNCIL_TEST_DATABASE_URL) runs beside this one"; \
		temporary=$$(mktemp -d -t council-postgresql-XXXXXX); \
		COUNCIL_SCREENS=var/screens-postgresql $(VENV)/bin/pytest -p no:cacheprovider \
			--basetemp="$$temporary/tests" $(PYTEST_ARGS) \
			> var/test-postgresql.log 2>&1 & postgres=$$!; \
	fi; \
	COUNCIL_TEST_DATABASE_URL= $(VENV)/bin/pytest $(COVERAGE) $(PYTEST_ARGS) || status=1; \
	if [ -n "$$postgres" ]; then \
		wait $$postgres || status=1; \
		rm -rf "$$temporary"; \
		echo "== the same suite on PostgreSQL: $$COUNCIL_TEST_DATABASE_URL"; \
		cat var/test-postgresql.log; \
	fi; \
	exit $$status

# A whole council under load (not part of `make test`): see bench/run.py and the README.
# BENCH_SCALE=0.1 seeds a tenth of it and runs in about two minutes.
BENCH_SCALE ?= 1
BENCH_WORKERS ?= 1
bench: setup system-packages
	$(VENV)/bin/python -m bench.run --scale $(BENCH_SCALE) --workers $(BENCH_WORKERS) $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy: a baseline for all the code, strict on the pure rules and the CSRF check (pyproject.toml)
typecheck: setup
	$(VENV)/bin/mypy

# Mutation testing (not part of `make test`): mutmut changes the decision rule, the paragraph
# matching, can(), the audit hash and the CSRF check one operator or constant at a time and
# runs their tests against each change. docs/MUTATION.md keeps the report and its reasons.
# (can() and its rules, not load_actor(), which loads roles from the database)
MUTANTS ?= workspaces.decisions.* council.csrf.* council.permissions.x_can__* \
	council.permissions.x__* council.permissions.x*Actor* council.audit.x__digest__* \
	$(foreach f,match_paragraphs _pair_equal _similar_pairs _rare_word_index _candidates _words \
	_assign_ids,workspaces.paragraphs.x_$(f)__*) workspaces.paragraphs.x*_Scorer*
mutate: setup
	$(VENV)/bin/mutmut run $(foreach m,$(MUTANTS),'$(m)')
	$(VENV)/bin/mutmut results


format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

setup: $(VENV)/.synced

$(UV):
	@[ -n "$(PYTHON)" ] || { echo "Council Workspace needs Python 3.11 or newer."; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked
	@touch $@

# What WeasyPrint (the PDF of a recommendation) loads from the system: Pango, HarfBuzz, a font
# with the accents of Spanish and French. Installed from Debian when missing and run as root.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	fonts-dejavu-core
system-packages:
	@if command -v dpkg-query >/dev/null 2>&1; then \
		missing=$$(for p in $(SYSTEM_PACKAGES); do \
			dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed || echo $$p; \
		done); \
	elif { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q libpangoft2-1.0; then \
		missing=""; \
	else \
		missing="$(SYSTEM_PACKAGES)"; \
	fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing what WeasyPrint needs for the PDFs:" $$missing; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "!! The PDF downloads (WeasyPrint) need Pango, HarfBuzz and the DejaVu fonts."; \
			echo "!! Install them with: sudo apt-get install" $$missing; \
			echo "!! (elsewhere: https://doc.courtbouillon.org/weasyprint/stable/first_steps.html)"; \
		fi; \
	fi

# Debian's chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "!! chromium is not installed: the browser tests will be skipped."; \
			echo "!! Install it with: sudo apt-get install chromium"; \
		fi; }

# The npm OpenID provider that the PKCE test starts (from the committed package-lock.json).
oidc-node:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		if [ ! -d tests/oidc_node/node_modules ] || \
				[ tests/oidc_node/package-lock.json -nt tests/oidc_node/node_modules ]; then \
			echo "Installing the test OpenID provider (npm ci in tests/oidc_node)..."; \
			cd tests/oidc_node && npm ci --no-audit --no-fund --loglevel=error; \
		fi; \
	else \
		echo "!! node or npm is not installed: the PKCE test will be skipped."; \
	fi

# The Nu Html Checker that tests/workspaces/test_html_validity.py runs: Debian's Java and the
# npm package vnu-jar (from the committed package-lock.json).
html-checker:
	@command -v java >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's Java for the HTML checker..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
		else \
			echo "!! java is not installed: the HTML validity test will be skipped."; \
			echo "!! Install it with: sudo apt-get install default-jre-headless"; \
		fi; }
	@if command -v npm >/dev/null 2>&1; then \
		if [ ! -d tests/vnu/node_modules ] || \
				[ tests/vnu/package-lock.json -nt tests/vnu/node_modules ]; then \
			echo "Installing the Nu Html Checker (npm ci in tests/vnu)..."; \
			cd tests/vnu && npm ci --no-audit --no-fund --loglevel=error; \
		fi; \
	else \
		echo "!! npm is not installed: the HTML validity test will be skipped."; \
	fi

# Extract every translatable string and merge it into the en, es and fr catalogues.
messages: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy --no-location --sort-output \
		--project="Council Workspace" -o council/translations/messages.pot .
	@for lang in en es fr; do \
		if [ -f council/translations/$$lang/LC_MESSAGES/messages.po ]; then \
			$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i council/translations/messages.pot -d council/translations -l $$lang; \
		else \
			$(VENV)/bin/pybabel init -i council/translations/messages.pot -d council/translations -l $$lang; \
		fi; \
	done
