"""The bot's fixed Vietnamese texts (HTML-safe: no user or document text in them)."""

from __future__ import annotations

WELCOME = (
    "👋 <b>Xin chào! Tôi là Trợ lý CCHC</b>, trợ lý tra cứu về cải cách hành chính.\n"
    "Tôi trả lời bằng cách trích nguyên văn các văn bản dưới đây, kèm số hiệu, ngày ban hành "
    "và mục, để bạn tự kiểm chứng."
)
WELCOME_DOCS = "📚 <b>Các văn bản tôi đang có:</b>"
WELCOME_END = (
    "Hãy gửi câu hỏi của bạn, hoặc bấm một câu hỏi mẫu bên dưới. Gõ /help để xem hướng dẫn."
)
NO_DOCS = "Hiện cơ sở tri thức chưa có văn bản nào."

HELP = (
    "<b>Cách dùng Trợ lý CCHC</b>\n"
    "• Trong trò chuyện riêng: gửi câu hỏi bằng tiếng Việt, ví dụ "
    "“Các giải pháp của Nghị quyết 76/NQ-CP là gì?”.\n"
    "• Trong nhóm: nhắc tên tôi ({mention}), trả lời tin nhắn của tôi, hoặc gõ "
    "/hoi &lt;câu hỏi&gt;.\n"
    "• Dưới mỗi câu trả lời: “Xem nguyên văn” để đọc toàn văn các đoạn trích dẫn, "
    "“Thêm kết quả” để xem thêm đoạn liên quan, 👍/👎 để góp ý.\n\n"
    "<b>Các lệnh</b>\n"
    "/start – giới thiệu và câu hỏi mẫu\n"
    "/help – hướng dẫn này\n"
    "/vanban – danh sách văn bản: số hiệu, ngày, hiệu lực\n"
    "/hoi – đặt câu hỏi (dùng trong nhóm)\n\n"
    "Tôi chỉ trích dẫn văn bản có trong cơ sở tri thức; khi không đủ căn cứ, tôi sẽ nói rõ."
)
HELP_ADMIN = "\n\n<b>Quản trị</b>\n/thongke – thống kê sử dụng\n/reload – nạp lại chỉ mục mới"

VANBAN_HEAD = "📚 <b>Văn bản trong cơ sở tri thức</b>"

ASK_EMPTY = (
    "Bạn muốn hỏi gì? Hãy viết câu hỏi sau lệnh, ví dụ: "
    "/hoi Các giải pháp của Nghị quyết 76/NQ-CP là gì?"
)
NOT_TEXT = "Hiện tôi chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi bằng chữ nhé."
UNKNOWN_COMMAND = "Tôi chưa biết lệnh này. Gõ /help để xem các lệnh có thể dùng."
THROTTLED = (
    "Bạn đang hỏi hơi nhanh. Để phục vụ mọi người, mỗi người được hỏi {limit} câu mỗi phút; "
    "vui lòng thử lại sau khoảng {seconds} giây."
)
REFUSED = (
    "Xin lỗi, trợ lý này hiện chỉ phục vụ những người dùng và nhóm đã đăng ký. "
    "Vui lòng liên hệ quản trị viên của đơn vị để được cấp quyền."
)
ADMIN_ONLY = "Lệnh này chỉ dành cho quản trị viên."
ERROR = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Vui lòng thử lại sau ít phút."
EXPIRED = "Nút này đã hết hạn (câu trả lời cũ hoặc dữ liệu đã được cập nhật). Vui lòng hỏi lại."
NO_MORE = "Không còn kết quả nào khác cho câu hỏi này."
MORE_TITLE = "Kết quả thêm (trang {page})"
FEEDBACK_THANKS = "Cảm ơn bạn đã góp ý!"
BUTTON_FULL = "📄 Xem nguyên văn"
BUTTON_MORE = "➕ Thêm kết quả"
RELOADED = "Đã nạp phiên bản chỉ mục mới: {version}."
NOT_RELOADED = "Chỉ mục không thay đổi (phiên bản {version})."
RELOAD_FAILED = "Không nạp lại được chỉ mục; xem nhật ký của bot để biết chi tiết."
STATS = (
    "📊 <b>Thống kê sử dụng</b>\n"
    "Người dùng: {users}\n"
    "Câu hỏi: {questions}\n"
    "Tỷ lệ không đủ căn cứ để trả lời: {abstention}\n"
    "Góp ý: 👍 {likes} · 👎 {dislikes}\n"
    "Thời gian trả lời trung vị: {latency}\n"
    "Lượt từ chối truy cập: {refusals}"
)
STATS_FAILED = "Không đọc được thống kê lúc này, vui lòng thử lại sau."
