# Two commands do all the set-up: `make run` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
PORT    ?= 5000
BIN     := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test install install-dev translations messages demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Compiled catalogs (.mo) are build output, made from the reviewed .po files.
translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -f -d translations

# Extract UI strings and merge them into the English catalog (then translate the new ones).
messages: $(VENV)/.runtime
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations -l en --no-fuzzy-matching

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask crm demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)  (demo logins above: ROLE LOGIN PASSWORD)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install-dev translations
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

# Benchmarks on generated city-scale data (50,000 enterprises, 1,000,000 visits, 200,000 requests;
# generated once, ~3 minutes). DATABASE_URL=postgresql+psycopg://... make bench  measures PostgreSQL.
BENCH_DB ?= /tmp/city-bench.sqlite3
bench: install-dev
	$(BIN)/python bench/reports_bench.py --db $(BENCH_DB)
	$(BIN)/python bench/coverage_bench.py --db $(BENCH_DB)
	$(BIN)/python bench/audit_chain_bench.py
	$(BIN)/python bench/pages_bench.py --db $(BENCH_DB)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
