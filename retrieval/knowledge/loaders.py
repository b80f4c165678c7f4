"""Files → ``Document``: one small strategy per file type, then shared metadata detection.

Each strategy turns bytes into plain text, one paragraph (or printed line) per line, plus the
hints the format itself carries (an HTML title, PDF properties). The shared part reads the
official header (``retrieval.knowledge.header``), drops it from the body, rejoins hard-wrapped lines
and validates the result. Every refusal is a ``LoaderError`` whose Vietnamese message names
the file and the reason, so that a run over a folder can report it and go on.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import ValidationError

from retrieval.domain import errors
from retrieval.domain.models import Document
from retrieval.domain.text import clean, fold, is_all_caps, nfc
from retrieval.knowledge.frontmatter import FrontMatterError, split_front_matter
from retrieval.knowledge.header import build_meta, detect, normalise_kind, parse_date

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SKIPPED_DIRS = {"quiz"}
_SKIPPED_FILES = {"readme.md"}


class LoaderError(errors.LoaderError):
    """A file that cannot be loaded: ``details`` has its name and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__("unreadable", file=self.path.name, reason=reason)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Extracted:
    """What a strategy read: text with one paragraph or printed line per line, and hints."""

    text: str
    hints: dict[str, Any] = field(default_factory=dict)
    #: Printed lines (PDF, plain text) are rejoined into paragraphs.
    wrapped: bool = False
    #: Front matter of a Markdown file, which wins over what is detected.
    front: dict[str, Any] | None = None
    #: A Markdown file whose front matter is complete, read as ``load_knowledge_dir`` does.
    document: Document | None = None


class Strategy(Protocol):
    suffixes: ClassVar[tuple[str, ...]]

    def extract(self, path: Path, data: bytes) -> Extracted: ...


# ---------------------------------------------------------------- encodings


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes → NFC text: a BOM, else the declared charset, else UTF-8, else Windows-1258.

    Windows-1258 writes most tone marks as combining characters, hence the NFC.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return nfc(data.decode(codec))
    candidates = [declared] if declared else []
    if data.count(0) > len(data) // 4:  # UTF-16 without a BOM: every other byte is 0
        candidates.append("utf-16-le" if data[1::2].count(0) > data[::2].count(0) else "utf-16-be")
    candidates += ["utf-8", "cp1258"]
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" not in text:
            return nfc(text)
    text = data.decode("cp1258", errors="replace")
    if "\x00" in text or text.count("\ufffd") > max(3, len(text) // 100):
        raise ValueError("không nhận ra bảng mã của tệp (không phải văn bản?)")
    return nfc(text)


# ---------------------------------------------------------------- strategies


class TextStrategy:
    suffixes = (".txt",)

    def extract(self, path: Path, data: bytes) -> Extracted:
        return Extracted(decode_text(data), wrapped=True)


_FRONT_PROBLEMS = {"unreadable": "không đọc được", "not_mapping": "phải là các cặp khóa: giá trị"}
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# Bold markers and backticks, not a rule line of stars or underscores.
_MD_EMPHASIS = re.compile(r"(?<![*_])(\*\*|__)(?=[^\s*_])|(?<=[^\s*_])(\*\*|__)(?![*_])|`")


class MarkdownStrategy:
    suffixes = (".md", ".markdown")

    def extract(self, path: Path, data: bytes) -> Extracted:
        try:
            front, text = split_front_matter(decode_text(data))
        except FrontMatterError as exc:
            problem = _FRONT_PROBLEMS[exc.code]
            raise LoaderError(path, f"phần khai báo (front matter) {problem}") from exc
        document = None
        if front is not None:
            try:  # a complete front matter is read exactly as ``load_knowledge_dir`` reads it
                document = Document(**front, body=text.strip())
            except (ValidationError, TypeError):
                document = None  # incomplete: detection fills the gaps
        text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
        text = _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text)))
        return Extracted(text, wrapped=True, front=front, document=document)


