"""Measure what officials read, with whatever version of the code is importable.

The same measurement as ``cchc eval`` (R@1, R@5, MRR of the first cited passage holding an
expected span; the share of answerable questions whose span is visible in the terminal's
text and in the Telegram message; lists complete and in order; abstentions), written against
the few names every version of the project has had (``AnsweringService.ask``,
``Answer.citations``, ``retrieval.cli.render.render_text``, ``bot.render.render_answer``), so
that an older checkout can be measured by the same rules for a before/after table:

    git worktree add /tmp/before ae03e3c
    export CCHC_DATA_DIR=/tmp/before-data CCHC_KNOWLEDGE_DIR=/tmp/before/knowledge
    PYTHONPATH=/tmp/before .venv/bin/python -m retrieval.cli.main reindex
    PYTHONPATH=/tmp/before .venv/bin/python scripts/eval_faces.py FILE...
    unset CCHC_DATA_DIR CCHC_KNOWLEDGE_DIR; .venv/bin/python scripts/eval_faces.py FILE...
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).lower()).strip()


def in_order(spans: list[str], text: str) -> bool:
    pos = 0
    for span in spans:
        found = text.find(span, pos)
        if found < 0:
            return False
        pos = found + len(span)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()

    from bot.render import render_answer, to_plain
    from retrieval.cli.render import render_text
    from retrieval.config import Settings
    from retrieval.service.answering import AnsweringService

    service = AnsweringService(Settings())
    faces = {
        "terminal": render_text,
        "telegram": lambda a: to_plain(render_answer(a)).split("\n", 1)[-1],
    }
    out = {}
    for path in args.files:
        questions = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
        rows = []
        for q in questions:
            answer = service.ask(q["question"])
            spans = [normalise(s) for s in q.get("expect", [])]
            rank = None
            for i, c in enumerate(answer.citations, 1):
                texts = [h.passage.text for h in (c.hit, *getattr(c, "more", []))]
                if any(s in normalise(t) for t in texts for s in spans):
                    rank = i
                    break
            shown = {name: normalise(face(answer)) for name, face in faces.items()}
            items = [normalise(s) for s in q.get("items", [])]
            rows.append(
                {
                    "abstain": bool(q.get("abstain")),
                    "abstained": answer.abstained,
                    "rank": rank,
                    "visible": {n: any(s in t for s in spans) for n, t in shown.items()},
                    "complete": all(in_order(items, t) for t in shown.values()) if items else None,
                    "chars": len(shown["telegram"]),
                }
            )
        answerable = [r for r in rows if not r["abstain"]]
        negatives = [r for r in rows if r["abstain"]]
        lists = [r for r in answerable if r["complete"] is not None]
        n = max(len(answerable), 1)
        chars = sorted(r["chars"] for r in answerable if not r["abstained"])
        out[path.name] = {
            "questions": len(rows),
            "R@1": round(sum(r["rank"] == 1 for r in answerable) / n, 3),
            "R@5": round(sum(r["rank"] is not None and r["rank"] <= 5 for r in answerable) / n, 3),
            "MRR": round(sum(1 / r["rank"] for r in answerable if r["rank"]) / n, 3),
            "visible_terminal": round(sum(r["visible"]["terminal"] for r in answerable) / n, 3),
            "visible_telegram": round(sum(r["visible"]["telegram"] for r in answerable) / n, 3),
            "lists_complete": (
                round(sum(bool(r["complete"]) for r in lists) / len(lists), 3) if lists else None
            ),
            "false_refusals": sum(r["abstained"] for r in answerable),
            "refused_negatives": f"{sum(r['abstained'] for r in negatives)}/{len(negatives)}",
            "median_chars": chars[len(chars) // 2] if chars else None,
        }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
