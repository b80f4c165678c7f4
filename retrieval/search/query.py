"""What a question asks, read once and used by every step: the words to search for (with
their abbreviations, synonyms and accents restored), the kind of answer wanted (a date, a
number, a list, whether something is in force), and the facts it names (documents, years,
places) that the evidence must contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from retrieval.domain.accents import restore_accents, typed_with_tones
from retrieval.domain.models import PassageKind
from retrieval.domain.text import (
    STOPWORDS,
    fold,
    folded_words,
    has_diacritics,
    is_stopword,
    syllables,
)
from retrieval.domain.vocabulary import Vocabulary
from retrieval.search.intent import head_of, question_kinds

#: Ordinal words, folded, with their number.
ORDINALS = {
    "nhat": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
    "muoi": 10,
}  # fmt: skip
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}  # fmt: skip
#: Nouns that name the members of a list in these documents (folded).
_LIST_NOUNS = (
    r"quan diem|muc tieu|nhiem vu|giai phap|bai hoc(?: kinh nghiem)?|kinh nghiem|noi dung|"
    r"linh vuc|nguyen tac|hinh thuc|hanh vi|yeu cau|quyen|nghia vu|trach nhiem|han che|"
    r"nguyen nhan|ket qua|bo phan|dieu kien|buoc|cach thuc|truong hop|trong tam|tieu chi|"
    r"bien phap|chuc nang|doi tuong|lessons?|solutions?|principles?|viewpoints?|"
    r"objectives?|tasks?|forms?|rights"
)
_LIST_QUESTION = re.compile(
    rf"\b(?:cac|nhung|may|\d+|{'|'.join(_NUMBER_WORDS)})\s+(?:{_LIST_NOUNS})\b"
    rf"|\b(?:gom|bao gom|gom co)\s+(?:nhung|cac)?\s*(?:gi|noi dung|{_LIST_NOUNS})"
    r"|\bnhung (?:gi|ai|dau)\b|\bliet ke\b|\bke ten\b|\bnhung \w+ nao\b|\bcac \w+ nao\b"
    r"|\bwhat are\b|\blist\b"
)
_ORDINAL_REF = re.compile(
    rf"\b(?:{_LIST_NOUNS})(?: \w+){{0,3}}? thu (nhat|hai|ba|tu|nam|sau|bay|tam|chin|muoi|\d+)\b"
)
_ARTICLE_REF = re.compile(r"\bdieu (\d+[a-z]?)\b")
#: "bao nhiêu quan điểm", "mấy bài học", "how many lessons": a count of a list's members.
_COUNT_OF_LIST = re.compile(rf"\b(?:bao nhieu|may|how many)\s+(?:{_LIST_NOUNS})\b")
_COUNT_IN_QUESTION = re.compile(rf"\b(\d+|{'|'.join(_NUMBER_WORDS)})\s+(?:{_LIST_NOUNS})\b")
#: "61/2018/NĐ-CP", "76/NQ-CP", "1234/VPCP-KSTT", "07-NQ/TU": a document's number.
_DOC_NUMBER = re.compile(
    r"(?<![\w/])(\d{1,5}[a-zđ]?)\s*[/-]\s*(?:(\d{4})\s*/\s*)?"
    r"([A-ZĐ][A-ZĐa-zđ&]*(?:[-/][A-ZĐ][A-ZĐa-zđ&]*)*)"
)
#: "Nghị định 63", "Nghị quyết số 30c năm 2011", "Đề án 06", "NQ 76", "NĐ 63/2010" (matched
#: on folded text).
_NAMED_ACT = re.compile(
    r"\b(nghi quyet|nghi dinh|quyet dinh|thong tu|chi thi|de an|ke hoach|cong van|nq|nd|qd|tt)\s+"
    r"(?:so\s+)?(\d{1,5}[a-z]?)(?:\s*/\s*(\d{4})|\s+nam\s+(\d{4}))?"
)
#: "Luật Cán bộ, công chức năm 2008": a law named by its name and year (folded text).
#: How officials shorten the kinds of act: "NQ 76", "NĐ 63", "QĐ 1291", "TT 02".
_ACT_ABBREVIATIONS = {"nq": "nghi quyet", "nd": "nghi dinh", "qd": "quyet dinh", "tt": "thong tu"}
_NAMED_LAW = re.compile(r"\bluat ((?:[a-z]+[ ,]+){1,8}?)(?:nam |so )?((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class NamedDocument:
    """A document the question names: as typed, and the parts that identify it."""

    text: str
    number: str = ""
    year: str = ""
    code: str = ""
    kind: str = ""
    #: The words of a law's name ("can bo cong chuc").
    name: str = ""


#: "thủ tục đăng ký kết hôn", "cấp đổi giấy phép lái xe": one procedure, named by its object.
_PROCEDURE = re.compile(
    r"\bthu tuc (?!hanh chinh)((?:[a-z]+ ){1,3}[a-z]+)"
    r"|\bcap (?:doi |lai |moi )?((?:giay phep|giay chung nhan|chung chi|can cuoc|ho chieu|"
    r"ban sao|giay khai sinh)(?: [a-z]+){0,3})"
)
_YEAR = re.compile(r"(?<![\d/])(19[5-9]\d|20[0-4]\d)(?![\d/])")

_WANTS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\b(?:ngay nao|khi nao|bao gio|thoi diem nao|nam nao|thang nao|ky ngay|"
        r"ban hanh ngay|hieu luc (?:tu|ke tu) (?:ngay|khi) nao|tu ngay nao|when)\b"
    ),
    "number": re.compile(
        r"\b(?:bao nhieu|may|so luong|ty le|phan tram|xep thu|thu may|dung thu|how many|how much)"
        r"\b|%"
    ),
    "duration": re.compile(r"\b(?:bao lau|thoi han|trong vong bao|mat bao|how long)\b"),
    "place": re.compile(
        r"\b(?:o dau|tai dau|noi nao|dia diem|where|tinh nao|thanh pho nao|dia phuong nao|"
        r"which province)\b"
    ),
    "validity": re.compile(
        r"\b(?:con hieu luc|het hieu luc|con ap dung|con dung|bi bai bo|da bai bo|"
        r"duoc sua doi|hien hanh|hien nay|con gia tri)\b"
    ),
    "person": re.compile(r"\b(?:ai la|la ai|nguoi nao|who)\b"),
    "reason": re.compile(r"\b(?:vi sao|tai sao|ly do|nguyen nhan|vi dau|why)\b"),
    # "có được nhận quà không?", "có bị cấm …?": what the rules allow or forbid
    "permission": re.compile(
        r"\b(?:co duoc(?: phep)? .{2,60} khong|duoc phep .{2,60} khong|co bi cam|bi cam|"
        r"co phai .{2,40} khong|co quyen .{2,60} khong|allowed|permitted)\b"
    ),
    "money": re.compile(
        r"\b(?:bao nhieu tien|het bao nhieu|muc luong|luong co so|le phi|phi bao nhieu|"
        r"chi phi bao nhieu|gia bao nhieu|muc phat|phat tien|phat bao nhieu)\b"
    ),
    "percent": re.compile(r"\b(?:phan tram|ty le)\b|%"),
}
_ENGLISH_WORDS = frozenset(
    """the what which who whom when where why how is are was were do does did of to in on for
    and or with by from about can may must should would will be been a an this that these those
    there their its his her our your my please tell me list give""".split()
)


@dataclass
class Query:
    """A question as every step of answering reads it."""

    text: str
    #: Accents put back on words typed without them (all or some of them).
    restored: str
    #: What the dense model reads: the restored question with abbreviations spelled out.
    dense_text: str
    #: What lexical search reads: the same, plus synonyms and the Vietnamese of English terms.
    lexical_text: str
    english: bool = False
    kinds: set[PassageKind] = field(default_factory=set)
    wants: set[str] = field(default_factory=set)
    asks_list: bool = False
    #: The question asks how many members a list has; the whole list answers it.
    counts_list: bool = False
    #: The number of items the question expects ("7 bài học" → 7).
    expected_count: int | None = None
    #: The item asked for by its place ("bài học thứ ba" → 3).
    ordinal: int | None = None
    #: "Điều 17" → "17".
    article: str | None = None
    #: The documents and years the question names.
    documents: list[NamedDocument] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    #: Years that bound a period the question names ("giai đoạn 2021-2030").
    period_years: set[str] = field(default_factory=set)
    periods: list[tuple[str, str]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    #: Content words of the question, lower-cased, with the accents typed or restored (a word
    #: without accents matches any accented form), and their alternatives (synonyms, glosses).
    words: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    #: Each phrase of the question the vocabulary knows (folded) → its other forms.
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    #: The vocabulary the question was read with: evidence is read with it too ("Chỉ số
    #: CCHC" then counts as "chỉ số cải cách hành chính").
    vocabulary: Vocabulary = field(default_factory=Vocabulary, repr=False)
    #: A procedure the question names by what it is for ("thủ tục đăng ký kết hôn").
    procedure: str | None = None
    #: What "X là gì?" asks to define (folded, abbreviations spelled out): "kiem soat thu tuc
    #: hanh chinh".
    defines: str | None = None
    #: What the steps of answering work out from the question alone, once for the many texts
    #: they read it against (``search.evidence.coverage``: its words' weights).
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def defined_in(self, text: str) -> bool:
        """Whether ``text`` defines what the question asks to define ("X là …")."""
        if not self.defines:
            return False
        folded = folded_words(text)
        return any(f"{self.defines} {w}" in folded for w in ("la", "duoc hieu la"))

    def expand(self, text: str) -> str:
        return self.vocabulary.expand(text)

    @cached_property
    def asked(self) -> frozenset[str]:
        """The question's words and their alternatives, folded."""
        alternatives = {fold(t) for a in self.alternatives for t in syllables(a)}
        return frozenset({fold(w) for w in self.words} | alternatives)

    @property
    def folded(self) -> str:
        return fold(self.restored)


