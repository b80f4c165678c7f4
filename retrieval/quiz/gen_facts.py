"""Questions on numbers the text states exactly: how many items a programme has ("tập trung
vào 6 nội dung") and the time limits of a provision ("chậm nhất là 10 ngày làm việc").

The retired generators asked dates of minor acts and yearly ranks one by one; a trainer asks
such facts, if at all, in curated questions that compare them.
"""

from __future__ import annotations

import re

from retrieval.domain.naming import ELLIPSIS, shorten
from retrieval.domain.quiz import MAX_QUESTION
from retrieval.knowledge.chunking import LEGAL_KINDS
from retrieval.quiz.assemble import Draft, pick, question_id
from retrieval.quiz.context import Context
from retrieval.quiz.legal import name_this_act, unanswerable
from retrieval.quiz.wording import clauses, numbers_in, sentence_case

_COUNT = re.compile(
    r"(?<![\w/])0?(\d{1,3}) (nội dung|lĩnh vực|bài học kinh nghiệm|giải pháp|nhiệm vụ|"
    r"quan điểm|mục tiêu|nhóm giải pháp|thủ tục hành chính)(?!\w)"
)
_CONNECTIVE = re.compile(
    r"^(Theo đó|Đồng thời|Cùng với đó|Bên cạnh đó|Bên cạnh những kết quả đã đạt được),\s*"
)
_LIST_END = re.compile(r":|, đó là|, bao gồm|, cụ thể| như sau")
#: A count question whose clause is longer than this reads as a copied sentence.
COUNT_CLAUSE = 130
_DURATION = re.compile(
    r"(?<=\s)(?:trước|sau|là|hạn|quá|kỳ|trong|nhất|vòng|đa) (?P<n>\d{1,3}) "
    r"(?P<unit>ngày làm việc|ngày|tháng)(?!\w)"
)
_LADDER = {"ngày": [2, 3, 5, 7, 10, 15, 20, 30, 45, 60], "tháng": [1, 3, 6, 9, 12]}
#: A fill-in-the-blank longer than this is a paragraph, not a question.
DEADLINE_CLAUSE = 200


def _nearby(n: int) -> list[int]:
    if n <= 10:
        return [m for m in (n - 2, n - 1, n + 1, n + 2, n + 3) if m >= 2]
    step = 5 if n < 50 else 10
    return [m for m in (n - 2 * step, n - step, n + step, n + 2 * step) if m > 0]


def count_questions(ctx: Context) -> list[Draft]:
    """ "… tập trung vào bao nhiêu nội dung?" where the text states the number in a short
    clause with a subject; not when the document's title gives it away; one per document."""
    corpus = ctx.corpus
    drafts: list[Draft] = []
    for doc in corpus.documents:
        if doc.kind in LEGAL_KINDS or not corpus.usable_doc(doc.id):
            continue
        for p in corpus.of(doc.id):
            made = False
            for sentence in clauses(p.text):
                m = _COUNT.search(sentence)
                if not m:
                    continue
                n, unit = int(m.group(1)), m.group(2)
                if n in numbers_in(doc.title):
                    ctx.skip("lo-dap-an")
                    continue
                end = _LIST_END.search(sentence, m.end())
                clause = sentence[: end.start()] if end else sentence.rstrip(" .;")
                comma = clause.find(", ", m.end())
                clause = _CONNECTIVE.sub("", clause[:comma] if comma > 0 else clause)
                if len(clause) > COUNT_CLAUSE or numbers_in(clause).count(n) != 1:
                    ctx.skip("qua-dai")
                    continue
                if not clause[:1].isupper() or not ctx.ledger.free(doc.id, [clause]):
                    continue
                asked = sentence_case(clause.replace(m.group(0), f"bao nhiêu {unit}", 1))
                question = f"Theo {corpus.ref(doc.id)}, {asked[:1].lower()}{asked[1:]}?"
                if len(question) > MAX_QUESTION:
                    continue
                qid = question_id("count", question, str(n))
                if ctx.refused(qid, doc.id, clause):
                    continue
                distractors = [str(x) for x in _nearby(n) if x not in numbers_in(clause)]
                drafts.append(
                    Draft(
                        style="count",
                        difficulty="nhớ",
                        question=question,
                        answer=str(n),
                        distractors=pick(distractors, 3, question),
                        quote=clause,
                        passage=p,
                        anchor=m.group(0),
                    )
                )
                ctx.ledger.take(ctx.ledger.keys(doc.id, [clause]), qid)
                made = True
                break
            if made:
                break
    return drafts


def deadline_questions(ctx: Context) -> list[Draft]:
    """Fill in the blank on a time limit of an article of an act the bank may ask about,
    naming the act and the article; never a clause that points elsewhere or is out of date."""
    corpus = ctx.corpus
    drafts: list[Draft] = []
    for p in corpus.live:
        art = corpus.legal.of(p)
        if art is None or not corpus.legal.askable_act(art) or not art.citation:
            continue
        for clause in clauses(p.text):
            found = list(_DURATION.finditer(clause))
            if len(found) != 1 or not clause[:1].isupper():
                continue
            if corpus.legal.current(art, clause):
                ctx.skip("het-hieu-luc")
                continue
            if unanswerable(clause):
                ctx.skip("tham-chieu")
                continue
            if len(clause) > DEADLINE_CLAUSE:
                ctx.skip("qua-dai")
                continue
            m = found[0]
            n, unit = int(m.group("n")), m.group("unit")
            ladder = _LADDER["tháng" if unit == "tháng" else "ngày"]
            taken = set(numbers_in(clause))
            near = sorted(
                (x for x in ladder if x != n and x not in taken), key=lambda x: abs(x - n)
            )
            if len(near) < 3 or not ctx.ledger.free(p.doc_id, [clause]):
                continue
            shown = name_this_act(clause, art)
            blank = f"{shown[: m.start('n')]}___{shown[m.end('unit') :]}"
            question = f"Theo {art.citation}, điền vào chỗ trống: «{blank.rstrip(' .;')}»"
            if len(question) > MAX_QUESTION:
                question = shorten(question, MAX_QUESTION - 1) + "»"
                if ELLIPSIS in question.split("___")[0]:
                    continue
            qid = question_id("deadline", question, f"{n} {unit}")
            if ctx.refused(qid, p.doc_id, clause):
                continue
            draft = Draft(
                style="deadline",
                difficulty="nhớ",
                question=question,
                answer=f"{n} {unit}",
                distractors=[f"{x} {unit}" for x in near[:3]],
                quote=clause,
                passage=p,
                anchor=m.group(0),
            )
            ctx.ledger.take(ctx.ledger.keys(p.doc_id, [clause]), qid)
            drafts.append(draft)
    return drafts
