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

#: Three questions the knowledge base answers well, offered as buttons by /start.
EXAMPLES = [
    "Các giải pháp của Nghị quyết 76/NQ-CP là gì?",
    "Bài học kinh nghiệm trong cải cách hành chính là gì?",
    "Những hạn chế trong cải cách hành chính giai đoạn 2011-2020?",
]

#: The command menu Telegram shows (command, description).
COMMANDS = [
    ("start", "Giới thiệu và câu hỏi mẫu"),
    ("help", "Hướng dẫn sử dụng"),
    ("vanban", "Danh sách văn bản"),
    ("hoi", "Đặt câu hỏi (trong nhóm)"),
    ("quiz", "Đố vui: luyện tập, hoặc mở phiên đố trong nhóm"),
    ("diem", "Kết quả các lượt đố vui của bạn"),
    ("myid", "Số id Telegram của bạn (để được cấp quyền)"),
]

# -- `cchc run` failing to start (plain text, on stderr) ------------------------------------
RUN_NO_TOKEN = (
    "chưa đặt TELEGRAM_BOT_TOKEN (mã bot do @BotFather cấp); "
    "để hỏi đáp ngay trong cửa sổ dòng lệnh, dùng `cchc chat`."
)
RUN_DB_FAILED = "không mở được nhật ký bot {path} ({error})."
RUN_TOKEN_REFUSED = "Telegram từ chối TELEGRAM_BOT_TOKEN; hãy kiểm tra lại mã bot."
RUN_NO_TELEGRAM = "không kết nối được với Telegram ({error})."
RUN_NO_PORT = "không mở được cổng webhook ({error})."
RUN_NO_HEALTH_PORT = (
    "không mở được cổng {port} của /healthz và /metrics ({error}); hãy đặt CCHC_HEALTH_PORT "
    "là một cổng khác, hoặc 0 để tắt."
)

# -- `cchc run` connecting and running (log lines) -----------------------------------------
CONNECT_FAILED = (
    "Chưa kết nối được với Telegram ({api}), lần thử {attempt}: {reason}. "
    "Thử lại sau {seconds} giây."
)
CONNECT_NETWORK = "lỗi mạng hoặc máy chủ không trả lời ({error})"
CONNECT_RETRY_AFTER = "Telegram yêu cầu chờ trước khi gọi tiếp"
CONNECTED = "Đã kết nối được với Telegram (sau {attempt} lần thử)."
RUNNING = "Bot đang chạy ({mode}), API {api}"
POLLING_FAILED = "Không nhận được cập nhật từ Telegram: {reason}; đang thử lại."
RECONNECTED = "Đã liên lạc lại được với Telegram."
STOPPING = "Đang dừng bot…"
REINDEX_REPAIRED = (
    "Đã hoàn tất lượt cập nhật chỉ mục bị ngắt giữa chừng: {completed} thay đổi được ghi nốt, "
    "{removed} phiên bản dở dang được xoá, {interrupted} lượt được ghi là bị gián đoạn."
)

