"""Questions on the lists of a document ("5 quan điểm", "Điều 18: trách nhiệm của cơ quan"):
one member among non-members, the one non-member among members, true or false, and a cause
among the effects of the same report.

Options are the curated labels of ``knowledge/quiz/lists.yaml`` (or, for a document without
them, the items' own opening statements when short enough to be shown whole). Wrong options
come first from sibling lists of the same document, then from hand-written wrong statements,
then from other documents; each is checked against every item of the target list and every
statement of its passages, and left out when it may say the same thing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from retrieval.domain.models import Passage
from retrieval.domain.naming import KIND_LABELS
from retrieval.domain.quiz import FALSE, MAX_EXPLANATION, MAX_OPTION, TRUE, Style
from retrieval.knowledge.chunking import LEGAL_KINDS, SEP
from retrieval.quiz.assemble import Draft, explain_tail, question_id, stable_hash
from retrieval.quiz.catalogue import CatalogueError, ItemList, ListItem, ListStyle
from retrieval.quiz.context import Context
from retrieval.quiz.corpus import heading_label
from retrieval.quiz.form import similar_length
from retrieval.quiz.wording import ORDINAL_WORDS, clauses, occurs, sentence_case, strip_end

_ITEM = re.compile(
    r"^(?:(\d{1,2})\.\s+|Thứ\s+(" + "|".join(ORDINAL_WORDS) + r")\s*,\s*)", re.IGNORECASE
)
_FURNITURE = re.compile(r"^(?:Điều \d+\.\d+\.|\()")
#: An automatic label longer than this would be cut: such an item is not shown.
AUTO_LABEL = 90


@dataclass
class Member:
    label: str
    quote: str
    passage: Passage
    #: May be shown as true: its passage is in force and its wording still the law.
    usable: bool = True
    aliases: list[str] = field(default_factory=list)


@dataclass
class Resolved:
    """A list with its items found in the corpus."""

    spec: ItemList
    members: list[Member]
    citation: str | None = None
    #: Every correct statement of the list: labels, quotes and the statements of its passages.
    truths: list[str] = field(default_factory=list)

    def stem(self, template: str) -> str:
        return template.format(citation=self.citation or "")

    @property
    def name(self) -> str:
        return self.stem(self.spec.name)

    @property
    def short(self) -> str:
        return self.stem(self.spec.short or self.spec.name)

    @property
    def items(self) -> list[str]:
        return list(
            dict.fromkeys(
                [
                    *(m.label for m in self.members),
                    *(m.quote for m in self.members),
                    *(a for m in self.members for a in m.aliases),
                ]
            )
        )


@dataclass
class Wrong:
    """A statement that is not an item of the target list, and where it does belong."""

    label: str
    home: Resolved | None = None
    member: Member | None = None
    #: 0 for a sibling list of the same document, 1 for another list of it, 2 for a wrong
    #: statement written by hand, 3 for another document: lower tiers are offered first.
    tier: int = 0


def item_statement(text: str) -> str:
    """An item's opening statement, without its number: up to the first ';' or full stop."""
    first = _ITEM.sub("", text.split("\n")[0], count=1)
    first = re.split(r";\s|\.\s", first)[0]
    return sentence_case(strip_end(first))


def _statements(passage: Passage) -> list[str]:
    """The statements of a passage, without an article's heading and status lines."""
    body = "\n".join(ln for ln in passage.text.split("\n") if not _FURNITURE.match(ln.strip()))
    return [c for c in clauses(body) if len(c) > 12]


def resolve(ctx: Context, spec: ItemList) -> Resolved | None:
    """``spec`` with each item found in its document (an article's passages for a legal list);
    None when the document is not in the knowledge base. A quote that is not there is an error
    of the curated file."""
    corpus = ctx.corpus
    if spec.document_id not in corpus.docs:
        return None
    passages = [p for p in corpus.passages if p.doc_id == spec.document_id]
    citation = None
    if spec.article:
        art = corpus.legal.by_code.get(spec.article)
        if art is None:
            raise CatalogueError(f"{spec.id}: không có điều {spec.article}")
        passages, citation = art.passages, art.citation
    members = []
    for item in spec.items:
        holders = [p for p in passages if occurs(item.quote, p.text)]
        if not holders:
            raise CatalogueError(f"{spec.id}: trích dẫn «{item.quote}» không có trong văn bản")
        p = holders[0]
        usable = corpus.usable(p)
        art = corpus.legal.of(p)
        if usable and art is not None:
            line = next((ln for ln in p.text.split("\n") if occurs(item.quote, ln)), item.quote)
            usable = corpus.legal.current(art, line) is None
        members.append(Member(item.label, item.quote, p, usable, item.aliases))
    lst = Resolved(spec, members, citation)
    statements: list[str] = []
    for p in {id(m.passage): m.passage for m in members}.values():
        statements.extend(_statements(p))
    lst.truths = list(dict.fromkeys([*lst.items, *statements]))
    return lst


