#!/usr/bin/env bash
# Refresh the lock files in requirements/ from pyproject.toml: `make lock`.
#
#   make lock            keep the current pins where pyproject.toml still allows them, add or
#                        change only what it now asks for
#   make lock-upgrade    the newest release of everything that pyproject.toml's ranges allow
#
# Written with `uv pip compile` (exact versions and sha256 hashes of every file of each
# version), for CPython 3.11 on Linux x86_64 (glibc >= 2.28), what `make` and the Dockerfile
# install:
#
#   requirements/runtime.txt      pyproject.toml's dependencies + requirements/pins.in
#   requirements/dev.txt          the same pins + the `dev` extra (tests, ruff, plots)
#   requirements/model-build.txt  requirements/model-build.in, without dependencies
#
# torch is locked as the CPU build (torch==2.13.0+cpu, requirements/pins.in). Its wheel comes
# from a local folder that holds it (TORCH_FIND_LINKS, or pip's own find-links when one of
# them holds a torch CPU wheel) or else from PyTorch's CPU index (uv --torch-backend cpu).
# Every other package comes from PyPI (UV_INDEX_URL / UV_DEFAULT_INDEX for a mirror).
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-uv}
out=requirements

torch_source=()
links=${TORCH_FIND_LINKS:-}
if [ -z "$links" ]; then
    for dir in ${PIP_FIND_LINKS:-} $(pip config get global.find-links 2>/dev/null || true); do
        if compgen -G "$dir/torch-*+cpu-*.whl" >/dev/null; then
            links=$dir
            break
        fi
    done
fi
if [ -n "$links" ]; then
    echo "torch: bản CPU từ $links" >&2
    torch_source=(--find-links "$links")
else
    echo "torch: bản CPU từ chỉ mục của PyTorch (--torch-backend cpu)" >&2
    torch_source=(--torch-backend cpu)
fi

common=(
    --quiet
    --generate-hashes
    --python-version 3.11
    --python-platform x86_64-manylinux_2_28
    --custom-compile-command "make lock"
    "${torch_source[@]}"
)
if [ "${UPGRADE:-0}" = 1 ]; then
    common+=(--upgrade)
fi

"$UV" pip compile "${common[@]}" pyproject.toml $out/pins.in -o $out/runtime.txt
# The same versions as runtime.txt for everything both need: the image and `make` agree.
"$UV" pip compile "${common[@]}" --extra dev -c $out/runtime.txt \
    pyproject.toml $out/pins.in -o $out/dev.txt
"$UV" pip compile "${common[@]}" --no-deps $out/model-build.in -o $out/model-build.txt

grep -q '^torch==[0-9.]*+cpu ' $out/runtime.txt || {
    echo "Lỗi: torch trong $out/runtime.txt không phải bản CPU (+cpu)." >&2
    exit 1
}
if grep -qiE '^(nvidia-|triton==)' $out/runtime.txt $out/dev.txt; then
    echo "Lỗi: tệp khoá có gói CUDA (nvidia-*, triton)." >&2
    exit 1
fi
echo "Đã cập nhật $out/runtime.txt, $out/dev.txt, $out/model-build.txt." >&2
