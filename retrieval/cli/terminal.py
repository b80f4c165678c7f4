"""The terminal as a person uses it: line editing and a history for the chat (readline), and
text wrapped at word boundaries to the window's width.

Only a terminal gets either: when the output is a pipe or a file (``cchc ask … > answer.txt``,
the checks that read ``cchc ask``), lines are printed exactly as rendered, one per line.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

#: Lines kept in the chat's history file.
HISTORY_LENGTH = 1000
#: What starts a list item or a citation: its continuation lines align after it.
_MARKER = re.compile(r"(\s*)((?:[•\-–*]|\[\d+\]|\d+[.)]|[a-zđ]\))\s+)?")


def width(stream: TextIO | None = None) -> int | None:
    """The window's width in columns when ``stream`` is a terminal, else None (no wrapping)."""
    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or unusual stream
        return None
    return max(shutil.get_terminal_size().columns, 20)


def wrap(text: str, columns: int | None) -> str:
    """Every line of ``text`` wrapped at word boundaries to ``columns`` (None: unchanged).

    A line keeps its indent, and a list item ("• …", "1. …", "[3] …") wraps under its text
    rather than under its marker. Words longer than a line (URLs) are left whole."""
    if not columns:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= columns:
            out.append(line)
            continue
        match = _MARKER.match(line)
        hang = " " * (len(match.group(1)) + len(match.group(2) or "")) if match else ""
        out.append(
            textwrap.fill(
                line,
                width=columns,
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def printer(stream: TextIO | None = None) -> Callable[[str], None]:
    """``print`` for a person: wrapped to the window on a terminal, as is elsewhere."""

    def show(text: str = "") -> None:
        target = stream or sys.stdout
        print(wrap(text, width(target)), file=target)

    return show


def line_editing(history: Path) -> Callable[[], None]:
    """Arrow keys, editing and a history (read from and saved to ``history``) for ``input()``
    on a terminal. Returns what saves the history; nothing happens off a terminal or without
    readline. The history holds questions: the file is for its owner only."""
    if not sys.stdin.isatty():
        return lambda: None
    try:
        import readline
    except ImportError:  # Python built without it
        return lambda: None
    readline.set_history_length(HISTORY_LENGTH)
    try:
        readline.read_history_file(history)
    except (OSError, ValueError):  # first chat, or a history we cannot read: start afresh
        pass

    def save() -> None:
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            history.touch(mode=0o600, exist_ok=True)
            readline.write_history_file(history)
        except OSError:  # a data dir another user owns: the history is a nicety
            pass

    return save