def is_english(text: str) -> bool:
    """Mostly English words and no Vietnamese letters."""
    if has_diacritics(text):
        return False
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < 3:
        return False
    return sum(w in _ENGLISH_WORDS for w in words) / len(words) >= 0.25


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token) or ORDINALS.get(token)


def _wants(question: str, folded: str, toned: bool) -> set[str]:
    """What kind of fact the question asks for. Typed with its tones (``toned``), "bộ máy"
    is not "mấy": the folded cue "may" then counts only where "mấy" was written."""
    if toned and "mấy" not in question.lower():
        folded = re.sub(r"\bmay\b", " ", folded)
    return {name for name, pattern in _WANTS.items() if pattern.search(folded)}


def names_period(text: str, period: tuple[str, str]) -> bool:
    """Whether ``text`` names the ``period`` ("2011 - 2020", "2011–2020", "2011-2020")."""
    return re.search(rf"{period[0]}\s*[–-]\s*{period[1]}", text) is not None


def analyse(question: str, vocabulary: Vocabulary, accent_forms: dict[str, str]) -> Query:
    """Read a (cleaned) question."""
    english = is_english(question)
    restored = question if english else restore_accents(question, accent_forms)
    glosses = vocabulary.english_terms(question) if english else []
    expanded = vocabulary.expand(restored)
    synonyms = vocabulary.synonyms_in(expanded)
    alternatives = list(dict.fromkeys(o for others in synonyms.values() for o in others))
    folded = fold(expanded)
    dense_text = expanded if not glosses else f"{expanded} ({'; '.join(glosses)})"
    lexical_text = " ; ".join([expanded, *alternatives, *glosses])

    toks = syllables(vocabulary.expand(restored, keep=False))
    toned = typed_with_tones(question)
    if not toned:
        # Accents put back by ``restore_accents`` guide the dense model, but words are matched
        # as typed: a wrong guess ("nhân quả" for "nhan qua") must not hide "nhận quà".
        toks = [fold(t) for t in toks]
    if english:  # the English words themselves match nothing in Vietnamese passages
        toks = [t for g in glosses for t in syllables(g)]
    words = list(dict.fromkeys(t for t in toks if not is_stopword(t)))
    # Pairs of two content words: "thủ tục" and "thủ tướng" differ; "muốn phân" says nothing.
    pairs = [
        (a, b)
        for a, b in zip(toks, toks[1:], strict=False)
        if not is_stopword(a) and not is_stopword(b)
    ]
    lexical_folded = fold(lexical_text)
    query = Query(
        text=question,
        restored=restored,
        dense_text=dense_text,
        lexical_text=lexical_text,
        english=english,
        kinds=question_kinds(lexical_folded),
        wants=_wants(question, lexical_folded, toned),
        words=words,
        pairs=list(dict.fromkeys(pairs)),
        alternatives=[*alternatives, *glosses],
        synonyms=synonyms,
        vocabulary=vocabulary,
        places=vocabulary.places_in(restored),
    )
    query.counts_list = bool(_COUNT_OF_LIST.search(head_of(lexical_folded)))
    query.asks_list = query.counts_list or bool(_LIST_QUESTION.search(head_of(lexical_folded)))
    if m := _COUNT_IN_QUESTION.search(folded):
        query.expected_count = _number(m.group(1))
    if m := _ORDINAL_REF.search(lexical_folded):
        query.ordinal = _number(m.group(1))
        query.asks_list = query.counts_list = False  # one item of a list, by its place
    if m := _ARTICLE_REF.search(folded):
        query.article = m.group(1)
    query.documents = named_documents(question)
    if m := _PROCEDURE.search(fold(restored)):
        words = [w for w in (m.group(1) or m.group(2)).split() if w not in STOPWORDS]
        query.procedure = " ".join(words[:3]) if len(words) >= 2 else None
    query.years = list(dict.fromkeys(_YEAR.findall(question)))
    query.periods = [
        (m.group(1), m.group(2)) for m in re.finditer(r"(\d{4})\s*[–-]\s*(\d{4})", question)
    ]
    query.period_years = {y for period in query.periods for y in period}
    query.defines = _defined(fold(vocabulary.expand(restored, keep=False)))
    return query