def auto_lists(ctx: Context, covered: set[tuple[str, int]]) -> list[Resolved]:
    """Numbered or "Thứ nhất …" lists of documents without curated labels: three items or
    more, numbered 1…n, of one kind, none of their passages already in a curated list."""
    corpus = ctx.corpus
    groups: dict[tuple[str, tuple[str, ...]], list[Passage]] = defaultdict(list)
    for p in corpus.live:
        doc = corpus.docs[p.doc_id]
        if doc.kind in LEGAL_KINDS or p.section == doc.title:
            continue
        groups[(p.doc_id, tuple(p.section.split(SEP)[:-1]))].append(p)
    out: list[Resolved] = []
    for (doc_id, parent), passages in groups.items():
        items: list[tuple[int, Passage]] = []
        for p in passages:
            m = _ITEM.match(p.text)
            if m:
                n = int(m.group(1)) if m.group(1) else ORDINAL_WORDS.index(m.group(2).lower()) + 1
                items.append((n, p))
        kinds = {p.kind for _, p in items}
        if (
            len(items) < 3
            or [n for n, _ in items] != list(range(1, len(items) + 1))
            or len(kinds) != 1
            or "khac" in kinds
            or any((doc_id, p.ordinal) in covered for _, p in items)
        ):
            continue
        kind = KIND_LABELS[items[0][1].kind].lower()
        heading = heading_label(parent[-1]).lower() if parent else kind
        ref = corpus.ref(doc_id)
        labels = [item_statement(p.text) for _, p in items]
        spec = ItemList(
            id=f"tu-dong-{stable_hash(doc_id, *parent)[:8]}",
            document_id=doc_id,
            name=f"{kind} ({heading}) của {ref}",
            member=f"Theo {ref}, đâu là một trong {len(items)} {heading}?",
            not_member=f"Theo {ref}, đâu KHÔNG phải là một trong {len(items)} {heading}?",
            ask={"list_item": 1, "not_in_list": 1 if len(items) >= 4 else 0},
            items=[ListItem(quote=label, label=label[:MAX_OPTION]) for label in labels],
        )
        members = [
            Member(label, label, p, len(label) <= AUTO_LABEL)
            for label, (_, p) in zip(labels, items, strict=True)
        ]
        lst = Resolved(spec, members)
        lst.truths = list(
            dict.fromkeys([*lst.items, *(s for _, p in items for s in _statements(p))])
        )
        out.append(lst)
    return out


def all_lists(ctx: Context) -> list[Resolved]:
    curated = [r for spec in ctx.lists if (r := resolve(ctx, spec)) is not None]
    covered = {(m.passage.doc_id, m.passage.ordinal) for r in curated for m in r.members}
    return curated + auto_lists(ctx, covered)


# --- wrong options ---------------------------------------------------------------------------


def wrong_pool(ctx: Context, target: Resolved, lists: list[Resolved]) -> list[Wrong]:
    """Statements certainly not in ``target``, siblings of the same document first."""
    doc = target.spec.document_id
    lists = [r for r in lists if r.spec.tone == target.spec.tone and not r.spec.check_only]
    siblings = [r for r in lists if r.spec.id in target.spec.siblings]
    same_doc = [r for r in lists if r.spec.document_id == doc and r not in siblings]
    others = [r for r in lists if r.spec.document_id != doc]
    tiers: list[list[Wrong]] = [
        [Wrong(m.label, r, m, 0) for r in siblings for m in r.members],
        [Wrong(m.label, r, m, 1) for r in same_doc if r is not target for m in r.members],
        [Wrong(w, tier=2) for w in target.spec.wrong],
        [Wrong(m.label, r, m, 3) for r in others for m in r.members],
    ]
    ctx.sim.prepare([*target.truths, *(w.label for tier in tiers for w in tier)])
    out: list[Wrong] = []
    seen: set[str] = set()
    for tier in tiers:
        for w in tier:
            if w.label in seen:
                continue
            seen.add(w.label)
            texts = [w.label] + ([w.member.quote] if w.member else [])
            why = next((r for t in texts if (r := ctx.sim.restates_any(t, target.truths))), None)
            if why:
                ctx.turned_away["từ khóa" if "từ khóa" in why else "cosine"] += 1
                continue
            out.append(w)
    return out


