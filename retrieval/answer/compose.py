"""The one answer composer of both faces: a direct answer first (the sentence that answers,
verbatim, its figure in bold), then the whole list when the question asks for one, then the
rest of the evidence grouped by kind; citations numbered in the order the reader meets them,
each with what a reader must know about its validity.

Nothing is paraphrased: every word shown is a passage's own, cut only between clauses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval.answer.excerpts import (
    Sentence,
    around,
    best_sentences,
    focus,
    list_openers,
    read_sentences,
    snippet,
    trim,
)
from retrieval.answer.lists import FoundList, find_list
from retrieval.domain import naming
from retrieval.domain.changes import Superseded
from retrieval.domain.models import (
    Answer,
    AnswerGroup,
    AnswerList,
    Bullet,
    Citation,
    Hit,
    ListItem,
    MissingFact,
    Note,
    Passage,
    QuestionProblem,
    Snippet,
)
from retrieval.domain.naming import ELLIPSIS
from retrieval.knowledge.structure import passage_units
from retrieval.search.evidence import Missing, names_any
from retrieval.search.query import Query
from retrieval.search.searcher import SearchResult, item_number

#: A passage whose best sentence scores under this share of the best one is left out:
#: five loosely related quotes are worse than two that answer.
KEEP_SHARE = 0.7
#: "More results" shows passages whose best sentence scores at least this share of the best.
MORE_SHARE = 0.6
#: Beside a whole list, other passages appear only when they answer nearly as well.
LIST_COMPANY = 0.85
#: List items longer than this are cut between clauses (the rest is one tap away).
ITEM_BUDGET = 240
LEAD_BUDGET = 420
#: Evidence quoted after the direct answer (and the list): enough to check it on a phone.
MAX_BULLETS = 3
#: The direct answer comes from the best passages: each place down the ranking costs this
#: share of a sentence's score.
LEAD_RANK_DECAY = 0.12


Key = tuple[str, str]


def _key(passage: Passage) -> Key:
    """One citation per article (or section): its passages are quoted under one number."""
    return passage.doc_id, passage.section


@dataclass
class _Layout:
    """Citations numbered as the reader meets them, one per article."""

    numbers: dict[Key, int] = field(default_factory=dict)
    hits: dict[Key, list[Hit]] = field(default_factory=dict)
    shown: dict[Key, list[str]] = field(default_factory=dict)

    def number(self, hit: Hit) -> int:
        key = _key(hit.passage)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
        cited = self.hits.setdefault(key, [])
        if all(h.passage.id != hit.passage.id for h in cited):
            cited.append(hit)
        return self.numbers[key]

    def show(self, hit: Hit, text: str) -> int:
        number = self.number(hit)
        self.shown.setdefault(_key(hit.passage), []).append(text)
        return number

    def citations(self, changed: dict[Key, Note] | None = None) -> list[Citation]:
        out = []
        for key, number in sorted(self.numbers.items(), key=lambda x: x[1]):
            first, *more = self.hits[key]
            notes = notes_for(first)
            if changed and key in changed:
                notes.append(changed[key])
            out.append(
                Citation(
                    number=number,
                    hit=first,
                    more=more,
                    excerpt=self.shown.get(key, []),
                    notes=notes,
                )
            )
        return out


def notes_for(hit: Hit) -> list[Note]:
    """Validity beside the words: repealed or amended provision, replaced document, one
    sector only."""
    p, doc = hit.passage, hit.document
    notes = []
    if p.status == "bị bãi bỏ":
        notes.append(Note(code="repealed", detail=p.status_note))
    elif p.status == "được sửa đổi":
        notes.append(Note(code="amended", detail=p.status_note))
    if doc.status != "còn hiệu lực":
        notes.append(Note(code="document_status", detail=naming.validity(doc)))
    if p.scope:
        notes.append(Note(code="sector", detail=p.scope))
    return notes


def _hit_for(passage: Passage, result: SearchResult) -> Hit:
    """The hit of a passage, or a hit made for a list item that search did not rank."""
    for h in result.hits:
        if h.passage.id == passage.id:
            return h
    doc = result.hits[0].document if result.hits else None
    for h in result.hits:
        if h.passage.doc_id == passage.doc_id:
            doc = h.document
            break
    assert doc is not None
    return Hit(passage=passage, document=doc, score=0.0)


def _listing(found: FoundList, query: Query, result: SearchResult, layout: _Layout) -> AnswerList:
    head = None
    first_item = _hit_for(found.items[0].passage, result)
    if found.head:
        # The sentence that opens the list, or the heading the items stand under.
        owner = _hit_for(found.head_passage, result) if found.head_passage else first_item
        text, _ = trim(found.head, query, LEAD_BUDGET)
        head = Bullet(citation=layout.show(owner, text), snippet=Snippet(text=text))
    items = []
    for item in found.items:
        text, _ = trim(item.text, query, ITEM_BUDGET, keep_start=True)
        number = layout.show(_hit_for(item.passage, result), text)
        items.append(ListItem(label=item.label, snippet=Snippet(text=text), citation=number))
    # "mấy quan điểm?" is answered by the count, unless the opening sentence already says it
    said = head is not None and re.search(rf"(?<!\d){len(items)}(?!\d)", head.snippet.text)
    return AnswerList(head=head, items=items, counted=query.counts_list and not said)


def _status_lead(query: Query, hit: Hit) -> Snippet | None:
    """For "còn hiệu lực không?": the provision's own status line, verbatim."""
    if "validity" not in query.wants:
        return None
    first_lines = hit.passage.text.split("\n")[:2]
    for line in first_lines:
        if line.startswith("(") and "hiệu lực" in line:
            return Snippet(text=line)
    return None


