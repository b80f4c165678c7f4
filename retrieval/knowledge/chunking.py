"""Structure-aware chunking: ``Document`` → ``Passage`` with heading path and kind.

The documents' own structure is followed: Chương / Mục / Roman-numeral headings, articles
(Điều), numbered items, "Thứ nhất … Thứ bảy" enumerations. An article is one unit, split at
its clauses when it is too long, with the article heading carried along. Kinds come from the
headings, from the paragraph that introduces a list, and from cue phrases.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from retrieval.domain.models import Document, DocumentMeta, Passage, PassageKind, PassageStatus
from retrieval.domain.naming import shorten
from retrieval.domain.text import clean, fold, is_all_caps, split_sentences
from retrieval.knowledge.boilerplate import is_boilerplate
from retrieval.knowledge.structure import CONTINUED

MAX_CHARS = 1200
MIN_CHARS = 300
MERGE_CHARS = 700
SEP = " › "

_CHAPTER = re.compile(r"^(Phần|PHẦN|Chương|CHƯƠNG)\s+[IVXLC\d]+[.:]?(\s|$)")
_MUC = re.compile(r"^(Mục|MỤC)\s+\d+[.:]?(\s|$)")
_ROMAN = re.compile(r"^[IVX]{1,5}\.\s+\S")
_ARTICLE = re.compile(r"^Điều\s+[\dA-Za-zĐđ.]+\.?\s")
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+\S")
_POINT = re.compile(r"^[a-zđ]\)\s")
_ORDINAL = re.compile(
    r"^(Thứ\s+(nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười))\s*[,:.](?!\s*\d{1,2}/\d{1,2})",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_STATUS_LINE = re.compile(r"^\((Điều|Khoản|Điểm)\s+\S+.*hiệu lực.*\)$")
_CROSS_REF = re.compile(r"^\((Điều|Chương|Mục|Khoản) này có nội dung liên quan")
# "(Điều 29 Nghị định số 63/2010/NĐ-CP, có hiệu lực …)": where a Pháp điển article comes from.
_ORIGIN = re.compile(r"^\(((?:Điều|Khoản|Điểm) [^,()]+?)(?:,| có hiệu lực)")
_REPEALED = re.compile(r"(bị bãi bỏ bởi[^;)]*)")
_AMENDED = re.compile(r"((?:được bổ sung, )?có nội dung được sửa đổi[^;)]*|được sửa đổi[^;)]*)")

LEGAL_KINDS = {"nghị định", "thông tư", "pháp điển", "luật", "quyết định", "chỉ thị"}

# Heading cues: checked in this order, the first that matches wins.
_HEADING_CUES: list[tuple[PassageKind, re.Pattern[str]]] = [
    ("nguyen_nhan", re.compile(r"nguyên nhân", re.I)),
    ("han_che", re.compile(r"hạn chế|tồn tại|yếu kém", re.I)),
    ("bai_hoc", re.compile(r"bài học|kinh nghiệm", re.I)),
    ("giai_phap", re.compile(r"giải pháp", re.I)),
    ("nhiem_vu", re.compile(r"nhiệm vụ", re.I)),
    ("muc_tieu", re.compile(r"mục tiêu", re.I)),
    ("quan_diem", re.compile(r"quan điểm", re.I)),
    ("ket_qua", re.compile(r"kết quả", re.I)),
]
# What a sentence of a news report says, read from its words: a directive, a finding, a
# shortcoming or a cause. Several cues of one kind in a paragraph decide its kind.
_CONTENT_CUES: list[tuple[PassageKind, re.Pattern[str]]] = [
    ("nguyen_nhan", re.compile(r"nguyên nhân|\blà do\b|\bdo (?:người|một bộ phận|chưa)", re.I)),
    (
        "han_che",
        re.compile(
            r"hạn chế|yếu kém|tồn tại|bất cập|chưa (?:thực sự|đáp ứng|cao|nghiêm|hiệu quả|"
            r"quyết liệt|đồng bộ|ổn định|nổi bật)|không (?:có sự )?ổn định|còn thấp",
            re.I,
        ),
    ),
    (
        "ket_qua",
        re.compile(
            r"kết quả tích cực|đạt (?:được )?(?:kết quả|nhiều)|chuyển biến tích cực|"
            r"đã hoàn thành|hoàn thành nhiệm vụ|đóng góp|điểm sáng|được cải thiện|biểu dương",
            re.I,
        ),
    ),
    (
        "nhiem_vu",
        re.compile(
            r"yêu cầu|đề nghị|(?<!Ban )chỉ đạo|\bphải\b|\bcần\b|"
            r"tiếp tục (?:đẩy mạnh|rà soát|hoàn thiện)|"
            r"đẩy mạnh|nhấn mạnh",
            re.I,
        ),
    ),
]
# Cue phrases at the start of a paragraph in prose without headings.
_PARAGRAPH_CUES: list[tuple[PassageKind, re.Pattern[str]]] = [
    ("nguyen_nhan", re.compile(r"^nguyên nhân|nguyên nhân (của|là|chủ yếu)", re.I)),
    ("han_che", re.compile(r"còn (những |một số |nhiều )?(hạn chế|tồn tại|yếu kém)", re.I)),
    ("bai_hoc", re.compile(r"bài học|rút ra (một số |những )?kinh nghiệm", re.I)),
    ("giai_phap", re.compile(r"(các|những|một số) giải pháp|giải pháp (chủ yếu|trọng tâm)", re.I)),
    ("nhiem_vu", re.compile(r"nhiệm vụ (trọng tâm|chủ yếu|cụ thể)", re.I)),
    ("muc_tieu", re.compile(r"mục tiêu (chung|cụ thể|tổng quát)", re.I)),
    ("quan_diem", re.compile(r"quan điểm (chỉ đạo|là)|các quan điểm", re.I)),
    ("ket_qua", re.compile(r"(đạt được|đã đạt|kết quả tích cực|kết quả nổi bật)", re.I)),
]


@dataclass
class _Unit:
    path: list[str]
    paragraphs: list[str] = field(default_factory=list)
    head: str | None = None
    kind: PassageKind | None = None
    status: PassageStatus = "còn hiệu lực"
    status_note: str | None = None
    origin: str | None = None
    is_item: bool = False

    def size(self) -> int:
        return sum(len(p) + 1 for p in self.paragraphs) + len(self.head or "")


def _cue(text: str, cues: list[tuple[PassageKind, re.Pattern[str]]]) -> PassageKind | None:
    for kind, pattern in cues:
        if pattern.search(text):
            return kind
    return None


def _content_kind(paragraph: str) -> PassageKind | None:
    """The kind most of a paragraph's sentences speak to, in a report without headings."""
    votes: dict[PassageKind, int] = {}
    for sentence in split_sentences(paragraph):
        # "Để khắc phục các tồn tại, … phải …": a directive, whatever it mentions.
        cues = _CONTENT_CUES[::-1] if re.match(r"(?:Để|Nhằm)\b", sentence) else _CONTENT_CUES
        for kind, pattern in cues:
            if pattern.search(sentence):
                votes[kind] = votes.get(kind, 0) + 1
                break  # the first cue of the table wins within one sentence
    if not votes:
        return None
    return max(votes, key=lambda k: (votes[k], -[c for c, _ in _CONTENT_CUES].index(k)))


