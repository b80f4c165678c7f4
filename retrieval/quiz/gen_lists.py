"""Questions from enumerations: list items, their order, the part of a document a statement
sits in, and counts the text states ("tập trung vào 6 nội dung")."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from retrieval.domain.models import Passage
from retrieval.domain.naming import KIND_LABELS, shorten
from retrieval.domain.quiz import MAX_OPTION, MAX_QUESTION
from retrieval.knowledge.chunking import LEGAL_KINDS, SEP
from retrieval.quiz.assemble import Draft, pick
from retrieval.quiz.corpus import Corpus, heading_label
from retrieval.quiz.wording import (
    ORDINAL_WORDS,
    clauses,
    numbers_in,
    occurs,
    ordinal_word,
    overlap,
    sentence_case,
    strip_end,
)

#: Above this share of shared word pairs, two statements may say the same thing.
SHOWN_ALIKE = 0.4
_ITEM = re.compile(
    r"^(?:(\d{1,2})\.\s+|Thứ\s+(" + "|".join(ORDINAL_WORDS) + r")\s*,\s*)", re.IGNORECASE
)
_COUNT = re.compile(
    r"(?<![\w/])(\d{1,3}) (nội dung|lĩnh vực|bài học kinh nghiệm|giải pháp|nhiệm vụ|"
    r"quan điểm|mục tiêu|nhóm giải pháp|thủ tục hành chính)(?!\w)"
)
_CONNECTIVE = re.compile(
    r"^(Theo đó|Đồng thời|Cùng với đó|Bên cạnh đó|Bên cạnh những kết quả đã đạt được),\s*"
)
_LIST_END = re.compile(r":|, đó là|, bao gồm|, cụ thể| như sau")


@dataclass
class Item:
    ordinal: int
    passage: Passage
    statement: str


@dataclass
class EnumList:
    doc_id: str
    heading: str | None
    items: list[Item]
    passages: list[Passage]  # every passage of the list, for the "same thing" check

    @property
    def label(self) -> str:
        """ "giải pháp thực hiện", "quan điểm", "bài học kinh nghiệm"."""
        kind = self.items[0].passage.kind
        if self.heading:
            return heading_label(self.heading).lower()
        return KIND_LABELS[kind].lower()

    @property
    def singular(self) -> str:
        return KIND_LABELS[self.items[0].passage.kind].lower()


def item_statement(text: str) -> str:
    """The item's opening statement, without its number: up to the first ';' or full stop."""
    first = text.split("\n")[0]
    first = _ITEM.sub("", first, count=1)
    first = re.split(r";\s|\.\s", first)[0]
    return sentence_case(strip_end(first))


def find_lists(corpus: Corpus) -> list[EnumList]:
    """Numbered or "Thứ nhất …" lists of at least three items, numbered 1…n, of one kind."""
    groups: dict[tuple[str, tuple[str, ...]], list[Passage]] = defaultdict(list)
    for p in corpus.live:
        doc = corpus.docs[p.doc_id]
        if doc.kind in LEGAL_KINDS or p.section == doc.title:
            continue
        groups[(p.doc_id, tuple(p.section.split(SEP)[:-1]))].append(p)
    lists: list[EnumList] = []
    for (doc_id, parent), passages in groups.items():
        items: list[Item] = []
        for p in passages:
            m = _ITEM.match(p.text)
            if not m:
                continue
            n = int(m.group(1)) if m.group(1) else ORDINAL_WORDS.index(m.group(2).lower()) + 1
            items.append(Item(n, p, item_statement(p.text)))
        kinds = {i.passage.kind for i in items}
        if (
            len(items) >= 3
            and [i.ordinal for i in items] == list(range(1, len(items) + 1))
            and len(kinds) == 1
            and "khac" not in kinds
            and all(len(i.statement) >= 15 for i in items)
        ):
            heading = parent[-1] if parent else None
            lists.append(EnumList(doc_id, heading, items, passages))
    return lists


def _foreign_pool(corpus: Corpus, lists: list[EnumList], target: EnumList, item: Item) -> list[str]:
    """Items of other lists that do not say what anything in ``target`` says."""
    same_doc, other = [], []
    for lst in lists:
        if lst is target:
            continue
        for it in lst.items:
            s = it.statement
            if any(corpus.alike(s, p.text) for p in target.passages):
                continue
            # What the learner reads is the option cut to 100 characters: it must not read
            # like an item of the target list either.
            shown = shorten(s, MAX_OPTION).rstrip("…")
            if any(overlap(shown, p.text) >= SHOWN_ALIKE for p in target.passages):
                continue
            if occurs(s, item.passage.text):
                continue
            (same_doc if lst.doc_id == target.doc_id else other).append(s)
    return same_doc, other


