# Two commands do all the set-up: `make demo` and `make test`. Each creates or
# updates the project's virtual environment (.venv) first.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.landasset-installed

.PHONY: demo test lint venv clean qgis-plugin

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
	$(VENV)/bin/ruff check src tests benchmarks examples qgis_plugin
	$(VENV)/bin/ruff format --check src tests benchmarks examples qgis_plugin
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) demo docs/_build

# the QGIS plugin as a zip that QGIS installs (Plugins → Install from ZIP): one folder,
# landasset_qgis/, holding qgis_plugin/ without caches
DIST ?= dist
QGIS_PLUGIN_VERSION := $(shell sed -n 's/^version=//p' qgis_plugin/metadata.txt)
qgis-plugin:
	rm -rf $(DIST)/qgis-plugin-build
	mkdir -p $(DIST)/qgis-plugin-build
	cp -R qgis_plugin $(DIST)/qgis-plugin-build/landasset_qgis
	find $(DIST)/qgis-plugin-build -name __pycache__ -prune -exec rm -rf {} +
	rm -f $(DIST)/landasset_qgis-$(QGIS_PLUGIN_VERSION).zip
	cd $(DIST)/qgis-plugin-build && $(PYTHON) -m zipfile -c ../landasset_qgis-$(QGIS_PLUGIN_VERSION).zip landasset_qgis
	rm -rf $(DIST)/qgis-plugin-build
	@echo "wrote $(DIST)/landasset_qgis-$(QGIS_PLUGIN_VERSION).zip"
