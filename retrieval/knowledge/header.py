"""Metadata of a Vietnamese official document, read from its header.

The header of a văn bản hành chính (Nghị định 30/2020/NĐ-CP, Phụ lục I) has the issuing body
and "Số: …" on the left, the national motto and "Địa danh, ngày … tháng … năm …" on the right,
then the kind (NGHỊ QUYẾT, QUYẾT ĐỊNH …) with the trích yếu under it; a công văn has "V/v …"
under its number instead. Text taken out of a PDF or DOCX often interleaves the two columns on
one line, so each line is cut into pieces (motto, number, date, the rest) rather than matched
whole.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

from retrieval.domain.models import DocKind
from retrieval.domain.naming import shorten
from retrieval.domain.text import fold, is_all_caps, nfc, split_sentences

HEADER_SCAN_LINES = 40
_ID_MAX = 80

# Kind lines, matched on the lower-cased line. Kinds that DocumentMeta does not list map to
# "khác" but keep their own label for the title ("Thông báo 12/TB-VPCP …").
_KIND_LINES: dict[str, DocKind] = {
    "thông tư liên tịch": "thông tư",
    "nghị quyết liên tịch": "nghị quyết",
    "nghị quyết": "nghị quyết",
    "nghị định": "nghị định",
    "quyết định": "quyết định",
    "thông tư": "thông tư",
    "chỉ thị": "chỉ thị",
    "bộ luật": "luật",
    "luật": "luật",
    "báo cáo": "báo cáo",
    "kế hoạch": "kế hoạch",
    "công văn": "công văn",
    "pháp lệnh": "khác",
    "thông báo": "khác",
    "hướng dẫn": "khác",
    "tờ trình": "khác",
    "công điện": "khác",
}
# The kind code inside a number: 76/NQ-CP, 1291/QĐ-TTg, 06/2023/TT-BNV, 29/2013/QH13.
_CODE_KINDS: dict[str, DocKind] = {
    "nq": "nghị quyết",
    "nđ": "nghị định",
    "qđ": "quyết định",
    "tt": "thông tư",
    "ttlt": "thông tư",
    "ct": "chỉ thị",
    "kh": "kế hoạch",
    "bc": "báo cáo",
    "qh": "luật",
}
_KIND_SLUGS: dict[str, str] = {
    "nghị quyết": "nq",
    "nghị định": "nd",
    "quyết định": "qd",
    "thông tư": "tt",
    "chỉ thị": "ct",
    "luật": "luat",
    "báo cáo": "bc",
    "kế hoạch": "kh",
    "công văn": "cv",
    "tin bài": "tin",
    "pháp điển": "pd",
    "khác": "vb",
}
KINDS: tuple[str, ...] = get_args(DocKind)

# Patterns run on fold(piece), which has the same length as the NFC piece, so a span found
# there cuts the original text at the same place.
_MOTTO = re.compile(
    r"cong\s*hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam"
    r"|doc\s+lap\s*[-–—]\s*tu\s+do\s*[-–—]\s*hanh\s+phuc"
    r"|[-–—_=*~•.]{3,}|-*\s*\bo[o0]o\b\s*-*"
)
_NUMBER = re.compile(r"\bso\s*[:.]?\s*(\d+(?:\s*[/\-–]\s*[a-z0-9&]+)+)")
_DATE = re.compile(
    r"(?:([a-z][a-z .]*?)\s*,\s*)?ngay\s+(\d{1,2})\s*"
    r"(?:thang\s+(\d{1,2})\s+nam\s+(\d{4})|[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}))"
)
_VV = re.compile(r"^(?:v/v|về việc)\s*[:.]?\s*", re.IGNORECASE)
_STAMPS = {"mat", "toi mat", "khan", "hoa toc", "thuong khan", "du thao", "ban sao"}
# Lines that open the body: the header is over.
_BODY_START = re.compile(
    r"^(Căn cứ|Kính gửi|Thực hiện|Theo đề nghị|Trên cơ sở|Điều\s+\d|Chương\s+[IVXLC\d]"
    r"|Phần\s+[IVXLC\d]|QUYẾT NGHỊ|QUYẾT ĐỊNH\s*:|[IVX]{1,5}\.\s|\d{1,2}\.\s|\()",
    re.IGNORECASE,
)
# A caps line right after the trích yếu that names who enacts ("CHÍNH PHỦ", "BỘ TRƯỞNG …").
_AUTHORITY = re.compile(
    r"^(CHÍNH PHỦ|THỦ TƯỚNG|BỘ TRƯỞNG|CHỦ TỊCH|ỦY BAN|UỶ BAN|HỘI ĐỒNG|BAN CHẤP HÀNH|"
    r"BAN THƯỜNG VỤ|BỘ CHÍNH TRỊ|QUỐC HỘI|TỔNG CỤC TRƯỞNG|CỤC TRƯỞNG|GIÁM ĐỐC|"
    r"BAN CHỈ ĐẠO|TRƯỞNG BAN)\b"
)
_PIECE_SPLIT = re.compile(r"\s*(?:\||\t|\s{3,})\s*")
# Markdown heading, quote and bold markers (not a rule line of underscores or stars).
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*)|\*\*(?=\w)|(?<=[\w.,:;])\*\*")

_ADMIN_UNITS = {"tỉnh", "huyện", "quận", "xã", "phường"}
_ADMIN_PAIRS = {("thành", "phố"), ("thị", "xã"), ("thị", "trấn")}
_ADMIN_STARTS = {"tinh", "thanh", "huyen", "quan", "xa", "phuong", "thi"}
_HEADS = {"bộ", "sở", "cục", "vụ", "ban", "viện", "phòng", "trường", "bạc", "tra"}
_PROPER = {
    "chính phủ": "Chính phủ",
    "quốc hội": "Quốc hội",
    "trung ương": "Trung ương",
    "việt nam": "Việt Nam",
}
_ISSUER_ABBR = {"ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân"}
# First words of a trích yếu that name something and stay capitalised inside a sentence.
_KEEP_CAPITALISED = {"Chính", "Quốc", "Trung", "Việt", "Đảng", "Bộ", "Ủy", "Uỷ"}
# A trích yếu that starts with one of these reads on after the kind; others take "về".
_VERB_STARTS = re.compile(
    r"^(về|ban hành|quy định|sửa đổi|bổ sung|hướng dẫn|phê duyệt|triển khai|thực hiện|"
    r"tăng cường|đẩy mạnh|bãi bỏ|công bố|giao|kiện toàn|thành lập|tổ chức|phân công|"
    r"ủy quyền|chấn chỉnh|nâng cao|tiếp tục|đôn đốc|góp ý|đề nghị|xác định|áp dụng|"
    r"cho phép|chỉ đạo|tổng kết|sơ kết|đánh giá|rà soát|phân cấp|quản lý|điều chỉnh)\b",
    re.IGNORECASE,
)


@dataclass
class Detected:
    """What the header says; every field may be missing."""

    issuer: str | None = None
    number: str | None = None
    issued: dt.date | None = None
    place: str | None = None
    kind: DocKind | None = None
    kind_label: str | None = None
    excerpt: str | None = None
    #: Leading lines taken by the header; the body starts after them.
    header_lines: int = 0
    issuer_lines: list[str] = field(default_factory=list)


def _cut(piece: str, pattern: re.Pattern[str]) -> tuple[re.Match[str] | None, list[str]]:
    """Find ``pattern`` in the folded piece; return the match and the text left either side."""
    folded = fold(piece)
    if len(folded) != len(piece):  # a character that folds to more or less than one
        return None, [piece]
    m = pattern.search(folded)
    if not m:
        return None, [piece]
    left, right = piece[: m.start()].strip(), piece[m.end() :].strip()
    return m, [p for p in (left, right) if p]


def _strip_motto(piece: str) -> list[str]:
    out, todo = [], [piece]
    while todo:
        p = todo.pop(0)
        m, rest = _cut(p, _MOTTO)
        if m:
            todo = rest + todo
        else:
            out.append(p)
    return [p.strip(" -–:") for p in out if p.strip(" -–:")]


def _pieces(line: str) -> list[str]:
    line = _MARKUP.sub("", nfc(line)).strip()
    return [p for chunk in _PIECE_SPLIT.split(line) for p in _strip_motto(chunk)]


def _make_date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """A date from ``dt.date``, "2021-07-15", "15/7/2021" or "ngày 15 tháng 7 năm 2021"."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        return _make_date(*m.groups())
    if m := _DATE.search(fold(text)):
        return _make_date(m.group(2), m.group(3) or m.group(5), m.group(4) or m.group(6))
    return None


