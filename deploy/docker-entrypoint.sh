#!/bin/sh
# Trợ lý CCHC, container entry point: prepare the data folder, bring the index up to date with
# this image's knowledge/ (`cchc setup`), then run the command (`cchc run` by default).
#
# - The data folder ($CCHC_DATA_DIR, /app/data) may be a named volume or an empty bind-mounted
#   host folder. Started as root (the default), the entry point gives that folder to the user
#   `cchc` and drops to that user; started with --user, the folder must be writable by it.
# - The embedding model is part of the image (/opt/cchc/models); the data folder gets a link
#   to it at $CCHC_DATA_DIR/models/multilingual-e5-small, the place where the settings look
#   for the default model (retrieval/config.py: data_dir/models/<name>). A model folder
#   already there (from an older image that kept it in the volume) is used as it is.
# - An empty data folder gets a copy of the index of knowledge/ built with the image
#   (/opt/cchc/index), so that the first start does not embed everything again.
# - `cchc setup` then compares the live index with knowledge/ and the documents admins added
#   ($CCHC_DATA_DIR/documents): after an upgrade to an image with new or changed documents in
#   knowledge/, it embeds only the new or changed passages and prints what changed. If it
#   fails, the container stops with its message (the previous index is left untouched).
set -eu

DATA=${CCHC_DATA_DIR:-/app/data}
IMAGE_DIR=${CCHC_IMAGE_DIR:-/opt/cchc}
IMAGE_MODELS=$IMAGE_DIR/models
IMAGE_INDEX=$IMAGE_DIR/index
MODEL=multilingual-e5-small

say() { echo "[khởi động] $*" >&2; }

if [ "$(id -u)" = 0 ] && id cchc >/dev/null 2>&1; then
    mkdir -p "$DATA"
    # A fresh bind mount belongs to root or to the host's user: hand it to cchc.
    find "$DATA" -xdev ! -user cchc -exec chown -h cchc:cchc {} + 2>/dev/null || true
    exec setpriv --reuid=cchc --regid=cchc --init-groups -- "$0" "$@"
fi

if ! mkdir -p "$DATA" 2>/dev/null || ! [ -w "$DATA" ]; then
    say "không ghi được vào thư mục dữ liệu $DATA (người dùng $(id -u):$(id -g))."
    say "Hãy cho người dùng này quyền ghi (ví dụ: chown $(id -u):$(id -g) <thư mục trên máy chủ>)."
    exit 1
fi

mkdir -p "$DATA/models"
if [ -d "$IMAGE_MODELS/$MODEL" ]; then
    if [ -L "$DATA/models/$MODEL" ] || [ ! -e "$DATA/models/$MODEL" ]; then
        ln -sfn "$IMAGE_MODELS/$MODEL" "$DATA/models/$MODEL"
    fi
fi

if [ ! -f "$DATA/index/CURRENT" ] && [ -f "$IMAGE_INDEX/CURRENT" ]; then
    say "thư mục dữ liệu mới: chép chỉ mục dựng sẵn của knowledge/ từ bản đóng gói"
    mkdir -p "$DATA/index"
    cp -R "$IMAGE_INDEX/." "$DATA/index/"
fi

say "đối chiếu chỉ mục với knowledge/ và các văn bản đã thêm (cchc setup)"
if ! cchc setup; then
    say "cchc setup không thành công; trợ lý không khởi động. Xem thông báo ở trên."
    exit 1
fi

exec "$@"