class DocxStrategy:
    suffixes = (".docx",)

    def extract(self, path: Path, data: bytes) -> Extracted:
        import docx  # python-docx; imported here so that the other formats do not need it
        from docx.table import Table

        if not data.startswith(b"PK"):
            raise _Corrupt("DOCX")
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds here
            raise _Corrupt("DOCX", exc) from exc
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_docx_table(block))
                continue
            text = block.text.strip()
            style = (block.style.name if block.style is not None else "") or ""
            if text and (m := re.fullmatch(r"Heading (\d)", style)):
                text = f"{'#' * min(int(m.group(1)), 6)} {text}"
            lines.append(text)
        return Extracted("\n".join(lines), hints=_title_hint(document.core_properties.title))


def _title_hint(title: object) -> dict[str, Any]:
    """A title from file properties, unless it is the name an editor wrote there itself."""
    text = " ".join(str(title or "").split())
    junk = re.match(r"(Microsoft Word|Untitled|Document\d*$)", text) or re.search(
        r"\.(docx?|pdf|rtf|odt)$", text, re.IGNORECASE
    )
    return {"title": text} if len(text) >= 3 and not junk else {}


def _docx_table(table: Any) -> list[str]:
    """A header table (issuer | motto) row by row as "left | right"; cells with several
    paragraphs column by column, so that each column's lines stay in order."""
    lines: list[str] = []
    for row in table.rows:
        cells: list[Any] = []
        for cell in row.cells:  # a merged cell repeats: keep it once
            if not any(cell._tc is c._tc for c in cells):
                cells.append(cell)
        texts = [[p.text.strip() for p in c.paragraphs if p.text.strip()] for c in cells]
        if all(len(t) <= 1 for t in texts):
            lines.append(" | ".join(t[0] for t in texts if t))
        else:
            for t in texts:
                lines.extend(t)
    return lines


class PdfStrategy:
    suffixes = (".pdf",)
    #: Fewer letters than this in the whole file: no text layer, a scan.
    MIN_LETTERS = 40

    def extract(self, path: Path, data: bytes) -> Extracted:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError

        if b"%PDF-" not in data[:1024]:
            raise _Corrupt("PDF")
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not for admins
        try:
            reader = PdfReader(io.BytesIO(data))
            locked = reader.is_encrypted and not reader.decrypt("")
            pages = [] if locked else [page.extract_text() or "" for page in reader.pages]
            title = None if locked or not reader.metadata else reader.metadata.title
            hints = _title_hint(title)
        except DependencyError as exc:
            raise ValueError("tệp PDF được mã hóa AES; cần cài gói cryptography để đọc") from exc
        except Exception as exc:  # noqa: BLE001 - a broken file can fail anywhere in pypdf
            raise _Corrupt("PDF", exc) from exc
        if locked:
            raise ValueError("tệp PDF có mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        if not pages:
            raise _Corrupt("PDF")
        if sum(c.isalpha() for p in pages for c in p) < self.MIN_LETTERS:
            raise ValueError(
                "tệp PDF không có lớp văn bản (có thể là bản quét); "
                "hãy nhận dạng chữ (OCR) hoặc gửi bản Word/PDF có chữ"
            )
        return Extracted("\n".join(_drop_page_furniture(pages)), hints=hints, wrapped=True)


_PAGE_NUMBER = re.compile(r"^(trang\s*)?-?\s*\d{1,4}\s*(/\s*\d{1,4})?\s*-?$")


def _drop_page_furniture(pages: list[str]) -> list[str]:
    """Page numbers, and running headers or footers ("CÔNG BÁO/Số 551 + 552/Ngày 17-7-2021"):
    a line at the top or bottom of a page that recurs, digits aside, on most pages."""
    split = [[ln.strip() for ln in nfc(p).splitlines() if ln.strip()] for p in pages]

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line)

    edges: dict[str, int] = {}
    for lines in split:
        for k in {key(ln) for ln in (*lines[:2], *lines[-2:])}:
            edges[k] = edges.get(k, 0) + 1
    needed = max(3, (len(split) + 1) // 2)
    repeated = {k for k, n in edges.items() if n >= needed}
    out: list[str] = []
    for lines in split:
        for i, line in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (key(line) in repeated or _PAGE_NUMBER.match(fold(line))):
                continue
            out.append(line)
    return out


class _Corrupt(ValueError):
    def __init__(self, kind: str, exc: Exception | None = None) -> None:
        detail = f" ({type(exc).__name__}: {exc})" if exc else ""
        super().__init__(f"tệp hỏng hoặc không phải tệp {kind} hợp lệ{detail[:200]}")


# ---------------------------------------------------------------- HTML

_SKIP_TAGS = {
    "script", "style", "noscript", "template", "svg", "iframe", "object", "canvas",
    "nav", "header", "footer", "aside", "form", "button", "select", "input", "textarea",
    "menu", "dialog", "head",
}  # fmt: skip
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}  # fmt: skip
_BLOCKS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "blockquote",
    "pre", "dd", "dt", "dl", "figure", "figcaption", "address", "hr", "br", "h1", "h2", "h3",
    "h4", "h5", "h6", "center", "tbody", "thead",
}  # fmt: skip
_FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|megamenu|header|footer|sidebar|breadcrumbs?|"
    r"share|sharing|social|comments?|binhluan|related|tin-?lien-?quan|tags?|search|timkiem|"
    r"banner|ads?|advert|quangcao|cookie|popup|modal|print|pagination|widget|toolbar|login|"
    r"subscribe|rating|backtotop|back-to-top)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu",
                    "menubar", "dialog", "form"}  # fmt: skip
