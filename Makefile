# Two commands do all the set-up on a fresh machine:
#   make demo   - the main job: summary + offline report of 7EU8 / S-ketamine (no server, no user data)
#   make test   - the whole test suite
# Both create/refresh the virtual environment .venv themselves.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Local PDB mirror: default to ../shared/structures when that folder exists.
ifeq ($(origin NMDA_TOOLKIT_MIRROR), undefined)
  ifneq ($(wildcard ../shared/structures),)
    export NMDA_TOOLKIT_MIRROR := $(abspath ../shared/structures)
  endif
endif

.PHONY: venv assets chromium demo report test test-fast lab bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,notebooks,dask,docking]"
	$(BIN)/python -m ipykernel install --sys-prefix --name nmda-toolkit --display-name "nmda-toolkit" >/dev/null
	touch $(STAMP)

venv: $(STAMP)

# Third-party browser code (3Dmol.js) is fetched and cached, never committed.
assets: $(STAMP)
	$(BIN)/python -m toolkit.views.assets fetch

# Headless Chromium (static pictures, browser tests): Debian's package, installed when it is missing
# and this user may (root, or password-less sudo, with apt-get), as .ci/run does. Otherwise one line
# says so and the browser tests are skipped (under CI=true they fail instead).
chromium:
	@if [ -n "$$NMDA_TOOLKIT_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] && SUDO= || { sudo -n true 2>/dev/null && SUDO="sudo -n"; }; }; then \
	  echo "installing Debian's chromium (headless pictures and browser tests)"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	  echo "chromium could not be installed: browser tests will be skipped"; \
	else echo "no Chromium and no permission to install it (apt-get install chromium as root): browser tests will be skipped"; fi

demo: $(STAMP) assets
	$(BIN)/nmda-toolkit summary 7EU8
	$(BIN)/nmda-toolkit report --out reports

report: demo

test: $(STAMP) assets chromium
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[reference]"
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
