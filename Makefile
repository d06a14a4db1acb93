# Two commands do all the set-up: `make demo` and `make test`. Each creates or
# updates the project's virtual environment (.venv) first.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.landasset-installed

.PHONY: demo test lint venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[all,dev]"
	# the GeoPackage validator script; its GDAL bindings are not needed for it
	$(PY) -m pip install --quiet --no-deps "gdal-utils>=3.8"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py --out demo

# two or more workers (pytest-xdist, one per core); each test file stays on one worker,
# so a file's module- and session-scoped fixtures are built once
test: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) demo docs/_build