_CONTENT_ATTR = re.compile(
    r"(article|content|detail|entry|post|story|news-?body|noi-?dung|noidung|chi-?tiet|main)",
    re.IGNORECASE,
)
# Lines that are page furniture wherever they stand.
_FURNITURE_LINES = {
    fold(s)
    for s in (
        "Tìm kiếm", "Chia sẻ", "Chia sẻ bài viết", "In bài", "In trang", "Bản in", "Gửi email",
        "Bình luận", "Gửi bình luận", "Ý kiến bạn đọc", "Trang chủ", "Đăng nhập", "Đăng ký",
        "Quay lại", "Về đầu trang", "Lên đầu trang", "Xem thêm", "Tin liên quan",
        "Bài viết liên quan", "Tin khác", "Các tin khác", "Facebook", "Twitter", "Zalo",
        "Tweet", "Like", "Share", "Print", "Email", "Top",
    )
}  # fmt: skip


_P_CLOSERS = {
    "p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "blockquote", "pre", "dl", "form", "header", "footer", "nav", "aside",
}  # fmt: skip
_CELL_STOP = frozenset({"table", "tr"})
#: tag → [(open tags it closes, tags that stop the search for them)].
_IMPLIED: dict[str, list[tuple[set[str], frozenset[str]]]] = {
    **{
        t: [({"p"}, frozenset({"div", "td", "th", "li", "body", "article", "section"}))]
        for t in _P_CLOSERS
    },
    "li": [({"li"}, frozenset({"ul", "ol", "menu"}))],
    "dt": [({"dt", "dd"}, frozenset({"dl"}))],
    "dd": [({"dt", "dd"}, frozenset({"dl"}))],
    "tr": [({"tr"}, frozenset({"table", "tbody", "thead", "tfoot"}))],
    "td": [({"td", "th"}, _CELL_STOP)],
    "th": [({"td", "th"}, _CELL_STOP)],
    "option": [({"option"}, frozenset({"select"}))],
}


class _Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[_Node | str] = []

    def iter(self) -> Iterable[_Node]:
        yield self
        for c in self.children:
            if isinstance(c, _Node):
                yield from c.iter()

    def text_len(self) -> int:
        return sum(len(c.strip()) if isinstance(c, str) else c.text_len() for c in self.children)


