# Two commands: `make lab` and `make test`. Both build .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip -q --disable-pip-version-check
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test test-fast bench lint chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.lab-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[lab]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[test]"
	@# PyTorch is an independent reference for the gradient tests, used only when it can be had
	@# offline from this machine's wheel cache (never a multi-GB download).
	-@$(PIP) install --no-index torch==2.13.0 2>/dev/null || echo "PyTorch not available offline: its comparisons will be skipped."
	touch $@

lab: $(VENV)/.lab-installed
	$(PY) -m jupyterlab --notebook-dir=notebooks $(ROOT_FLAG)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Chromium is needed for the browser tests. Run: sudo apt-get update && sudo apt-get install -y chromium"; exit 1; fi; }

test: $(VENV)/.test-installed chromium
	$(PY) -m pytest

# Everything but the real-browser tests: for a quick loop while editing.
test-fast: $(VENV)/.test-installed
	$(PY) -m pytest -m "not e2e"

bench: $(VENV)/.test-installed
	$(PY) benchmarks/bench_core.py

lint: $(VENV)/.lab-installed
	$(PIP) install ruff
	$(PY) -m ruff check backprop_widgets tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
