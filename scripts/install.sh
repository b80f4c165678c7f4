#!/usr/bin/env bash
# Install Trợ lý CCHC and its locked dependencies into a virtual environment.
#
#   scripts/install.sh [--dry-run] [VENV]          (VENV: .venv by default)
#
# `make run` / `make test` call it with the dev lock and an editable install; the Dockerfile
# calls it with the runtime lock and a normal install. Settings, from the environment:
#
#   PYTHON           the interpreter that creates the venv (python3.11, else python3)
#   LOCK             the lock file: requirements/dev.txt (default) or requirements/runtime.txt
#   PROJECT          editable (default: pip install -e .) | normal (pip install .) | none
#   TORCH_INDEX_URL  PyTorch's CPU wheel index, https://download.pytorch.org/whl/cpu by default;
#                    point it at a mirror of that index if the server reaches only a mirror
#
# Order and sources:
#   1. torch alone, first, the CPU build pinned with its hash in LOCK (torch==2.13.0+cpu):
#      a. with no index at all: a wheel already on this machine, found through pip's own
#         find-links (pip config / PIP_FIND_LINKS); fails at once where there is none;
#      b. else from TORCH_INDEX_URL, where "+cpu" builds live (PyPI has only the CUDA build).
#   2. everything else, exactly the versions and hashes of LOCK and of
#      requirements/model-build.txt, without resolving anything more (--no-deps): PyPI.
#   3. the project itself, without build isolation (its build backend, setuptools, is in LOCK).
# --dry-run prints the commands instead of running them.
set -euo pipefail
cd "$(dirname "$0")/.."

dry=0
if [ "${1:-}" = --dry-run ]; then
    dry=1
    shift
fi
VENV=${1:-.venv}
LOCK=${LOCK:-requirements/dev.txt}
PROJECT=${PROJECT:-editable}
TORCH_INDEX_URL=${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
MODEL_BUILD_LOCK=requirements/model-build.txt

run() {
    if [ $dry = 1 ]; then
        echo "+ $*"
    else
        "$@"
    fi
}
say() { echo "[cài đặt] $*" >&2; }

# The torch requirement of the lock, with its hash lines.
torch_req=$(mktemp "${TMPDIR:-/tmp}/cchc-torch.XXXXXX.txt")
trap 'rm -f "$torch_req"' EXIT
awk '/^torch==/ {on = 1} on && !/^ *#/ {print} on && !/\\$/ {exit}' "$LOCK" >"$torch_req"
torch_version=$(sed -n 's/^torch==\([^ ]*\).*/\1/p' "$torch_req")
case "$torch_version" in
*+cpu) ;;
*)
    echo "Lỗi: $LOCK phải khoá torch bản CPU (torch==…+cpu), đang là '${torch_version:-không có}'." >&2
    exit 1
    ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
    say "tạo môi trường ảo $VENV bằng $PYTHON"
    run "$PYTHON" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip)

installed=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("torch"))' \
    2>/dev/null || true)
torch_local=("${pip[@]}" install -q --no-deps --require-hashes --no-index -r "$torch_req")
torch_remote=("${pip[@]}" install -q --no-deps --require-hashes --index-url "$TORCH_INDEX_URL"
    --retries 2 -r "$torch_req")
if [ $dry = 1 ]; then
    echo "+ ${torch_local[*]}"
    echo "+ || ${torch_remote[*]}"
    echo "  $torch_req:"
    sed 's/^/  | /' "$torch_req"
elif [ "$installed" = "$torch_version" ]; then
    say "torch $torch_version đã có"
else
    say "torch $torch_version (bản CPU): tìm tệp có sẵn trên máy, không dùng mạng"
    if ! "${torch_local[@]}" >/dev/null 2>&1; then
        say "không có sẵn: tải torch $torch_version (~190 MB) từ $TORCH_INDEX_URL"
        "${torch_remote[@]}" || {
            say "không tải được torch từ $TORCH_INDEX_URL. Đặt TORCH_INDEX_URL=<bản sao của chỉ mục" \
                "đó>, hoặc chép tệp torch-$torch_version-cp311-cp311-manylinux_2_28_x86_64.whl vào" \
                "một thư mục rồi đặt PIP_FIND_LINKS=<thư mục đó>."
            exit 1
        }
    fi
fi

say "các gói khác, đúng phiên bản và mã băm trong $LOCK"
run "${pip[@]}" install -q --no-deps --require-hashes -r "$LOCK" -r "$MODEL_BUILD_LOCK"

# PYTHONWARNINGS: setuptools >= 77 warns that pyproject.toml's `license = { text = … }` table is
# deprecated (a plain `license = "MIT"` string is the new form), at every install.
case "$PROJECT" in
editable) PYTHONWARNINGS=ignore run "${pip[@]}" install -q --no-deps --no-build-isolation -e . ;;
normal) PYTHONWARNINGS=ignore run "${pip[@]}" install -q --no-deps --no-build-isolation . ;;
none) ;;
*)
    echo "Lỗi: PROJECT phải là editable, normal hoặc none." >&2
    exit 1
    ;;
esac
say "xong"
