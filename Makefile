# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime
STAMP  := $(VENV)/.installed
DEMO   := data/demo/claims_2024.xlsx
PORT   ?= 8501
# `make run` listens on this machine only; `make run ADDRESS=0.0.0.0` opens it to the network
# (do that only with sign-in configured: see README, "Sign-in and roles").
ADDRESS ?= localhost

export PYTHONDONTWRITEBYTECODE = 1
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: run test bench lint format demo model browser clean screenshots acceptance api

run: $(RUNTIME) demo model
	$(PY) -m app.serve --server.headless true --server.port $(PORT) \
		--server.address $(ADDRESS) --browser.gatherUsageStats false

# The real-time scoring API (http://localhost:$(API_PORT)/docs); tokens: python -m core api-token.
API_PORT ?= 8000
api: $(STAMP) demo model
	$(PY) -m core serve --host $(ADDRESS) --port $(API_PORT)

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist loadfile -m "not e2e"
	$(PY) -m pytest -m e2e  # the browser tests alone: their timings are not shared with others

bench: $(STAMP) demo
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

demo: $(RUNTIME)
	@test -f $(DEMO) || $(PY) -m core synth --out data/demo --seed 42

# A default model trained on the demo data when none is registered (quick settings, < 1 min).
model: $(RUNTIME) demo
	$(PY) -m core ensure-model

# Debian's Chromium for the browser end-to-end tests (Playwright drives /usr/bin/chromium).
browser:
	@test -x /usr/bin/chromium || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null; }

# Runtime only for `make run` (no test tools, CPU build of XGBoost); `make test` adds the
# development tools on top (requirements-dev.txt includes requirements.txt).
$(RUNTIME): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

screenshots: $(STAMP) browser
	$(PY) scripts/screenshots.py

# Issue 10's acceptance measurements (JSON lines): model vs baselines, safe pair, guarantee.
acceptance: $(STAMP)
	$(PY) scripts/model_acceptance.py