def _scope(path: list[str]) -> str | None:
    """The sector a part of a codified text is limited to: "… TRONG LĨNH VỰC QUẢN LÝ NHÀ NƯỚC
    CỦA BỘ CÔNG THƯƠNG" → "Bộ Công Thương"; "… TRONG LĨNH VỰC GIAO THÔNG VẬN TẢI" →
    "lĩnh vực giao thông vận tải"."""
    for heading in path:
        m = re.search(r"TRONG (?:MỘT SỐ )?LĨNH VỰC (.+)$", heading, re.IGNORECASE)
        if m is None or "MỘT SỐ LĨNH VỰC" in heading.upper():
            continue
        field = m.group(1).strip(" .")
        ministry = re.search(r"CỦA (BỘ .+)$", field, re.IGNORECASE)
        if ministry:
            words = ministry.group(1).split()
            return " ".join(w.capitalize() for w in words)
        return f"lĩnh vực {field.lower()}"
    return None


def _is_caps_title(p: str) -> bool:
    return 3 <= len(p) <= 200 and is_all_caps(p)


def _short(label: str, limit: int = 90) -> str:
    return shorten(label.rstrip(" .:;,"), limit)


def _item_label(p: str) -> str:
    m = _ORDINAL.match(p)
    if m:
        return m.group(1)[0].upper() + m.group(1)[1:]
    first = split_sentences(p)[0] if split_sentences(p) else p
    return _short(first)


def _article_status(line: str) -> tuple[PassageStatus, str | None]:
    m = _REPEALED.search(line)
    if m:
        return "bị bãi bỏ", m.group(1).strip()
    m = _AMENDED.search(line)
    if m:
        return "được sửa đổi", m.group(1).strip()
    return "còn hiệu lực", None


