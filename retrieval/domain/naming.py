"""One way to name things for a reader: documents, articles, kinds, dates and numbers.

Everything a face shows about a document goes through here, so that the terminal, Telegram,
quiz explanations and admin previews call a decree by the same name and write a date, a
decimal and a long title the same way (Vietnamese conventions: 15/07/2021, 1.234, 12,5 %).
"""

from __future__ import annotations

import datetime as dt
import textwrap

from retrieval.domain.models import DocumentMeta, Passage

ELLIPSIS = "…"

KIND_LABELS: dict[str, str] = {
    "quan_diem": "Quan điểm",
    "muc_tieu": "Mục tiêu",
    "nhiem_vu": "Nhiệm vụ",
    "giai_phap": "Giải pháp",
    "bai_hoc": "Bài học kinh nghiệm",
    "ket_qua": "Kết quả",
    "han_che": "Hạn chế",
    "nguyen_nhan": "Nguyên nhân",
    "quy_dinh": "Quy định",
    "khac": "Thông tin khác",
}


# -- text and numbers --------------------------------------------------------------------------
def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters with "…"
    (a single word longer than the limit is cut inside, as nothing else fits)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = textwrap.shorten(text, width=limit, placeholder=ELLIPSIS)
    if cut == ELLIPSIS:  # one word longer than the limit
        return text[: limit - 1] + ELLIPSIS
    return cut[: -len(ELLIPSIS)].rstrip(' ,;:.-–(«“"') + ELLIPSIS


def number(n: int) -> str:
    """1234567 → "1.234.567"."""
    return f"{n:,}".replace(",", ".")


def decimal(x: float, digits: int = 1) -> str:
    """1.25 → "1,3" (a decimal comma; thousands with dots)."""
    whole = f"{x:,.{digits}f}"
    return whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share: float, digits: int = 1) -> str:
    """0.125 → "12,5%"."""
    return f"{decimal(share * 100, digits)}%"


def megabytes(n_bytes: int) -> str:
    """1.5 MB as "1,5 MB"; under 1 MB in KB."""
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.0f} KB"
    return f"{decimal(n_bytes / 1024 / 1024)} MB".replace(",0 ", " ")


def seconds(s: float) -> str:
    return f"{decimal(s)} giây"


def date(d: dt.date | None) -> str | None:
    """15/07/2021."""
    return d.strftime("%d/%m/%Y") if d else None


# -- documents and passages ------------------------------------------------------------------
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, KIND_LABELS["khac"])


def document_date(doc: DocumentMeta) -> str | None:
    return date(doc.issued)


def document_short_name(doc: DocumentMeta) -> str:
    """What officials call a document: "Nghị quyết 76/NQ-CP"; its title when it has no
    number (news articles, reports)."""
    if doc.number:
        kind = doc.kind.capitalize() if doc.kind not in ("khác", "tin bài", "pháp điển") else ""
        return f"{kind} {doc.number}".strip()
    return doc.title


def document_facts(doc: DocumentMeta) -> list[str]:
    """ "số 76/NQ-CP", "ngày 15/07/2021": the number and date, where known."""
    facts = []
    if doc.number:
        facts.append(f"số {doc.number}")
    if when := document_date(doc):
        facts.append(f"ngày {when}")
    return facts


def document_label(doc: DocumentMeta) -> str:
    """ "Title — số 76/NQ-CP — ngày 15/07/2021"."""
    return " — ".join([doc.title, *document_facts(doc)])


def passage_place(passage: Passage) -> str:
    """Where a passage sits: its section, and for a codified article the provision it comes
    from ("mục: … — trích Điều 29 Nghị định số 63/2010/NĐ-CP")."""
    place = f"mục: {passage.section}"
    if passage.origin:
        place += f" — trích {passage.origin}"
    return place


#: Kinds of document that are legal or administrative instruments: their validity ("còn hiệu
#: lực", "hết hiệu lực") means something. News articles, reports and the like have none.
KINDS_WITH_VALIDITY = frozenset(
    {
        "nghị quyết",
        "nghị định",
        "quyết định",
        "thông tư",
        "chỉ thị",
        "luật",
        "kế hoạch",
        "công văn",
        "pháp điển",
    }
)


def validity(doc: DocumentMeta) -> str | None:
    """A document's validity for a list of documents ("còn hiệu lực"; "bị thay thế, thay thế
    bởi …"), or None for a document that has none: a news article or a report shows no
    "còn hiệu lực" (one explicitly marked out of force still shows it)."""
    if doc.kind not in KINDS_WITH_VALIDITY and doc.in_force:
        return None
    if doc.in_force or not doc.replaced_by:
        return doc.status
    return f"{doc.status}, thay thế bởi {doc.replaced_by}"


def validity_note(passage: Passage, doc: DocumentMeta) -> str | None:
    """A warning when the words cited are no longer (wholly) in force, else None."""
    notes = []
    if doc.status != "còn hiệu lực":
        replaced = f", thay thế bởi {doc.replaced_by}" if doc.replaced_by else ""
        notes.append(f"Văn bản {doc.status}{replaced}.")
    if passage.status == "bị bãi bỏ":
        notes.append(f"Điều khoản này đã bị bãi bỏ ({passage.status_note}).")
    elif passage.status == "được sửa đổi":
        notes.append(f"Điều khoản này đã được sửa đổi ({passage.status_note}).")
    if doc.status_note and doc.status != "còn hiệu lực":
        notes.append(doc.status_note)
    return " ".join(notes) or None


def item_prefix(label: str | None, n: int, text: str) -> str:
    """What to write before the ``n``-th item of a list: nothing when its text already
    starts with its label ("Thứ nhất, …", "1. …"), else "3. ", "b) " or its place."""
    if label and text.lower().startswith(label.lower()):
        return ""
    if label and label.isdigit():
        return f"{label}. "
    if label and len(label) == 1 and label.isalpha():
        return f"{label}) "
    return f"{n}. "
