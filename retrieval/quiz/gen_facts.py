"""Questions on facts the text states exactly: dates of acts, yearly ranks, legal deadlines."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from retrieval.domain.models import Passage
from retrieval.domain.naming import ELLIPSIS, shorten
from retrieval.domain.naming import date as format_date
from retrieval.domain.quiz import MAX_QUESTION
from retrieval.quiz.assemble import Draft, pick
from retrieval.quiz.corpus import Corpus, article_code
from retrieval.quiz.wording import clauses, dates_in, numbers_in

ACT = (
    r"(?P<act>Nghị quyết|Nghị định|Thông tư liên tịch|Thông tư|Quyết định|Chỉ thị) "
    r"(?:số )?(?P<num>\d+[\w.]*[/-][\w/.-]*[A-ZĐ][\w/.-]*)"
)
DATE = r"(?P<date>\d{1,2}/\d{1,2}/\d{4}|\d{1,2} tháng \d{1,2} năm \d{4})"
_ISSUED_AFTER = re.compile(ACT + r"(?P<mid>[^;()]{0,160}?)\bngày " + DATE)
_ISSUED_BEFORE = re.compile(r"[Nn]gày " + DATE + r",? (?P<mid>[^.;()]{0,100}?)ban hành " + ACT)
_EFFECTIVE = re.compile(
    ACT + r"(?P<mid>[^;()]{0,220}?),? có hiệu lực thi hành (?:kể )?từ ngày " + DATE
)
_ACT_ONLY = re.compile(ACT)
_RANK = re.compile(r"năm (\d{4}) xếp thứ (\d{1,3})/(\d{1,3})")
_SUBJECT_END = re.compile(r" hằng năm| hàng năm| được| đã| tăng| giảm|,")
_DURATION = re.compile(
    r"(?<=\s)(?:trước|sau|là|hạn|quá|kỳ|trong|nhất|vòng|đa) (?P<n>\d{1,3}) "
    r"(?P<unit>ngày làm việc|ngày|tháng)(?!\w)"
)
_LADDER = {"ngày": [2, 3, 5, 7, 10, 15, 20, 30, 45, 60], "tháng": [1, 3, 6, 9, 12]}


def main_acts(corpus: Corpus) -> set[str]:
    """Numbers of the acts the knowledge base is about: each document's own number, those
    named in its title, summary or status note, and the sources of codified articles."""
    acts: set[str] = set()
    for doc in corpus.documents:
        if doc.number:
            acts.add(doc.number)
        for text in (doc.title, doc.summary, doc.status_note or ""):
            acts.update(m.group("num") for m in _ACT_ONLY.finditer(text))
            acts.update(re.findall(r"\b\d+/\d{4}/[A-ZĐ][\w-]+", text))
    for p in corpus.live:
        if p.origin:
            acts.update(m.group("num") for m in _ACT_ONLY.finditer(p.origin))
    return acts


def _date(raw: str) -> dt.date | None:
    found = dates_in(raw if "/" in raw else f"ngày {raw}")
    return next(iter(found)) if found else None


def _shifted(d: dt.date) -> list[dt.date]:
    out = []
    for day, month, year in (
        (d.day, d.month + 1, d.year),
        (d.day, d.month - 1, d.year),
        (d.day + 7, d.month, d.year),
        (d.day - 5, d.month, d.year),
        (d.day, d.month, d.year - 1),
        (d.day, d.month, d.year + 1),
    ):
        try:
            out.append(dt.date(year, month, day))
        except ValueError:
            continue
    return out


def date_questions(corpus: Corpus) -> list[Draft]:
    """ "Nghị quyết số 76/NQ-CP được ban hành ngày nào?", "… có hiệu lực … từ ngày nào?"."""
    acts = main_acts(corpus)
    facts: dict[tuple[str, str], dict[dt.date, tuple[Passage, str, str]]] = defaultdict(dict)
    for p in corpus.live:
        for what, pattern in (("issued", _ISSUED_AFTER), ("issued", _ISSUED_BEFORE)):
            for m in pattern.finditer(p.text):
                mid = m.group("mid")
                if "số " in mid or "hiệu lực" in mid or " ngày" in f" {mid}":
                    continue
                d = _date(m.group("date"))
                if d and m.group("num") in acts:
                    facts[(m.group("num"), what)].setdefault(d, (p, m.group(0), m.group("act")))
        for m in _EFFECTIVE.finditer(p.text):
            if "số " in m.group("mid") or "hiệu lực" in m.group("mid"):
                continue
            d = _date(m.group("date"))
            if d and m.group("num") in acts:
                facts[(m.group("num"), "effective")].setdefault(d, (p, m.group(0), m.group("act")))
    drafts: list[Draft] = []
    for (num, what), by_date in facts.items():
        if len(by_date) != 1:
            continue  # the knowledge base disagrees with itself: ask nothing
        (d, (p, quote, act)) = next(iter(by_date.items()))
        doc = corpus.docs[p.doc_id]
        verb = "được ban hành ngày nào" if what == "issued" else "có hiệu lực thi hành từ ngày nào"
        question = f"{act} số {num} {verb}?"
        if doc.number != num:
            question = f"Theo {corpus.ref(doc.id)}, {act} số {num} {verb}?"
        other = "effective" if what == "issued" else "issued"
        related = [x for x in facts.get((num, other), {}) if len(facts[(num, other)]) == 1]
        in_quote = dates_in(quote)
        pool = [x for x in related + _shifted(d) if x != d and x not in in_quote]
        distractors = related[:1] if related and related[0] in pool else []
        distractors += pick([x for x in pool if x not in distractors], 3 - len(distractors), quote)
        difficulty = "dễ" if doc.number == num else ("trung bình" if what == "issued" else "khó")
        drafts.append(
            Draft(
                style="date",
                difficulty=difficulty,
                question=question,
                answer=format_date(d),
                distractors=[format_date(x) for x in distractors],
                quote=quote,
                passage=p,
            )
        )
    return drafts


def rank_questions(corpus: Corpus) -> list[Draft]:
    """ "Theo …, Chỉ số CCHC cấp tỉnh năm 2019 xếp thứ mấy?"."""
    drafts: list[Draft] = []
    for p in corpus.live:
        for sentence in clauses(p.text.replace("; năm", ", năm")):
            ranks = list(_RANK.finditer(sentence))
            if not ranks:
                continue
            subject = _SUBJECT_END.split(sentence[: ranks[0].start()], maxsplit=1)[0].strip()
            if len(subject) < 5:
                continue
            values = [f"{m.group(2)}/{m.group(3)}" for m in ranks]
            for m, value in zip(ranks, values, strict=True):
                year, pos, total = m.group(1), int(m.group(2)), int(m.group(3))
                near = [
                    f"{x}/{total}" for x in (pos - 3, pos + 3, pos - 6, pos + 5) if 0 < x <= total
                ]
                pool = [v for v in values if v != value] + near
                quote = sentence[
                    m.start() : sentence.find(",", m.end())
                    if "," in sentence[m.end() :]
                    else len(sentence)
                ]
                pool = [v for v in dict.fromkeys(pool) if v != value]
                question = f"Theo {corpus.ref(p.doc_id)}, {subject} năm {year} xếp thứ mấy?"
                drafts.append(
                    Draft(
                        style="rank",
                        difficulty="trung bình",
                        question=question,
                        answer=value,
                        distractors=[v for v in pool if v != value][:3],
                        quote=quote.strip(),
                        passage=p,
                    )
                )
    return drafts


def _fit_blank(before: str, blank: str, after: str, budget: int) -> str:
    """ "…before ___ after…" within ``budget`` characters, cut at word boundaries."""
    text = f"{before}{blank}{after}"
    if len(text) <= budget:
        return text
    keep_after = max(40, budget - len(before) - len(blank))
    if len(after) > keep_after:
        after = (" " if after.startswith(" ") else "") + shorten(after, keep_after - 1)
    room = budget - len(blank) - len(after)
    if len(before) > room:
        cut = before[len(before) - room + 1 :]
        before = ELLIPSIS + cut[cut.find(" ") + 1 :] if " " in cut else ELLIPSIS + cut
    return f"{before}{blank}{after}"


def deadline_questions(corpus: Corpus) -> list[Draft]:
    """Fill in the blank on a time limit of a provision: "chậm nhất là ___ ngày làm việc"."""
    drafts: list[Draft] = []
    for p in corpus.live:
        code = article_code(p.section)
        if not code:
            continue
        for clause in clauses(p.text):
            found = list(_DURATION.finditer(clause))
            if len(found) != 1 or not clause[:1].isupper() or not 50 <= len(clause) <= 500:
                continue
            m = found[0]
            n, unit = int(m.group("n")), m.group("unit")
            if m.start("n") < 25:
                continue
            ladder = _LADDER["tháng" if unit == "tháng" else "ngày"]
            taken = set(numbers_in(clause))
            near = sorted(
                (x for x in ladder if x != n and x not in taken), key=lambda x: abs(x - n)
            )
            if len(near) < 2:
                continue
            prefix = f"Điền vào chỗ trống ({code}, {corpus.short(p.doc_id)}): «"
            body = _fit_blank(
                clause[: m.start("n")],
                f"___ {unit}",
                clause[m.end("unit") :],
                MAX_QUESTION - len(prefix) - 1,
            )
            drafts.append(
                Draft(
                    style="deadline",
                    difficulty="khó",
                    question=f"{prefix}{body}»",
                    answer=f"{n} {unit}",
                    distractors=[f"{x} {unit}" for x in near[:3]],
                    quote=clause,
                    passage=p,
                )
            )
    return drafts
