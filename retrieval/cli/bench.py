"""``cchc bench``: speed and memory at 1k…1M passages (see ``docs/PERFORMANCE.md``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from retrieval.cli import texts
from retrieval.config import Settings
from retrieval.service.benchmark import FULL_SCALES, QUESTIONS, QUICK_SCALES, benchmark


def parse_scales(text: str) -> list[int]:
    """``"1k,10k,1M"`` → ``[1000, 10000, 1000000]``."""
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        mult = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        number = part[:-1] if mult > 1 else part
        try:
            value = int(float(number) * mult)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(texts.BENCH_BAD_SCALE.format(part=part)) from exc
        if value < 1:
            raise argparse.ArgumentTypeError(texts.BENCH_BAD_SCALE.format(part=part))
        out.append(value)
    if not out:
        raise argparse.ArgumentTypeError(texts.BENCH_NO_SCALE)
    return out


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    scales = args.scales or (QUICK_SCALES if args.quick else FULL_SCALES)
    # A path typed on the command line is the current directory's; settings built from it
    # (the bench's data dirs) would otherwise take it from CCHC_HOME.
    out = args.out.absolute() if args.out else settings.data_dir / "bench"
    result, tables, written = benchmark(settings, scales, out, args.questions, args.keep)
    print(texts.BENCH_MACHINE.format(machine=result["machine"]))
    print(texts.BENCH_EMBEDDING.format(rate=result["embed_passages_per_s"]))
    if reference := result.get("reference_embed_query_ms"):
        print(texts.BENCH_REFERENCE.format(**reference))
    print(tables)
    print(texts.BENCH_WRITTEN.format(files=", ".join(map(str, [out / "results.json", *written]))))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


def register(sub: Any) -> None:
    bench = sub.add_parser("bench", help="đo tốc độ và quy mô trên kho văn bản tổng hợp")
    bench.add_argument("--quick", action="store_true", help="chỉ quy mô 1k và 10k đoạn")
    bench.add_argument("--json", action="store_true", help="in một đối tượng JSON ở cuối")
    bench.add_argument(
        "--scales", type=parse_scales, default=None, help="ví dụ 1k,10k,100k,1M (mặc định cả bốn)"
    )
    bench.add_argument(
        "--out", type=Path, default=None, help="thư mục kết quả (mặc định DATA_DIR/bench)"
    )
    bench.add_argument("--questions", type=int, default=QUESTIONS, help="số câu hỏi mỗi quy mô")
    bench.add_argument("--keep", action="store_true", help="giữ lại chỉ mục tổng hợp")
    bench.set_defaults(func=cmd_bench)
