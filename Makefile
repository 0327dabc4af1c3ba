# Two commands: `make lab` and `make test`. Both build .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip -q --disable-pip-version-check
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
TORCH_CPU_WHEEL := $(wildcard /opt/wheels/torch-2.13.0+cpu-*.whl)

.PHONY: lab test test-fast wheelhouse test-oldest bench lint chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.lab-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[lab]"
	touch $@

# JupyterLab settings we ship: save widget state with the notebook, so a reopened lecture shows
# its widgets from that state until they are run again (never "model not found").
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): jupyter-settings/overrides.json | $(PY)
	mkdir -p $(dir $@)
	cp $< $@

# The test extras bring nbgrader, whose JupyterLab UI (a menu, a Validate button, an assignment
# panel) has no place in a lecture: keep it off in this venv's Lab (its command line still grades).
QUIET_NBGRADER := $(PY) -m jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1 || true

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install -e ".[test]"
	@# PyTorch is an independent reference for the gradient tests. It is installed only where a
	@# CPU wheel already lies on disk (as on our CI machines); elsewhere a plain `pip install
	@# torch` would pull a multi-GB CUDA build, so those comparisons are skipped instead.
	$(if $(TORCH_CPU_WHEEL),$(PIP) install torch==2.13.0 threadpoolctl,@echo "No local PyTorch CPU wheel: the PyTorch comparisons will be skipped.")
	touch $@

lab: $(VENV)/.lab-installed $(LAB_OVERRIDES)
	@$(QUIET_NBGRADER)
	$(PY) -m jupyterlab --notebook-dir=notebooks $(ROOT_FLAG)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Chromium is needed for the browser tests. Run: sudo apt-get update && sudo apt-get install -y chromium"; exit 1; fi; }

# The browser tests serve these on loopback (axe-core for contrast, the widget manager's HTML
# bundle for exported pages); the npm registry is reached at setup only, never at test time.
node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# The Gradescope-like test installs the otter autograder's environment into a fresh venv with
# no network: its wheels (and hatchling, to build this package's wheel) are downloaded here, at
# setup, once (about 170 MB). tests/assignments/wheelhouse.py says what; the test skips without.
WHEELHOUSE := $(VENV)/wheelhouse
$(WHEELHOUSE)/.complete: $(VENV)/.test-installed tests/assignments/wheelhouse.py pyproject.toml
	$(PY) tests/assignments/wheelhouse.py $(WHEELHOUSE)

wheelhouse: $(WHEELHOUSE)/.complete

test: $(VENV)/.test-installed $(LAB_OVERRIDES) chromium node_modules/.installed wheelhouse
	@$(QUIET_NBGRADER)
	$(PY) -m pytest

# Everything but the real-browser, real-grader and fresh-environment tests: for a quick loop
# while editing.
FAST := not e2e and not grading and not slow
test-fast: $(VENV)/.test-installed
	$(PY) -m pytest -m "$(FAST)"

# The floors pyproject declares, tested: the lowest allowed numpy, ipywidgets, anywidget and
# matplotlib (uv's lowest-direct resolution of the runtime dependencies, pinned as constraints)
# on the oldest Python requires-python allows, in a venv of its own, then the fast suite. The
# test tools install at their newest around those pins, but for otter-grader: it needs
# ipywidgets >= 8.1.5 and only the grading tests (not in the fast suite) use it.
OLDEST_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) python3.10)
OLDEST := .venv-oldest
OLDEST_PY := $(OLDEST)/bin/python
UV := $(OLDEST_PY) -m uv pip
$(OLDEST)/.installed: pyproject.toml
	rm -rf $(OLDEST)
	$(OLDEST_PYTHON) -m venv $(OLDEST)
	$(OLDEST_PY) -m pip -q --disable-pip-version-check install uv
	$(UV) compile -q --python $(OLDEST_PY) --resolution lowest-direct --no-deps --no-header \
	  --no-annotate pyproject.toml -o $(OLDEST)/floors.txt
	echo otter-grader > $(OLDEST)/grading-only.txt
	$(UV) install -q --python $(OLDEST_PY) -c $(OLDEST)/floors.txt \
	  --excludes $(OLDEST)/grading-only.txt -e ".[test]"
	touch $@

test-oldest: $(OLDEST)/.installed
	@$(OLDEST_PY) -V
	@$(UV) list --python $(OLDEST_PY) 2>/dev/null | grep -iE '^(numpy|ipywidgets|anywidget|matplotlib) '
	$(OLDEST_PY) -m pytest -m "$(FAST)"

bench: $(VENV)/.test-installed
	$(PY) benchmarks/bench_core.py --threads 1
	$(PY) benchmarks/bench_training.py
	$(PY) benchmarks/bench_checker.py
	$(PY) benchmarks/bench_traffic.py

lint: $(VENV)/.lab-installed
	$(PIP) install ruff
	$(PY) -m ruff check backprop_widgets tests benchmarks
	$(PY) -m ruff format --check backprop_widgets tests benchmarks

clean:
	rm -rf $(VENV) $(OLDEST) .pytest_cache .hypothesis node_modules