# -- delivering answers (log lines, bot.delivery and bot.webhook) -------------------------------
SEND_RETRY = "Gọi {method} không thành công (lần {attempt}: {error}); thử lại sau {seconds} giây."
SEND_UNCERTAIN = (
    "Gọi {method} (cập nhật {update}) không có trả lời ({error}): tin có thể đã đến hoặc "
    "không; không gửi lại để tránh trùng, cập nhật được ghi là “uncertain”."
)
SEND_GAVE_UP = "Gọi {method} không thành công sau {attempts} lần thử ({error}); tạm dừng."
ALREADY_SENT = (
    "Cập nhật {update}: tin nhắn thứ {number} đã được gửi ở lần xử lý trước, không gửi lại."
)
DELIVERY_LATER = "Cập nhật {update}: chưa gửi được câu trả lời; sẽ xử lý lại sau {seconds} giây."
DELIVERY_ABANDONED = "Cập nhật {update}: bỏ qua sau {attempts} lần không gửi được câu trả lời."
REDELIVERING = (
    "Xử lý lại {count} cập nhật đã nhận nhưng chưa trả lời xong "
    "({interrupted} đang dở khi bot dừng)."
)
REPLAY_DROPPED = "Cập nhật {update} đã nhận trước đó (Telegram gửi lại): bỏ qua."
INBOX_FAILED = "Không ghi/đọc được hàng đợi cập nhật (cập nhật {update}): {error}"
INBOX_UNREADABLE = "Cập nhật {update} không đọc lại được ({error}): bỏ qua."
OUTBOX_FAILED = "Không ghi/đọc được danh sách tin đã gửi: {error}"
TELEGRAM_UNREACHABLE = (
    "Không gửi được tới Telegram ({error}): không gửi lời xin lỗi (tin có thể đã đến, hoặc sẽ "
    "được gửi lại)."
)
WEBHOOK_REFUSED = "Webhook: từ chối một yêu cầu (HTTP {status})."


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
    "/hoi – đặt câu hỏi (dùng trong nhóm)\n"
    "/myid – số id Telegram của bạn (và của nhóm), để quản trị viên cấp quyền\n"
    "/quiz [số câu] [chủ đề] – luyện tập bằng câu đố; /diem – kết quả các lượt đố của bạn\n"
    "Trong nhóm, người hướng dẫn gõ /quiz [số câu] [số giây] [chủ đề] để mở phiên đố, "
    "/dungquiz để dừng, /ketqua để nhận bảng kết quả (CSV). Chủ đề là mã văn bản, nội dung, "
    "mức độ (nhớ, hiểu, vận dụng) hoặc “tình huống”; người hướng dẫn cũng có thể gửi cho tôi "
    "tệp CSV hoặc YAML câu hỏi của mình rồi mở phiên theo tên tệp.\n\n"
    "Tôi chỉ trích dẫn văn bản có trong cơ sở tri thức; khi không đủ căn cứ, tôi sẽ nói rõ."
)
HELP_NO_USERNAME = "tên bot"
HELP_ADMIN = (
    "\n\n<b>Quản trị</b>\n"
    "/thongke – thống kê sử dụng\n"
    "/reload – nạp lại chỉ mục mới\n"
    "/reindex – xây lại chỉ mục từ thư mục knowledge/ và các văn bản đã thêm\n"
    "/xoa &lt;mã văn bản&gt; – gỡ một văn bản (có hỏi xác nhận)\n"
    "Gửi cho tôi một tệp PDF, DOCX, TXT, HTML hoặc MD để thêm văn bản mới."
)