class _TreeBuilder(HTMLParser):
    """A forgiving DOM: unclosed tags are closed by their parent's end tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.node = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # an unclosed <head> ends where the body starts
            head: _Node | None = self.node
            while head is not None and head.tag != "head":
                head = head.parent
            if head is not None and head.parent is not None:
                self.node = head.parent
        # Implied end tags: a new item closes the open one, a block closes an open <p>.
        for closes, stop in _IMPLIED.get(tag, ()):
            open_node: _Node | None = self.node
            while open_node is not None and open_node.tag not in stop | closes:
                open_node = open_node.parent
            if open_node is not None and open_node.tag in closes and open_node.parent:
                self.node = open_node.parent
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in _VOID:
            self.node = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.node.children.append(_Node(tag, {k: v or "" for k, v in attrs}, self.node))

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.node = node.parent

    def handle_data(self, data: str) -> None:
        self.node.children.append(data)


def _hidden_or_furniture_tag(node: _Node) -> bool:
    a = node.attrs
    if node.tag in _SKIP_TAGS or "hidden" in a or a.get("aria-hidden") == "true":
        return True
    if a.get("role", "").lower() in _FURNITURE_ROLES:
        return True
    return bool(re.search(r"display\s*:\s*none", a.get("style", ""), re.IGNORECASE))


def _furniture_class(node: _Node) -> bool:
    return bool(_FURNITURE_ATTR.search(f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"))


def _prune(node: _Node, drop: Any, keep_over: int | None = None) -> None:
    """Remove the children that ``drop`` says are furniture, except a wrapper holding more
    than ``keep_over`` characters of text (a page-wide "has-sidebar" class is not furniture)."""
    kept: list[_Node | str] = []
    for c in node.children:
        if isinstance(c, str) or not drop(c) or keep_over is not None and c.text_len() > keep_over:
            kept.append(c)
    node.children = kept
    for c in kept:
        if isinstance(c, _Node):
            _prune(c, drop, keep_over)


def _article_root(root: _Node) -> _Node:
    """The article body: itemprop=articleBody, else the largest <article>, else <main>, else
    the largest element whose class or id says content, else <body>."""
    nodes = list(root.iter())
    body = next((n for n in nodes if n.tag == "body"), root)
    total = body.text_len() or 1
    for test in (
        lambda n: n.attrs.get("itemprop") == "articleBody",
        lambda n: n.tag == "article",
        lambda n: n.tag == "main" or n.attrs.get("role") == "main",
        lambda n: (
            n.tag in ("div", "section", "td")
            and bool(_CONTENT_ATTR.search(f"{n.attrs.get('class', '')} {n.attrs.get('id', '')}"))
            and not _furniture_class(n)
        ),
    ):
        found = [n for n in nodes if test(n)]
        if found:
            best = max(found, key=_Node.text_len)
            if best.text_len() >= 0.2 * total:
                return best
    return body


def _render(node: _Node, out: list[str], skip: _Node | None) -> None:
    for c in node.children:
        if isinstance(c, str):
            out.append(re.sub(r"\s+", " ", c))
            continue
        if c is skip:
            continue
        if c.tag in ("td", "th"):
            out.append(" | ")
        block = c.tag in _BLOCKS
        if block:
            out.append("\n")
        if m := re.fullmatch(r"h([2-6])", c.tag):
            out.append("#" * (int(m.group(1)) - 1) + " ")
        elif c.tag == "li":
            out.append("- ")
        _render(c, out, skip)
        if block:
            out.append("\n")


def _meta_content(nodes: list[_Node], *keys: str) -> str | None:
    for n in nodes:
        if n.tag == "meta" and (n.attrs.get("property") in keys or n.attrs.get("name") in keys):
            if value := n.attrs.get("content", "").strip():
                return value
    return None


class HtmlStrategy:
    suffixes = (".html", ".htm")

    def extract(self, path: Path, data: bytes) -> Extracted:
        head = data[:4096].decode("ascii", errors="ignore")
        m = re.search(r"charset\s*=\s*[\"']?([\w-]+)", head, re.IGNORECASE)
        builder = _TreeBuilder()
        builder.feed(decode_text(data, m.group(1).lower() if m else None))
        builder.close()
        nodes = list(builder.root.iter())
        hints: dict[str, Any] = {"kind": "tin bài"}
        title_tag = next((n for n in nodes if n.tag == "title"), None)
        page_title = _text_of(title_tag).split(" | ")[0].strip() if title_tag else ""
        published = _meta_content(nodes, "article:published_time", "pubdate", "date")
        time_tag = next((n for n in nodes if n.tag == "time" and n.attrs.get("datetime")), None)
        hints["issued"] = parse_date(published or (time_tag and time_tag.attrs["datetime"]))
        canonical = (n for n in nodes if n.tag == "link" and n.attrs.get("rel") == "canonical")
        hints["source"] = _meta_content(nodes, "og:url") or next(
            (n.attrs.get("href") for n in canonical), None
        )
        h1s = [n for n in nodes if n.tag == "h1"]
        _prune(builder.root, _hidden_or_furniture_tag)
        root = _article_root(builder.root)
        _prune(root, _furniture_class, keep_over=int(root.text_len() * 0.6))
        h1 = next((n for n in h1s if _inside(n, root)), None)
        heading = _text_of(h1)
        og_title = _meta_content(nodes, "og:title")
        outside = _text_of(h1s[0]) if h1s else None
        hints["title"] = heading or og_title or page_title or outside or None
        out: list[str] = []
        _render(root, out, skip=h1)
        lines = [ln.strip(" |") for ln in "".join(out).split("\n")]
        text = "\n".join(ln for ln in lines if fold(ln.strip(" |»›>-:")) not in _FURNITURE_LINES)
        return Extracted(text, hints=hints)


def _inside(node: _Node, ancestor: _Node) -> bool:
    """Parents are kept when a subtree is pruned: the h1 in an article's <header> counts."""
    n: _Node | None = node
    while n is not None and n is not ancestor:
        n = n.parent
    return n is ancestor


