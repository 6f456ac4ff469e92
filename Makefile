# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(VENV)/bin/pip
FLASK   = $(VENV)/bin/flask --app matchmaker
PORT   ?= 5000
LANGS   = pl en da nb

.PHONY: run test install install-test translations extract-messages update-messages check-messages vendor lint check-db format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	@test -d node_modules/axe-core || npm ci --no-audit --no-fund

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d translations

# The web server and, beside it, the worker that sends e-mail and runs the daily jobs;
# Ctrl-C stops both.
run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) worker & \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

# pytest-xdist, one worker per core, each on a database of its own (tests/conftest.py);
# `make test PYTEST_XDIST=` runs everything in one process. (A worker more than cores
# did not make the suite faster: 1,310 s for the SQLite run on two cores with three.)
PYTEST_XDIST ?= -n auto

test: install-test translations
	$(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Translation workflow: extract strings, merge them into every catalogue, then translate.
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ -k NP_:1,2 --no-location --sort-by-file \
	  --project=Matchmaker --copyright-holder="Matchmaker" -o translations/messages.pot .

update-messages: extract-messages
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

check-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ -k NP_:1,2 --no-location --sort-by-file -o /tmp/matchmaker-check.pot .
	$(VENV)/bin/pybabel update -i /tmp/matchmaker-check.pot -d translations --check --no-fuzzy-matching --ignore-obsolete

# Front-end files served as they are published on npm (versions pinned in package.json),
# each package's licence beside them. Nothing is fetched when the site runs.
VENDOR = matchmaker/static/vendor
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/leaflet.markercluster $(VENDOR)/topojson-client $(VENDOR)/world-atlas
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	  node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	  node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/leaflet.markercluster/
	cp node_modules/topojson-client/dist/topojson-client.min.js \
	  node_modules/topojson-client/LICENSE $(VENDOR)/topojson-client/
	cp node_modules/world-atlas/countries-50m.json node_modules/world-atlas/LICENSE \
	  $(VENDOR)/world-atlas/

# Bandit fails on any finding; a false positive is marked on its line, naming the test and
# saying why: `# nosec B704  # reason` (see [tool.bandit] in pyproject.toml).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r matchmaker -q
	@if grep -rn --include='*.py' nosec matchmaker | grep -vE '# nosec B[0-9]+(, ?B[0-9]+)*  # .'; then \
	  echo 'lint: write a bandit exception as "# nosec B123  # reason", naming the test and why'; \
	  exit 1; fi

# Models and migrations agree: a fresh SQLite database upgraded to head, then `db check`
# fails if `flask db migrate` would write a new revision.
check-db: install
	@dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	  DATABASE_URL="sqlite:///$$dir/check.sqlite" $(FLASK) db upgrade && \
	  DATABASE_URL="sqlite:///$$dir/check.sqlite" $(FLASK) db check

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-test
	$(PY) bench/register_search.py --database both

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
