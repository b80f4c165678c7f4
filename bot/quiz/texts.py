"""What the bot says about quizzes: practice, group sessions, results, question sets.

Telegram HTML; values are escaped by the caller.
"""

from __future__ import annotations

BUTTON_SOURCE = "📄 Nguồn"
BUTTON_RETRY_MISSED = "🔁 Làm lại các câu sai"

# -- choosing questions ----------------------------------------------------------------------
BAD_COUNT = "Số câu phải từ 1 đến {max}."
BAD_PERIOD = "Thời gian mỗi câu phải từ {min} đến 600 giây."
NO_QUESTIONS = "Chưa có câu hỏi nào cho chủ đề <b>{topic}</b>. Bạn có thể chọn:\n{topics}"
BANK_EMPTY = "Hiện ngân hàng câu hỏi còn trống. Vui lòng thử lại sau khi có văn bản."
TOPICS_DOCS = "<b>Theo văn bản</b> (gõ mã văn bản):"
TOPICS_KINDS = "<b>Theo nội dung</b>:"
TOPICS_LEVELS = "<b>Theo mức độ</b>:"
TOPICS_STYLES = "<b>Theo dạng câu hỏi</b>:"
TOPICS_SETS = "<b>Bộ câu hỏi riêng của bạn</b>:"
TOPICS_COMBINE = (
    "Có thể ghép văn bản hoặc nội dung với mức độ, ví dụ: <code>/quiz 10 30 nq-76 vận dụng</code>."
)
TOPIC_LINE = "• <code>{name}</code> – {count} câu"
TOPIC_SUFFIX = " – chủ đề <b>{topic}</b>"
TOPIC_LINE_HEAD = "Chủ đề: <b>{topic}</b>"

# -- practice alone --------------------------------------------------------------------------
PRACTICE_START = (
    "📝 <b>Bắt đầu luyện tập: {n} câu</b>{topic}.\n"
    "Chọn đáp án trong từng câu đố; sau mỗi câu, bấm “📄 Nguồn” để đọc nguyên văn đoạn trích."
)
PRACTICE_REPLACED = "Lượt luyện tập trước chưa xong đã được dừng."
#: A poll's number before its question, the longest that fits Telegram's 300 characters.
POLL_NUMBERS = ("Câu {i}/{total}: ", "{i}/{total}: ")
RIGHT = "✅ <b>Chính xác!</b>"
WRONG = "❌ <b>Chưa đúng.</b> Đáp án đúng: <b>{answer}</b>"
SOURCE_LINE = "Nguồn: {source}"
RESULT_HEAD = "🏁 <b>Kết quả: {correct}/{asked} câu đúng</b>"
RESULT_STOPPED = "⏹ <b>Đã dừng. Kết quả: {correct}/{asked} câu đúng</b>"
ALL_RIGHT = "Tuyệt vời, bạn trả lời đúng tất cả các câu!"
MISSED_HEAD = "<b>Các câu cần ôn lại:</b>"
MISSED_ITEM = "{i}. {question}\n   Đáp án: <b>{answer}</b>\n   <i>{source}</i>"
NOTHING_TO_RETRY = "Lượt này không có câu nào sai để làm lại."
SOURCE_GONE = "Không còn tìm thấy đoạn nguồn của câu hỏi này."
SOURCE_HEAD = "📄 <b>{document}</b>\n<i>{section}</i>"

