# Two commands set everything up: `make run` and `make test`; `make serve` runs it in production.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# `make serve` listens on 8000 unless PORT is given (PORT=5050 make serve).
SERVE_PORT := $(if $(filter environment command line,$(origin PORT)),$(PORT),8000)
# The demo accounts' second factor (tracker/auth/mfa.py DEMO_SECRET; a test holds them equal).
DEMO_TOTP_SECRET := TRACKERDEMOSEEDNOTFORLIVEUSE2345
export FLASK_APP := tracker

.PHONY: run serve worker test audit venv dev-deps migrate demo vendor bench bench-load postgres clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

dev-deps: $(VENV)/.installed-dev

migrate: venv
	@mkdir -p instance
	FLASK_ENV=$${FLASK_ENV:-development} $(BIN)/flask db upgrade

demo: migrate
	FLASK_ENV=$${FLASK_ENV:-development} $(BIN)/flask demo load --if-empty

run: demo
	@echo "Serving the tracker at http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	@echo "admin@example.org and lead@example.org then ask for a code: add the demo TOTP key $(DEMO_TOTP_SECRET) to an authenticator app (local use only; refused in production)."
	FLASK_ENV=$${FLASK_ENV:-development} $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Production: gunicorn (gunicorn.conf.py) behind a TLS-terminating proxy; see "Running in production".
serve: venv
	FLASK_ENV=production $(BIN)/flask db upgrade
	FLASK_ENV=production PORT=$(SERVE_PORT) $(BIN)/gunicorn -c gunicorn.conf.py

# A Celery worker with beat (the outbox drain, the hourly clearing of expired links, the digests,
# the year-end reminders and the weekly link check: README "Notifications"), for local
# use with a Redis at CELERY_BROKER_URL (else REDIS_URL, else redis://127.0.0.1:6379/0). `make run`
# needs none: in development it sends its mail itself (NOTIFICATIONS_IN_PROCESS).
worker: migrate
	FLASK_ENV=$${FLASK_ENV:-development} $(BIN)/celery -A tracker.notifications.celery_entry worker --beat \
		--loglevel INFO --schedule instance/celerybeat-schedule

# One pytest worker per core (pytest-xdist); each worker that runs browser tests has its own live server.
TEST_WORKERS ?= auto

test: dev-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Known vulnerabilities in every pinned package (PyPI's advisory service: needs the internet, so the
# deployment pipeline runs it, not this project's offline CI). pip-audit stays out of requirements-dev.txt.
audit: dev-deps
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --strict --progress-spinner off -r requirements.txt -r requirements-dev.txt

# Needs PostgreSQL (make postgres) and a few minutes: builds the trust-scale data on both databases.
bench: dev-deps
	bash scripts/postgres.sh bench
	$(BIN)/python bench/demo_load.py --database both
	$(BIN)/python bench/dashboards.py

# Load and faults (README "Load and faults"): about 10 minutes, needs root (it starts and restarts
# PostgreSQL) and Redis; gunicorn on https://127.0.0.1:8150. Not part of `make test` or CI.
bench-load: dev-deps
	$(BIN)/python bench/load.py $(BENCH_LOAD_ARGS)

# Re-fetch the pinned nhsuk-frontend build into tracker/static/nhsuk (needs npm; users never do).
vendor:
	bash scripts/vendor.sh

# Start the local PostgreSQL 15 and create the `test` database (idempotent; needs root).
postgres:
	bash scripts/postgres.sh

clean:
	rm -rf $(VENV) .pytest_cache
