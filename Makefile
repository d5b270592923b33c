# servicelevel — every target the README names lives here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run demo-cli test lint typecheck importlint check bench bench-api bench-ingest bench-recompute bench-servicenow bench-report bench-cli bench-pages clean browser serve pdf-libs ticket-systems fuzz screenshots

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory pdf-libs
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP)

## run: set up, migrate the SQLite database, load the demo data and serve the web UI and API
run: $(STAMP)
	$(BIN)/slm demo load
	$(BIN)/slm serve

## demo-cli: the engine on the demo calendar, agreement, tickets and outages (no database)
demo-cli: $(STAMP)
	$(BIN)/slm calendar show --calendar examples/calendars/beijing-office.yaml --year 2025 --month 10
	$(BIN)/slm evaluate --agreement examples/agreements/demo-sla.yaml \
		--tickets examples/tickets/demo-tickets.csv --outages examples/outages/demo-outages.csv \
		--period 2025-03

## test: set up and run the whole test suite with the static checks
test: $(STAMP) browser pdf-libs ticket-systems lint typecheck importlint
	$(BIN)/pytest -q

## pdf-libs: Pango and CJK fonts for PDF documents (WeasyPrint), and poppler's tools the tests
## read PDFs with (pdffonts, pdftotext, pdftoppm), from Debian's packages
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -q "CJK SC" && command -v pdffonts >/dev/null; } || { \
		echo "installing Pango, fonts-noto-cjk and poppler-utils for PDF documents (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils >/dev/null; }

## ticket-systems: Request Tracker 5 (SQLite) from Debian's packages, the real system the RT
## connector's tests start on a loopback port
ticket-systems:
	@{ dpkg -s request-tracker5 rt5-db-sqlite >/dev/null 2>&1; } || { \
		echo "installing request-tracker5 and rt5-db-sqlite for the connector tests (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			request-tracker5 rt5-db-sqlite >/dev/null; }

## browser: Debian's Chromium (and CJK fonts) for the browser tests; Playwright never downloads one
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium and fonts-noto-cjk (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

## screenshots: the demo in Chromium (manager's dashboard, ticket queue, an agreement, the agreement editor, the customer's home; en and zh_Hans; 1440 and 390 px) into docs/screenshots/
screenshots: $(STAMP) browser
	$(BIN)/python tools/screenshots.py

## serve: the API and web UI on http://127.0.0.1:8000 (SQLite unless SLM_DATABASE_URL says otherwise)
serve: $(STAMP)
	$(BIN)/slm serve

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples tools
	$(BIN)/ruff format --check src tests benchmarks examples tools

typecheck: $(STAMP)
	$(BIN)/mypy

importlint: $(STAMP)
	$(BIN)/lint-imports

## bench: the engine benchmark; results go to docs/performance.md by hand
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py

## bench-api: API throughput and latency under wrk, SQLite and PostgreSQL, 2 uvicorn workers
bench-api: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/bench_api.py

## bench-ingest: event ingestion over HTTP under wrk (single events and batches), PostgreSQL
bench-ingest: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/bench_ingest.py

## bench-recompute: a full recomputation of 1,000,000 stored tickets on PostgreSQL
bench-recompute: $(STAMP)
	$(BIN)/python benchmarks/bench_recompute.py

## bench-servicenow: import the real ServiceNow log and evaluate it, SQLite and PostgreSQL
bench-servicenow: $(STAMP)
	$(BIN)/python benchmarks/bench_servicenow.py

## bench-report: a monthly service report over 100,000 tickets, web page and PDF, PostgreSQL
bench-report: $(STAMP)
	$(BIN)/python benchmarks/bench_report.py

## bench-cli: start-up time of the slm command (--help, calendar, evaluate), hyperfine-style repeated runs
bench-cli: $(STAMP)
	$(BIN)/python benchmarks/bench_cli.py

## bench-pages: server time of every demo web page, warm, as each role (SQLite and PostgreSQL)
bench-pages: $(STAMP)
	$(BIN)/python benchmarks/bench_pages.py

## fuzz: schemathesis against the served API (demo data), as the owner and a customer representative, SQLite and PostgreSQL; figures go to docs/api.md by hand
fuzz: $(STAMP)
	$(BIN)/python tools/fuzz_api.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
