"""``/quiz`` arguments: how many questions, how many seconds each (groups), and a topic."""

from __future__ import annotations

from dataclasses import dataclass

PRACTICE_DEFAULT = 5
GROUP_DEFAULT = 10
PERIOD_DEFAULT = 30


@dataclass
class QuizArgs:
    count: int | None = None
    seconds: int | None = None
    topic: str | None = None


def parse_args(text: str) -> QuizArgs:
    """``"10 30 giải pháp"`` → 10 questions, 30 s, topic "giải pháp" (each part optional)."""
    tokens = text.split()
    numbers: list[int] = []
    while tokens and tokens[0].isdigit() and len(numbers) < 2:
        numbers.append(int(tokens.pop(0)))
    return QuizArgs(
        count=numbers[0] if numbers else None,
        seconds=numbers[1] if len(numbers) > 1 else None,
        topic=" ".join(tokens) or None,
    )