# -- group sessions --------------------------------------------------------------------------
GROUP_NOT_TRAINER = (
    "Chỉ quản trị viên của nhóm hoặc người hướng dẫn được cấp quyền mới mở được phiên đố vui "
    "trong nhóm. Bạn có thể tự luyện tập bằng cách nhắn /quiz cho tôi trong trò chuyện riêng."
)
GROUP_BUSY = (
    "Nhóm đang có một phiên đố vui ({current}/{total} câu). Vui lòng đợi phiên này kết thúc, "
    "hoặc người hướng dẫn gõ /dungquiz để dừng, rồi mở phiên mới."
)
GROUP_START = (
    "🎯 <b>Phiên đố vui bắt đầu: {n} câu, {seconds} giây mỗi câu</b>{topic}.\n"
    "Mọi người chọn đáp án ngay trong từng câu đố. Ai trả lời đúng nhiều câu hơn xếp trên; "
    "bằng số câu đúng thì ai nhanh hơn xếp trên."
)
GROUP_START_LONGER = "Câu hỏi dài được thêm thời gian đọc, câu dài nhất {seconds} giây."
GROUP_PREVIEW_FAILED = (
    "(Chưa gửi được bản xem trước các câu hỏi cho người hướng dẫn: hãy mở trò chuyện riêng "
    "với tôi và bấm Bắt đầu để lần sau nhận được.)"
)
GROUP_QUESTION_DONE = (
    "⏱ Hết giờ câu {i}/{total}. Đáp án: <b>{answer}</b> – {right}/{answered} người trả lời đúng."
)
PREVIEW_HEAD = (
    "👀 <b>Xem trước phiên đố vui trong nhóm {group}</b>: {n} câu, {seconds} giây mỗi câu"
    "{topic}. Phiên bắt đầu ngay sau tin nhắn này; gõ /dungquiz trong nhóm để dừng."
)
PREVIEW_ITEM = "<b>{i}.</b> {question}\n   ✔ {answer}\n   <i>{source}</i>"
PREVIEW_LONGER = " ({seconds} giây)"

LEADERBOARD_HEAD = "🏆 <b>Bảng xếp hạng</b> ({asked}/{total} câu)"
LEADERBOARD_STOPPED = "⏹ <b>Phiên đố vui đã dừng.</b> Kết quả đến lúc này ({asked}/{total} câu):"
LEADERBOARD_INTERRUPTED = (
    "⚠️ <b>Phiên đố vui bị gián đoạn do trợ lý khởi động lại</b> và đã được kết thúc. "
    "Kết quả đến lúc này ({asked}/{total} câu):"
)
LEADERBOARD_LINE = "{place} {name} – {correct}/{asked} câu đúng · tổng thời gian {seconds}"
LEADERBOARD_RULE = (
    "<i>Xếp theo số câu đúng; bằng nhau thì ai có tổng thời gian ít hơn xếp trên (câu không "
    "trả lời tính đủ thời gian của câu).</i>"
)
LEADERBOARD_EMPTY = "Chưa có ai trả lời câu nào."
LEADERBOARD_END = "Người hướng dẫn gõ /ketqua để nhận bảng kết quả chi tiết (tệp CSV)."
STOP_NONE = "Hiện không có phiên đố vui nào đang chạy."
STOP_NOT_TRAINER = "Chỉ người hướng dẫn hoặc quản trị viên của nhóm mới dừng được phiên đố vui."

# -- results ---------------------------------------------------------------------------------
RESULTS_NONE = "Chưa có phiên đố vui nào trong nhóm để xuất kết quả."
RESULTS_NOT_TRAINER = "Chỉ người hướng dẫn hoặc quản trị viên của nhóm mới nhận được bảng kết quả."
RESULTS_CAPTION = (
    "📊 Kết quả phiên đố vui ngày {date}: {people} người tham gia, {asked}/{total} câu."
)
RESULTS_PARTIAL = " Phiên đang chạy: đây là kết quả tạm thời, chưa đủ các câu."
RESULTS_SENT_PRIVATE = "Đã gửi bảng kết quả (CSV) vào trò chuyện riêng của người hướng dẫn."
RESULTS_SENT_PRIVATE_PARTIAL = (
    "Đã gửi bảng kết quả tạm thời (CSV) vào trò chuyện riêng của người hướng dẫn; phiên vẫn "
    "đang chạy."
)
RESULTS_PRIVATE_FAILED = (
    "Chưa gửi được bảng kết quả vào trò chuyện riêng của bạn. Bảng có mã người dùng Telegram "
    "của học viên nên không đăng trong nhóm: hãy mở trò chuyện riêng với tôi, bấm Bắt đầu, rồi "
    "gõ /ketqua ở đó."
)
CSV_HEAD = [
    "Hạng",
    "Người tham gia",
    "Mã người dùng Telegram",
    "Số câu đúng",
    "Số câu đã hỏi",
    "Tổng thời gian (giây)",
    "Câu",
    "Câu hỏi",
    "Đáp án đúng",
    "Đã chọn",
    "Đúng/sai",
    "Thời gian trả lời (giây)",
]
CSV_RIGHT = "đúng"
CSV_WRONG = "sai"
CSV_UNANSWERED = "(không trả lời)"
CSV_NAME = "ket-qua-do-vui-{run_id}.csv"

