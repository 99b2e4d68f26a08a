# The two commands (see README): `make run` and `make test`. `make bench` runs the benchmarks.
# Everything else is set up on demand: the virtual environment, the pinned packages, PostgreSQL and
# Redis (reused when running, else throwaway servers under $(STATE_DIR)).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATE_DIR ?= /tmp/fastlegeadministrasjon-state
export STATE_DIR

.DEFAULT_GOAL := help
.PHONY: help run test bench venv lint schema messages constraints

help:
	@echo "make run    – start the system with demo data on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test   – set everything up and run the whole test suite"
	@echo "make bench  – run the benchmarks (not part of CI)"
	@echo "make lint | schema | messages | constraints – maintenance"

$(BIN)/python:
	@$(PYTHON) scripts/check_python.py
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

venv: $(VENV)/.installed

run: venv
	@scripts/run.sh

test: venv
	@scripts/test.sh $(PYTEST_ARGS)

bench: venv
	@scripts/bench.sh

lint: venv
	$(BIN)/ruff check .

schema: venv
	$(BIN)/python manage.py spectacular --file docs/api/openapi.yaml --validate --fail-on-warn

messages: venv
	$(BIN)/python manage.py makemessages --locale nb --locale nn --no-obsolete --ignore ".venv/*" --ignore "node_modules/*" --ignore "tests/*"
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"

constraints: venv
	{ head -2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.new && mv constraints.new constraints.txt
