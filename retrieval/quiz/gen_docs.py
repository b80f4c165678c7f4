"""Questions on which document a statement comes from."""

from __future__ import annotations

from retrieval.knowledge.chunking import LEGAL_KINDS
from retrieval.quiz.assemble import Draft, pick, stable_hash
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.wording import clauses, sentence_case, strip_end

#: A statement is a fair "which document" question only when no other document comes close.
FOREIGN_LIMIT = 0.3
PER_DOCUMENT = 2


def document_questions(corpus: Corpus) -> list[Draft]:
    """ "Nội dung sau được nêu trong văn bản nào?" with other documents as wrong options."""
    drafts: list[Draft] = []
    for doc in corpus.documents:
        if doc.kind in LEGAL_KINDS or not corpus.usable_doc(doc.id):
            continue
        others = [d for d in corpus.documents if d.id != doc.id]
        found = []
        for p in corpus.of(doc.id):
            for c in clauses(p.text):
                if not 60 <= len(c) <= 180 or c.startswith("(") or ":" in c:
                    continue
                far = [
                    d.id
                    for d in others
                    if not any(
                        corpus.alike(c, q.text, FOREIGN_LIMIT)
                        for q in corpus.passages
                        if q.doc_id == d.id
                    )
                ]
                far.sort(key=lambda i: corpus.docs[i].kind in LEGAL_KINDS)
                if len(far) >= 3:
                    found.append((stable_hash(doc.id, c), c, p, far))
        for _, statement, p, far in sorted(found, key=lambda f: f[0])[:PER_DOCUMENT]:
            drafts.append(
                Draft(
                    style="document",
                    difficulty="trung bình",
                    question=(
                        "Nội dung sau được nêu trong văn bản nào?\n"
                        f"«{sentence_case(strip_end(statement))}»"
                    ),
                    answer=corpus.label(doc.id),
                    distractors=[corpus.label(d) for d in pick(far[:4], 3, statement)],
                    quote=statement,
                    passage=p,
                )
            )
    return drafts
