"""``cchc`` as a user and the checks call it: a real subprocess on the test index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def cchc(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CCHC_DATA_DIR": str(settings.data_dir),
        "CCHC_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "TELEGRAM_BOT_TOKEN": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "retrieval.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_ask_json_follows_the_interface(built_index: Settings) -> None:
    out = cchc(built_index, "ask", "--json", "-k", "3", "Nghị quyết 76/NQ-CP ban hành ngày nào?")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["question"] == "Nghị quyết 76/NQ-CP ban hành ngày nào?"
    assert obj["abstained"] is False and 1 <= len(obj["passages"]) <= 3
    p = obj["passages"][0]
    assert p["rank"] == 1 and isinstance(p["score"], float) and p["text"] and p["section"]
    assert p["kind"] in {
        "quan_diem", "muc_tieu", "nhiem_vu", "giai_phap", "bai_hoc",
        "ket_qua", "han_che", "nguyen_nhan", "quy_dinh", "khac",
    }  # fmt: skip
    doc = p["document"]
    assert set(doc) >= {"id", "title", "number", "issued", "source", "status"}
    assert any(x["document"]["issued"] == "2021-07-15" for x in obj["passages"])
    assert "Nguồn trích dẫn" in obj["answer"]


def test_ask_file_answers_every_line_in_order(built_index: Settings, tmp_path: Path) -> None:
    lines = [
        "Mục tiêu chung của cải cách hành chính giai đoạn 2021-2030 là gì?",
        "",
        "Giá vàng hôm nay?",
        "x" * 10_000,
        '"AND NEAR( *',
        "bai hoc kinh nghiem cai cach hanh chinh",
        # Breaks for str.splitlines, not for a file of lines (issue 15): one question each.
        "Các giải pháp\fcủa Nghị quyết 76/NQ-CP\u2028là gì?",
        "a\vb\x1cc\x1dd\x1ee\x85f\u2029g\rh",
        "\u2028",
    ]
    questions = tmp_path / "q.txt"
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    out = cchc(built_index, "ask", "--json", "--file", str(questions))
    assert out.returncode == 0, out.stderr
    # One object per input line, whichever way the output is split into lines.
    assert len(out.stdout.splitlines()) == len(out.stdout.rstrip("\n").split("\n"))
    objs = [json.loads(x) for x in out.stdout.splitlines()]
    assert [o["question"] for o in objs] == lines
    assert not objs[6]["abstained"] and objs[6]["passages"]
    assert objs[7]["abstained"] and objs[8]["abstained"] and "error" in objs[8]
    assert not objs[0]["abstained"] and objs[0]["passages"]
    for o in objs[1:5]:
        assert o["abstained"] and o["passages"] == []
    assert "error" in objs[1] and "error" in objs[3] and "error" not in objs[2]
    assert not objs[5]["abstained"]
    assert "Traceback" not in out.stderr


def test_plain_answer_and_bad_usage(built_index: Settings) -> None:
    out = cchc(built_index, "ask", "Các quan điểm của Nghị quyết 76/NQ-CP")
    assert out.returncode == 0 and "I. QUAN ĐIỂM [1]" in out.stdout
    assert "  1. Quán triệt chủ trương của Đảng" in out.stdout  # the list, each item cited
    assert "  5. Cải cách hành chính phải kế thừa" in out.stdout
    bad = cchc(built_index, "ask")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "cchc:" in bad.stderr and "Traceback" not in bad.stderr
    missing = cchc(built_index, "ask", "--json", "--file", "/khong/co/tep.txt")
    assert missing.returncode == 2 and "không đọc được" in missing.stderr


@pytest.mark.parametrize("args", [["eval", "tests/data/offtopic.jsonl"]])
def test_eval_reports_metrics(built_index: Settings, args: list[str]) -> None:
    out = cchc(built_index, *args, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["abstention_accuracy"] == 1.0 and report["questions"] >= 20


def test_missing_index_is_one_line(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "nothing", _env_file=None)
    (tmp_path / "nothing" / "models").mkdir(parents=True)
    (tmp_path / "nothing" / "models" / "multilingual-e5-small").symlink_to(
        (ROOT / "data" / "models" / "multilingual-e5-small").resolve()
    )
    out = cchc(settings, "ask", "cải cách hành chính")
    assert out.returncode == 1
    assert "Chưa có chỉ mục" in out.stderr and "Traceback" not in out.stderr


def test_chat_answers_lists_documents_and_runs_a_quiz(built_index: Settings) -> None:
    out = cchc(
        built_index,
        "chat",
        stdin="/vanban\nNghị quyết 76/NQ-CP ban hành ngày nào?\n/quiz 1\n1\n/thoat\n",
    )
    assert out.returncode == 0, out.stderr
    assert "số 76/NQ-CP — ngày 15/07/2021" in out.stdout
    assert "Nguồn trích dẫn:" in out.stdout
    assert "Câu 1/1" in out.stdout and "Kết quả:" in out.stdout


def test_reindex_dry_run_shows_what_was_read_from_each_file(
    built_index: Settings, tmp_path: Path
) -> None:
    source = ROOT / "knowledge" / "nq-76-2021-chuong-trinh-tong-the.md"
    (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    version = (built_index.index_root / "CURRENT").read_text()
    out = cchc(built_index, "reindex", "--dry-run", str(tmp_path))
    assert out.returncode == 0, out.stderr
    for line in (
        "Văn bản đọc được:",
        "Loại: nghị quyết · Số hiệu: 76/NQ-CP · Ngày ban hành: 15/07/2021",
        "Cơ quan ban hành: Chính phủ",
        "Mã văn bản: nq-76-2021-chuong-trinh-tong-the",
        "Kế hoạch:",
    ):
        assert line in out.stdout
    assert (built_index.index_root / "CURRENT").read_text() == version  # nothing changed


@pytest.mark.parametrize("command", [["eval", "q.jsonl"], ["ask", "cải cách hành chính"]])
def test_a_malformed_setting_is_one_vietnamese_line_naming_it(
    built_index: Settings, command: list[str]
) -> None:
    env = {**os.environ, "CCHC_DATA_DIR": str(built_index.data_dir), "CCHC_TOP_K": "abc"}
    out = subprocess.run(
        [sys.executable, "-m", "retrieval.cli.main", *command],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert out.returncode != 0 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "CCHC_TOP_K" in lines[0] and "không hợp lệ" in lines[0], lines