VANBAN_HEAD = "📚 <b>Văn bản trong cơ sở tri thức</b>"
VANBAN_ID = "Mã: <code>{doc_id}</code>"
VANBAN_NUMBER = "Số: {number}"
VANBAN_DATE = "Ngày: {date}"
VANBAN_NO_DATE = "chưa rõ"
VANBAN_VALIDITY = "Hiệu lực: {validity}"
VANBAN_SOURCE = "Xem nguồn"
VANBAN_IDS_HINT = (
    "<i>Mã văn bản dùng để luyện tập theo văn bản (/quiz 5 &lt;mã&gt;) và, với quản trị viên, "
    "để gỡ văn bản (/xoa &lt;mã&gt;).</i>"
)

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
REFUSED_YOUR_ID = (
    "Số id Telegram của bạn là <code>{user_id}</code>: hãy gửi số này cho quản trị viên."
)
REFUSED_GROUP_ID = "Số id của nhóm này là <code>{chat_id}</code>."
#: A button's alert: plain text, at most 200 characters.
REFUSED_ALERT = (
    "Bạn chưa được cấp quyền dùng trợ lý. Số id Telegram của bạn: {user_id}; "
    "hãy gửi số này cho quản trị viên."
)
MYID = "🆔 Số id Telegram của bạn: <code>{user_id}</code>"
MYID_GROUP = "Số id của nhóm này: <code>{chat_id}</code>"
MYID_HINT = (
    "Quản trị viên cấp quyền bằng cách thêm số id vào CCHC_ALLOWED_USERS (người dùng), "
    "CCHC_ALLOWED_CHATS (nhóm) hoặc CCHC_ADMIN_IDS (quản trị viên)."
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
STATS_LATENCY = "{seconds} giây"
STATS_FAILED = "Không đọc được thống kê lúc này, vui lòng thử lại sau."

# -- admin: adding and removing documents ---------------------------------------------------
BUTTON_CONFIRM = "✅ Xác nhận"
BUTTON_CANCEL = "❌ Huỷ"
ADMIN_BUTTON_ONLY = "Nút này chỉ dành cho quản trị viên."
UPLOAD_REFUSED = (
    "Cảm ơn bạn đã gửi tệp. Hiện chỉ quản trị viên mới có thể bổ sung văn bản vào cơ sở tri "
    "thức; nếu bạn muốn đề xuất một văn bản, vui lòng gửi cho quản trị viên của đơn vị. "
    "Bạn vẫn có thể đặt câu hỏi bằng chữ như bình thường."
)
UPLOAD_BAD_TYPE = (
    "Tôi chưa nhận tệp <b>{name}</b>: định dạng này chưa được hỗ trợ. Vui lòng gửi tệp PDF "
    "(có lớp chữ, không phải bản quét), DOCX, TXT, HTML hoặc MD."
)
UPLOAD_TOO_BIG = (
    "Tệp <b>{name}</b> quá lớn ({size}); giới hạn là {limit}. Vui lòng tách nhỏ hoặc nén "
    "bớt hình ảnh rồi gửi lại."
)
UPLOAD_RECEIVING = "📥 Đang tải và đọc tệp <b>{name}</b>…"
UPLOAD_DOWNLOAD_FAILED = (
    "Không tải được tệp <b>{name}</b> từ Telegram. Vui lòng gửi lại sau ít phút."
)
UPLOAD_LOAD_FAILED = (
    "❌ Không đọc được tệp <b>{name}</b>: {reason}.\n"
    "Cơ sở tri thức không thay đổi; tệp được giữ trong thư mục cách ly để kiểm tra."
)
UPLOAD_PREVIEW_HEAD = "📄 <b>Văn bản đọc được từ tệp {name}</b>"
UPLOAD_UNKNOWN = "<i>không rõ</i>"
UPLOAD_FIELDS = (
    "• Tiêu đề: <b>{title}</b>\n"
    "• Loại: {kind}\n"
    "• Số hiệu: {number}\n"
    "• Ngày ban hành: {date}\n"
    "• Cơ quan ban hành: {issuer}\n"
    "• Trích yếu: {summary}\n"
    "• Mã văn bản: <code>{doc_id}</code>"
)
UPLOAD_PREVIEW_HINT = (
    "Bấm “✅ Xác nhận” để thêm văn bản vào cơ sở tri thức, hoặc “❌ Huỷ” để bỏ qua."
)
UPLOAD_NEW = "Văn bản mới, chưa có trong cơ sở tri thức."
UPLOAD_CHANGED = "⚠️ Đã có văn bản cùng mã; xác nhận sẽ thay bằng nội dung mới này."
UPLOAD_UNCHANGED = "Văn bản này đã có trong cơ sở tri thức, không có gì thay đổi."
UPLOAD_DUPLICATE = (
    "⚠️ Nội dung giống hệt văn bản đã có <code>{twin}</code>; xác nhận sẽ không thêm gì."
)
UPLOAD_TO_EMBED = "Số đoạn cần nhúng: {to_embed} (tổng số đoạn sau khi thêm: {passages})"
UPLOAD_CANCELLED = (
    "Đã huỷ. Tệp <b>{name}</b> đã được xoá khỏi thư mục cách ly; cơ sở tri thức không thay đổi."
)
UPLOAD_ADDED = "Văn bản: <b>{title}</b> (mã <code>{doc_id}</code>)"
UPLOAD_SKIPPED = "Văn bản <b>{title}</b> không được thêm vì trùng nội dung với <code>{twin}</code>."
UPLOAD_RETRY = "Bấm “✅ Xác nhận” ở tin nhắn trên để thử lại, hoặc “❌ Huỷ” để bỏ qua."
PENDING_EXPIRED = (
    "Yêu cầu này không còn hiệu lực (đã xử lý, đã huỷ hoặc quá 24 giờ). Vui lòng làm lại."
)
PENDING_RUNNING = "Yêu cầu này đang được xử lý, không huỷ được nữa."
PENDING_SAVE_FAILED = "Không lưu được yêu cầu lúc này, vui lòng thử lại sau ít phút."

REMOVE_USAGE = "Cú pháp: /xoa &lt;mã văn bản&gt;. Các văn bản hiện có:\n{listing}"
REMOVE_UNKNOWN = (
    "Không có văn bản mã <code>{doc_id}</code> trong cơ sở tri thức. Gõ /xoa để xem các mã hiện có."
)
REMOVE_ASK = (
    "🗑 <b>Gỡ văn bản này khỏi cơ sở tri thức?</b>\n{line}\nMã: <code>{doc_id}</code>\n"
    "Sau khi gỡ, trợ lý sẽ không trích dẫn văn bản này nữa."
)
REMOVE_CANCELLED = "Đã huỷ, văn bản <code>{doc_id}</code> vẫn được giữ nguyên."
REMOVED = "Đã gỡ văn bản <code>{doc_id}</code>."

REINDEX_BUSY = "Đang có một lượt cập nhật chỉ mục chạy. Vui lòng đợi lượt đó xong rồi thử lại."
REINDEX_PREPARING = "⏳ Đang chuẩn bị cập nhật chỉ mục…"
REINDEX_PROGRESS = "⏳ Đang nhúng {done}/{total} đoạn…"
REINDEX_STORING = "⏳ Đã nhúng {total}/{total} đoạn, đang ghi phiên bản chỉ mục mới…"
REINDEX_FINISHED = "✔️ Đã xong lượt cập nhật chỉ mục."
REINDEX_STOPPED = "⛔ Lượt cập nhật chỉ mục đã dừng."
REINDEX_FAILED = (
    "❌ Cập nhật chỉ mục không thành công: {reason}\n"
    "Trợ lý vẫn trả lời bằng phiên bản chỉ mục đang dùng."
)
REINDEX_UNEXPECTED = "đã có lỗi không mong đợi; xem nhật ký của bot để biết chi tiết."
REPORT_PUBLISHED = "✅ <b>Đã cập nhật chỉ mục</b> — phiên bản <code>{version}</code>"
REPORT_UNCHANGED = "ℹ️ <b>Chỉ mục không thay đổi</b> — vẫn là phiên bản <code>{version}</code>"
REPORT_PLAN = "Mới: {new} · Thay đổi: {changed} · Không đổi: {unchanged} · Gỡ bỏ: {removed}"
REPORT_COUNTS = (
    "Văn bản: {documents} · Đoạn văn: {passages} · Nhúng mới: {embedded} · Dùng lại: {reused}"
)
REPORT_TIMES = "Thời gian: {times}"
REPORT_PHASES = {
    "chunking": "chia đoạn",
    "planning": "lập kế hoạch",
    "embedding": "nhúng",
    "storage": "ghi chỉ mục",
    "total": "tổng",
}
REPORT_DUPLICATE = "Trùng nội dung: <code>{doc_id}</code> giống hệt <code>{twin}</code> (bỏ qua)"
REPORT_SERVING = "Trợ lý đã chuyển sang phiên bản mới, không cần khởi động lại."
