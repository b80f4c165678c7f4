"""The Vietnamese both faces use for what the core reports as codes: failures, problems with
a question, and what an index build will do or did.

Only the faces (``retrieval/cli`` and ``bot``) import this module (``tests/test_architecture``
checks it): the core returns typed reasons, the faces phrase them, and the terminal and
Telegram phrase them the same way.
"""

from __future__ import annotations

import re

from retrieval.domain import naming
from retrieval.domain.errors import CoreError
from retrieval.domain.models import Note, Plan, QuestionProblem

ABSTAIN = (
    "Xin lỗi, cơ sở tri thức hiện chưa có nội dung đủ tin cậy để trả lời câu hỏi này, "
    "nên tôi không trích dẫn văn bản nào."
)
ASK_HINT = (
    "Gợi ý: hỏi cụ thể về cải cách hành chính, nêu chủ đề (quan điểm, mục tiêu, giải pháp, "
    "bài học kinh nghiệm, kết quả, hạn chế) hoặc tên văn bản, ví dụ: "
    "“Các giải pháp của Nghị quyết 76/NQ-CP là gì?”"
)

#: What can be wrong with a front matter, for a knowledge file (``origin``) as for an upload.
_FRONT_MATTER = {
    "unreadable": "phần khai báo (front matter) không đọc được",
    "not_mapping": "phần khai báo (front matter) phải là các cặp khóa: giá trị",
    "too_large": "phần khai báo (front matter) quá dài ({size_bytes}, giới hạn {limit_bytes})",
    "aliases": (
        "phần khai báo (front matter) dùng tham chiếu YAML (& và *), không được phép; "
        "hãy ghi thẳng từng giá trị"
    ),
    "too_deep": "phần khai báo (front matter) lồng nhau quá sâu (tối đa {limit} cấp)",
}

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
    "disk_full": (
        "Ổ đĩa chứa {path} đã đầy: lượt cập nhật chỉ mục dừng lại, phiên bản đang phục vụ giữ "
        "nguyên. Hãy giải phóng dung lượng rồi chạy lại."
    ),
    "disk_full_published": (
        "Ổ đĩa chứa {path} đã đầy sau khi phiên bản chỉ mục mới được đưa vào phục vụ; phần "
        "còn lại (danh sách văn bản đã thêm hoặc gỡ) sẽ được ghi nốt ở lượt cập nhật sau, khi "
        "đã giải phóng dung lượng."
    ),
    "unknown_id": "Không có văn bản mã “{doc_id}” trong chỉ mục.",
    "unknown_number": "Không có văn bản số “{number}” để đánh dấu bị thay thế.",
    "backup_no_data": "Không có thư mục dữ liệu {path} để sao lưu.",
    "backup_target_not_empty": (
        "Thư mục {path} đã có nội dung; hãy chọn một thư mục mới (hoặc trống) để sao lưu."
    ),
    "backup_not_a_backup": (
        "{path} không phải là một bản sao lưu của trợ lý (thiếu hoặc hỏng tệp cchc-backup.json)."
    ),
    "backup_damaged": (
        "Bản sao lưu bị hỏng hoặc thiếu tệp: {file}. Dữ liệu hiện có không bị thay đổi."
    ),
    "restore_target_not_empty": (
        "Thư mục dữ liệu {path} đang có dữ liệu. Hãy dừng trợ lý rồi chạy lại với --force để "
        "thay thế (dữ liệu cũ được giữ lại trong một thư mục bên cạnh), hoặc đặt CCHC_DATA_DIR "
        "là một thư mục mới."
    ),
    "backup_io": "Không ghi hoặc đọc được {path}: {cause}.",
    "no_front_matter": "{origin}: thiếu phần khai báo (front matter) ở đầu tệp.",
    **{f"front_matter_{k}": f"{{origin}}: {v}." for k, v in _FRONT_MATTER.items()},
    "invalid_fields": "{origin}: khai báo không hợp lệ ({fields}).",
    "no_folder": "{origin}: không có thư mục văn bản.",
    "duplicate_ids": "{origin}: trùng mã văn bản {ids}.",
    # A file that cannot be read into a document. No final stop: the faces put these
    # after "Không đọc được tệp …:" or "Bỏ qua:" in a sentence of their own.
    **{f"file_front_matter_{k}": f"{{file}}: {v}" for k, v in _FRONT_MATTER.items()},
    "file_not_found": "{file}: không tìm thấy tệp",
    "file_no_suffix": "{file}: tệp không có phần mở rộng nên không rõ định dạng (nhận {accepted})",
    "file_unsupported": "{file}: định dạng «{suffix}» không được hỗ trợ (nhận {accepted})",
    "file_save_as_docx": (
        "{file}: định dạng «{suffix}» không được hỗ trợ; hãy lưu lại thành .docx rồi gửi lại"
    ),
    "file_empty": "{file}: tệp rỗng",
    "file_too_large": "{file}: tệp quá lớn ({size_bytes}, giới hạn {limit_bytes})",
    "file_no_text": "{file}: không tìm thấy nội dung văn bản",
    "file_unknown_encoding": "{file}: không nhận ra bảng mã của tệp (không phải văn bản?)",
    "file_corrupt": "{file}: tệp hỏng hoặc không phải tệp {kind} hợp lệ",
    "file_too_deep": "{file}: cấu trúc tệp lồng nhau quá sâu, không đọc được",
    "file_unreadable": "{file}: không đọc được tệp ({cause})",
    "file_invalid_fields": "{file}: khai báo không hợp lệ ({fields})",
    "file_pdf_scanned": (
        "{file}: tệp PDF không có lớp văn bản (có thể là bản quét); "
        "hãy nhận dạng chữ (OCR) hoặc gửi bản Word/PDF có chữ"
    ),
    "file_pdf_password": "{file}: tệp PDF có mật khẩu; hãy gỡ mật khẩu rồi gửi lại",
    "file_pdf_needs_cryptography": (
        "{file}: tệp PDF được mã hóa AES; cần cài gói cryptography để đọc"
    ),
    "file_pdf_too_many_pages": (
        "{file}: tệp PDF quá nhiều trang ({pages} trang, giới hạn {limit}); "
        "hãy tách thành nhiều tệp nhỏ hơn"
    ),
    "file_zip_members": (
        "{file}: tệp gồm quá nhiều thành phần ({count}, giới hạn {limit}), "
        "có thể là tệp nén độc hại"
    ),
    "file_zip_too_large": (
        "{file}: nội dung giải nén quá lớn ({size_bytes}, giới hạn {limit_bytes}), "
        "có thể là tệp nén độc hại (zip bomb)"
    ),
    "file_zip_ratio": (
        "{file}: phần «{member}» bị nén với tỉ lệ bất thường ({ratio}:1, giới hạn {limit}:1), "
        "có thể là tệp nén độc hại (zip bomb)"
    ),
    "file_text_too_long": (
        "{file}: văn bản quá dài (hơn {limit} ký tự); hãy tách thành nhiều tệp nhỏ hơn"
    ),
    "file_too_many_passages": (
        "{file}: văn bản quá dài, tách ra được {count} đoạn (giới hạn {limit}); "
        "hãy tách thành nhiều tệp nhỏ hơn"
    ),
    "file_line_too_long": (
        "{file}: dòng {line} dài bất thường ({chars} ký tự, giới hạn {limit}), "
        "không giống văn bản thông thường"
    ),
    "vocabulary_invalid": "{origin}: tệp từ vựng không đọc được hoặc sai cấu trúc.",
    "changes_invalid": "{origin}: tệp các quy định đã thay đổi không đọc được hoặc sai cấu trúc.",
    "curated_invalid": "Câu hỏi soạn sẵn không dùng được: {problem}",
}