def _place(original: str) -> tuple[str | None, str]:
    """Split "CHÍNH PHỦ Hà Nội" into the place (trailing non-caps words) and what precedes."""
    words = original.split()
    i = len(words)
    while i > 0 and (not is_all_caps(words[i - 1]) or words[i - 1] in ("TP.", "TP")):
        i -= 1
    return (" ".join(words[i:]) or None), " ".join(words[:i])


def _take_date(d: Detected, piece: str, need_place: bool) -> list[str]:
    folded = fold(piece)
    m = _DATE.search(folded) if len(folded) == len(piece) else None
    if not m or (need_place and not m.group(1)):
        return [piece]
    issued = _make_date(m.group(2), m.group(3) or m.group(5), m.group(4) or m.group(6))
    if issued is None:
        return [piece]
    d.issued = issued
    rest = [piece[: m.start()].strip(), piece[m.end() :].strip()]
    if m.group(1):
        place, before = _place(piece[m.start(1) : m.end(1)])
        d.place = place
        rest[0] = f"{rest[0]} {before}".strip()
    return [r.strip(" ,;:-") for r in rest if r.strip(" ,;:-")]


def _take_number(d: Detected, piece: str) -> list[str]:
    m, rest = _cut(piece, _NUMBER)
    if not m:
        return [piece]
    raw = piece[m.start(1) : m.end(1)]
    d.number = re.sub(r"\s+", "", raw).replace("–", "-")
    return rest


