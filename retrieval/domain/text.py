"""Vietnamese text handling: NFC, accent folding, syllables, bigrams and sentences."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SYLLABLE = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*", re.UNICODE)
#: Every capital letter of Vietnamese writing: A–Z, Đ and the accented capitals (a class such as
#: ``À-Ỹ`` would also take in the lower-case letters that sit between them in Unicode).
UPPER = "".join(
    c
    for c in map(chr, range(0x41, 0x1F00))
    if c.isupper() and unicodedata.name(c, "").startswith("LATIN CAPITAL")
)
LOWER = "".join(
    c
    for c in map(chr, range(0x61, 0x1F00))
    if c.islower() and unicodedata.name(c, "").startswith("LATIN SMALL")
)
# A sentence ends at . ! ? or … (closing quotes and brackets stay with it), before white space
# and a capital letter or digit (possibly behind an opening quote or bracket) …
_SENTENCE_END = re.compile(rf"[.!?…]+[”\"’»)\]]*\s+(?=[\"“‘«(\[]?[{UPPER}0-9])")
# … or where a full stop was typed without its space ("quần chúng.Cần nâng cao").
_GLUED_END = re.compile(rf"(?<=[{LOWER}]{{2}}[.!?])(?=[{UPPER}][{LOWER}])")
#: Abbreviations that end with a full stop without ending a sentence.
_NOT_AN_END = re.compile(r"(?:\b(?:TP|Tp|ThS|TS|PGS|GS|BS|KS|Th|St|v\.v|Mr|Mrs|Ms)|\b[A-ZĐ])\.$")
_ENUMERATOR = re.compile(r"\(?(\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]")
_SPACES = re.compile(r"[ \t\u00a0]+")

#: Function words that carry no topic; dropped from lexical queries and from coverage.
STOPWORDS: frozenset[str] = frozenset(
    """là gì của và các những được có cho với trong này đó thì mà như nào bao nhiêu thế sao
    ra về để từ khi nêu hãy xin vui lòng giúp tôi mình cho biết ạ không hay hoặc nên
    đã đang sẽ rằng theo tại trên dưới bị một vì do nếu ở ai hỏi muốn cần phải làm
    việc gồm bao_gồm gi la cua va cac nhung duoc co voi trong nay do thi ma nhu nao
    bao nhieu the ve de tu khi neu hay xin giup toi minh biet a khong hoac nen da dang se
    rang tai tren duoi bi mot vi neu o ai hoi muon can phai lam viec gom
    giữa giua khỏi khoi em anh chị chi nhé nhe vậy vay ơi oi dạ da""".split()
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


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


#: Every Latin letter with marks (and every combining mark) → its base letter: one
#: ``str.translate`` instead of decomposing each character, as ``fold`` runs on every
#: passage a question meets.
_FOLD_TABLE = {
    cp: (_fold_slow(chr(cp)) or None)
    for cp in [*range(0x00C0, 0x0250), *range(0x0300, 0x0370), *range(0x1E00, 0x1F00)]
    if _fold_slow(chr(cp)) != chr(cp)
}
_FOLD_TABLE.update({ord("đ"): "d", ord("Đ"): "d"})


@lru_cache(maxsize=16_384)
def fold(text: str) -> str:
    """Lower-case and strip Vietnamese accents (đ→d), for phone typing without tone marks.
    Remembered: the same passages are folded for question after question."""
    return text.lower().translate(_FOLD_TABLE)


@lru_cache(maxsize=16_384)
def folded_words(text: str) -> str:
    """``text`` folded, its words joined by single spaces, punctuation gone: what a phrase
    is looked for in ("kiem soat thu tuc hanh chinh la")."""
    return " ".join(re.sub(r"[^\w]", " ", fold(text)).split())


def syllables(text: str) -> list[str]:
    """Lower-cased syllables (Vietnamese words are space-separated syllables)."""
    return SYLLABLE.findall(nfc(text).lower())


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


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


@lru_cache(maxsize=65536)
def tone_key(syllable: str) -> str:
    """A syllable lower-cased with its tone mark moved to the end, so that the old and new
    placements agree ("hoà" = "hòa") while the tones still differ ("quà" ≠ "qua")."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = "".join(ch for ch in decomposed if ch in _TONE_MARKS)
    rest = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", rest) + tones


_STOP_SPELLED = frozenset(tone_key(w) for w in STOPWORDS if has_diacritics(w))
_STOP_FOLDED = frozenset(fold(w) for w in STOPWORDS)


def is_stopword(syllable: str) -> bool:
    """A function word ("của", "là", "gì"). Typed with accents, only the function word
    itself is one ("cửa" of "một cửa" is not); typed without, every word it may stand for."""
    if has_diacritics(syllable):
        return tone_key(syllable) in _STOP_SPELLED
    return syllable.lower() in _STOP_FOLDED


def _sentence_cuts(line: str) -> list[int]:
    """Where the sentences of one line start (after the first)."""
    cuts = []
    for m in _SENTENCE_END.finditer(line):
        if not _NOT_AN_END.search(line[: m.start() + 1]):
            cuts.append(m.end())
    cuts += [m.start() for m in _GLUED_END.finditer(line)]
    return sorted(set(cuts))


def sentence_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line, white space trimmed. A line that opens
    with an enumerator ("1.", "a)", "IV.") keeps it with its first sentence."""
    bounds = [0, *_sentence_cuts(line), len(line)]
    spans = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        while start < end and line[start].isspace():
            start += 1
        while end > start and line[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if spans and _ENUMERATOR.fullmatch(line[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], end)  # "1." or "IV." opens an item, not a sentence
        else:
            spans.append((start, end))
    return spans


def split_sentences(text: str) -> list[str]:
    """Sentences, line by line; never splits inside "76/NQ-CP", "15/7/2021", "TP. Hà Nội" or
    at a semicolon (the items of an enumeration stay in their sentence)."""
    out: list[str] = []
    for line in text.split("\n"):
        out += [line[a:b] for a, b in sentence_spans(line)]
    return out


def split_clauses(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a sentence: cut after ";" and ":", then after ",";
    every piece keeps its punctuation."""
    spans: list[tuple[int, int]] = []
    start = 0
    # Not between two numbers ("Nghị quyết 18, 19"): that comma lists, it does not join clauses.
    for m in re.finditer(r"[;:]\s+|(?<!\d),\s+|(?<=\d),\s+(?!\d)", sentence):
        spans.append((start, m.start() + 1))
        start = m.end()
    spans.append((start, len(sentence)))
    return [(a, b) for a, b in spans if sentence[a:b].strip()]
