# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test worker lint messages install clean-data chromium fonts stack bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(STAMP)

messages: $(STAMP)
	@command -v msgfmt >/dev/null || (echo "Installing gettext..." && (apt-get install -y -qq gettext >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext)))
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# Where `make run` serves, e.g. `make run ADDRESS=0.0.0.0:8101` (printed cards use the address they are printed from).
ADDRESS ?= 127.0.0.1:8000

run: $(STAMP) messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo --address "http://$(ADDRESS)"
	@echo "Serving on http://$(ADDRESS) (Ctrl-C stops)"
	$(PY) manage.py runserver $(ADDRESS)

# Browser journeys drive Debian's Chromium (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || (echo "Installing Debian's chromium for the browser tests..." && \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
		 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)))

# The pages the journeys render are Korean: without a Korean font, boxes.
fonts:
	@fc-list :lang=ko 2>/dev/null | grep -q . || (echo "Installing Debian's Noto CJK fonts for the Korean pages..." && \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || \
		 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null)))
	@command -v pdffonts >/dev/null || (echo "Installing poppler-utils to read the printed family sheets..." && \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null 2>&1 || \
		 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null)))

# The local PostgreSQL and Redis are used when they answer (bin/test-env);
# DATABASE_URL and REDIS_URL in the environment win.
test: $(TEST_STAMP) messages chromium fonts
	$(PY) bin/test-env $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# A real worker and beat against Redis: REDIS_URL=redis://127.0.0.1:6379/0 make worker
worker: $(STAMP)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker" && exit 2)
	$(VENV)/bin/celery -A edu_platform worker --beat --loglevel=INFO --concurrency=2 --schedule=var/celerybeat-schedule

# The production topology on loopback: gunicorn, Celery worker and beat, PostgreSQL, Redis.
# STACK_WEB_NODES=2 make stack: two web nodes behind Debian's haproxy (installed here if missing).
stack: $(STAMP) messages
	@if [ "$${STACK_WEB_NODES:-1}" -gt 1 ]; then command -v haproxy >/dev/null || (echo "Installing Debian's haproxy for the web nodes' balancer..." && \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null 2>&1 || \
		 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null))); fi
	bin/stack

# Benchmarks against the local PostgreSQL and Redis (builds a 100,000-student dataset once).
bench: $(TEST_STAMP) messages
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null))
	$(PY) bench/run.py $(BENCH_ARGS)

clean-data:
	rm -rf var/