class _Parser:
    """Walks paragraphs and groups them into units under a heading path."""

    def __init__(self, legal: bool) -> None:
        self.legal = legal
        self.levels: dict[int, str] = {}
        self.level_kinds: dict[int, PassageKind] = {}
        self.units: list[_Unit] = []
        self.current: _Unit | None = None
        self.list_kind: PassageKind | None = None
        self.pending_title_level: int | None = None

    def path(self) -> list[str]:
        return [self.levels[k] for k in sorted(self.levels)]

    def heading_kind(self) -> PassageKind | None:
        for level in sorted(self.level_kinds, reverse=True):
            return self.level_kinds[level]
        return None

    def set_heading(self, level: int, text: str) -> None:
        self.close()
        for k in [k for k in self.levels if k >= level]:
            self.levels.pop(k)
            self.level_kinds.pop(k, None)
        self.levels[level] = text
        kind = _cue(text, _HEADING_CUES)
        if kind and not self.legal:
            self.level_kinds[level] = kind
        self.list_kind = None

    def close(self) -> None:
        if self.current and (self.current.paragraphs or self.current.head):
            self.units.append(self.current)
        self.current = None

    def open(self, *, head: str | None = None, is_item: bool = False) -> _Unit:
        self.close()
        self.current = _Unit(path=self.path(), head=head, is_item=is_item)
        return self.current

    def feed(self, p: str) -> None:
        if self.pending_title_level is not None:
            level, self.pending_title_level = self.pending_title_level, None
            if _is_caps_title(p) or len(p) < 160 and not p.endswith("."):
                self.set_heading(level, f"{self.levels[level]}. {p}".replace("..", "."))
                return
        if m := _MD_HEADING.match(p):
            self.set_heading(len(m.group(1)), m.group(2).strip())
        elif _CHAPTER.match(p):
            self.set_heading(1, p.rstrip("."))
            self.pending_title_level = 1 if len(p) < 20 else None
        elif _MUC.match(p):
            self.set_heading(2, p.rstrip("."))
            self.pending_title_level = 2 if len(p) < 12 else None
        elif _ARTICLE.match(p) and len(p) < 300:
            self.levels = {k: v for k, v in self.levels.items() if k < 3}
            unit = self.open(head=p)
            unit.path = self.path() + [_short(p, 120)]
            unit.kind = self.heading_kind()
        elif (
            self.current
            and self.current.head
            and _STATUS_LINE.match(p)
            and not (self.current.paragraphs)
        ):
            self.current.status, self.current.status_note = _article_status(p)
            if m := _ORIGIN.match(p):
                self.current.origin = m.group(1)
            self.current.paragraphs.append(p)
        elif _CROSS_REF.match(p):
            return  # cross-reference furniture of the codified text: not content
        elif self.current and self.current.head and (_NUMBERED.match(p) or _POINT.match(p)):
            self.current.paragraphs.append(p)  # clause / point of the current article
        elif _ROMAN.match(p) and len(p) < 200:
            self.set_heading(1, p.rstrip("."))
        elif not self.legal and _is_caps_title(p) and len(p) < 150:
            self.set_heading(1, p)
        elif _ORDINAL.match(p) or (_NUMBERED.match(p) and not self.legal):
            unit = self.open(is_item=True)
            unit.path = self.path() + [_item_label(p)]
            unit.kind = self.list_kind or self.heading_kind()
            unit.paragraphs.append(p)
        else:
            self._prose(p)

    def _prose(self, p: str) -> None:
        intro = p.rstrip().endswith(":") or "cụ thể:" in p.lower()
        if self.current and (self.current.head or self.current.is_item and not intro):
            self.current.paragraphs.append(p)
            return
        unit = self.open()
        unit.paragraphs.append(p)
        cue = None if self.legal else (_cue(p[:400], _PARAGRAPH_CUES) or _content_kind(p))
        unit.kind = self.heading_kind() or cue
        if intro:
            self.list_kind = cue or self.heading_kind()
            self.close()


def _split_long(paragraphs: list[str], head: str | None, budget: int) -> list[list[str]]:
    """Pack paragraphs into groups under ``budget`` chars, splitting long ones at sentences."""
    pieces: list[str] = []
    for p in paragraphs:
        if len(p) <= budget:
            pieces.append(p)
            continue
        for sentence in split_sentences(p):
            pieces.extend(_split_sentence(sentence, budget))
    groups: list[list[str]] = [[]]
    size = 0
    for piece in pieces:
        if groups[-1] and size + len(piece) + 1 > budget:
            groups.append([])
            size = 0
        groups[-1].append(piece)
        size += len(piece) + 1
    return [g for g in groups if g]


