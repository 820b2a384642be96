# Every target sets up .venv itself: on a fresh clone `make serve` or `make test` is enough.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8866
LAB_PORT ?= 8888
PRESENT_PORT ?= 8867
RISE_PORT ?= 8869
# Kernels kept ready per demo page: a number, or PAGE=N,… for some pages (docs/deploy.md).
POOL ?= 1
# torch for `make foundation`: 2.13.0 is a CPU build pip finds on this kind of machine;
# asking pip for torch without a version may fetch a CUDA build of several GB.
TORCH_VERSION ?= 2.13.0

BIN := $(VENV)/bin
# Voila finds our page templates (share/jupyter/voila/templates/) through JUPYTER_PATH and
# its settings (etc/jupyter/voila.py) through JUPYTER_CONFIG_PATH.
VOILA := JUPYTER_PATH=$(CURDIR)/share/jupyter$(if $(JUPYTER_PATH),:$(JUPYTER_PATH)) \
	JUPYTER_CONFIG_PATH=$(CURDIR)/etc/jupyter$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH)) \
	$(BIN)/voila
PIP := $(BIN)/python -m pip
CONSTRAINTS := constraints.txt
# The versions CI tested (constraints.txt) are installed unless PIN=no.
PIN ?= yes
PIN_FLAG := $(if $(filter yes,$(PIN)),-c $(CONSTRAINTS),)

VENDOR := share/jupyter/voila/templates/deck-reveal/static/vendor
DECK_STATIC := share/jupyter/voila/templates/deck/static
# plotly.js's cartesian build, fetched once from the npm registry ...
SERVE_VENDOR := $(DECK_STATIC)/vendor
# ... and the pages' lean plotly widget code built from it and the installed plotly
# (deck_server.plotly_bundle); its stamp is the target.
PLOTLY_WIDGET := $(DECK_STATIC)/plotly-widget.json
# The hub's proxy for `make test-hub`, configurable-http-proxy, installed from the npm
# registry into build/node_modules, where deck_server.hub starts it. Version 5 needs Node 20
# or newer; with an older Node (Debian 12's nodejs is 18) use CHP_VERSION=4.6.3 (the
# release for older Node; not tested here).
CHP := build/node_modules/.bin/configurable-http-proxy
CHP_VERSION ?= 5.3.0
# The demos' precomputed data (scripts/make_data.py), where featurize looks for it: the file
# name is featurize.regression.LEARNING_CURVE_FILE (a test checks).
DATA_STAMP := $(or $(FEATURIZE_CACHE),$(HOME)/.cache/featurize)/learning_curve_v2.json

.PHONY: serve present rise slides lab test test-bench test-foundation test-hub hub-sizing bench soak figures data upgrade clean foundation assignments

serve: $(VENV)/.installed-run $(PLOTLY_WIDGET) $(DATA_STAMP)
	@echo "Serving the demos with Voila on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	DECK_POOL_SIZE=$(POOL) $(VOILA) --no-browser --Voila.ip=$(HOST) --port=$(PORT) notebooks/

# The lecture as reveal.js slides with live demos (Voila's reveal template). Arrow keys or
# space step through it, S opens the speaker notes. The slides come at once and the demos
# run behind them, one cell after another (deck_server.launch.PRESENT_OPTIONS says why).
present: $(VENV)/.installed-run $(VENDOR)/pins.json $(PLOTLY_WIDGET) $(DATA_STAMP)
	@echo "Presenting the lecture on http://$(HOST):$(PRESENT_PORT)/  (Ctrl-C stops it)"
	$(VOILA) --no-browser --template=deck-reveal --VoilaConfiguration.progressive_rendering=True \
		--VoilaConfiguration.preheat_kernel=False --Voila.ip=$(HOST) --port=$(PRESENT_PORT) \
		notebooks/lecture.ipynb

# The lecture as a RISE slideshow (RISE 5 on the classic notebook, README "Presenting"): it
# prints the address to open; the lecture's demos run as it opens, T opens the speaker notes.
# It serves a fresh copy of notebooks/ in build/rise/ (deck_server.rise).
rise: $(VENV)/.installed-run $(VENDOR)/pins.json $(PLOTLY_WIDGET) $(DATA_STAMP)
	$(BIN)/python -m deck_server.rise --host=$(HOST) --port=$(RISE_PORT) --root=$(CURDIR)

# The offline slide file: build/slides/lecture.html, the executed deck with its figures,
# opening from file:// with no network (the controls need `make present`).
slides: $(VENV)/.installed-run
	$(BIN)/python scripts/build_slides.py

