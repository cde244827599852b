# Two commands for a fresh machine with only python3:
#   make demo   set up .venv, extract and cross-validate corpus/, print a summary
#   make test   set up .venv, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[transformer,dask,eval,dev]"
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p build/demo
	$(BIN)/cbafacts extract corpus/raw -o build/demo/extract.jsonl
	$(BIN)/cbafacts crossval build/demo/extract.jsonl -o build/demo/crossval.json --table

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf build $(VENV)
