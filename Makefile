# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test lint fmt bench bench-data bench-embedded messages clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) bash scripts/run.sh

test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check linli
	$(VENV)/bin/ruff format --check linli

fmt: $(STAMP)
	$(VENV)/bin/ruff format linli
	$(VENV)/bin/ruff check --fix linli

# The scale data set (SIZE=compound|street|district) in PostgreSQL, then the load test: docs/bench.md.
bench-data: $(STAMP)
	SIZE=$(or $(SIZE),compound) bash scripts/bench.sh data

bench: $(STAMP)
	bash scripts/bench.sh bench

# The embedded default's numbers (SQLite in a temp dir, one process): bench/RESULTS-embedded.md.
bench-embedded: $(STAMP)
	bash scripts/bench.sh embedded

messages: $(STAMP)
	cd linli && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var

# Ten minutes of mixed traffic on two app processes, one killed and Redis restarted mid-run
# (SOAK_SECONDS=120 for a quick run): bench/SOAK.md and bench/soak.json, docs/soak.md.
.PHONY: soak
soak: $(STAMP)
	bash scripts/soak.sh
