"""Vietnamese text handling: NFC, accent folding, syllables, bigrams and abbreviations."""

from __future__ import annotations

import re
import unicodedata

SYLLABLE = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])")
_ENUMERATOR = re.compile(r"\(?(\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]")
_SPACES = re.compile(r"[ \t\u00a0]+")

#: Abbreviations common in administrative texts, expanded for the dense model.
ABBREVIATIONS: dict[str, str] = {
    "CCHC": "cải cách hành chính",
    "TTHC": "thủ tục hành chính",
    "CBCCVC": "cán bộ, công chức, viên chức",
    "CBCC": "cán bộ, công chức",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "NQ": "Nghị quyết",
    "NĐ": "Nghị định",
    "QĐ": "Quyết định",
    "TT": "Thông tư",
    "CT": "Chỉ thị",
    "DVC": "dịch vụ công",
    "DVCTT": "dịch vụ công trực tuyến",
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "BCĐ": "Ban Chỉ đạo",
    "TW": "Trung ương",
    "TƯ": "Trung ương",
    "CNTT": "công nghệ thông tin",
    "KT-XH": "kinh tế - xã hội",
    "PAR INDEX": "Chỉ số cải cách hành chính",
    "SIPAS": "Chỉ số hài lòng của người dân",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "TT&TT": "Thông tin và Truyền thông",
}
# Whole tokens only, and never inside a document number such as 76/NQ-CP.
_ABBR = re.compile(
    r"(?<![\w/-])("
    + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w/-])"
)

#: Function words that carry no topic; dropped from lexical queries and from coverage.
STOPWORDS: frozenset[str] = frozenset(
    """là gì của và các những được có cho với trong này đó thì mà như nào bao nhiêu thế sao
    ra về để từ khi nêu hãy xin vui lòng giúp tôi mình cho biết ạ không hay hoặc nên
    đã đang sẽ rằng theo tại trên dưới bị một vì do nếu ở ai hỏi muốn cần phải làm
    việc gồm bao_gồm gi la cua va cac nhung duoc co voi trong nay do thi ma nhu nao
    bao nhieu the ve de tu khi neu hay xin giup toi minh biet a khong hoac nen da dang se
    rang tai tren duoi bi mot vi neu o ai hoi muon can phai lam viec gom""".split()
)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, no control characters, single spaces; newlines kept."""
    text = nfc(text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(lines).strip()


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese accents (đ→d), for phone typing without tone marks."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def syllables(text: str) -> list[str]:
    """Lower-cased syllables (Vietnamese words are space-separated syllables)."""
    return [m.group(0) for m in SYLLABLE.finditer(nfc(text).lower())]


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def lexical_terms(text: str) -> list[str]:
    """Syllables plus syllable bigrams, the unit of the lexical index."""
    toks = syllables(text)
    return toks + bigrams(toks)


def content_syllables(text: str) -> list[str]:
    """Syllables without function words, folded: what a question is about."""
    return [t for t in (fold(s) for s in syllables(text)) if t not in STOPWORDS]


def is_all_caps(text: str) -> bool:
    """Whether every letter is a capital (at least two letters): "QUYẾT ĐỊNH", "UBND"."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def expand_abbreviations(text: str) -> str:
    """'CCHC' → 'cải cách hành chính (CCHC)'; keeps the abbreviation for exact matches."""
    return _ABBR.sub(lambda m: f"{ABBREVIATIONS[m.group(1)]} ({m.group(1)})", text)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; never splits inside '76/NQ-CP' or '15/7/2021'."""
    out: list[str] = []
    for para in text.split("\n"):
        pieces = [s.strip() for s in _SENTENCE_END.split(para.strip()) if s.strip()]
        for piece in pieces:
            if out and _ENUMERATOR.fullmatch(out[-1]):
                out[-1] = f"{out[-1]} {piece}"  # "1." or "IV." opens an item, not a sentence
            else:
                out.append(piece)
    return out