# reveal.js and the widget manager from the npm registry, once (checked against their sha512).
$(VENDOR)/pins.json: scripts/fetch_assets.py $(VENV)/.installed-run
	$(BIN)/python scripts/fetch_assets.py present

$(SERVE_VENDOR)/pins.json: scripts/fetch_assets.py $(VENV)/.installed-run
	$(BIN)/python scripts/fetch_assets.py serve

$(PLOTLY_WIDGET): $(SERVE_VENDOR)/pins.json $(VENV)/.installed-run src/deck_server/plotly_bundle.py
	$(BIN)/python -m deck_server.plotly_bundle $(DECK_STATIC) \
		--cartesian $(SERVE_VENDOR)/plotly.js-cartesian-dist-min/plotly-cartesian.min.js

# Jupyter refuses to run as root (a Docker container, a fresh cloud VM) unless told to:
# as root, `make lab` tells it to and says why that is worth avoiding.
AS_ROOT := $(filter 0,$(shell id -u 2>/dev/null))

# make lab opens a working copy of notebooks/ (LAB_DIR, ignored by git), kept up to date
# by scripts/working_copy.py without overwriting anyone's work: the tracked notebooks never
# collect outputs or answers, and a git pull never conflicts. To edit the deck itself:
# make lab LAB_DIR=notebooks.
LAB_DIR ?= my-notebooks

lab: $(VENV)/.installed-run
	$(if $(AS_ROOT),@echo "Running JupyterLab as root (--allow-root): fine in a container or a" \
		"throwaway VM; elsewhere, run make lab as an ordinary user, since code in a notebook" \
		"runs with root's rights.")
	$(if $(filter notebooks notebooks/,$(LAB_DIR)),@echo "Editing the repository's notebooks/ themselves.", \
		$(BIN)/python scripts/working_copy.py notebooks $(LAB_DIR))
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=$(HOST) --ServerApp.port=$(LAB_PORT) \
		--ServerApp.root_dir=$(LAB_DIR) $(if $(AS_ROOT),--allow-root)

