"""What every generator is given: the corpus, the curated lists, the restatement check, the
statements already asked about and the reviewer's decisions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from retrieval.quiz.catalogue import ItemList
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.review import Review
from retrieval.quiz.similarity import Similarity
from retrieval.quiz.statements import Ledger


@dataclass
class Context:
    corpus: Corpus
    sim: Similarity
    ledger: Ledger
    lists: list[ItemList] = field(default_factory=list)
    review: Review = field(default_factory=Review)
    #: Wrong options the restatement check turned away, by reason ("cosine", "từ khóa").
    turned_away: Counter[str] = field(default_factory=Counter)
    #: How many questions a generator did not make because the reviewer had denied them.
    refusals: int = 0
    #: Candidates a generator passed over, by reason code (see ``bank.REASONS_BANK``).
    skipped: Counter[str] = field(default_factory=Counter)

    def skip(self, code: str, n: int = 1) -> None:
        self.skipped[code] += n

    def refused(self, question_id: str, document_id: str, quote: str) -> bool:
        """Whether the reviewer denied this question (a generator then makes another)."""
        if self.review.refusal(question_id, document_id, quote) is None:
            return False
        self.refusals += 1
        return True
