"""Whole lists, taken from the documents' own structure.

A question such as "các quan điểm…", "7 bài học…" or "Điều 17 quy định những hình thức nào"
is answered with the complete list, in the document's order, even when search found only
some of its items. Three shapes are read:
- items that are passages of their own ("1. …", "Thứ nhất, …") under one heading;
- clauses of an article ("1.", "2." … or "a)", "b)" … after a sentence that opens them);
- an enumeration written inside one sentence ("… 6 nội dung, đó là: A; B; C và D.").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval.domain.models import Passage
from retrieval.domain.text import fold
from retrieval.knowledge.structure import Unit, inline_items, passage_units
from retrieval.search.evidence import coverage
from retrieval.search.query import ORDINALS, Query
from retrieval.search.searcher import SearchResult, heading_of

#: A question about one item (its words match one item far better than the list's opening)
#: is answered with that item, not the list.
ONE_ITEM_MARGIN = 0.25
#: Lists are looked for in the best passages found, down to this share of the best score.
LIST_HIT_SHARE = 0.8


@dataclass
class Item:
    passage: Passage
    label: str | None
    text: str


@dataclass
class FoundList:
    """A list, the sentence (or heading) that opens it, and where each item is."""

    doc_id: str
    head: str | None
    head_passage: Passage | None
    items: list[Item]
    #: How well the list's opening words match the question.
    relevance: float = 0.0
    #: The item that matches the question best, and how well.
    best_item: float = 0.0
    passages: list[Passage] = field(default_factory=list)


def _sequence(label: str | None) -> int | None:
    """1 for "1", "a" or "Thứ nhất"; None for a dash or no label."""
    if label is None:
        return None
    if label.isdigit():
        return int(label)
    folded = fold(label)
    if len(folded) == 1 and folded.isalpha():
        return (
            "abcdđeghiklmnopqrstuvxy".index(label.lower()) + 1
            if label.lower() in ("abcdđeghiklmnopqrstuvxy")
            else None
        )
    parts = folded.split()
    return ORDINALS.get(parts[-1]) if parts and parts[0] == "thu" else None


def _body_units(passage: Passage) -> list[Unit]:
    return [u for u in passage_units(passage.text) if u.role == "sentence"]


#: An opening shorter than this ("Cụ thể:") is shown with the sentence before it.
SHORT_OPENING = 40


def _opening(passage: Passage, units: list[Unit]) -> str:
    """The sentence that opens a list at the end of ``passage``, with the one before it when
    it is only "Cụ thể:" or the like."""
    last = units[-1]
    start = last.start
    if last.end - last.start < SHORT_OPENING and len(units) > 1:
        start = units[-2].start
    return passage.text[start : last.end]


def _first_line_label(passage: Passage) -> str | None:
    units = _body_units(passage)
    return units[0].item if units else None


def _parent(passage: Passage) -> str:
    return passage.section.rsplit(" › ", 1)[0] if " › " in passage.section else ""


# -- items that are passages ----------------------------------------------------------------
def passage_lists(doc_passages: list[Passage]) -> list[FoundList]:
    """Runs of passages that are numbered items (1, 2, 3 … or Thứ nhất, Thứ hai …) under one
    heading; a passage without a label continues the item before it."""
    out: list[FoundList] = []
    current: FoundList | None = None
    parent: str | None = None
    last_number = 0
    previous: Passage | None = None
    for p in doc_passages:
        if heading_of(p).startswith("Điều "):
            current, previous = None, p
            continue  # articles are lists of clauses, read below
        label = _first_line_label(p)
        number = _sequence(label) if label and not label.startswith(("-", "–", "+", "•")) else None
        p_parent = _parent(p)
        if number == 1:
            head, head_passage = None, None
            # The sentence before opens the list only from the same part of the document
            # (a document's preamble "… như sau:" does not open "I. QUAN ĐIỂM").
            if (
                previous is not None
                and previous.doc_id == p.doc_id
                and p_parent in (_parent(previous), previous.section)
            ):
                units = _body_units(previous)
                if units and units[-1].opens_list:
                    head, head_passage = _opening(previous, units), previous
            if head is None and p_parent:
                head = p_parent.rsplit(" › ", 1)[-1]
            current = FoundList(p.doc_id, head, head_passage, [], passages=[])
            out.append(current)
            parent, last_number = p_parent, 0
        if current is not None and number is not None and number == last_number + 1:
            if p_parent == parent:
                current.items.append(Item(p, label, _body_units(p)[0].text(p.text)))
                current.passages.append(p)
                last_number = number
                previous = p
                continue
        if current is not None and number is None and p.section == current.passages[-1].section:
            current.passages.append(p)  # the rest of the last item
        elif current is not None and number is not None:
            current = None
        previous = p
    return [found for found in out if len(found.items) >= 2]


# -- clauses of an article ------------------------------------------------------------------
def clause_lists(article: list[Passage]) -> list[FoundList]:
    """The numbered clauses of an article, and every lettered list that a clause opens."""
    units = [(p, u) for p in article for u in _body_units(p)]
    out: list[FoundList] = []
    numbered = [(p, u) for p, u in units if u.item and u.item.isdigit()]
    if len(numbered) >= 2:
        first_index = units.index(numbered[0])
        head, head_passage = None, None
        if first_index > 0 and units[first_index - 1][1].opens_list:
            hp, hu = units[first_index - 1]
            head, head_passage = hu.text(hp.text), hp
        elif article:
            head, head_passage = heading_of(article[0]), article[0]
        items = [Item(p, u.item, u.text(p.text)) for p, u in numbered]
        out.append(FoundList(article[0].doc_id, head, head_passage, items, passages=article))
    for i, (p, u) in enumerate(units):
        if not u.opens_list:
            continue
        lettered: list[Item] = []
        for q, v in units[i + 1 :]:
            if v.item and v.item.isdigit():
                break
            if v.item and _sequence(v.item) == len(lettered) + 1 and not v.item.isdigit():
                lettered.append(Item(q, v.item, v.text(q.text)))
        if len(lettered) >= 2:
            out.append(FoundList(p.doc_id, u.text(p.text), p, lettered, passages=article))
    return out


# -- an enumeration inside a sentence ---------------------------------------------------------
def inline_lists(passage: Passage) -> list[FoundList]:
    out = []
    for u in _body_units(passage):
        sentence = u.text(passage.text)
        found = inline_items(sentence)
        if found is None:
            continue
        opening, spans = found
        items = [Item(passage, None, sentence[a:b].strip()) for a, b in spans]
        if len(items) >= 2:
            out.append(
                FoundList(
                    passage.doc_id, sentence[:opening].strip(), passage, items, passages=[passage]
                )
            )
    return out


def find_list(
    query: Query, result: SearchResult, idf: Callable[[str], float], must: bool
) -> FoundList | None:
    """The list that answers the question, or None. With ``must`` false (the question does
    not ask for a list), a list is still the answer when the best passage is an article whose
    heading says what the question asks and that consists of clauses."""
    candidates: list[FoundList] = []
    top = result.hits[:3]
    for rank, hit in enumerate(top):
        if hit.score < LIST_HIT_SHARE * top[0].score:
            break  # a list from a passage found far below the best one does not answer
        p = hit.passage
        doc_passages = result.document_passages.get(p.doc_id, [p])
        if heading_of(p).startswith("Điều "):
            found = clause_lists(result.section_passages.get((p.doc_id, p.section), [p]))
        else:
            found = [
                f for f in passage_lists(doc_passages) if p in f.passages or p == f.head_passage
            ]
        found += inline_lists(p)
        for f in found:
            title = " ".join(x for x in (hit.document.title, hit.document.number or "") if x)
            head_text = " ".join(x for x in (f.head or "", heading_of(f.passages[0])) if x)
            f.relevance = coverage(query, idf, (title, head_text)) - 0.05 * rank
            f.best_item = max(coverage(query, idf, item.text) for item in f.items)
            if query.expected_count and len(f.items) == query.expected_count:
                f.relevance += 0.3
            if query.kinds and f.passages[0].kind in query.kinds:
                f.relevance += 0.1
            if f.head_passage is not None and f.head and f.head.rstrip().endswith(":"):
                f.relevance += 0.1  # its own words announce the list ("… các hình thức sau:")
            candidates.append(f)
    if not candidates:
        return None
    best = max(candidates, key=lambda f: f.relevance)
    first = result.hits[0]
    if first.passage.section != best.passages[0].section and (
        best.head_passage is None or best.head_passage.section != first.passage.section
    ):
        title = " ".join(x for x in (first.document.title, first.document.number or "") if x)
        if coverage(query, idf, (title, heading_of(first.passage))) > best.relevance:
            return None  # the article found first is named better than any list found
    top_kind = result.hits[0].passage.kind
    if query.kinds and top_kind in query.kinds and best.passages[0].kind not in query.kinds:
        return None  # "the goals": the best passage states them, a list of something else won't
    if best.best_item > best.relevance + ONE_ITEM_MARGIN and not query.expected_count:
        return None  # the question is about one item
    if not must:
        top = result.hits[0].passage
        if (
            best.head_passage is not None
            and best.head_passage.id == top.id
            and best.head
            and best.head.rstrip().endswith(":")
            and all(item.passage.id != top.id for item in best.items)
        ):
            return best  # the best passage announces the list that follows it ("Cụ thể:")
        top_heading = heading_of(top)
        asked = coverage(query, idf, top_heading)
        if not (
            top_heading.startswith("Điều ")
            and asked >= 0.6
            and best.passages[0].section == result.hits[0].passage.section
        ):
            return None
    return best