def _kind_line(piece: str) -> tuple[str, str] | None:
    """("Nghị quyết", rest) when the piece starts with a kind written in capitals."""
    low = piece.lower()
    for name in sorted(_KIND_LINES, key=len, reverse=True):
        if low.startswith(name) and (len(low) == len(name) or not low[len(name)].isalnum()):
            head = piece[: len(name)]
            if is_all_caps(head):
                return name, piece[len(name) :].strip(" :.-–")
    return None


def _sentence_case(text: str) -> str:
    """A trích yếu written in capitals, in sentence case ("BAN HÀNH …" → "Ban hành …")."""
    if not is_all_caps(text):
        return text
    low = text.lower()
    for key, proper in _PROPER.items():
        low = re.sub(rf"\b{key}\b", proper, low)
    return low[:1].upper() + low[1:]


def _lower_first(text: str) -> str:
    """ "Ban hành Chương trình" → "ban hành Chương trình", to follow "Nghị quyết 76/NQ-CP"."""
    if _VV.match(text):
        return _VV.sub("về việc ", text, count=1)
    first = text.split(" ", 1)[0]
    if not first or is_all_caps(first) or first in _KEEP_CAPITALISED:
        return text
    return text[:1].lower() + text[1:]


def issuer_name(lines: list[str]) -> str | None:
    """The issuing body in normal case: ["UBND TỈNH BẮC KẠN", "SỞ NỘI VỤ"] →
    "Sở Nội vụ (Ủy ban nhân dân tỉnh Bắc Kạn)"; a name broken over two lines is joined."""
    bodies: list[str] = []
    for line in lines:
        words = line.split()
        last = bodies[-1].split()[-1] if bodies else ""
        if bodies and (
            last in ("VÀ", "CỦA", "-", "DÂN", "UBND", "HĐND")
            and fold(words[0]) in _ADMIN_STARTS
            or last in ("VÀ", "CỦA", "-")
            or last.endswith(",")
            or words[0] in ("VÀ", "CỦA", "-")
        ):
            bodies[-1] = f"{bodies[-1]} {line}"
        else:
            bodies.append(line)
    if not bodies:
        return None
    named = [_case_body(b) for b in bodies]
    return named[-1] if len(named) == 1 else f"{named[-1]} ({', '.join(named[:-1])})"


