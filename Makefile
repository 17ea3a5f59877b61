# Every target builds .venv from the requirement files first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: test lint plan snapshots vendor bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt functions/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

plan: $(VENV)/.installed
	$(PY) -m baseline plan --stack $(STACK)

# Rewrite tests/snapshots/<stack>.json from the current offline plans (commit the diff).
snapshots: $(VENV)/.installed
	$(PY) -m baseline.snapshots --update

# The function packages' third-party libraries (pinned wheels, FC's platform); `pulumi up` needs them.
vendor: $(VENV)/.installed
	$(PY) -m components.vendor

# Figures, not tests: each script prints its measurements and a one-line key=value summary.
bench: $(VENV)/.installed
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/rule_scale.py
	$(PY) benchmarks/plan_time.py

clean:
	rm -rf $(VENV) build .pytest_cache
