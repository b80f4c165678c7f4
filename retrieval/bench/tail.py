"""The long tail of a realistic corpus: names of communes and agencies, document numbers and
technical words, drawn with Zipf-like frequencies, for the synthetic benchmark corpora.

A real legal corpus of a million passages is not six documents' vocabulary repeated: besides
the frequent words of administrative Vietnamese (the head, which the real knowledge-base
sentences give), most of its distinct terms are rare, each in a handful of passages: the names
of the ~10,000 communes and wards and of their agencies, document numbers, technical words.
Without that tail every term of a question has a posting list of thousands of passages at 1M,
which exaggerates the cost of lexical search.

Method (deterministic, seeded, no network):

- **Places.** ``PLACES`` distinct names "xã/phường/thị trấn/huyện + three name syllables",
  the syllables taken from ``NAME_SYLLABLES`` through a bijection of the rank (so every rank has
  its own name). A place is drawn by rank r with probability ∝ 1 / r^``ZIPF_S`` (Zipf), so a
  few places are frequent and most occur a few times even at 1M passages.
- **Agencies.** A unit ("Phòng", "Sở", "Chi cục", …) and a field ("Tư pháp", "Tài nguyên và
  Môi trường", …) of a Zipf-drawn place.
- **Technical words.** ``THINGS`` × ``QUALIFIERS`` phrases ("hệ thống quản lý văn bản cấp
  xã", …), drawn by Zipf over their ranks.
- **Document numbers.** "số N/YYYY/CODE", N uniform in 1…4999 (numbering restarts every year
  for each issuer).
- Each synthetic passage gets 0, 1 or 2 tail sentences (probabilities ``TAIL_SENTENCES``) from
  ``TEMPLATES``, placed among its real sentences; the dense vector stays the mixture of the
  real sentences' passages (the tail adds words, not meaning, to the synthetic vector).

``docs/PERFORMANCE.md`` gives the resulting document-frequency distribution.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from itertools import accumulate

ZIPF_S = 1.07
PLACES = 300_000
TAIL_SENTENCES = (0.25, 0.45, 0.30)  # P(0), P(1), P(2) tail sentences in a passage

NAME_SYLLABLES = """An Bình Châu Chánh Cường Đa Đại Điền Định Đoài Đông Đức Giang Giao Hà Hải
Hạ Hậu Hiệp Hòa Hoàng Hồng Hợp Hưng Hương Khánh Kim Lạc Lam Lâm Lập Liên Linh Lộc Long Lương
Minh Mỹ Nam Nghĩa Ngọc Nhân Nhơn Ninh Phong Phú Phúc Phụng Phước Quang Quảng Quế Quý Sơn Tân
Tây Thạch Thái Thanh Thạnh Thành Thắng Thiện Thịnh Thới Thủy Thuận Thượng Tiến Tịnh Trà Trung
Trường Tường Vạn Văn Vĩnh Xuân Yên Bảo Cát Cẩm Chiến Dương Gia Hiền Hội Khê Kiến Lai Lợi Mai
Mậu Nghi Nguyên Như Phổ Quan Quỳnh Sa Tam Thọ Thổ Tiên Toàn Tùng Vân Việt Vinh Vọng Xương
Ea Krông Đăk Pơ Ia Mường Nà Pác Bản Lũng""".split()
PLACE_KINDS = ["xã", "xã", "xã", "phường", "thị trấn", "huyện"]
UNITS = ["Phòng", "Sở", "Chi cục", "Trung tâm", "Ban quản lý", "Văn phòng"]
FIELDS = [
    "Tư pháp",
    "Nội vụ",
    "Tài nguyên và Môi trường",
    "Tài chính - Kế hoạch",
    "Kinh tế - Hạ tầng",
    "Văn hóa - Thông tin",
    "Lao động - Thương binh và Xã hội",
    "Nông nghiệp và Phát triển nông thôn",
    "Y tế",
    "Giáo dục và Đào tạo",
    "Quản lý đô thị",
    "Dịch vụ công",
]
THINGS = (
    "hệ thống quản lý văn bản|cổng dịch vụ công|phần mềm một cửa điện tử|"
    "chữ ký số chuyên dùng|cơ sở dữ liệu đất đai|kho dữ liệu dân cư|trạm bơm tiêu|"
    "kè chắn sóng|bãi xử lý rác thải|hồ chứa nước|giấy chứng nhận quyền sử dụng đất|"
    "mã định danh điện tử|sổ hộ tịch điện tử|hồ sơ địa chính|trục liên thông văn bản|"
    "hệ thống họp trực tuyến|bản đồ số địa giới|phiếu lý lịch tư pháp|giấy phép xây dựng|"
    "giấy phép kinh doanh vận tải|hệ thống thông tin báo cáo|camera giám sát giao thông|"
    "hóa đơn điện tử|biên lai thu phí|kiosk tra cứu hồ sơ|tổng đài tiếp nhận phản ánh|"
    "chứng thư số|ví điện tử thanh toán phí|nền tảng tích hợp dữ liệu|"
    "hệ thống lưu trữ điện tử|đường dây nóng|cổng thông tin điện tử|"
    "bộ phận tiếp nhận và trả kết quả|phần mềm kế toán công|hệ thống quản lý cán bộ|"
    "sàn giao dịch việc làm|hệ thống cấp nước sạch|trạm y tế|điểm bưu điện văn hóa|"
    "nhà văn hóa thôn|cầu treo dân sinh|đường giao thông nông thôn|kênh mương nội đồng|"
    "chợ đầu mối|cụm công nghiệp|khu tái định cư|nghĩa trang nhân dân|trường mầm non|"
    "bãi đỗ xe|trạm biến áp"
).split("|")
QUALIFIERS = (
    "cấp xã|cấp huyện|cấp tỉnh|liên thông|dùng chung|thế hệ mới|giai đoạn hai|phiên bản 3.0|"
    "mức độ 4|toàn trình|một phần|vùng đồng bào dân tộc|vùng ven biển|khu vực biên giới|"
    "đô thị loại ba|thí điểm|mở rộng|nâng cấp|tập trung|phân tán|theo chuẩn ISO 9001:2015|"
    "trên nền tảng di động|kết nối VNeID|đạt chuẩn nông thôn mới|xuống cấp|chưa đồng bộ|"
    "đầu tư công|xã hội hóa|ngoài giờ hành chính|cho người cao tuổi"
).split("|")
DOC_CODES = ["QĐ-UBND", "KH-UBND", "NQ-HĐND", "TB-UBND", "CV-VP", "QĐ-SNV", "HD-STP", "BC-UBND"]
DOC_KINDS = ["Quyết định", "Kế hoạch", "Nghị quyết", "Thông báo", "Công văn", "Hướng dẫn"]
TEMPLATES = [
    "Ủy ban nhân dân {place} đã ban hành {kind} {number} về {thing}.",
    "{agency} chủ trì, phối hợp với {agency2} triển khai {thing} tại {place}.",
    "Kết quả kiểm tra tại {place} cho thấy {thing} còn hạn chế, chưa đáp ứng yêu cầu.",
    "Theo {kind} {number}, {agency} hoàn thành {thing} trước quý {quarter} năm {year}.",
    "Năm {year}, {place} tiếp nhận {count} hồ sơ liên quan đến {thing}.",
    "{agency} được giao rà soát {thing} trên địa bàn {place}.",
]


def _zipf_cdf(n: int, s: float = ZIPF_S) -> list[float]:
    return list(accumulate(1.0 / (r**s) for r in range(1, n + 1)))


@dataclass
class LongTail:
    """Draws tail terms; every draw takes its randomness from the ``rng`` given, so a corpus
    stays deterministic."""

    places: int = PLACES
    _place_cdf: list[float] = field(default_factory=list, repr=False)
    _thing_cdf: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._place_cdf = _zipf_cdf(self.places)
        self._thing_cdf = _zipf_cdf(len(THINGS) * len(QUALIFIERS))

    @staticmethod
    def _rank(cdf: list[float], rng: random.Random) -> int:
        return bisect.bisect_left(cdf, rng.random() * cdf[-1])

    def place_name(self, rank: int) -> str:
        """The place of a rank (0 the most frequent): a bijection of the rank onto three name
        syllables, so that ranks never share a name."""
        n = len(NAME_SYLLABLES)
        k = (rank * 7_919 + 104_729) % n**3
        a, b, c = k // (n * n), (k // n) % n, k % n
        kind = PLACE_KINDS[(rank * 31) % len(PLACE_KINDS)]
        return f"{kind} {NAME_SYLLABLES[a]} {NAME_SYLLABLES[b]} {NAME_SYLLABLES[c]}"

    def place(self, rng: random.Random) -> str:
        return self.place_name(self._rank(self._place_cdf, rng))

    def agency(self, rng: random.Random) -> str:
        return f"{rng.choice(UNITS)} {rng.choice(FIELDS)} {self.place(rng)}"

    def thing(self, rng: random.Random) -> str:
        r = self._rank(self._thing_cdf, rng)
        # spread the ranks over both lists, so that the frequent phrases are not all one thing
        k = (r * 37) % (len(THINGS) * len(QUALIFIERS))
        return f"{THINGS[k % len(THINGS)]} {QUALIFIERS[k // len(THINGS)]}"

    @staticmethod
    def number(rng: random.Random) -> str:
        return f"số {rng.randint(1, 4999)}/{rng.randint(2008, 2026)}/{rng.choice(DOC_CODES)}"

    def sentence(self, rng: random.Random) -> tuple[str, dict[str, str]]:
        """A tail sentence, and the terms it was made of (for questions about it)."""
        template = rng.choice(TEMPLATES)
        parts = {
            "place": self.place(rng),
            "agency": self.agency(rng),
            "agency2": self.agency(rng),
            "thing": self.thing(rng),
            "kind": rng.choice(DOC_KINDS).lower(),
            "number": self.number(rng),
            "quarter": rng.choice(["I", "II", "III", "IV"]),
            "year": str(rng.randint(2010, 2026)),
            "count": str(rng.randint(12, 4800)),
        }
        return template.format(**parts), parts

    def sentences(self, rng: random.Random) -> list[tuple[str, dict[str, str]]]:
        """The tail sentences of one passage (0, 1 or 2)."""
        u = rng.random()
        k = 0 if u < TAIL_SENTENCES[0] else 1 if u < TAIL_SENTENCES[0] + TAIL_SENTENCES[1] else 2
        return [self.sentence(rng) for _ in range(k)]


QUESTION_TEMPLATES = [
    "{Place} đã ban hành văn bản nào về {thing}?",
    "{Kind} {number} quy định gì?",
    "{Agency} có nhiệm vụ gì về {thing}?",
    "Tình hình {thing} tại {place} như thế nào?",
]


def tail_question(parts: dict[str, str], rng: random.Random) -> str:
    """A question an official might ask about a tail sentence's place, agency or document."""
    caps = {k[0].upper() + k[1:]: v[0].upper() + v[1:] for k, v in parts.items()}
    return rng.choice(QUESTION_TEMPLATES).format(**parts, **caps)