def _case_body(text: str) -> str:
    """ "BỘ THÔNG TIN VÀ TRUYỀN THÔNG" → "Bộ Thông tin và Truyền thông"; place names after
    tỉnh / thành phố / huyện … are capitalised word by word."""
    words = " ".join(_ISSUER_ABBR.get(w.lower(), w.lower()) for w in text.split()).split()
    out: list[str] = []
    in_place = cap_next = seen_head = False
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if in_place:
            out.append(w[:1].upper() + w[1:])
            continue
        # "Sở Nội vụ tỉnh Bắc Kạn", not "Tỉnh"; but "Xã hội" in a ministry's name.
        unit = (w in _ADMIN_UNITS and nxt not in ("ủy", "uỷ", "hội")) or (w, nxt) in _ADMIN_PAIRS
        out.append(w[:1].upper() + w[1:] if i == 0 or cap_next and not unit else w)
        cap_next = False
        if (w in _ADMIN_UNITS and nxt not in ("ủy", "uỷ", "hội")) or (prev, w) in _ADMIN_PAIRS:
            in_place = True
        elif w in _HEADS and prev not in ("ủy", "uỷ", "đảng"):
            cap_next = seen_head = True
        elif seen_head and (w in ("và", "-") or w.endswith(",")):
            cap_next = True
    name = " ".join(out)
    for key, proper in _PROPER.items():
        name = re.sub(rf"(?<!\w){key}(?!\w)", proper, name, flags=re.IGNORECASE)
    return name[:1].upper() + name[1:]


def detect(text: str) -> Detected:
    """Read the header at the top of ``text`` (one paragraph or printed line per line)."""
    d = Detected()
    lines = text.splitlines()
    kind_at: int | None = None
    vv_at: int | None = None
    excerpt: list[str] = []
    for i, line in enumerate(lines[:HEADER_SCAN_LINES]):
        plain = _MARKUP.sub("", line).strip()
        if plain and (_BODY_START.match(plain) or len(plain) > 250):
            break
        for piece in _pieces(line):
            rest = [piece]
            if d.number is None:
                rest = [r for p in rest for r in _take_number(d, p)]
            if d.issued is None:
                rest = [r for p in rest for r in _take_date(d, p, need_place=False)]
            for r in rest:
                if kind := _kind_line(r):
                    kind_at = i
                    d.kind_label = kind[0][:1].upper() + kind[0][1:]
                    d.kind = _KIND_LINES[kind[0]]
                    excerpt = [kind[1]] if kind[1] else []
                elif _VV.match(r):
                    vv_at = i
                    excerpt = [_VV.sub("", r)]
                elif is_all_caps(r) and d.number is None and fold(r) not in _STAMPS:
                    d.issuer_lines.append(r)
            if kind_at is not None or vv_at is not None:
                break
        if kind_at is not None or vv_at is not None:
            break
    if kind_at is not None:
        end = _read_excerpt(lines, kind_at + 1, excerpt, d)
    elif vv_at is not None:
        end = _read_vv(lines, vv_at + 1, excerpt, d)
        d.kind, d.kind_label = d.kind or "công văn", d.kind_label or "Công văn"
    else:
        end = 0
    if d.kind is None and (code_kind := kind_from_number(d.number)):
        d.kind, d.kind_label = code_kind, code_kind[:1].upper() + code_kind[1:]
    # Capital lines at the top of a news article are not an issuer: only a real header has one.
    d.issuer = issuer_name(d.issuer_lines) if (d.kind_label or d.number) else None
    text_excerpt = " ".join(e for e in excerpt if e).strip()
    d.excerpt = _sentence_case(text_excerpt) if text_excerpt else None
    d.header_lines = end if (d.kind_label or d.number) else 0
    return d


