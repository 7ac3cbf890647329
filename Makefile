# ClinicLens: `make run` opens the app, `make test` runs the checks CI runs.
# Installs go into .venv and rerun only when pyproject.toml changes (stamp files named
# after its hash), so repeated runs start in seconds.

VENV ?= .venv
ifeq ($(OS),Windows_NT)
PYTHON ?= python
BIN := $(VENV)/Scripts
else
PYTHON ?= python3
BIN := $(VENV)/bin
endif

# Hash of pyproject.toml: a changed dependency list means a fresh install.
HASH := $(shell $(PYTHON) -c "import hashlib;print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:12])")
STAMP_RUN := $(VENV)/.installed-$(HASH)-run
STAMP_DEV := $(VENV)/.installed-$(HASH)-dev
STAMP_BUILD := $(VENV)/.installed-$(HASH)-build
PIP := $(BIN)/python -m pip
# Stamps of an older pyproject.toml are dropped so they can never vouch for a stale install.
PRUNE := find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '.installed-$(HASH)-*' -delete

.PHONY: run test bench exe exe-test dist dist-test lint clean venv

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime install (what `make run` needs).
$(STAMP_RUN): | $(BIN)/python
	$(PIP) install -e .
	$(PRUNE)
	touch $@

# Everything the tests need; torch/torchvision come from local wheels via pip's config.
# It also covers the runtime install, so `make run` after `make test` installs nothing.
$(STAMP_DEV): | $(BIN)/python
	$(PIP) install -e '.[dev,train]'
	$(PRUNE)
	touch $@ $(STAMP_RUN)

$(STAMP_BUILD): | $(BIN)/python
	$(PIP) install -e '.[build]'
	$(PRUNE)
	touch $@

# Open the desktop app. On Linux without a display (SSH, CI, containers) run the
# headless demo instead, which screens the bundled samples and says where its outputs are.
run: $(STAMP_RUN)
	@if [ "$$(uname -s 2>/dev/null)" = "Linux" ] && [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): running 'cliniclens demo' instead."; \
		$(BIN)/cliniclens demo; \
	else \
		$(BIN)/cliniclens; \
	fi

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

bench: $(STAMP_DEV)
	$(BIN)/python bench/run.py

exe: $(STAMP_RUN) $(STAMP_BUILD)
	$(BIN)/pyinstaller --noconfirm build.spec

exe-test: exe
	bash tools/exe_smoke.sh

# The archive a clinic downloads (tar.xz; zip on Windows), with its size printed.
dist: exe
	$(BIN)/python tools/make_dist.py

# The smoke test on what comes out of that archive, not on the build folder.
dist-test: exe
	$(BIN)/python tools/make_dist.py --check

clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis
