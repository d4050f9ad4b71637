# MUSQAT: `make run` serves the demo site, `make test` runs the suite, `make check` runs all checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# The settings are production's (DEBUG off, a SECRET_KEY required) unless DEBUG is set;
# these targets are for development, so they turn it on unless the environment says otherwise.
export DEBUG ?= 1

.PHONY: run test check checks lint catalogues contracts format install messages compilemessages migrate seed backup restore clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

compilemessages: install
	$(BIN)/python manage.py compilemessages --ignore=$(VENV) -v 0

migrate: install
	$(BIN)/python manage.py migrate --no-input -v 0

seed: migrate
	$(BIN)/python manage.py seed_demo

# `make run` hands its background work (PDFs, e-mail) to a Celery worker beside the site,
# through a broker that needs no server: a folder (kombu's filesystem transport). Publishing
# returns at once and the PDFs follow; the seeding's PDFs are made while the site answers.
# Tests keep running tasks in process.
run: export CELERY_BROKER_URL ?= filesystem://localhost//
run: export CELERY_LOG_LEVEL ?= WARNING
run: compilemessages seed
	@echo "MUSQAT is at http://$(HOST)/ (stop with Ctrl+C); a worker beside it makes the PDFs"
	@$(BIN)/celery -A musqat worker -Q pdf,mail,celery --concurrency 1 -l warning & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

test: compilemessages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l ka -l en -e html,txt,py,svg --ignore=$(VENV) --ignore=staticfiles --ignore=tests --ignore=artifacts --no-obsolete

# Every catalogue complete: no untranslated or fuzzy entry, no format error.
catalogues:
	@status=0; for po in locale/*/LC_MESSAGES/*.po; do \
	  out=$$(msgfmt --check --statistics -o /dev/null $$po 2>&1) || status=1; \
	  echo "$$po: $$out"; \
	  case "$$out" in *untranslated*|*fuzzy*) status=1;; esac; \
	done; exit $$status

# The architecture's contracts (pyproject.toml, explained in ARCHITECTURE.md).
contracts: install
	$(BIN)/lint-imports

# Everything but the tests: lint, catalogues, import contracts, Django's checks, migrations
# in step with models.
checks: lint catalogues contracts compilemessages
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

check: checks test

# The database (DATABASE_URL), MEDIA_ROOT and PRIVATE_ROOT in one archive under backups/
# (BACKUP_DIR=… for another folder); `make restore FILE=…` replaces all three with an archive's,
# after checking it whole and asking (CONFIRM=yes does not ask). See musqat/backup.py.
BACKUP_DIR ?= backups
backup: install
	$(BIN)/python manage.py backup --output "$(BACKUP_DIR)"

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/musqat-….tar.gz [CONFIRM=yes]" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" $(if $(filter yes,$(CONFIRM)),--yes)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