def _order(items: list, key, seed: str) -> list:
    return sorted(items, key=lambda x: stable_hash(seed, key(x)))


def _choose_wrong(pool: list[Wrong], anchor: str, k: int, seed: str) -> list[Wrong]:
    """``k`` wrong statements to sit beside ``anchor``: earlier tiers first, in an order within
    each tier that ``seed`` decides (so that questions of one list vary), none much longer than
    ``anchor`` nor much shorter, and at least one long enough that the key does not stand out
    as the longest (``form.form_problems``)."""
    fitting = sorted(
        (
            w
            for w in pool
            if w.label != anchor
            and (
                similar_length(w.label, anchor)
                or len(anchor) <= 2 * len(w.label) <= 3 * len(anchor)
            )
        ),
        key=lambda w: (w.tier, stable_hash(seed, w.label)),
    )
    long_enough = [w for w in fitting if similar_length(w.label, anchor)]
    if not long_enough:
        return []
    chosen = [long_enough[0]]
    for w in fitting:  # at most two from another list, so that the options are varied
        same_home = [c for c in chosen if w.home is not None and c.home is w.home]
        if w in chosen or len(same_home) >= 2:
            continue
        chosen.append(w)
        if len(chosen) == k:
            break
    return chosen


def _free(ctx: Context, lst: Resolved, seed: str) -> list[Member]:
    doc = lst.spec.document_id
    return [m for m in lst.members if m.usable and ctx.ledger.free(doc, [m.quote])]


def _count_unasked(ctx: Context, lst: Resolved) -> None:
    """Why the items of a list that no question asks about were left alone."""
    doc = lst.spec.document_id
    for m in lst.members:
        if not m.usable:
            ctx.skip("het-hieu-luc")
        elif not ctx.ledger.free(doc, [m.quote]):
            pass  # asked by a question (or shown as true in one)
        elif lst.spec.check_only or not any(lst.spec.ask.values()):
            ctx.skip("danh-sach-tat")
        else:
            ctx.skip("gioi-han-kieu")


def _pinned_first(ctx: Context, candidates: list, ident, seed: str) -> list:
    """Candidates a reviewer kept first, then the others in a stable pseudo-random order."""
    return sorted(
        candidates,
        key=lambda c: (not ctx.review.allowed(ident(c)), stable_hash(seed, ident(c))),
    )


def _take(ctx: Context, doc_id: str, quotes: list[str], qid: str) -> None:
    ctx.ledger.take(ctx.ledger.keys(doc_id, quotes), qid)


# --- the three kinds -------------------------------------------------------------------------


def _members(ctx: Context, lst: Resolved, pool: list[Wrong], style: Style) -> list[Draft]:
    kind: ListStyle = "list_item"
    drafts: list[Draft] = []
    if not lst.spec.member or not lst.spec.cap(kind):
        return drafts
    question = lst.stem(lst.spec.member)
    free = _pinned_first(
        ctx, _free(ctx, lst, style), lambda m: question_id(style, question, m.label), question
    )
    for m in free:
        if len(drafts) >= lst.spec.cap(kind):
            break
        qid = question_id(style, question, m.label)
        if not ctx.ledger.free(lst.spec.document_id, [m.quote]) or ctx.refused(
            qid, lst.spec.document_id, m.quote
        ):
            continue
        wrong = _choose_wrong(pool, m.label, 3, question + m.label)
        if len(wrong) < 3:
            ctx.skip("thieu-nhieu")
            continue
        draft = Draft(
            style=style,
            difficulty=lst.spec.level(kind),
            question=question,
            answer=m.label,
            distractors=[w.label for w in wrong],
            quote=m.quote,
            passage=m.passage,
            items=lst.items,
            anchor=m.quote,
        )
        _take(ctx, lst.spec.document_id, [m.quote], qid)
        drafts.append(draft)
    return drafts


