# Veille — `make demo` runs the hub with the simulator; `make test` runs the whole suite.
# `make demo PORT=8123 SCENARIO=outage_crisis RATE=300 SEED=7` passes them on to `veille demo`;
# `make serve PORT=8123` to `veille serve`. DATA=DIR picks the data folder (default ./veille-data).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

PORT ?= 8000
SCENARIO ?= quiet_day
RATE ?= 90
SEED ?= 1
DATA ?=
DATA_OPTION := $(if $(DATA),--data $(DATA))

.PHONY: demo install install-test i18n test lint typecheck pytest bench bench-quick quality sentiment-models serve clean

demo: install
	$(BIN)/veille demo --port $(PORT) --scenario $(SCENARIO) --rate $(RATE) --seed $(SEED) $(DATA_OPTION)

serve: install
	$(BIN)/veille serve --port $(PORT) $(DATA_OPTION)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

install-test: $(TEST_STAMP)

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-test
	$(BIN)/mypy

# One worker per core (xdist), a test file's tests on one worker (their module fixtures: the browser,
# a hub); the 25 slowest tests are listed at the end, to keep the suite well under 15 minutes.
pytest: install-test
	$(BIN)/pytest -q -p no:cacheprovider -n auto --dist loadfile --durations=25

test: lint typecheck pytest

bench: install-test
	$(BIN)/veille bench

bench-quick: install-test
	$(BIN)/veille bench --quick

quality: install
	$(BIN)/python -m veille.benchmarks.quality

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The UI's message catalogues: extract every marked string (templates, web Python, JavaScript t()),
# then merge into each language's .po (new strings arrive untranslated: tests/unit/test_i18n.py
# fails until they are translated in French).
i18n:
	.venv/bin/python -m veille.web.i18n.extract

# The shipped sentiment models: UMSAB train splits, recipes chosen by 5-fold cross-validation on them.
sentiment-models: install
	for pair in english:en french:fr german:de spanish:es italian:it portuguese:pt arabic:ar hindi:hi; do \
	  $(BIN)/veille train sentiment --data ../shared/data/umsab/$${pair%%:*} --base-data ../shared/data \
	    --lang $${pair##*:} --out src/veille/enrich/sentiment/data/sentiment-$${pair##*:}.npz || exit 1; \
	done
