# Veille — `make demo` runs the hub with the simulator; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo install install-test test lint typecheck pytest bench bench-quick quality serve clean

demo: install
	$(BIN)/veille demo

serve: install
	$(BIN)/veille serve

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

pytest: install-test
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck pytest

bench: install
	$(BIN)/veille bench

bench-quick: install
	$(BIN)/veille bench --quick

quality: install
	$(BIN)/python -m veille.benchmarks.quality

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The UI's message catalogues: extract every marked string (templates, web Python, JavaScript t()),
# then merge into each language's .po (new strings arrive untranslated: the catalogue test fails
# until they are translated in French).
I18N_DIR := src/veille/web/i18n
i18n:
	.venv/bin/pybabel extract -F $(I18N_DIR)/babel.cfg -k t -k tn:1,2 --no-location --sort-output \
		--project Veille --copyright-holder "Veille contributors" --omit-header -o $(I18N_DIR)/messages.pot src/veille/web
	for lang in en fr; do \
		if [ -f $(I18N_DIR)/$$lang/LC_MESSAGES/messages.po ]; then \
			.venv/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --omit-header -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) -l $$lang; \
		else \
			.venv/bin/pybabel init -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) -l $$lang; \
		fi; \
	done