# The workbook's student copies, notebooks/exercises/, released by nbgrader from its sources
# in course/source/ (solutions and hidden tests stripped; the gradebook and nbgrader's own
# release folder stay in course/, ignored by git). nbgrader calls alembic from PATH.
ASSIGNMENTS := $(notdir $(wildcard course/source/*))

assignments: $(VENV)/.installed-test
	cd course && PATH="$(CURDIR)/$(BIN):$$PATH" ../$(BIN)/nbgrader generate_assignment '*' \
		--force --log-level=WARN
	mkdir -p notebooks/exercises
	cp $(foreach part,$(ASSIGNMENTS),course/release/$(part)/$(part).ipynb) notebooks/exercises/
	@echo "Released $(words $(ASSIGNMENTS)) workbook notebooks into notebooks/exercises/ (and course/release/)"

test: $(VENV)/.installed-test $(PLOTLY_WIDGET)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The tests of the optional universal potential, with the extra installed (a missing extra
# fails here, where `make test` skips those tests).
test-foundation: $(VENV)/.installed-test $(VENV)/.installed-foundation $(PLOTLY_WIDGET)
	$(BIN)/python -m pytest -m foundation --require-extra=foundation

# The deck on a real JupyterHub on 127.0.0.1 (tests/hub/): students log in through the hub in
# Chromium, each to their own Jupyter server with Voila inside; the idle culler stops one.
# A missing hub extra or proxy fails here, where `make test` skips these tests.
test-hub: $(VENV)/.installed-test $(VENV)/.installed-hub $(PLOTLY_WIDGET) $(CHP)
	$(BIN)/python -m pytest -n 0 -m hub --require-extra=hub tests/hub

# Memory per student server and spawn time for 1, 2 and 4 students logging in at once on a
# local hub (benchmarks/hub_sizing.py) into build/hub_sizing.json; docs/deploy.md has them.
hub-sizing: $(VENV)/.installed-test $(VENV)/.installed-hub $(PLOTLY_WIDGET) $(CHP)
	$(BIN)/python benchmarks/hub_sizing.py

# The quick bench run end to end, as `make bench QUICK=yes` (tests/browser/test_bench.py;
# `make test` skips it: minutes of both cores for a check of the tool, not of the deck).
test-bench: $(VENV)/.installed-test $(PLOTLY_WIDGET)
	$(BIN)/python -m pytest -n 0 -m bench --run-bench tests/browser/test_bench.py

# Speed and memory figures into build/bench.json and a table (QUICK=yes: a small run).
bench: $(VENV)/.installed-test $(PLOTLY_WIDGET)
	$(BIN)/python benchmarks/bench.py $(if $(filter yes,$(QUICK)),--quick,)

# The public server soaked: 30 honest visitors dragging sliders for 12 minutes, one hostile
# client attacking for the last 10 (benchmarks/soak.py) into build/soak.json.
soak: $(VENV)/.installed-test $(PLOTLY_WIDGET)
	$(BIN)/python benchmarks/soak.py

figures: $(VENV)/.installed-test
	$(BIN)/python scripts/make_figures.py

# What the live ML demos would otherwise compute on first use (QM9 subset, maps, learning
# curve) into $$FEATURIZE_CACHE or ~/.cache/featurize; QUICK=yes skips the t-SNE maps.
data: $(VENV)/.installed-run
	$(BIN)/python scripts/make_data.py $(if $(filter yes,$(QUICK)),--quick,)

# serve and present compute it once (without the t-SNE maps, which a click computes), so
# that the learning curve and the map are there when a visitor opens them.
$(DATA_STAMP): | $(VENV)/.installed-run
	$(BIN)/python scripts/make_data.py --quick

# Refresh constraints.txt from the newest releases that pyproject.toml allows; run `make test` after.
upgrade:
	rm -rf build/upgrade-venv
	$(PYTHON) -m venv build/upgrade-venv
	build/upgrade-venv/bin/python -m pip install --quiet --upgrade pip
	build/upgrade-venv/bin/python -m pip install torch==$(TORCH_VERSION)  # the CPU build, as make foundation
	build/upgrade-venv/bin/python -m pip install -e '.[dev,foundation,hub]'
	{ echo "# Exact versions tested by CI on Python $$(build/upgrade-venv/bin/python -c 'import sys; print(*sys.version_info[:2], sep=".")'); written by make upgrade."; \
	  echo "# Pinned for Python >= 3.11 only: on 3.10 pip picks releases within pyproject.toml's bounds."; \
	  build/upgrade-venv/bin/python -m pip freeze --exclude-editable | sed 's/$$/ ; python_version >= "3.11"/'; } > $(CONSTRAINTS)
	rm -rf build/upgrade-venv
	@echo "constraints.txt refreshed; now run: make clean test"

clean:
	rm -rf $(VENV) build $(VENDOR) $(SERVE_VENDOR) .pytest_cache .ruff_cache .hypothesis src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "The deck needs Python 3.10 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
		  "Run make with PYTHON=/path/to/python3.11 (or newer)."; exit 1; }
	@echo "Creating $(VENV) (the first install downloads the scientific stack, a minute or two)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install $(PIN_FLAG) -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install $(PIN_FLAG) -e '.[test]'
	touch $@ $(VENV)/.installed-run

# The hub's proxy from the npm registry (CHP, CHP_VERSION: defined above, before the rules
# that need it). Node and npm: Debian's nodejs and npm packages.
$(CHP):
	@command -v npm >/dev/null || { echo "configurable-http-proxy needs Node and npm:" \
		"apt-get install nodejs npm"; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] < 20 && "$(CHP_VERSION)" >= "5" ? 1 : 0)' || \
		{ echo "configurable-http-proxy $(CHP_VERSION) needs Node 20 or newer, this is" \
		  "$$(node --version): make test-hub CHP_VERSION=4.6.3"; exit 1; }
	mkdir -p build
	npm install --no-save --no-audit --no-fund --prefix build configurable-http-proxy@$(CHP_VERSION)

# JupyterHub and its idle culler (pyproject's `hub` extra) into .venv.
$(VENV)/.installed-hub: $(VENV)/.installed-run pyproject.toml $(CONSTRAINTS)
	$(PIP) install $(PIN_FLAG) -e '.[hub]'
	touch $@

# The optional universal potential (section 15; pyproject's `foundation` extra) into .venv:
# torch's CPU build first, or pip would fetch a CUDA build of several GB for it.
foundation: $(VENV)/.installed-foundation

$(VENV)/.installed-foundation: $(VENV)/.installed-run pyproject.toml $(CONSTRAINTS)
	$(PIP) install torch==$(TORCH_VERSION)
	$(PIP) install $(PIN_FLAG) -e '.[foundation]'
	touch $@
