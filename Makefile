# Every target builds .venv from the requirement files first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: test lint plan snapshots report-fixtures settings-docs vendor package-smoke bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt functions/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m mypy

plan: $(VENV)/.installed
	$(PY) -m baseline plan --stack $(STACK)

# Rewrite tests/snapshots/<stack>.json from the current offline plans (commit the diff).
snapshots: $(VENV)/.installed
	$(PY) -m baseline.snapshots --update

# Rewrite the report goldens (tests/fixtures/reports/) from the snapshot fixtures through the real
# rule code; review the diff before committing (tests/baseline/test_report_snapshot.py).
SNAP := tests/fixtures/snapshots
GOLD := tests/fixtures/reports
report-fixtures: $(VENV)/.installed
	$(PY) -m baseline evaluate --snapshot $(SNAP)/every-finding.json --exempt-users $(SNAP)/every-finding.exempt-users.json > $(GOLD)/every-finding.evaluations.json
	for f in md csv; do \
	  $(PY) -m baseline report --snapshot $(SNAP)/every-finding.json --exempt-users $(SNAP)/every-finding.exempt-users.json --format $$f --output $(GOLD)/every-finding.$$f && \
	  $(PY) -m baseline report --snapshot $(SNAP)/mandatory-login-mfa.json --format $$f --output $(GOLD)/mandatory-login-mfa.$$f || exit 1; \
	done

# The function packages' third-party libraries (pinned wheels, FC's platform); `pulumi up` needs them.
vendor: $(VENV)/.installed
	$(PY) -m components.vendor

# Figures, not tests: each script prints its measurements and a one-line key=value summary.
# Import each packaged function with a CPython 3.10 (FC's python3.10 runtime) and no site-packages:
# proves the zip plus the runtime's own libraries are enough. Needs `make vendor` and a python3.10.
PYTHON310 ?= python3.10
package-smoke: $(VENV)/.installed
	$(PY) -c "from components.packaging import package_function as p; [print(p(n).path) for n in ('mfa_rule', 'oss_acl_remediation')]"
	rm -rf build/smoke && mkdir -p build/smoke && cd build/smoke && unzip -q ../packages/mfa_rule.zip \
		&& $(PYTHON310) -I -S -c "import sys; sys.path.insert(0, '.'); import index; print('mfa_rule imports on', sys.version.split()[0])"

bench: $(VENV)/.installed
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/rule_scale.py
	$(PY) benchmarks/plan_time.py

clean:
	rm -rf $(VENV) build .pytest_cache

# Regenerate Pulumi.yaml's config block and the key table of stacks/README.md from the declaration.
settings-docs: $(VENV)/.installed
	$(PY) -m components.settings.render
