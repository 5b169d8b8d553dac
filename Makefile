# Coldstart: `make run` to use it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve sandbox-worker test load lint bench install install-dev sandbox-libs system-deps check-content migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Installed apart from the app, for the sandbox alone: runtime/ is what Lambda's Python runtime
# ships (boto3...), the handler's libraries; emulator/ is moto, for the in-sandbox AWS only.
SANDBOX_LIBS := .sandbox-libs
$(SANDBOX_LIBS)/.installed: sandbox-runtime-requirements.txt sandbox-emulator-requirements.txt | $(BIN)/python
	rm -rf $(SANDBOX_LIBS)
	$(BIN)/pip install --quiet --target $(SANDBOX_LIBS)/runtime -r sandbox-runtime-requirements.txt
	$(BIN)/pip install --quiet --target $(SANDBOX_LIBS)/emulator -r sandbox-emulator-requirements.txt
	rm -rf $(SANDBOX_LIBS)/runtime/bin  # scripts, not modules (a folder on the path would import)
	chmod -R a+rX $(SANDBOX_LIBS)
	touch $@
sandbox-libs: $(SANDBOX_LIBS)/.installed

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the app needs: bubblewrap isolates the sandbox, chromium drives the browser tests.
# Installed only when running as root and missing; otherwise we say what is missing.
system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    (apt-get install -y --no-install-recommends $$missing || \
	     (apt-get update && apt-get install -y --no-install-recommends $$missing)) >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing (install them with apt as root)"; \
	  fi; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

check-content: install
	$(BIN)/python manage.py check_content

# `make run` is for a laptop: DEBUG on unless set (prerequisites inherit it).
run: export DEBUG ?= 1
run: SYSTEM_PACKAGES = bubblewrap
run: system-deps install sandbox-libs migrate check-content
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: gunicorn with production settings (set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL...).
WORKERS ?= 2
serve: SYSTEM_PACKAGES = bubblewrap
serve: system-deps install sandbox-libs
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python manage.py check_content
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput
	DEBUG=0 $(BIN)/gunicorn studyapp.wsgi:application --config gunicorn.conf.py \
		--bind $(HOST):$(PORT) --workers $(WORKERS) \
		--threads 4 --timeout 120 --access-logfile -

# A sandbox host of the distributed mode (SANDBOX_JOBS=celery): takes runs from Redis
# (REDIS_URL), writes results to the shared database (DATABASE_URL). Run one per host.
SANDBOX_HOST_NAME ?= $(shell hostname)
SANDBOX_THREADS ?= 4
sandbox-worker: SYSTEM_PACKAGES = bubblewrap
sandbox-worker: system-deps install sandbox-libs
	SANDBOX_HOST_NAME=$(SANDBOX_HOST_NAME) SANDBOX_MAX_CONCURRENCY=$(SANDBOX_THREADS) \
	$(BIN)/celery -A studyapp.sandbox.celery_app worker --pool threads --concurrency $(SANDBOX_THREADS) \
		--queues sandbox,sandbox.$(SANDBOX_HOST_NAME) --hostname sandbox@$(SANDBOX_HOST_NAME) --loglevel INFO

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Parallel pytest workers (pytest-xdist): most tests wait on sandboxes, timeouts or a browser,
# so a few more workers than cores keep both cores busy.
TEST_WORKERS ?= 4
test: SYSTEM_PACKAGES = bubblewrap chromium postgresql redis-server
test: system-deps install-dev sandbox-libs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS)
	@# Every test that touches the database again, on a throwaway PostgreSQL server (local
	@# socket, removed afterwards); the others cannot tell the databases apart.
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
	  scripts/with-postgres.sh $(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) \
	    --database-tests-only; \
	else \
	  echo "PostgreSQL is not installed (apt install postgresql): the PostgreSQL run was skipped."; \
	fi

# The long load run (make test runs the same test for 10 s); the report is in test-artifacts/.
LOAD_SECONDS ?= 60
load: install-dev sandbox-libs
	LOAD_SECONDS=$(LOAD_SECONDS) $(BIN)/python -m pytest tests/load -p no:cacheprovider -s

bench: install-dev sandbox-libs
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/all.py

clean:
	rm -rf $(VENV) $(SANDBOX_LIBS) staticfiles test-artifacts .pytest_cache