def _text_of(node: _Node | None) -> str:
    if node is None:
        return ""
    out: list[str] = []
    _render(node, out, skip=None)
    return " ".join("".join(out).split())


# ---------------------------------------------------------------- shared part

STRATEGIES: tuple[Strategy, ...] = (
    MarkdownStrategy(),
    TextStrategy(),
    HtmlStrategy(),
    DocxStrategy(),
    PdfStrategy(),
)
_BY_SUFFIX: dict[str, Strategy] = {s: st for st in STRATEGIES for s in st.suffixes}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(sorted(_BY_SUFFIX))
_HINTS = {".doc": "hãy lưu lại thành .docx", ".rtf": "hãy lưu lại thành .docx"}

_STRUCTURAL = re.compile(
    r"^(#{1,6}\s|[-–•+*]\s|\d{1,3}(\.\d{1,3})*[.)]\s|[a-zđ]\)\s|[IVXLC]{1,6}[.)]\s|"
    r"(Điều|Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC)\s|Thứ\s+(nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b|"
    r"Căn cứ|Nơi nhận|Kính gửi|\|)"
)


def reflow(text: str) -> str:
    """Rejoin lines that a printer or a PDF wrapped: a line runs on when it is long, does
    not end a sentence and the next line does not open an item or a heading."""
    out: list[str] = []
    last = ""  # the previous physical line
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            out.append("")
            last = ""
            continue
        runs_on = (
            out
            and out[-1]
            and not is_all_caps(last)
            and not is_all_caps(line)
            and not _STRUCTURAL.match(line)
            and (
                len(last) >= 40
                and last[-1] not in ".:;!?…"
                or line[0].islower()
                and last[-1] not in ":;"
            )
        )
        if runs_on:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        last = line
    return "\n".join(out)


def _to_document(path: Path, ex: Extracted, overrides: Mapping[str, Any] | None) -> Document:
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    if ex.document is not None:
        if not overrides:
            return ex.document
        if "kind" in overrides:
            overrides["kind"] = normalise_kind(str(overrides["kind"]))[0]
        if "issued" in overrides:
            overrides["issued"] = parse_date(overrides["issued"]) or overrides["issued"]
        meta = ex.document.model_dump(exclude={"body"}) | overrides
        return _validate(path, {**meta, "body": ex.document.body})
    text = clean(ex.text)
    detected = detect(text)
    lines = text.split("\n")[detected.header_lines :]
    hints = dict(ex.hints)
    if not detected.header_lines and ex.wrapped:
        lines, hints["title"] = _leading_title(lines, hints.get("title"))
    body = "\n".join(lines)
    body = reflow(body) if ex.wrapped else body
    body = "\n".join(line for line in clean(body).split("\n") if line)
    if not body:
        raise LoaderError(path, "không tìm thấy nội dung văn bản")
    given = {**(ex.front or {}), **overrides}
    meta = build_meta(detected, stem=path.stem, body=body, given=given, hints=hints)
    return _validate(path, {**meta, "body": body})


