"""The Vietnamese both faces use for what the core reports as codes: failures, problems with
a question, and what an index build will do or did.

Only the faces (``retrieval/cli`` and ``bot``) import this module (``tests/test_architecture``
checks it): the core returns typed reasons, the faces phrase them, and the terminal and
Telegram phrase them the same way.
"""

from __future__ import annotations

from retrieval.domain import naming
from retrieval.domain.errors import CoreError
from retrieval.domain.models import Plan, QuestionProblem

ABSTAIN = (
    "Xin lỗi, cơ sở tri thức hiện chưa có nội dung đủ tin cậy để trả lời câu hỏi này, "
    "nên tôi không trích dẫn văn bản nào."
)
ASK_HINT = (
    "Gợi ý: hỏi cụ thể về cải cách hành chính, nêu chủ đề (quan điểm, mục tiêu, giải pháp, "
    "bài học kinh nghiệm, kết quả, hạn chế) hoặc tên văn bản, ví dụ: "
    "“Các giải pháp của Nghị quyết 76/NQ-CP là gì?”"
)

_ERRORS: dict[str, str] = {
    "index_missing": (
        "Chưa có chỉ mục trong {root}. Hãy chạy `cchc reindex` (hoặc `make run`) để xây dựng."
    ),
    "index_mismatch": (
        "Chỉ mục được xây bằng mô hình “{built_with}” ({dimension} chiều) nhưng cấu hình hiện "
        "tại là “{configured}”. Hãy xây lại chỉ mục: `cchc reindex` (hoặc đặt lại "
        "CCHC_EMBEDDING_MODEL, CCHC_EMBEDDING_BACKEND)."
    ),
    "model_missing": (
        "Chưa có mô hình nhúng trong {path}. Hãy chạy `cchc setup` (hoặc `make run`) để dựng "
        "mô hình."
    ),
    "model_load_failed": "Không nạp được mô hình nhúng “{model}” ({backend}): {cause}.",
    "reindex_busy": (
        "Một lượt cập nhật chỉ mục khác đang chạy{holder}. Vui lòng đợi lượt đó xong rồi chạy lại."
    ),
    "unknown_id": "Không có văn bản mã “{doc_id}” trong chỉ mục.",
    "unknown_number": "Không có văn bản số “{number}” để đánh dấu bị thay thế.",
    "no_front_matter": "{origin}: thiếu phần khai báo (front matter) ở đầu tệp.",
    "front_matter_unreadable": "{origin}: phần khai báo (front matter) không đọc được.",
    "front_matter_not_mapping": "{origin}: phần khai báo phải là các cặp khóa: giá trị.",
    "invalid_fields": "{origin}: khai báo không hợp lệ ({fields}).",
    "no_folder": "{origin}: không có thư mục văn bản.",
    "duplicate_ids": "{origin}: trùng mã văn bản {ids}.",
    "unreadable": "{file}: {reason}",
    "curated_invalid": "Câu hỏi soạn sẵn không dùng được: {problem}",
}

_QUESTION_PROBLEMS = {
    "empty": "Câu hỏi đang trống. Vui lòng nhập câu hỏi về cải cách hành chính.",
    "too_long": ("Câu hỏi quá dài ({length} ký tự). Vui lòng hỏi ngắn gọn, dưới {limit} ký tự."),
    "no_words": (
        "Tôi chưa thấy chữ nào trong câu hỏi. Vui lòng hỏi bằng lời, ví dụ: "
        "“Bài học kinh nghiệm trong cải cách hành chính là gì?”"
    ),
}


def describe(error: CoreError) -> str:
    """One Vietnamese sentence (or two) for a failure of the core."""
    details = dict(error.details)
    if error.code == "reindex_busy":
        pid, started = details.get("pid"), details.get("started")
        when = f", bắt đầu lúc {started.replace('T', ' ')[:16]}" if started else ""
        details["holder"] = f" (tiến trình {pid}{when})" if pid else ""
    for key, value in details.items():
        if isinstance(value, list | tuple):
            details[key] = ", ".join(map(str, value))
    template = _ERRORS.get(error.code)
    if template is None:
        return f"Lỗi: {error.code}."
    try:
        return template.format(**details)
    except (KeyError, IndexError):
        return f"Lỗi: {error.code}."


def question_problem(problem: QuestionProblem) -> str:
    return _QUESTION_PROBLEMS[problem.code].format(
        length=naming.number(problem.length), limit=naming.number(problem.limit)
    )


def plan_lines(plan: Plan) -> list[str]:
    """What an index build will do, a line per part."""
    lines = []
    for label, ids in (
        ("Mới", plan.new),
        ("Thay đổi", plan.changed),
        ("Không đổi", plan.unchanged),
        ("Gỡ bỏ", plan.removed),
    ):
        shown = ", ".join(ids[:8]) + (f" … (+{len(ids) - 8})" if len(ids) > 8 else "")
        lines.append(f"{label}: {len(ids)}" + (f" — {shown}" if ids else ""))
    for doc_id, twin in plan.duplicates:
        lines.append(f"Trùng nội dung: {doc_id} giống hệt văn bản đã có {twin} (bỏ qua)")
    lines.append(
        f"Đoạn văn: {naming.number(plan.passages)}, cần nhúng mới: {naming.number(plan.to_embed)}"
    )
    return lines
