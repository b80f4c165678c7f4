"""Questions on codified law: which term a definition belongs to, which act an article is from."""

from __future__ import annotations

import re
from collections import defaultdict

from retrieval.domain.models import Passage
from retrieval.domain.naming import shorten
from retrieval.domain.quiz import MAX_QUESTION
from retrieval.domain.text import fold
from retrieval.quiz.assemble import Draft, pick, stable_hash
from retrieval.quiz.corpus import Corpus, article_title
from retrieval.quiz.gen_facts import ACT
from retrieval.quiz.wording import occurs, sentence_case, strip_end

_DEFINITION = re.compile(
    r'^(?:\d{1,2}\.\s*)?[“"](?P<term>[^”"]{2,70})[”"]\s+là\s+(?P<body>.{20,})$'
)
_ACT = re.compile(ACT)
#: At most this many "which act" questions per act, so that one act does not fill the bank.
PER_ACT = 3


def definition_questions(corpus: Corpus) -> list[Draft]:
    """ "Thuật ngữ nào được hiểu là «…»?" with the article's other terms as wrong options."""
    groups: dict[tuple[str, str], list[tuple[str, str, str, Passage]]] = defaultdict(list)
    for p in corpus.live:
        for line in p.text.split("\n"):
            m = _DEFINITION.match(line.strip())
            if m:
                term = sentence_case(m.group("term").strip())
                groups[(p.doc_id, p.section)].append((term, m.group("body"), line.strip(), p))
    drafts: list[Draft] = []
    for entries in groups.values():
        if len(entries) < 3:
            continue
        for term, body, line, p in entries:
            if occurs(term, body):
                continue
            source = p.origin or corpus.ref(p.doc_id)
            head = f"Theo {source}, thuật ngữ nào được hiểu là «"
            body_text = shorten(strip_end(body), MAX_QUESTION - len(head) - 2)
            others = [t for t, *_ in entries if t != term and not occurs(t, line)]
            if not others:
                continue
            drafts.append(
                Draft(
                    style="definition",
                    difficulty="trung bình",
                    question=f"{head}{body_text}»?",
                    answer=term,
                    distractors=pick(others, 3, line),
                    quote=line,
                    passage=p,
                )
            )
    return drafts


def origin_questions(corpus: Corpus) -> list[Draft]:
    """ "Trong Pháp điển …, điều «…» có nguồn từ văn bản nào?"."""
    candidates: list[tuple[str, str, str, Passage]] = []  # (title, act, status line, passage)
    acts_of_title: dict[str, set[str]] = defaultdict(set)
    for p in corpus.passages:
        title = article_title(p.section)
        m = _ACT.search(p.origin or "")
        if not title or not m:
            continue
        act = f"{m.group('act')} số {m.group('num')}"
        acts_of_title[fold(title)].add(act)
        lines = p.text.split("\n")
        if corpus.usable(p) and len(lines) > 1 and lines[1].startswith("(") and act in lines[1]:
            candidates.append((title, act, lines[1], p))
    all_acts = sorted({c[1] for c in candidates})
    per_act: dict[str, int] = defaultdict(int)
    drafts: list[Draft] = []
    for title, act, status_line, p in sorted(candidates, key=lambda c: stable_hash(c[0], c[1])):
        if len(acts_of_title[fold(title)]) != 1 or per_act[act] >= PER_ACT:
            continue
        others = [a for a in all_acts if a != act and not occurs(a, p.text)]
        if len(others) < 2:
            continue
        per_act[act] += 1
        drafts.append(
            Draft(
                style="origin",
                difficulty="khó",
                question=f"Trong {corpus.ref(p.doc_id)}, điều «{title}» có nguồn từ văn bản nào?",
                answer=act,
                distractors=pick(others, 3, title),
                quote=status_line.strip("() "),
                passage=p,
            )
        )
    return drafts