def _non_member(ctx: Context, lst: Resolved, pool: list[Wrong]) -> list[Draft]:
    """ "Đâu KHÔNG phải là …": a statement of the pool among three members of a length like
    its own."""
    kind: ListStyle = "not_in_list"
    if not lst.spec.not_member or not lst.spec.cap(kind):
        return []
    question = lst.stem(lst.spec.not_member)
    free = _order(_free(ctx, lst, question), lambda m: m.label, question)
    candidates = _pinned_first(ctx, pool, lambda w: question_id(kind, question, w.label), question)
    for key in candidates:
        trio = [m for m in free if similar_length(m.label, key.label)][:3]
        if len(trio) < 3 or ctx.refused(
            question_id(kind, question, key.label), lst.spec.document_id, trio[0].quote
        ):
            continue
        first, *rest = trio
        leads = [
            f"«{key.label}» không phải là {lst.short}; ba phương án kia đều đúng.",
            f"Phương án này không phải là {lst.short}; ba phương án kia đều đúng.",
        ]
        if key.home:
            leads.insert(0, f"«{key.label}» là {key.home.short}, không phải {lst.short}.")
        room = MAX_EXPLANATION - len(explain_tail(ctx.corpus, first.passage))
        draft = Draft(
            style=kind,
            difficulty=lst.spec.level(kind),
            question=question,
            answer=key.label,
            distractors=[m.label for m in trio],
            quote=first.quote,
            passage=first.passage,
            also=[m.quote for m in rest],
            items=lst.items,
            lead=next((t for t in leads if len(t) <= room), leads[-1]),
            lead_only=True,
            anchor=first.quote,
        )
        _take(
            ctx,
            lst.spec.document_id,
            [m.quote for m in trio],
            question_id(kind, question, key.label),
        )
        return [draft]
    return []


def _true_false(ctx: Context, lst: Resolved, pool: list[Wrong]) -> list[Draft]:
    """ "Đúng hay sai: «…» là một …": a member (true), or an item of another list of the same
    register (false, proved by its own passage); the two alternate."""
    kind: ListStyle = "true_false"
    drafts: list[Draft] = []
    if not lst.spec.statement or not lst.spec.cap(kind):
        return drafts
    statement = lst.stem(lst.spec.statement)

    def question(label: str) -> str:
        return f"Đúng hay sai: «{label}» là {statement}."

    # (label, answer, the member that proves it, its list)
    true = [(m.label, TRUE, m, lst) for m in _free(ctx, lst, statement)]
    false = [
        (w.label, FALSE, w.member, w.home) for w in pool if w.home and w.member and w.member.usable
    ]

    def ident(c: tuple) -> str:
        return question_id(kind, question(c[0]), c[1])

    def usable(c: tuple) -> bool:
        return ctx.ledger.free(c[3].spec.document_id, [c[2].quote]) and not ctx.refused(
            ident(c), c[3].spec.document_id, c[2].quote
        )

    truth = int(stable_hash(lst.spec.id)[:2], 16) % 2 == 0
    for _ in range(lst.spec.cap(kind)):
        # a statement a reviewer kept comes first, true or false; then they alternate
        kept = [c for c in true + false if ctx.review.allowed(ident(c)) and usable(c)]
        group = _order(true if truth else false, lambda c: c[0], statement)
        candidates = kept[:1] or [c for c in group if usable(c)]
        if candidates:
            truth = candidates[0][1] == TRUE
            label, answer, member, home = candidates[0]
            drafts.append(
                Draft(
                    style=kind,
                    difficulty=lst.spec.level(kind),
                    question=question(label),
                    answer=answer,
                    distractors=[FALSE if answer == TRUE else TRUE],
                    quote=member.quote,
                    passage=member.passage,
                    items=lst.items,
                    lead="Đúng." if answer == TRUE else f"Sai: đây là {home.short}.",
                    anchor=member.quote,
                )
            )
            qid = question_id(kind, question(label), answer)
            _take(ctx, home.spec.document_id, [member.quote], qid)
        truth = not truth
    return drafts


def list_questions(ctx: Context) -> list[Draft]:
    lists = all_lists(ctx)
    drafts: list[Draft] = []
    for lst in lists:
        if lst.spec.check_only or not ctx.corpus.usable_doc(lst.spec.document_id):
            continue
        pool = wrong_pool(ctx, lst, lists)
        style: Style = "cause_effect" if lst.spec.style == "cause_effect" else "list_item"
        made = _non_member(ctx, lst, pool)
        if lst.spec.cap("not_in_list") and not made:
            ctx.skip("thieu-nhieu")
        drafts += made
        drafts += _members(ctx, lst, pool, style)
        drafts += _true_false(ctx, lst, pool)
    for lst in lists:
        _count_unasked(ctx, lst)
    return drafts
