# The two commands: `make run` (the whole product) and `make test` (ruff + the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m ops.run

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest -q

# The browser tests (tests/navegador) drive Debian's chromium: installed here when missing (as root, as on
# the developers' machines and in CI; about 40 s), never a browser downloaded by Playwright.
browser:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .data
