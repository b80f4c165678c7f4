# Two commands on a fresh machine: `make run` and `make test`. Each installs what is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PyTorch's CPU wheel index: torch's CPU build is there, not on PyPI (whose Linux wheel pulls
# several GB of CUDA). A wheel already on the machine (pip's find-links) is used first.
TORCH_INDEX_URL ?= https://download.pytorch.org/whl/cpu
# What `make` installs: the exact versions and hashes of the dev lock (runtime + test tools).
LOCK := requirements/dev.txt
LOCKS := $(LOCK) requirements/model-build.txt
UV_VERSION := 0.13.9

.PHONY: run test setup install lint bench clean-data lock lock-upgrade

run: setup
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=..' .env; then \
		exec $(BIN)/cchc run; \
	else \
		echo "Chưa cấu hình TELEGRAM_BOT_TOKEN: mở trợ lý trong cửa sổ dòng lệnh (cchc chat)."; \
		exec $(BIN)/cchc chat; \
	fi

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -q

setup: install
	$(BIN)/cchc setup

install: $(STAMP)

# torch first (CPU build, from the lock), then the rest of the lock, then the project:
# scripts/install.sh says how; `scripts/install.sh --dry-run` prints the commands.
$(STAMP): pyproject.toml $(LOCKS) scripts/install.sh
	PYTHON=$(PYTHON) LOCK=$(LOCK) PROJECT=editable TORCH_INDEX_URL=$(TORCH_INDEX_URL) \
		scripts/install.sh $(VENV)
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .

# Refresh requirements/*.txt from pyproject.toml (uv pip compile, with hashes); see
# scripts/lock.sh. `lock` keeps the pins that still fit, `lock-upgrade` takes the newest.
.venv-lock/bin/uv:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q uv==$(UV_VERSION)

lock: .venv-lock/bin/uv
	UV=.venv-lock/bin/uv scripts/lock.sh

lock-upgrade: .venv-lock/bin/uv
	UPGRADE=1 UV=.venv-lock/bin/uv scripts/lock.sh

clean-data:
	rm -rf data