def list_questions(corpus: Corpus) -> list[Draft]:
    lists = find_lists(corpus)
    drafts: list[Draft] = []
    for lst in lists:
        ref, n = corpus.ref(lst.doc_id), len(lst.items)
        for item in lst.items:
            same_doc, other = _foreign_pool(corpus, lists, lst, item)
            seed = f"{lst.doc_id}|{item.statement}"
            distractors = pick(same_doc, 2, seed)
            distractors += pick(other, 3 - len(distractors), seed)
            drafts.append(
                Draft(
                    style="list_item",
                    difficulty="trung bình",
                    question=f"Theo {ref}, đâu là một trong {n} {lst.label}?",
                    answer=item.statement,
                    distractors=distractors,
                    quote=item.passage.text.split("\n")[0],
                    passage=item.passage,
                )
            )
            siblings = [s.statement for s in lst.items if s is not item]
            scope = "" if lst.label in ref.lower() else f"trong {n} {lst.label}, "
            word = ordinal_word(item.ordinal)
            drafts.append(
                Draft(
                    style="list_order",
                    difficulty="khó",
                    question=f"Theo {ref}, {scope}{lst.singular} thứ {word} là gì?",
                    answer=item.statement,
                    distractors=pick(siblings, 3, seed),
                    quote=item.passage.text.split("\n")[0],
                    passage=item.passage,
                )
            )
    return drafts


def section_questions(corpus: Corpus) -> list[Draft]:
    """ "Nội dung sau nằm trong phần nào?" for documents with at least three headed parts."""
    drafts: list[Draft] = []
    for doc in corpus.documents:
        if doc.kind in LEGAL_KINDS:
            continue
        passages = [p for p in corpus.of(doc.id) if p.section != doc.title]
        tops = list(dict.fromkeys(p.section.split(SEP)[0] for p in passages))
        if any(_ITEM.match(f"{t}, ") for t in tops):
            continue  # the parts are the items of one list ("Thứ nhất" …), not headings
        if len(tops) < 3:
            continue
        labels = {t: heading_label(t) for t in tops}
        for p in passages:
            top = p.section.split(SEP)[0]
            others = [q for q in passages if q.section.split(SEP)[0] != top]
            candidates = [
                c
                for c in (clauses(p.text)[1:] if _ITEM.match(p.text) else clauses(p.text))
                if 50 <= len(c) <= 200
                and ":" not in c
                and not any(corpus.alike(c, q.text) for q in others)
            ]
            if not candidates:
                continue
            statement = max(candidates, key=len)
            drafts.append(
                Draft(
                    style="section",
                    difficulty="trung bình",
                    question=(
                        f"Theo {corpus.ref(doc.id)}, nội dung sau nằm trong phần nào?\n"
                        f"«{sentence_case(strip_end(statement))}»"
                    ),
                    answer=labels[top],
                    distractors=pick([v for k, v in labels.items() if k != top], 3, statement),
                    quote=statement,
                    passage=p,
                )
            )
    return drafts


def _nearby(n: int) -> list[int]:
    if n <= 10:
        return [m for m in (n - 2, n - 1, n + 1, n + 2, n + 3) if m >= 2]
    step = 5 if n < 50 else 10
    return [m for m in (n - 2 * step, n - step, n + step, n + 2 * step) if m > 0]


def count_questions(corpus: Corpus) -> list[Draft]:
    """ "… tập trung vào bao nhiêu nội dung?" where the text states the number."""
    drafts: list[Draft] = []
    seen: set[tuple[str, str, int]] = set()
    for p in corpus.live:
        if corpus.docs[p.doc_id].kind in LEGAL_KINDS:
            continue
        for sentence in clauses(p.text):
            m = _COUNT.search(sentence)
            if not m:
                continue
            n, unit = int(m.group(1)), m.group(2)
            if (p.doc_id, unit, n) in seen:
                continue
            end = _LIST_END.search(sentence, m.end())
            clause = sentence[: end.start()] if end else strip_end(sentence)
            comma = clause.find(", ", m.end())
            clause = clause[:comma] if comma > 0 else clause
            clause = _CONNECTIVE.sub("", clause)
            if numbers_in(clause).count(n) != 1:
                continue
            asked = sentence_case(clause.replace(m.group(0), f"bao nhiêu {unit}", 1))
            ref = corpus.ref(p.doc_id)
            question = f"{asked} (theo {ref})?"
            if n in numbers_in(ref) or len(question) > MAX_QUESTION:
                question = f"{asked}?"
            if len(question) > MAX_QUESTION:
                question = shorten(asked, MAX_QUESTION - 1) + "?"
                if f"bao nhiêu {unit}" not in question:
                    continue
            seen.add((p.doc_id, unit, n))
            quote = clause
            distractors = [str(x) for x in _nearby(n) if x not in numbers_in(quote)]
            drafts.append(
                Draft(
                    style="count",
                    difficulty="dễ",
                    question=question,
                    answer=str(n),
                    distractors=pick(distractors, 3, question),
                    quote=quote,
                    passage=p,
                )
            )
    return drafts
