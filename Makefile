# Tribune: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
comma := ,
EXTRAS ?= test
INSTALLED := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
PYTEST_ARGS ?=

.PHONY: run test install translations extract-messages clean mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $(INSTALLED)

install: $(INSTALLED)

# Compiled catalogs are build products: made from the .po files on every run.
translations: $(INSTALLED)
	$(BIN)/pybabel -q compile -d translations

# The job queue's worker (also the scheduler: clocks and outbox every minute) runs in the background on the
# embedded SQLite queue (instance/jobs.db) unless JOBS_URL or REDIS_URL says otherwise; Ctrl-C stops both.
run: translations
	TRIBUNE_ENV=development $(FLASK) db upgrade
	TRIBUNE_ENV=development $(FLASK) demo load
	@echo "Serving http://127.0.0.1:5000 with the job worker and its schedule (Ctrl-C stops both)"
	@TRIBUNE_ENV=development $(FLASK) jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	TRIBUNE_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing of the rules modules with mutmut 3 (slow: see README "Mutation testing").
# One line per module; fails if a module has under 90 % of its mutants killed or timed out.
mutation:
	$(MAKE) install EXTRAS=test,mutation
	$(MAKE) translations EXTRAS=test,mutation
	$(BIN)/python bench/mutation.py $(MODULES)

# Refresh the message catalogs after changing user-facing strings.
extract-messages: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k message -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/tribune.db* instance/jobs.db* .pytest_cache mutants mutants.log
