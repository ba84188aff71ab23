# Kiri MMM — the two commands of the README, and a few helpers.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# pytest processes for `make test`: the suite waits on browsers, workers and heartbeats
# much of the time, so even on two cores a third process still shortens it (2026-11-30, AMD
# EPYC, 2 cores: 9 1/2 min with three, 11 min with two; 2026-12-01, 1844 tests from a fresh
# clone: 8 min 17 s with three)
TEST_WORKERS ?= 3
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

# The same numeric kernels on every x86-64 machine (AVX2 OpenBLAS kernels, no AVX-512 numpy
# loops), so a search takes the same path wherever a worker runs (docs/engine.md).
ifeq ($(shell uname -m),x86_64)
export OPENBLAS_CORETYPE ?= Haswell
export NPY_DISABLE_CPU_FEATURES ?= X86_V4 AVX512_ICL AVX512_SPR
endif

.PHONY: install run test lint bench bench-pymc clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt scripts/install-system.sh
	bash scripts/install-system.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

run: install
	KIRI_DEV_MODE=$${KIRI_DEV_MODE-1} $(PY) -m streamlit run app.py --server.port $(PORT)

test: install
	bash scripts/ensure-services.sh
	$(PY) -m ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS) --durations=15

lint: install
	$(PY) -m ruff check .

bench: install
	$(PY) -m bench

# PyMC-Marketing on the accuracy benchmark's sets, in a virtualenv of its own (about 20 min
# here); ARGS="--profiles varied --sets 2" for a shorter run
bench-pymc:
	test -x .venv-pymc/bin/python || python3 -m venv .venv-pymc
	.venv-pymc/bin/python -m pip install --quiet -r requirements-pymc.txt
	PYTHONPATH=. .venv-pymc/bin/python -m bench.pymc_marketing $(ARGS)

clean:
	rm -rf $(VENV) .venv-pymc .pytest_cache
