"""The terminal chat: wrapped to the window, line editing with a history; and no wrapping
when the output is not a terminal (``cchc ask`` read by checks)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from retrieval.cli.terminal import wrap
from retrieval.config import Settings
from tests.conftest import ROOT

QUESTION = "Bài học kinh nghiệm trong cải cách hành chính là gì?"
PROMPT = "Bạn hỏi: ".encode()


def test_wrap_keeps_indents_and_hangs_list_items() -> None:
    text = (
        "Bài học kinh nghiệm:\n"
        "  • Thứ hai, phải xác định cải cách hành chính là nhiệm vụ trọng tâm thường xuyên [1]\n"
        "[2] Nghị quyết 76/NQ-CP — mục: Mục III — nguồn: https://example.gov.vn/a/very/long/url"
    )
    out = wrap(text, 40)
    lines = out.split("\n")
    assert all(len(line) <= 40 for line in lines if "https://" not in line)
    assert lines[1].startswith("  • Thứ hai") and lines[2].startswith("    ") and lines[2][4] != " "
    bracket = lines.index(next(x for x in lines if x.startswith("[2]")))
    assert lines[bracket + 1].startswith("    ")  # under the title, not under "[2]"
    assert "https://example.gov.vn/a/very/long/url" in out  # a long word is never cut
    assert " ".join(out.split()) == " ".join(text.split())  # nothing lost, nothing added
    assert wrap(text, None) == text


def test_ask_is_not_wrapped_when_not_a_terminal(built_index: Settings) -> None:
    env = {
        **os.environ,
        "CCHC_DATA_DIR": str(built_index.data_dir),
        "CCHC_KNOWLEDGE_DIR": str(built_index.knowledge_dir),
        "COLUMNS": "40",
    }
    out = subprocess.run(
        [sys.executable, "-m", "retrieval.cli.main", "ask", QUESTION],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    items = [line for line in out.stdout.splitlines() if line.startswith("  Thứ ")]
    assert len(items) == 7 and max(len(line) for line in items) > 100  # one line per item


class Terminal:
    """``cchc chat`` in a pseudo-terminal of a given width."""

    def __init__(self, settings: Settings, columns: int) -> None:
        env = {
            **os.environ,
            "CCHC_DATA_DIR": str(settings.data_dir),
            "CCHC_KNOWLEDGE_DIR": str(settings.knowledge_dir),
            "PYTHONPATH": str(ROOT),
        }
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the chat, as a person starts it
            os.execve(sys.executable, [sys.executable, "-m", "retrieval.cli.main", "chat"], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        self.output = b""

    def read_until(self, predicate, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.output):
            assert time.monotonic() < deadline, self.output.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:  # the child is gone
                    return

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> int:
        self.type(b"/thoat\r")
        self.read_until(lambda _: False, timeout=10)  # until the chat closes the terminal
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_chat_wraps_to_the_window_and_keeps_a_history(built_index: Settings) -> None:
    history = Path(built_index.data_dir) / "chat_history"
    history.unlink(missing_ok=True)
    term = Terminal(built_index, columns=50)
    try:
        term.read_until(lambda out: out.count(PROMPT) >= 1)
        term.type(f"{QUESTION}\r".encode())
        term.read_until(lambda out: out.count(PROMPT) >= 2)
        term.type(b"\x1b[A\r")  # arrow up: the same question again, from the history
        term.read_until(lambda out: out.count(PROMPT) >= 3)
    finally:
        code = term.close()
    assert code == 0
    text = term.output.decode().replace("\r", "")
    answers = text.split("Bạn hỏi: ")[1:3]
    assert all("Nguồn trích dẫn" in a for a in answers)  # asked twice: the arrow worked
    printed = [line for a in answers for line in a.split("\n")[1:]]  # not the echoed input
    assert max(len(line) for line in printed if "http" not in line) <= 50
    assert any(line.startswith("    ") for line in printed)  # list items hang under their text
    assert QUESTION in history.read_text(encoding="utf-8").splitlines()
    assert history.stat().st_mode & 0o777 == 0o600
