# The two commands a newcomer needs:
#   make demo   set up .venv and run the main job (inhibitory network, C++ standalone)
#   make test   set up .venv and run the test suite (what CI runs)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test benchmarks clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	# norse 1.1.0 declares torchvision, which would replace the pinned CPU torch with a CUDA build;
	# norse itself runs without it, so it is installed without its dependencies (all present above).
	$(BIN)/python -m pip install --quiet --no-deps norse==1.1.0
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/neurodyn run inhibitory --set N=1000 --set g=5 --set alpha=2 --set tau_d=0.1ms \
	    --set I_sampling=even --duration 3s --target cpp_standalone --out results/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

clean:
	rm -rf results build *.egg-info