# -- history ---------------------------------------------------------------------------------
HISTORY_HEAD = "📈 <b>Kết quả các lượt đố vui gần đây của bạn</b>"
HISTORY_LINE = "• {date} – {what}{topic}: <b>{correct}/{asked}</b> câu đúng{state}"
HISTORY_PRACTICE = "luyện tập"
HISTORY_GROUP = "phiên nhóm"
HISTORY_STOPPED = " (đã dừng)"
HISTORY_RUNNING = " (đang chạy)"
HISTORY_EMPTY = "Bạn chưa làm lượt đố vui nào. Gõ /quiz để bắt đầu luyện tập."

# -- a trainer's own question sets ------------------------------------------------------------
SET_RECEIVED = (
    "✅ Đã nhận bộ câu hỏi <b>{name}</b>: {n} câu.\n"
    "Trong nhóm, gõ <code>/quiz {n_default} 30 {name}</code> để mở phiên đố từ bộ này "
    "(hoặc <code>/quiz 5 {name}</code> ở đây để tự thử). Gửi lại tệp cùng tên để thay bộ cũ."
)
SET_REFUSED = (
    "❌ Chưa nhận bộ câu hỏi <b>{file}</b>: có {n} lỗi. Sửa các dòng sau rồi gửi lại tệp:\n"
    "{problems}"
)
SET_MORE_PROBLEMS = "… và {n} lỗi khác."
SET_PROBLEM = "• {where}{problem}"
SET_AT_LINE = "Dòng {line}: "
SET_TOO_LARGE = "Tệp câu hỏi quá lớn ({size}); giới hạn là {limit}."
SET_DOWNLOAD_FAILED = "Không tải được tệp từ Telegram. Vui lòng gửi lại sau ít phút."
SET_UNKNOWN = "Bạn chưa có bộ câu hỏi nào tên <b>{name}</b>."
#: What is wrong with a row of a question file, by the core's code.
SET_PROBLEMS = {
    "empty_file": "tệp không có câu hỏi nào",
    "not_utf8": "tệp không phải văn bản UTF-8 (hãy lưu lại dạng CSV UTF-8)",
    "bad_yaml": "YAML không đọc được ({cause})",
    "not_a_list": "tệp YAML phải là một danh sách các câu hỏi",
    "not_a_mapping": "mỗi câu hỏi phải là các cặp khóa: giá trị",
    "no_question_column": "không có cột «câu hỏi»",
    "no_option_columns": "không có các cột phương án A, B, C, D",
    "no_key_column": "không có cột «đáp án»",
    "no_question": "thiếu câu hỏi",
    "too_few_options": "cần ít nhất 2 phương án, mới có {count}",
    "too_many_options": "nhiều nhất 10 phương án, có {count}",
    "question_too_long": "câu hỏi dài {length} ký tự, Telegram nhận tối đa {limit}",
    "option_too_long": "phương án {option} dài {length} ký tự, tối đa {limit}",
    "blank_option": "phương án {option} để trống (các phương án phải liền nhau từ A)",
    "explanation_too_long": "giải thích dài {length} ký tự, tối đa {limit}",
    "no_key": "thiếu đáp án đúng",
    "bad_key": "đáp án «{key}» không phải một trong các phương án ({letters})",
    "duplicate_options": "có hai phương án giống nhau",
    "bad_level": "mức độ «{level}» không hợp lệ (nhớ, hiểu hoặc vận dụng)",
    "too_many_questions": "tệp có {count} câu, tối đa {limit} câu",
    "unknown_format": "chỉ nhận tệp .csv, .yaml hoặc .yml",
}