#: Why the quiz bank left a question out (``retrieval.quiz``'s reason codes).
QUIZ_REASONS: dict[str, str] = {
    "nguon": "đoạn nguồn không chứng minh được (không có, bị bãi bỏ, trích dẫn sai)",
    "dap-an": "đáp án không được đoạn nguồn chứng minh",
    "nhieu-dung": "phương án nhiễu có trong trích dẫn (cũng đúng)",
    "trung-y": "phương án sai trùng ý với một mục đúng (mô hình nhúng hoặc từ khóa)",
    "khong-mo-hinh": "không có mô hình nhúng để kiểm tra phương án nhiễu",
    "hinh-thuc": "đáp án lộ qua hình thức phương án",
    "dan-luat": "câu hỏi về luật không nêu điều và văn bản, hoặc nêu mã Pháp điển",
    "tham-chieu": "câu hỏi trỏ sang chỗ khác («thời hạn này», «khoản 1 Điều 13…»)",
    "het-hieu-luc": "quy định đã bị văn bản sau thay đổi",
    "gioi-han": "không vừa giới hạn của Telegram hoặc thiếu phương án",
    "trung-cau-nguon": "cùng câu nguồn với một câu đã có",
    "nguoi-duyet": "người duyệt đã loại (knowledge/quiz/review.yaml)",
    "thieu-nhieu": "không đủ phương án nhiễu chắc chắn sai, cùng giọng văn, độ dài tương đương",
    "danh-sach-tat": "danh sách chỉ dùng để kiểm tra, hoặc người biên soạn tắt vì câu quá dễ",
    "gioi-han-kieu": "đã đủ số câu cho kiểu đó của danh sách",
    "qua-dai": "câu nguồn quá dài để hỏi nguyên văn",
    "lo-dap-an": "tên văn bản để lộ đáp án (số lượng)",
}

_QUIZ_CODE = re.compile(r"(^|[;:)]\s)(" + "|".join(map(re.escape, QUIZ_REASONS)) + r"):")

#: Facts that are counts, written with a thousands dot (1.500.000).
_COUNTS = {"count", "limit", "pages", "chars", "line", "ratio"}

