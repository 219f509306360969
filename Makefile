# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV ?= .venv
GRIDSVC := $(VENV)/bin/gridsvc
STREET ?= geodata/guihua

.PHONY: demo test setup system venv db-up db-down lint types imports format check clean

demo: setup db-up  ## set up, load the sample street, assign it and serve it on 127.0.0.1:8000
	$(GRIDSVC) load $(STREET)
	$(GRIDSVC) assign
	@echo "open http://127.0.0.1:$${GRIDSVC_PORT:-8000}/ for the planner's home page; the work"
	@echo "records, the contact list and the maps are made in the background (HTML into maps/,"
	@echo "then the PDFs the server serves; until then a print link answers 202 'being rendered')"
	@( until $(VENV)/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$${GRIDSVC_PORT:-8000}/health', timeout=1)" 2>/dev/null; do sleep 0.5; done; \
	   $(GRIDSVC) work load $(STREET) | sed 's/^/[work] /'; \
	   $(GRIDSVC) export contacts maps/contacts.csv | sed 's/^/[export] /'; \
	   nice $(GRIDSVC) render --out maps --draft | sed 's/^/[render] /'; \
	   nice $(GRIDSVC) render --cache | sed 's/^/[render] /' ) &
	$(GRIDSVC) serve

test: setup db-up  ## set up, then run the whole suite against a real PostGIS, in random order
	$(VENV)/bin/pytest -p randomly

setup: system venv

system:
	bash scripts/install-system.sh

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

db-up: venv
	$(GRIDSVC) db up

db-down: venv
	$(GRIDSVC) db down

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: venv  ## mypy on the package (strict on services, db, assign and access)
	$(VENV)/bin/mypy gridsvc

imports: venv  ## the layers stay one way: cli/api -> services -> db/assign/ingest/maps -> base
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: lint types imports test  ## everything CI proves, and the static checks

clean:
	-$(GRIDSVC) db down
	rm -rf .gridsvc $(VENV)
