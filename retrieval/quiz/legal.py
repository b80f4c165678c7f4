"""Codified law as a quiz sees it: which act and article a passage is, whether it is still the
law, and whether a clause can be asked as written.

The Pháp điển names its articles by code ("Điều 44.5.NĐ.20") and says where each comes from in
a status line: "(Điều 20 Nghị định số 63/2010/NĐ-CP, có hiệu lực …, có nội dung được sửa đổi
bởi Điều 1 Nghị định số 92/2017/NĐ-CP …)". A question names the act and the article instead
("Điều 20 Nghị định 63/2010/NĐ-CP"): a learner cannot look a Pháp điển code up.

A status line tells when an article was repealed or rewritten, but not when a later act moved
a role by a phrase swap elsewhere: the consolidated text of some articles still gives the
kiểm soát role to Bộ Tư pháp, which Nghị định 92/2017/NĐ-CP gave back to Văn phòng Chính phủ.
Those phrases are listed, with their reason, in ``knowledge/quiz/legal.yaml``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from retrieval.domain.models import Passage
from retrieval.knowledge.chunking import SEP
from retrieval.quiz.wording import norm

_CODE = re.compile(r"^Điều\s+(\d+\.\d+\.[A-ZĐ]+\.\d+(?:\.\d+)?[a-z]?)\.?\s")
_STATUS = re.compile(r"^\((?:Điều|Khoản|Điểm)\s.*hiệu lực.*\)$")
_ORIGIN = re.compile(
    r"^(?P<article>(?:Điều|Khoản|Điểm) [\w.]+(?: (?:Điều|Khoản) [\w.]+)*) "
    r"(?P<kind>Nghị định|Thông tư liên tịch|Thông tư|Quyết định|Luật|Nghị quyết) "
    r"(?:số )?(?P<number>[\w./-]+)"
)
_ACT = re.compile(
    r"(?P<kind>Nghị định|Thông tư liên tịch|Thông tư|Quyết định) số (?P<number>\d+/\d{4}/[\w-]+)"
)
#: Wording that cannot be answered out of its article: "thời hạn này", "khoản 1 Điều 13 của
#: Nghị định này", "Điều này", "quy định tại khoản …".
_UNANSWERABLE = re.compile(
    r"thời hạn này|(?:quy định|nêu) tại (?:các )?(?:khoản|điểm|điều)|"
    r"(?:khoản|điểm) \d+\w? (?:Điều|điều)|(?:Điều|Khoản|điểm|khoản) này\b|"
    r"(?:trên|dưới) đây|nói trên",
    re.IGNORECASE,
)
_THIS_ACT = re.compile(r"\b(Nghị định|Thông tư|Quyết định) này\b")


class OutdatedPhrase(BaseModel):
    """A phrase that makes a provision out of date, and why."""

    model_config = ConfigDict(extra="forbid")

    phrase: str = Field(min_length=3)
    reason: str = Field(min_length=10)


class LegalRules(BaseModel):
    """``knowledge/quiz/legal.yaml``: the acts questions may rest on and the stale phrases."""

    model_config = ConfigDict(extra="forbid")

    #: Numbers of the acts whose articles the generators may ask about ("63/2010/NĐ-CP");
    #: the others (ministries' circulars of a single sector) are left to curated questions.
    acts: list[str] = []
    outdated: list[OutdatedPhrase] = []


def article_code(section: str) -> str | None:
    """ "44.5.NĐ.20" from a section path ending in a codified article."""
    m = _CODE.match(section.split(SEP)[-1])
    return m.group(1) if m else None


@dataclass
class Article:
    """One codified article: its passages, what it comes from and what changed it."""

    code: str
    passages: list[Passage] = field(default_factory=list)
    article: str | None = None  # "Điều 20"
    act_kind: str | None = None  # "Nghị định"
    act_number: str | None = None  # "63/2010/NĐ-CP"
    amended_by: list[str] = field(default_factory=list)  # ["Nghị định 92/2017/NĐ-CP"]
    repealed: bool = False

    @property
    def act(self) -> str | None:
        return f"{self.act_kind} {self.act_number}" if self.act_kind else None

    @property
    def citation(self) -> str | None:
        """ "Điều 20 Nghị định 63/2010/NĐ-CP"."""
        return f"{self.article} {self.act}" if self.article and self.act else None

    @property
    def amendment_note(self) -> str:
        """ "sửa đổi năm 2017", or "" for an article never amended: the year of the latest
        amending act, whose wording the consolidated text carries."""
        if not self.amended_by:
            return ""
        year = re.search(r"/(\d{4})/", self.amended_by[-1])
        return f"sửa đổi năm {year.group(1)}" if year else f"sửa đổi bởi {self.amended_by[-1]}"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.passages)


def _parse_status(article: Article, line: str) -> None:
    inner = line.strip("() ")
    m = _ORIGIN.match(inner)
    if m:
        article.article = m.group("article")
        article.act_kind = m.group("kind")
        article.act_number = m.group("number").rstrip(",.")
    tail = inner.split("sửa đổi bởi", 1)[1] if "sửa đổi bởi" in inner else ""
    if "bổ sung bởi" in inner and not tail:
        tail = inner.split("bổ sung bởi", 1)[1]
    article.amended_by = [f"{a.group('kind')} {a.group('number')}" for a in _ACT.finditer(tail)]
    article.repealed = "bị bãi bỏ" in inner


def articles(passages: list[Passage]) -> dict[str, Article]:
    """Every codified article among ``passages``, by code, in order."""
    found: dict[str, Article] = {}
    for p in passages:
        code = article_code(p.section)
        if not code:
            continue
        art = found.setdefault(code, Article(code))
        art.passages.append(p)
        for line in p.text.split("\n")[1:3]:
            if _STATUS.match(line.strip()) and art.article is None:
                _parse_status(art, line.strip())
        if p.status == "bị bãi bỏ":
            art.repealed = True
    return found


@dataclass
class Legal:
    """The articles of the knowledge base and the rules for asking about them."""

    passages: list[Passage]
    rules: LegalRules = field(default_factory=LegalRules)
    by_code: dict[str, Article] = field(init=False)
    _of_passage: dict[tuple[str, int], Article] = field(init=False)

    def __post_init__(self) -> None:
        by_doc: dict[str, list[Passage]] = defaultdict(list)
        for p in self.passages:
            by_doc[p.doc_id].append(p)
        self.by_code = {}
        self._of_passage = {}
        for doc_passages in by_doc.values():
            for code, art in articles(doc_passages).items():
                self.by_code.setdefault(code, art)
                for p in art.passages:
                    self._of_passage[(p.doc_id, p.ordinal)] = art

    def of(self, passage: Passage) -> Article | None:
        return self._of_passage.get((passage.doc_id, passage.ordinal))

    def askable_act(self, art: Article) -> bool:
        """An article of one of the acts the generators may ask about."""
        return art.act_number is not None and art.act_number in self.rules.acts

    def stale(self, text: str) -> str | None:
        """Why ``text`` is no longer the law as written (an outdated phrase), or None."""
        folded = norm(text)
        for item in self.rules.outdated:
            if norm(item.phrase) in folded:
                return f"«{item.phrase}»: {item.reason}"
        return None

    def current(self, art: Article, text: str) -> str | None:
        """Why ``text`` of ``art`` may not be asked as current law, or None when it may."""
        if art.repealed:
            return "điều đã bị bãi bỏ"
        return self.stale(text)


def unanswerable(text: str) -> bool:
    """Whether ``text`` points elsewhere ("thời hạn này", "quy định tại khoản 1 Điều 13")."""
    return bool(_UNANSWERABLE.search(text))


def name_this_act(text: str, art: Article) -> str:
    """ "Nghị định này" written as the act it means: "Nghị định 63/2010/NĐ-CP"."""
    if not art.act:
        return text
    return _THIS_ACT.sub(lambda m: art.act if m.group(1) == art.act_kind else m.group(0), text)