def _leading_title(lines: list[str], title: str | None) -> tuple[list[str], str | None]:
    """A Markdown "# Title" first line is the title (and leaves the body); a short first line
    of plain text that does not end a sentence is taken as the title too, but stays."""
    i = next((i for i, line in enumerate(lines) if line.strip()), None)
    if i is None or title:
        return lines, title
    first = lines[i].strip()
    if m := re.match(r"#\s+(.+)", first):
        return lines[:i] + lines[i + 1 :], m.group(1).strip()
    rest = any(line.strip() for line in lines[i + 1 :])
    if rest and 3 <= len(first) <= 150 and first[-1] not in ".:;,":
        return lines, first
    return lines, None


def _validate(path: Path, fields: dict[str, Any]) -> Document:
    try:
        return Document(**fields)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            name = ".".join(str(x) for x in e["loc"])
            value = fields.get(name)
            problems.append(f"{name} = «{value}»" if value not in (None, "") else name)
        raise LoaderError(path, f"khai báo không hợp lệ ({'; '.join(problems)})") from exc


def load_file(
    path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, overrides: Mapping[str, Any] | None = None
) -> Document:
    """One file → ``Document``. ``overrides`` (title, number, issued, kind, source, id …) win
    over the front matter and over what is detected. Raises ``LoaderError``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise LoaderError(path, "không tìm thấy tệp")
    strategy = _BY_SUFFIX.get(suffix)
    if strategy is None:
        accepted = ", ".join(SUPPORTED_SUFFIXES)
        hint = f"; {_HINTS[suffix]}" if suffix in _HINTS else ""
        name = f"«{suffix}»" if suffix else "không có phần mở rộng"
        raise LoaderError(path, f"định dạng {name} không được hỗ trợ (nhận {accepted}){hint}")
    size = path.stat().st_size
    if size == 0:
        raise LoaderError(path, "tệp rỗng")
    if size > max_bytes:
        raise LoaderError(
            path, f"tệp quá lớn ({_megabytes(size)}, giới hạn {_megabytes(max_bytes)})"
        )
    try:
        extracted = strategy.extract(path, path.read_bytes())
        if not extracted.text.strip() and extracted.front is None:
            raise LoaderError(path, "không tìm thấy nội dung văn bản")
        return _to_document(path, extracted, overrides)
    except LoaderError:
        raise
    except (ValueError, OSError) as exc:
        raise LoaderError(path, str(exc)) from exc
    except RecursionError as exc:
        raise LoaderError(path, "cấu trúc tệp lồng nhau quá sâu, không đọc được") from exc
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop a run over a folder
        raise LoaderError(path, f"không đọc được tệp ({type(exc).__name__}: {exc})") from exc


def _megabytes(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",").replace(",0 ", " ")


def iter_files(paths: Iterable[Path | str]) -> Iterable[Path]:
    """Files named, and files under folders (sorted; hidden files, README.md and quiz/
    skipped). A missing path is yielded as is, for ``load_file`` to refuse."""
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not any(part in _SKIPPED_DIRS for part in f.relative_to(p).parts[:-1])
                and f.name.lower() not in _SKIPPED_FILES
            )
        else:
            found = [p]
        for f in found:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                yield f


def load_paths(
    paths: Iterable[Path | str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[list[Document], list[LoaderError]]:
    """Load every file named or under a folder named; a bad file is reported, not fatal."""
    docs: list[Document] = []
    errors: list[LoaderError] = []
    for f in iter_files(paths):
        try:
            docs.append(load_file(f, max_bytes, overrides))
        except LoaderError as exc:
            errors.append(exc)
    return docs, errors


__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "Extracted",
    "LoaderError",
    "decode_text",
    "iter_files",
    "load_file",
    "load_paths",
    "reflow",
]
