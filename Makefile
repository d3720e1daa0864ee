# kotae: `make run` serves the chat UI on the bundled corpus; `make test` runs the whole test suite.
# Both do all their own set-up on a fresh machine.
VENV   := .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: setup run test browser-deps eval bench clean

setup: $(VENV)/.installed

# torch is installed first and pinned: the CPU wheel lies on this machine's disk; unpinned, pip
# would pull a multi-GB CUDA build as a dependency of sentence-transformers.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: setup
	$(BIN)/kotae serve

# The browser tests drive Debian's chromium with a Japanese font (playwright cannot download browsers here).
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	  || echo "make: could not install chromium; browser tests will be skipped"; \
	else echo "make: chromium and fonts-noto-cjk are missing (install them as root); browser tests will be skipped"; fi

test: setup browser-deps
	$(BIN)/pytest

eval: setup
	$(BIN)/kotae eval --ranker all

bench: setup
	$(BIN)/python -m eval.bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