def _lead_sentence(
    query: Query, kept: list[Hit], sentences: dict[int, list[Sentence]]
) -> Sentence | None:
    """The sentence that answers: for "bài học thứ ba", the third item's opening sentence;
    otherwise the best sentence of the best passages (a nearer hit breaks a tie)."""
    if query.ordinal:
        for h in kept[:3]:
            if item_number(h.passage) == query.ordinal:
                opening = [s for s in sentences[h.passage.id] if s.unit.item]
                if opening:
                    return opening[0]
    top = kept[:3]
    if query.kinds and any(h.passage.kind in query.kinds for h in top):
        # "hạn chế … là gì?": the answer is a limitation, not the sentence that names most
        # of the question's other words
        top = [h for h in top if h.passage.kind in query.kinds]
    ranked = [
        (s.score * (1 - LEAD_RANK_DECAY * rank), s)
        for rank, h in enumerate(top)
        for s in sentences[h.passage.id]
        if not s.furniture
    ]
    return max(ranked, key=lambda x: x[0])[1] if ranked else None


def _changes(layout: _Layout, superseded: list[Superseded], query: Query) -> dict[Key, Note]:
    """For each quoted article that a later one changed in substance, a note quoting the
    later words; the later article is cited after the others."""
    out: dict[Key, Note] = {}
    for key in list(layout.numbers):
        earlier = layout.hits[key][0]
        for s in superseded:
            if not any(s.concerns(h.passage) for h in layout.hits[key]):
                continue
            quote = _quote(s, query)
            later = Hit(passage=s.later, document=earlier.document, score=0.0)
            number = layout.show(later, quote)
            out[key] = Note(
                code="changed", was=s.change.says, now=s.change.now, quote=quote, citation=number
            )
            break
    return out


def _quote(s: Superseded, query: Query) -> str:
    """The later article's sentence, under the words that open its list, cut between clauses
    around the words the change names."""
    units = passage_units(s.later.text)
    openers = list_openers(units)
    for unit in units:
        if unit.role == "sentence" and unit.text(s.later.text) == s.quote:
            text = s.quote
            if len(text) > ITEM_BUDGET:
                text = around(text, s.change.quote, ITEM_BUDGET)
            opener = openers.get(unit.start)
            if opener is not None:
                gap = " " if text.startswith(ELLIPSIS) else f" {ELLIPSIS} "
                text = f"{opener.text(s.later.text)}{gap}{text}"
            return text
    return s.quote


def compose(
    query: Query,
    result: SearchResult,
    idf: Callable[[str], float],
    superseded: list[Superseded] | None = None,
) -> Answer:
    """The answer to ``query`` from the passages of ``result``; ``superseded``: the articles
    that later ones changed in substance (``retrieval.domain.changes``)."""
    superseded = superseded or []
    sentences, relevance = _read(query, result, idf)
    best_relevance = max((relevance[h.passage.id] for h in result.hits), default=0.0)
    kept = [
        h
        for i, h in enumerate(result.hits)
        if i == 0 or relevance[h.passage.id] >= KEEP_SHARE * best_relevance
    ]
    named = [h for h in kept if names_any(query.documents, h)] if query.documents else []
    if named:  # "NQ 76 đề ra mấy giải pháp?": the document named answers, not another one's
        kept = named
    layout = _Layout()

    # 1. The list, when the question asks for one (or the answer is an article's clauses).
    must = query.asks_list or bool(query.expected_count)
    found = find_list(query, result, idf, must) if kept else None
    listing = _listing(found, query, result, layout) if found else None
    if listing is not None:  # beside a whole list, only other documents that answer as well
        kept = [
            h
            for h in kept
            if h.passage.doc_id != found.doc_id
            and relevance[h.passage.id] >= LIST_COMPANY * best_relevance
        ]

    # 2. The direct answer: the sentence that answers best (a nearer hit breaks a tie).
    lead: Bullet | None = None
    lead_sentence: Sentence | None = None
    if listing is not None:
        lead = listing.head
        listing.head = None
    elif kept:
        status = _status_lead(query, kept[0])
        if status is not None:
            lead = Bullet(citation=layout.show(kept[0], status.text), snippet=status)
        else:
            lead_sentence = _lead_sentence(query, kept, sentences)
            if lead_sentence is not None:
                shown = snippet([lead_sentence], query, LEAD_BUDGET)
                owner = next(h for h in kept if h.passage.id == lead_sentence.passage.id)
                lead = Bullet(citation=layout.show(owner, shown.text), snippet=shown)

    # 3. The rest of the evidence, grouped by kind, groups in the order of their best hit.
    groups: dict[str, AnswerGroup] = {}
    listed: set[int] = set()
    if found:
        listed = {p.id for p in found.passages} | {i.passage.id for i in found.items}
        if found.head_passage is not None:
            listed.add(found.head_passage.id)
    # A phone screen: the passages that answer best, in the order found; the rest is one
    # tap away ("more results").
    # A question that names a kind ("hạn chế … là gì?") sees passages of that kind first,
    # even those that say it in other words ("chưa thực sự nổi bật").
    quoted = sorted(
        (h for h in kept if h.passage.id not in listed),
        key=lambda h: (h.passage.kind in query.kinds, relevance[h.passage.id]),
        reverse=True,
    )[: MAX_BULLETS + 1]
    bullets = 0
    for h in [h for h in kept if h in quoted]:
        if bullets >= MAX_BULLETS:
            break
        chosen = [s for s in best_sentences(sentences[h.passage.id]) if s is not lead_sentence]
        if not chosen:
            continue  # the direct answer already quotes what this passage has to say
        shown = snippet(chosen, query)
        number = layout.show(h, shown.text)
        group = groups.setdefault(h.passage.kind, AnswerGroup(kind=h.passage.kind, bullets=[]))
        group.bullets.append(Bullet(citation=number, snippet=shown))
        bullets += 1

    citations = layout.citations(_changes(layout, superseded, query))
    cited = {h.passage.id for c in citations for h in (c.hit, *c.more)}
    return Answer(
        question=query.text,
        abstained=False,
        lead=lead,
        listing=listing,
        groups=list(groups.values()),
        citations=citations,
        english=query.english,
        confidence=result.confidence,
        further=len(_further(result, relevance, cited, best_relevance)),
    )


