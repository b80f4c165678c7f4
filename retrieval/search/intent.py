"""What kind of passage a question asks for, read from the words it uses.

"Các giải pháp …", "bài học kinh nghiệm …", "những hạn chế …": officials name the kind of
content they want. Matching is done on folded text, so "giai phap" typed without accents works.
"""

from __future__ import annotations

import re

from retrieval.domain.models import PassageKind
from retrieval.domain.text import fold

# Folded cue → kind. Order does not matter: a question may ask for several kinds.
_CUES: list[tuple[PassageKind, re.Pattern[str]]] = [
    ("quan_diem", re.compile(r"\bquan diem\b")),
    ("muc_tieu", re.compile(r"\bmuc tieu\b")),
    # "là nhiệm vụ trọng tâm" describes something; only "các / những nhiệm vụ" asks for tasks.
    ("nhiem_vu", re.compile(r"\b(cac|nhung|may|\d+) nhiem vu\b|\bnhiem vu (gi|nao|cu the)\b")),
    ("giai_phap", re.compile(r"\bgiai phap\b")),
    ("bai_hoc", re.compile(r"\bbai hoc\b|\bkinh nghiem\b")),
    ("ket_qua", re.compile(r"\bket qua\b|\bthanh tuu\b|\bdat duoc\b")),
    ("han_che", re.compile(r"\bhan che\b|\bton tai\b|\byeu kem\b|\bbat cap\b")),
    ("nguyen_nhan", re.compile(r"\bnguyen nhan\b")),
]


#: "nguyên nhân của những hạn chế": what follows "của" qualifies the head noun; the question
#: asks for causes, not for limitations.
_COMPLEMENT = re.compile(
    r"\b(?:cua|dan den|gay ra|doi voi|ve)\s+(?:nhung |cac )?"
    r"(?:han che|ton tai|yeu kem|bat cap|ket qua|giai phap|bai hoc|quan diem|muc tieu)\b"
)


def head_of(question: str) -> str:
    """The question, folded, without the complements that qualify its head noun."""
    return _COMPLEMENT.sub(" ", fold(question).lower())


def question_kinds(question: str) -> set[PassageKind]:
    """The passage kinds a question names explicitly (empty when it names none)."""
    folded = head_of(question)
    return {kind for kind, pattern in _CUES if pattern.search(folded)}
