"""Practice alone in the terminal: numbered options, the proof after each, then the score."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from retrieval.domain.quiz import QuizQuestion

QUIT = {"q", "/thoat", "thoát", "thoat", "/dung"}


class PracticeResult(BaseModel):
    """How a practice went: the score and the questions missed (skipped ones count)."""

    asked: int = 0
    correct: int = 0
    missed: list[QuizQuestion] = []
    stopped: bool = False


def _ask(q: QuizQuestion, input_fn: Callable[[str], str], print_fn: Callable[[str], None]):
    """The chosen option index, None to skip, or "quit"."""
    prompt = f"Chọn 1-{len(q.options)} (Enter để bỏ qua, q để dừng): "
    while True:
        try:
            raw = input_fn(prompt).strip().lower()
        except EOFError:
            return "quit"
        if raw in QUIT:
            return "quit"
        if raw == "":
            return None
        if raw.isdigit() and 1 <= int(raw) <= len(q.options):
            return int(raw) - 1
        print_fn(f"Hãy gõ một số từ 1 đến {len(q.options)}.")


def _source_line(q: QuizQuestion) -> str:
    """The act and article of a legal question ("Điều 18 Nghị định 63/2010/NĐ-CP"), else the
    document's id and section."""
    return f"Nguồn: {q.source.citation or f'{q.source.document_id} — {q.source.section}'}"


def run_practice(
    chosen: list[QuizQuestion],
    topic: str | None,
    input_fn: Callable[[str], str],
    print_fn: Callable[[str], None],
) -> PracticeResult:
    """Ask the ``chosen`` questions (of ``topic``) and report the score."""
    result = PracticeResult()
    if not chosen:
        print_fn(f"Không có câu hỏi nào cho chủ đề «{topic}».")
        return result
    for i, q in enumerate(chosen, start=1):
        print_fn(f"\nCâu {i}/{len(chosen)}: {q.question}")
        for j, option in enumerate(q.options, start=1):
            print_fn(f"  {j}. {option}")
        choice = _ask(q, input_fn, print_fn)
        if choice == "quit":
            result.stopped = True
            break
        result.asked += 1
        if choice == q.correct:
            result.correct += 1
            print_fn("✅ Đúng!")
        else:
            result.missed.append(q)
            lead = "⏭ Bỏ qua." if choice is None else "❌ Chưa đúng."
            print_fn(f"{lead} Đáp án đúng: {q.correct + 1}. {q.answer}")
        print_fn(f"💡 {q.explanation}")
        print_fn(_source_line(q))
    print_fn(f"\nKết quả: {result.correct}/{result.asked} câu đúng.")
    if result.missed:
        print_fn("Các câu cần ôn lại:")
        for q in result.missed:
            print_fn(f"- {q.question}\n  Đáp án: {q.answer}\n  {_source_line(q)}")
    return result
