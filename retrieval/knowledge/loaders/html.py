"""Web pages (.html, .htm): the article, without the site's furniture (menus, sharing buttons,
related links, comments, footers), with its title, date and address as hints.

Parsed with ``lxml.html`` and a parser that reads no network and no DTD, expands no entities
of its own, and keeps libxml2's limits on depth and size (``huge_tree`` off).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from retrieval.domain.errors import LoaderError
from retrieval.domain.text import fold
from retrieval.knowledge.header import parse_date
from retrieval.knowledge.loaders.base import Extracted
from retrieval.knowledge.loaders.encoding import decode_text

_SKIP_TAGS = {
    "script", "style", "noscript", "template", "svg", "iframe", "object", "canvas",
    "nav", "header", "footer", "aside", "form", "button", "select", "input", "textarea",
    "menu", "dialog", "head",
}  # fmt: skip
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
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)

Element = lxml_html.HtmlElement


def _parse(text: str) -> Element | None:
    """The page's root element; ``None`` for a page with nothing in it. A page past libxml2's
    limits (nesting deeper than 256) is refused rather than read in part."""
    parser = lxml_html.HTMLParser(  # one per call: an lxml parser is not shared across threads
        no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
        default_doctype=False, collect_ids=False,
    )  # fmt: skip
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log):
        raise LoaderError("file_too_deep")  # libxml2 stopped: nesting past 256, or a huge node
    return root


def _elements(root: Element) -> list[Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _classes(el: Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _hidden_or_furniture_tag(el: Element) -> bool:
    if el.tag in _SKIP_TAGS or el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.get("role", "").lower() in _FURNITURE_ROLES:
        return True
    return bool(re.search(r"display\s*:\s*none", el.get("style", ""), re.IGNORECASE))


def _furniture_class(el: Element) -> bool:
    return bool(_FURNITURE_ATTR.search(_classes(el)))


def _text_len(el: Element) -> int:
    return sum(len(t.strip()) for t in el.itertext())


def _prune(root: Element, drop: Any, keep_over: int | None = None) -> None:
    """Remove the elements that ``drop`` says are furniture (their tails stay), except a
    wrapper holding more than ``keep_over`` characters of text (a page-wide "has-sidebar"
    class is not furniture). Parents are judged before their children."""
    for el in _elements(root)[1:]:
        if drop(el) and not (keep_over is not None and _text_len(el) > keep_over):
            el.drop_tree()


def _article_root(root: Element) -> Element:
    """The article body: itemprop=articleBody, else the largest <article>, else <main>, else
    the largest element whose class or id says content, else <body>."""
    nodes = _elements(root)
    body = next((n for n in nodes if n.tag == "body"), root)
    total = _text_len(body) or 1
    for test in (
        lambda n: n.get("itemprop") == "articleBody",
        lambda n: n.tag == "article",
        lambda n: n.tag == "main" or n.get("role") == "main",
        lambda n: (
            n.tag in ("div", "section", "td")
            and bool(_CONTENT_ATTR.search(_classes(n)))
            and not _furniture_class(n)
        ),
    ):
        found = [n for n in nodes if test(n)]
        if found:
            best = max(found, key=_text_len)
            if _text_len(best) >= 0.2 * total:
                return best
    return body


def _render(el: Element, out: list[str], skip: Element | None) -> None:
    """The text of ``el``'s content, a line per block, "#"s for headings, "- " for items."""
    if el.text:
        out.append(re.sub(r"\s+", " ", el.text))
    for c in el:
        if c is not skip and isinstance(c.tag, str):
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
        if c.tail:
            out.append(re.sub(r"\s+", " ", c.tail))


def _text_of(el: Element | None) -> str:
    if el is None:
        return ""
    out: list[str] = []
    _render(el, out, skip=None)
    return " ".join("".join(out).split())


def _meta_content(root: Element, *keys: str) -> str | None:
    for n in root.iter("meta"):
        if n.get("property") in keys or n.get("name") in keys:
            if value := (n.get("content") or "").strip():
                return value
    return None


class HtmlStrategy:
    suffixes = (".html", ".htm")

    def extract(self, data: bytes) -> Extracted:
        m = _CHARSET.search(data[:4096].decode("ascii", errors="ignore"))
        root = _parse(decode_text(data, m.group(1).lower() if m else None))
        if root is None:
            return Extracted("")
        hints: dict[str, Any] = {"kind": "tin bài"}
        title_tag = next(root.iter("title"), None)
        page_title = _text_of(title_tag).split(" | ")[0].strip()
        published = _meta_content(root, "article:published_time", "pubdate", "date")
        time_tag = next((n.get("datetime") for n in root.iter("time") if n.get("datetime")), None)
        hints["issued"] = parse_date(published or time_tag)
        canonical = (n.get("href") for n in root.iter("link") if n.get("rel") == "canonical")
        hints["source"] = _meta_content(root, "og:url") or next(canonical, None)
        og_title = _meta_content(root, "og:title")
        # An h1 in a pruned <header> of the article still names it: ancestors as parsed.
        h1s = [(n, [n, *n.iterancestors()]) for n in root.iter("h1")]
        _prune(root, _hidden_or_furniture_tag)
        article = _article_root(root)
        _prune(article, _furniture_class, keep_over=int(_text_len(article) * 0.6))
        h1 = next((n for n, up in h1s if any(u is article for u in up)), None)
        outside = _text_of(h1s[0][0]) if h1s else None
        hints["title"] = _text_of(h1) or og_title or page_title or outside or None
        out: list[str] = []
        _render(article, out, skip=h1)
        lines = [ln.strip(" |") for ln in "".join(out).split("\n")]
        text = "\n".join(ln for ln in lines if fold(ln.strip(" |»›>-:")) not in _FURNITURE_LINES)
        return Extracted(text, hints=hints)
