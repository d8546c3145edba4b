# `make run`: set up and start Walker on the embedded default (SQLite, in-memory layer, filesystem broker).
# `make test`: set up and run the test suite (.ci/run runs it twice: with nothing set, then with DATABASE_URL and REDIS_URL).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
DEPLOY_VENV := .venv-deploy
DEPLOY_INSTALLED := $(DEPLOY_VENV)/.installed
CLIENTS_VENV := .venv-clients
CLIENTS_INSTALLED := $(CLIENTS_VENV)/.installed
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: install install-dev deploy-tools client-tools browsers monitoring-tools nginx run run-prod-shape test lint messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# The runtime only (make run); tests and lint add requirements-dev.txt.
$(INSTALLED): requirements.txt | $(PY)
	$(PIP) -r requirements.txt
	@touch $@

$(DEV_INSTALLED): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	@touch $(INSTALLED) $@

# The deployment's linters and renderer (tests/deploy) in their own virtualenv: checkov cannot share pytest's.
$(DEPLOY_INSTALLED): requirements-deploy.txt
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	@touch $@

# The client package (clients/python) with LangGraph and the OpenAI Agents SDK, for its tests and tests/clients:
# apart from .venv, where the SDK's top-level `agents` package would shadow Walker's `agents` app.
$(CLIENTS_INSTALLED): clients/python/pyproject.toml clients/python/requirements-dev.txt
	$(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ./clients/python -r clients/python/requirements-dev.txt
	@touch $@

install: $(INSTALLED)
install-dev: $(DEV_INSTALLED)
deploy-tools: $(DEPLOY_INSTALLED)
client-tools: $(CLIENTS_INSTALLED)

# Real browser tests drive Debian's Chromium through its ChromeDriver (never a downloaded browser).
browsers: /usr/bin/chromedriver

/usr/bin/chromedriver:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium and chromium-driver for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "chromium-driver is missing and cannot be installed here: browser tests will be skipped."; \
	fi

# The alert rules' checks and the scrape test use Debian's prometheus package (promtool and prometheus itself).
monitoring-tools: /usr/bin/promtool

/usr/bin/promtool:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's prometheus (promtool) for the monitoring tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; \
	else \
		echo "promtool is missing and cannot be installed here: the monitoring tests will be skipped."; \
	fi

# The production-shape test (tests/prodshape) and bin/run-prod-shape put Debian's nginx in front of Walker.
nginx: /usr/sbin/nginx

/usr/sbin/nginx:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's nginx for the production-shape test…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null; \
	else \
		echo "nginx is missing and cannot be installed here: the production-shape test will be skipped."; \
	fi

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	bin/run-local

# Walker's production shape on this machine behind nginx (bin/run-prod-shape; DATABASE_URL and REDIS_URL set).
run-prod-shape: install nginx
	bin/run-prod-shape

# The suite's settings are tests/settings.py (config.settings with a temporary mail folder, a fast password
# hasher and no connection pool); the processes it starts run config.settings.
# Bytecode is cached for the run even where the environment says not to (PYTHONDONTWRITEBYTECODE, as on CI's
# machines): collection, and every daphne and worker the tests start, then import compiled modules.
# One pytest-xdist worker more than the machine's cores (PYTEST_WORKERS=0: in this process), each with its own test
# database and Redis database (tests/settings.py); the `processes` tests run one after another on one of them
# (tests/process_groups.py).
PYTEST_WORKERS ?= auto
# The virtualenvs are made side by side (68 s one after the other, 41 s together); apt-get takes one at a time.
test: browsers monitoring-tools nginx
	$(MAKE) --no-print-directory -j3 install-dev deploy-tools client-tools
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Gather the marked strings into locale/*/django.po, then compile them (the .mo files are committed, so
# running Walker needs no gettext tools; this target does: Debian's gettext package). No source locations in
# the catalogues: a line moved in one file would otherwise rewrite the .po and collide with every other branch.
messages: install-dev
	$(PY) manage.py makemessages -l es --no-location -i ".venv/*" -i "tests/*" -i "bench/*" -i "artifacts/*" -i "staticfiles/*"
	$(PY) manage.py makemessages -l es --no-location -d djangojs -i ".venv/*" -i "tests/*" -i "bench/*" -i "artifacts/*" -i "staticfiles/*"
	@# django-unfold ships no Spanish: gather its strings from the installed package into locale/unfold.
	tmp=$$(mktemp -d) && cp -r "$$($(PY) -c 'import os, unfold; print(os.path.dirname(unfold.__file__))')" $$tmp/unfold && \
		mkdir -p $$tmp/unfold/locale && cp -r locale/unfold/es $$tmp/unfold/locale/ && \
		(cd $$tmp/unfold && $(abspath $(PY)) -m django makemessages -l es --no-location -i "static/*") && \
		cp $$tmp/unfold/locale/es/LC_MESSAGES/django.po locale/unfold/es/LC_MESSAGES/django.po; rm -rf $$tmp
	$(PY) manage.py compilemessages -l es -i ".venv"

clean:
	rm -rf $(VENV) $(DEPLOY_VENV) $(CLIENTS_VENV) var staticfiles .pytest_cache