# The body's own first heading ("I. MỤC TIÊU", "Chương I") is not the enacting authority.
_HEADING_LINE = re.compile(r"^(?:[IVXLC]+\.|\d+\.|Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC|Điều)\s")


def _read_excerpt(lines: list[str], start: int, excerpt: list[str], d: Detected) -> int:
    """Collect the trích yếu under the kind line; return the index where the body starts."""
    j = start
    while j < len(lines) and len(excerpt) < 6:
        raw = _MARKUP.sub("", lines[j]).strip()
        if not raw:
            if excerpt or j - start >= 2:
                break
            j += 1
            continue
        if _BODY_START.match(raw) or len(raw) > 250:
            break
        pieces = _pieces(raw)
        if not pieces:  # a rule line ends the trích yếu
            j += 1
            if excerpt:
                break
            continue
        piece = " ".join(pieces)
        if d.issued is None:
            piece = " ".join(_take_date(d, piece, need_place=True))
        if excerpt and not is_all_caps(" ".join(excerpt)) and is_all_caps(piece):
            break  # the authority line ("CHÍNH PHỦ") after a normal-case trích yếu
        if excerpt and _AUTHORITY.match(piece):
            break
        if piece:
            excerpt.append(piece)
        j += 1
    # The enacting authority's line just before "Căn cứ …" is header too.
    k = j
    while k < len(lines) and not lines[k].strip():
        k += 1
    heading = _HEADING_LINE.match(lines[k].strip()) if k < len(lines) else None
    if k + 1 < len(lines) and is_all_caps(lines[k]) and len(lines[k]) <= 80 and not heading:
        nxt = k + 1
        while nxt < len(lines) and not lines[nxt].strip():
            nxt += 1
        if nxt < len(lines) and _BODY_START.match(lines[nxt].strip()):
            j = k + 1
    return j


def _read_vv(lines: list[str], start: int, excerpt: list[str], d: Detected) -> int:
    """The "V/v …" of a công văn runs on for a line or two in the left column."""
    j = start
    while j < len(lines) and j - start < 3:
        raw = lines[j].strip()
        if not raw or _BODY_START.match(raw):
            break
        pieces = [r for p in _pieces(raw) for r in _take_date(d, p, need_place=True)]
        text = " ".join(p for p in pieces if not is_all_caps(p))
        if not text or len(text) > 120:
            break
        excerpt.append(text)
        j += 1
    return j


def kind_from_number(number: str | None) -> DocKind | None:
    """The kind named by the code in a number: 76/NQ-CP → "nghị quyết"."""
    for code in _number_codes(number):
        if kind := _CODE_KINDS.get(code):
            return kind
    return None


def _number_codes(number: str | None) -> list[str]:
    if not number:
        return []
    parts = re.split(r"[/\-–]", number.lower())
    return [re.sub(r"\d+$", "", p) for p in parts if p and not p.isdigit()]


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:_ID_MAX].rstrip("-")
    return slug or "van-ban"


def make_id(kind: str | None, number: str | None, issued: dt.date | None, stem: str) -> str:
    """A stable id: "nq-76-2021" from 76/NQ-CP of 2021, or the file name as a slug."""
    digits = re.match(r"\d+", number or "")
    if not digits:
        return slugify(stem)
    if kind and kind != "khác" and kind in _KIND_SLUGS:
        prefix = _KIND_SLUGS[kind]
    else:
        codes = _number_codes(number)
        prefix = slugify(codes[0]) if codes else "vb"
    year = issued.year if issued else None
    if year is None and (m := re.search(r"(?<!\d)(19|20)\d\d(?!\d)", number or "")):
        year = int(m.group(0))
    return "-".join(str(p) for p in (prefix, digits.group(0), year) if p is not None)