_DEFINITION = re.compile(
    r"^(?:(?:khai niem|dinh nghia|the nao la|the nao duoc goi la)\s+)?(?P<x>.+?)\s+"
    r"(?:la gi|nghia la gi|duoc hieu (?:la gi|nhu the nao)|la the nao)\s*$"
    r"|^(?:khai niem|dinh nghia|the nao la|the nao duoc goi la)\s+(?P<y>.+?)\s*$"
)


def _defined(folded: str) -> str | None:
    """The subject of "X là gì?", "Thế nào là X?", "Khái niệm X": two words at least."""
    m = _DEFINITION.match(folded_words(folded))
    if m is None:
        return None
    subject = m.group("x") or m.group("y")
    return subject if len(subject.split()) >= 2 else None


def named_documents(question: str) -> list[NamedDocument]:
    """The documents a question names by number or, for a law, by name and year."""
    folded = fold(question)  # same length as the (NFC) question: spans map back
    found: list[NamedDocument] = []
    taken: list[tuple[int, int]] = []
    for m in _DOC_NUMBER.finditer(question):
        code = fold(m.group(3))
        if not re.search(r"[a-z]{2}", code):
            continue  # "2021-2030" and the like are not document numbers
        start = m.start()
        if act := re.search(
            r"\b(nghi quyet|nghi dinh|quyet dinh|thong tu|chi thi|cong van)\s+(?:so\s+)?$",
            folded[:start],
        ):
            start = act.start()
        found.append(
            NamedDocument(question[start : m.end()], m.group(1).lower(), m.group(2) or "", code)
        )
        taken.append((start, m.end()))
    for m in _NAMED_ACT.finditer(folded):
        if any(a <= m.start() < b for a, b in taken):
            continue
        year = m.group(3) or m.group(4) or ""
        kind = _ACT_ABBREVIATIONS.get(m.group(1), m.group(1))
        found.append(NamedDocument(question[m.start() : m.end()], m.group(2), year, kind=kind))
    for m in _NAMED_LAW.finditer(folded):
        name = " ".join(m.group(1).replace(",", " ").split())
        found.append(
            NamedDocument(question[m.start() : m.end()], year=m.group(2), kind="luat", name=name)
        )
    return found