def _read(
    query: Query, result: SearchResult, idf: Callable[[str], float]
) -> tuple[dict[int, list[Sentence]], dict[int, float]]:
    """The sentences of every passage found, scored, and each passage's best score."""
    weights = focus(query, [h.passage for h in result.hits])
    sentences = {
        h.passage.id: read_sentences(
            query, h, result.sentences.get(h.passage.id, []), result.query_vector, idf, weights
        )
        for h in [*result.hits, *result.further]
    }
    relevance = {
        pid: max((s.score for s in ss if not s.furniture), default=0.0)
        for pid, ss in sentences.items()
    }
    return sentences, relevance


def _further(
    result: SearchResult, relevance: dict[int, float], cited: set[int], best: float
) -> list[Hit]:
    """The passages found but not cited that are still about the question: "more results"
    never drifts to whatever else the index holds, nor, when the question names a document,
    to other documents."""
    return [
        h
        for h in [*result.hits, *result.further]
        if h.passage.id not in cited
        and relevance[h.passage.id] >= MORE_SHARE * best
        and (not result.query.documents or names_any(result.query.documents, h))
    ]


def compose_more(
    query: Query,
    result: SearchResult,
    idf: Callable[[str], float],
    page: int,
    size: int,
    superseded: list[Superseded] | None = None,
) -> Answer:
    """Page ``page`` (1, 2 …) of "more results": ``size`` passages on the question's topic
    that the answer did not cite, each quoted by its best sentences, grouped by kind."""
    first = compose(query, result, idf, superseded)
    sentences, relevance = _read(query, result, idf)
    best = max((relevance[h.passage.id] for h in result.hits), default=0.0)
    cited = {h.passage.id for c in first.citations for h in (c.hit, *c.more)}
    rest = _further(result, relevance, cited, best)
    layout = _Layout()
    groups: dict[str, AnswerGroup] = {}
    for h in rest[(page - 1) * size : page * size]:
        chosen = best_sentences(sentences[h.passage.id])
        if not chosen:
            continue
        shown = snippet(chosen, query)
        group = groups.setdefault(h.passage.kind, AnswerGroup(kind=h.passage.kind, bullets=[]))
        group.bullets.append(Bullet(citation=layout.show(h, shown.text), snippet=shown))
    return Answer(
        question=query.text,
        abstained=False,
        groups=list(groups.values()),
        citations=layout.citations(_changes(layout, superseded or [], query)),
        english=query.english,
        confidence=result.confidence,
        further=max(len(rest) - page * size, 0),
    )


def refuse_missing(
    question: str, query: Query, result: SearchResult, missing: list[Missing]
) -> Answer:
    """The knowledge base lacks a fact the question names: say so, and show at most the two
    closest passages, labelled as related, not as the answer."""
    related = [
        Citation(number=n, hit=h, excerpt=[h.passage.text.split("\n")[0]], notes=notes_for(h))
        for n, h in enumerate(result.hits[:2], 1)
    ]
    return Answer(
        question=question,
        abstained=True,
        reason="missing_fact",
        missing=[MissingFact(what=m.what, value=m.value) for m in missing],
        related=related,
        english=query.english,
        confidence=result.confidence,
    )


def abstain(question: str, reason: str, problem: QuestionProblem | None = None) -> Answer:
    return Answer(question=question, abstained=True, reason=reason, problem=problem)