def normalise_kind(value: str) -> tuple[str, str | None]:
    """A kind typed by a person ("Nghị quyết", "NQ", "thông báo") → (kind, its own label)."""
    low = nfc(value).strip().lower()
    if low in KINDS:
        return low, None
    if low in _CODE_KINDS:
        return _CODE_KINDS[low], None
    if low in _KIND_LINES:
        return _KIND_LINES[low], low[:1].upper() + low[1:]
    return value, None  # left for validation to refuse


def first_sentence(body: str, limit: int = 240) -> str | None:
    for line in body.splitlines():
        line = _MARKUP.sub("", line).strip()
        if len(line) < 20 or is_all_caps(line):
            continue
        sentence = (split_sentences(line) or [line])[0]
        return shorten(sentence, limit)
    return None


def _humanise(stem: str) -> str:
    text = re.sub(r"[_-]+", " ", stem).strip()
    return text[:1].upper() + text[1:] if len(text) >= 3 else f"Văn bản {text}".strip()


def build_meta(
    detected: Detected,
    *,
    stem: str,
    body: str,
    given: Mapping[str, Any] | None = None,
    hints: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of a ``DocumentMeta``: ``given`` (front matter, then command-line overrides)
    wins over ``detected`` from the header, which wins over ``hints`` from the file format
    (HTML title, PDF properties). Id, title and summary are derived from the merged facts."""
    given = {k: v for k, v in (given or {}).items() if v is not None}
    hints = {k: v for k, v in (hints or {}).items() if v is not None}
    number = given.get("number", detected.number)
    issued: Any = detected.issued or parse_date(hints.get("issued"))
    if "issued" in given:  # unreadable: kept as given, so that validation names it
        issued = parse_date(given["issued"]) or given["issued"]
    label: str | None = None
    if "kind" in given:
        kind, label = normalise_kind(str(given["kind"]))
    else:
        kind = detected.kind or kind_from_number(number) or hints.get("kind") or "khác"
        if kind == detected.kind:
            label = detected.kind_label
    if label is None and kind != "khác":
        label = kind[:1].upper() + kind[1:]
    issuer = given.get("issuer", detected.issuer)
    excerpt = detected.excerpt
    has_header = bool(detected.kind_label or detected.number or "number" in given)

    # A law is named by its trích yếu: "Luật Ban hành văn bản quy phạm pháp luật số 80/2015/QH13".
    named = kind == "luật" and label and excerpt
    title = given.get("title")
    if not title and has_header and label and (number or excerpt):
        if named:
            title = " ".join(p for p in (label, excerpt, number and f"số {number}") if p)
        else:
            title = " ".join(p for p in (label, number, excerpt and _lower_first(excerpt)) if p)
    title = title or hints.get("title") or _humanise(stem)

    summary = given.get("summary")
    if not summary and label and excerpt:
        parts = [f"{label} {excerpt}" if named else label, f"số {number}" if number else None]
        if isinstance(issued, dt.date):
            parts.append(f"ngày {issued.day}/{issued.month}/{issued.year}")
        if issuer:
            parts.append(f"của {issuer}")
        if not named:
            lowered = _lower_first(excerpt)
            parts.append(lowered if _VERB_STARTS.match(lowered) else f"về {lowered}")
        summary = " ".join(p for p in parts if p).rstrip(".") + "."
    summary = summary or first_sentence(body) or title

    meta: dict[str, Any] = {
        **{k: v for k, v in hints.items() if k == "source"},
        **given,
        "id": given.get("id")
        or make_id(kind, number, issued if isinstance(issued, dt.date) else None, stem),
        "title": " ".join(str(title).split()),
        "kind": kind,
        "number": number,
        "issuer": issuer,
        "issued": issued,
        "summary": " ".join(str(summary).split()),
    }
    return meta