_QUESTION_PROBLEMS = {
    "empty": "Câu hỏi đang trống. Vui lòng nhập câu hỏi về cải cách hành chính.",
    "too_long": ("Câu hỏi quá dài ({length} ký tự). Vui lòng hỏi ngắn gọn, dưới {limit} ký tự."),
    "no_content": (
        "Câu hỏi chưa có nội dung để tra cứu. Vui lòng hỏi đầy đủ hơn, ví dụ: "
        "“Các giải pháp của Nghị quyết 76/NQ-CP là gì?”"
    ),
    "no_words": (
        "Tôi chưa thấy chữ nào trong câu hỏi. Vui lòng hỏi bằng lời, ví dụ: "
        "“Bài học kinh nghiệm trong cải cách hành chính là gì?”"
    ),
}


ENGLISH_NOTE = "The sources below are in Vietnamese (nguồn trích dẫn bằng tiếng Việt)."
RELATED = "Nội dung gần nhất trong cơ sở tri thức (không phải câu trả lời):"
SOURCES = "Nguồn trích dẫn"
#: Before a list whose size the question asked ("mấy quan điểm?"); {n} is the count.
LIST_COUNT = "Văn bản nêu {n} mục."

_MISSING = {
    "document": "Cơ sở tri thức chưa có văn bản {value}, nên tôi không trả lời được câu hỏi này.",
    "year": "Cơ sở tri thức không có số liệu hay nội dung cho năm {value}.",
    "place": "Cơ sở tri thức không có số liệu hay nội dung về {value}.",
    "figure": "Các văn bản trong cơ sở tri thức không nêu con số này.",
    "person": "Các văn bản trong cơ sở tri thức không nêu tên người giữ chức vụ này.",
    "procedure": (
        "Cơ sở tri thức không có quy định riêng về thủ tục này; các văn bản hiện có chỉ nói "
        "về thủ tục hành chính nói chung."
    ),
}
_FIGURES = {"percent": "tỷ lệ phần trăm", "money": "số tiền", "number": "con số"}


def missing_fact(what: str, value: str) -> str:
    """Why a question naming a fact the knowledge base lacks is not answered."""
    if what == "document":  # as typed, its number in capitals: "Nghị định 61/2018/NĐ-CP"
        words = [
            w.upper().replace("ND", "NĐ").replace("QD", "QĐ") if re.search(r"[/-]", w) else w
            for w in value.split()
        ]
        value = " ".join(words)
        value = value[:1].upper() + value[1:]
    if what == "place" and not value:
        return "Các văn bản trong cơ sở tri thức không nêu địa phương nào cho câu hỏi này."
    if what == "figure":
        return f"Các văn bản trong cơ sở tri thức không nêu {_FIGURES.get(value, 'con số')} này."
    return _MISSING[what].format(value=value)


def note_text(note: Note) -> str:
    """A note beside quoted words (``retrieval.domain.models.Note``), without its quote."""
    code, detail = note.code, note.detail
    if code == "repealed":
        return (
            f"Điều khoản này đã bị bãi bỏ ({detail})." if detail else "Điều khoản này đã bị bãi bỏ."
        )
    if code == "amended":
        return (
            f"Điều khoản này đã được sửa đổi ({detail})."
            if detail
            else "Điều khoản này đã được sửa đổi."
        )
    if code == "document_status":
        return f"Văn bản {detail}." if detail else "Văn bản không còn hiệu lực."
    if code == "sector":
        return f"Quy định riêng cho {detail}."
    if code == "changed":
        return (
            f"Điều này còn ghi {note.was}; theo quy định ban hành sau, việc này nay do {note.now} "
            "đảm nhận:"
        )
    return detail or ""


def describe(error: CoreError) -> str:
    """One Vietnamese sentence (or two) for a failure of the core."""
    details = dict(error.details)
    if error.code == "reindex_busy":
        pid, started = details.get("pid"), details.get("started")
        when = f", bắt đầu lúc {started.replace('T', ' ')[:16]}" if started else ""
        details["holder"] = f" (tiến trình {pid}{when})" if pid else ""
    if error.code == "file_invalid_fields":
        values = details.pop("values", None) or {}
        details["fields"] = [
            f"{name} = «{values[name]}»" if values.get(name) else name
            for name in details.get("fields", [])
        ]
    if error.code == "curated_invalid":
        details["problem"] = quiz_problems(str(details.get("problem", "")))
    for key, value in details.items():
        if isinstance(value, list | tuple):
            details[key] = ", ".join(map(str, value))
        elif key.endswith("_bytes") and isinstance(value, int):
            details[key] = naming.megabytes(value)
        elif key in _COUNTS and isinstance(value, int):
            details[key] = naming.number(value)
    template = _ERRORS.get(error.code)
    if template is None:
        return f"Lỗi: {error.code}."
    try:
        return template.format(**details)
    except (KeyError, IndexError):
        return f"Lỗi: {error.code}."


def quiz_problems(text: str) -> str:
    """A curated question's problems as the core states them ("hinh-thuc: …"), each reason
    code spelled out ("đáp án lộ qua hình thức phương án: …")."""
    return _QUIZ_CODE.sub(lambda m: f"{m.group(1)}{QUIZ_REASONS[m.group(2)]}:", text)


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