def _split_sentence(sentence: str, budget: int) -> list[str]:
    """A sentence longer than the budget is cut at ';' then ',' (never mid-word)."""
    if len(sentence) <= budget:
        return [sentence]
    for sep in ("; ", ", ", " "):
        parts = sentence.split(sep)
        if len(parts) > 1:
            out, buf = [], ""
            for part in parts:
                cand = f"{buf}{sep}{part}" if buf else part
                if len(cand) > budget and buf:
                    out.append(buf + sep.strip())
                    buf = part
                else:
                    buf = cand
            out.append(buf)
            if all(len(o) <= budget for o in out):
                return out
    return [sentence[i : i + budget] for i in range(0, len(sentence), budget)]


def _merge_small(units: list[_Unit]) -> list[_Unit]:
    """Join short neighbouring prose paragraphs of the same section and kind."""
    out: list[_Unit] = []
    for u in units:
        prev = out[-1] if out else None
        if (
            prev
            and not prev.head
            and not u.head
            and not prev.is_item
            and not u.is_item
            and prev.path == u.path
            and prev.kind == u.kind
            and (prev.size() < MIN_CHARS or u.size() < MIN_CHARS)
            and prev.size() + u.size() <= MERGE_CHARS
        ):
            prev.paragraphs.extend(u.paragraphs)
        else:
            out.append(u)
    return out


def passage_hash(doc_id: str, section: str, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\x1f{section}\x1f{text}".encode()).hexdigest()[:32]


def document_context(doc: DocumentMeta) -> str:
    """The title, plus the issuer when the title does not name it ("… Đảng bộ tỉnh" → Bắc Kạn)."""
    issuer = (doc.issuer or "").split(" (")[0]
    if issuer and fold(issuer) not in fold(doc.title):
        return f"{doc.title} ({issuer})"
    return doc.title


def embedding_text(passage: Passage, title: str, limit: int = 1500) -> str:
    """What the dense model reads: the document title and heading path give a list item
    ("3. Các nội dung …") the context that says what it is (a viewpoint of 76/NQ-CP)."""
    path = [] if passage.section == title else passage.section.split(SEP)
    if path and passage.text.startswith(path[-1].rstrip("…")):
        path.pop()  # the item's own label is the passage's first line already
    context = SEP.join([title, *path])
    return f"{context}\n{passage.text}"[:limit]


def chunk_document(doc: Document, max_chars: int = MAX_CHARS) -> list[Passage]:
    """Split a document into passages under ``max_chars`` that never end mid-sentence."""
    legal = doc.kind in LEGAL_KINDS
    parser = _Parser(legal=legal)
    seen: set[str] = set()
    for raw in clean(doc.body).split("\n"):
        p = raw.strip()
        if not p or p in seen and len(p) > 80:
            continue  # exact repeats of a whole paragraph are page artefacts
        seen.add(p)
        parser.feed(p)
    parser.close()
    default_kind: PassageKind = "quy_dinh" if legal else "khac"

    # The document context is hashed too: it is part of what the dense model reads.
    context = document_context(doc)
    passages: list[Passage] = []
    for unit in _merge_small(parser.units):
        kind = unit.kind or default_kind
        head = unit.head
        budget = max_chars - (len(head) + len(CONTINUED) + 1 if head else 0)
        section = SEP.join(unit.path) or doc.title
        # An article written on one line ("Điều 2. Quyết định có hiệu lực …") is all head.
        groups = _split_long(unit.paragraphs, head, budget) if unit.paragraphs else [[]]
        if not unit.paragraphs and not head:
            continue
        for i, group in enumerate(groups):
            lines = ([f"{head}{CONTINUED if i else ''}"] if head else []) + group
            text = "\n".join(lines)
            passages.append(
                Passage(
                    doc_id=doc.id,
                    ordinal=len(passages),
                    section=section,
                    kind=kind,
                    text=text,
                    status=unit.status,
                    status_note=unit.status_note,
                    origin=unit.origin,
                    scope=_scope(unit.path),
                    boilerplate=is_boilerplate("\n".join(group)),
                    content_hash=passage_hash(doc.id, f"{context}{SEP}{section}", text),
                )
            )
    return passages
