"""Questions on codified law: which defined term a definition belongs to.

The question names the act and the article ("Theo Điều 3 Nghị định …"), never a Pháp điển code;
a definition whose wording is out of date (a body or a website since replaced) is not asked.
"""

from __future__ import annotations

import re
from collections import defaultdict

from retrieval.domain.models import Passage
from retrieval.domain.naming import shorten
from retrieval.domain.quiz import MAX_QUESTION
from retrieval.quiz.assemble import Draft, pick, question_id, stable_hash
from retrieval.quiz.context import Context
from retrieval.quiz.wording import occurs, sentence_case, strip_end

_DEFINITION = re.compile(
    r'^(?:\d{1,2}\.\s*)?[“"](?P<term>[^”"]{2,70})[”"]\s+là\s+(?P<body>.{20,})$'
)
#: At most this many definitions asked from one article.
PER_ARTICLE = 3
#: A definition longer than this makes a stem that reads as a copied paragraph.
MAX_BODY = 170


def definition_questions(ctx: Context) -> list[Draft]:
    """ "Theo Điều 3 …, thuật ngữ nào được hiểu là «…»?" with the article's other terms as
    wrong options."""
    corpus = ctx.corpus
    groups: dict[str, list[tuple[str, str, str, Passage]]] = defaultdict(list)
    for p in corpus.live:
        art = corpus.legal.of(p)
        if art is None or not corpus.legal.askable_act(art) or not art.citation:
            continue
        for line in p.text.split("\n"):
            m = _DEFINITION.match(line.strip())
            if m:
                term = sentence_case(m.group("term").strip())
                groups[art.code].append((term, m.group("body"), line.strip(), p))
    drafts: list[Draft] = []
    for code, entries in groups.items():
        if len(entries) < 4:
            continue
        art = corpus.legal.by_code[code]
        head = f"Theo {art.citation}, thuật ngữ nào được hiểu là «"
        made = 0
        for term, body, line, p in sorted(entries, key=lambda e: stable_hash(code, e[0])):
            if made >= PER_ARTICLE:
                break
            if occurs(term, body):
                continue
            if corpus.legal.current(art, line):
                ctx.skip("het-hieu-luc")
                continue
            if len(body) > MAX_BODY:
                ctx.skip("qua-dai")
                continue
            if not ctx.ledger.free(p.doc_id, [line]):
                continue
            body_text = shorten(strip_end(body), MAX_QUESTION - len(head) - 2)
            others = [t for t, *_ in entries if t != term and not occurs(t, line)]
            if len(others) < 3:
                continue
            question = f"{head}{body_text}»?"
            qid = question_id("definition", question, term)
            if ctx.refused(qid, p.doc_id, line):
                continue
            drafts.append(
                Draft(
                    style="definition",
                    difficulty="nhớ",
                    question=question,
                    answer=term,
                    distractors=pick(others, 3, line),
                    quote=line,
                    passage=p,
                    anchor=term,
                )
            )
            ctx.ledger.take(ctx.ledger.keys(p.doc_id, [line]), qid)
            made += 1
    return drafts
