# make run  — set up everything and serve the demo on http://127.0.0.1:5000
# make test — set up everything the tests need and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app qpmusic
CATALOGS := $(wildcard qpmusic/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
VENDOR := qpmusic/static/vendor

.PHONY: run test setup test-setup vendor translations extract-messages migrate chromium services lint format clean

run: setup migrate
	@$(FLASK) qp seed-demo
	@echo "Serving on http://127.0.0.1:5000 (debug mail page: http://127.0.0.1:5000/_debug/mail/)"
	$(FLASK) run --debug --host 127.0.0.1 --port 5000

test: test-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

setup: $(VENV)/.installed translations vendor

test-setup: $(VENV)/.installed-test translations vendor chromium

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Front-end libraries come from the npm registry (package-lock.json) and are served by the app
# from static/vendor/, so pages never load anything from a CDN. Runs again only when the lock changes.
vendor: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed once to fetch the front-end libraries (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/accessible-autocomplete
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.{js,js.map,css,css.map} \
		node_modules/accessible-autocomplete/LICENSE.txt $(VENDOR)/accessible-autocomplete/
	mkdir -p $(VENDOR)/tus-js-client $(VENDOR)/wavesurfer.js
	cp node_modules/tus-js-client/dist/tus.min.{js,js.map} node_modules/tus-js-client/LICENSE \
		$(VENDOR)/tus-js-client/
	cp node_modules/wavesurfer.js/dist/wavesurfer.min.js node_modules/wavesurfer.js/LICENSE \
		$(VENDOR)/wavesurfer.js/
	touch $@

translations: $(COMPILED)

qpmusic/translations/%/LC_MESSAGES/messages.mo: qpmusic/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d qpmusic/translations -l $*

# Developers: after changing user-visible strings, refresh the catalogs and translate.
extract-messages: | $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 --no-location --sort-output \
		--project qpmusic -o qpmusic/translations/messages.pot .
	$(BIN)/pybabel update -i qpmusic/translations/messages.pot -d qpmusic/translations --no-fuzzy-matching

migrate: setup
	$(FLASK) db upgrade

# Browser tests drive Debian's Chromium; Playwright cannot download its own here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(FLASK) db check

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache node_modules $(VENDOR)
	find qpmusic/translations -name '*.mo' -delete
