"""Hybrid search: BM25 (``lexical``) and FAISS dense search over passages and over their
sentences, fused by reciprocal rank; what the question says of its answer's place in the
documents (an article it names, an item by its rank, a heading it repeats, the kind of
content it asks for) is added as ranked lists of its own. Then near-duplicates go, and the
evidence is judged (``evidence``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from retrieval.config import Settings
from retrieval.domain.changes import load_changes
from retrieval.domain.changes import resolve as resolve_changes
from retrieval.domain.models import Document, DocumentMeta, Hit, Passage, SearchFilters
from retrieval.domain.text import STOPWORDS, fold, syllables
from retrieval.embedding.encoder import Encoder
from retrieval.index.versions import IndexVersion, current_version_dir
from retrieval.knowledge.structure import item_label
from retrieval.search.evidence import Catalogue, Evidence, idf_of, judge, states_figure
from retrieval.search.lexical import Lexical
from retrieval.search.query import ORDINALS, Query, analyse, names_period
from retrieval.search.swap import ReadWriteLock

#: A sector's provisions weigh this much less when the question does not name the sector:
#: the general decree answers before a ministry's circular.
SECTOR_DAMPING = 0.6
#: How far down the fused ranking passages are read for a figure the question asks for.
FIGURE_DEPTH = 20
#: Page furniture (attendance lists, bylines) weighs this much less.
FURNITURE_DAMPING = 0.3
#: "bài học thứ ba" names its answer: the third item outweighs every other signal.
ORDINAL_WEIGHT = 3.0
#: Passages that say in other words what the question says (``Vocabulary.synonyms``).
SYNONYM_WEIGHT = 0.5
#: A heading the question repeats this much of is a ranked list of its own.
TITLE_MATCH = 0.8

Sentences = dict[int, list[tuple[int, int, np.ndarray]]]


@dataclass
class SearchResult:
    query: Query
    hits: list[Hit]
    evidence: Evidence
    #: The question's vector, and the sentences (offsets and vectors) of every hit.
    query_vector: np.ndarray | None = None
    sentences: Sentences = field(default_factory=dict)
    #: For questions about a list or an item of one: every passage of the hits' documents.
    document_passages: dict[str, list[Passage]] = field(default_factory=dict)
    #: (document id, section) → every passage of that article or section, for the best hits
    #: (an article split in two passages is quoted and cited as one).
    section_passages: dict[tuple[str, str], list[Passage]] = field(default_factory=dict)
    #: The passages ranked after ``hits``, when asked for: what "more results" may show.
    further: list[Hit] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return self.evidence.confidence


@lru_cache(maxsize=8192)
def _shingles(text: str) -> frozenset[str]:
    """Folded syllable triples; cached, as each candidate is compared with every kept hit."""
    toks = [fold(t) for t in syllables(text)]
    return frozenset(" ".join(toks[i : i + 3]) for i in range(max(len(toks) - 2, 1)))


def near_duplicate(a: str, b: str, threshold: float = 0.6) -> bool:
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) >= threshold


def heading_of(passage: Passage) -> str:
    """The passage's own heading: the article's title or the item's label."""
    return passage.section.rsplit(" › ", 1)[-1]


#: Dense similarities (e5-small, cosine) between which a dense ranking goes from noise to
#: fully trusted.
DENSE_TRUST = (0.84, 0.90)


def _trust(top: float) -> float:
    low, high = DENSE_TRUST
    return min(max((top - low) / (high - low), 0.0), 1.0)


@lru_cache(maxsize=8192)
def _heading_words(heading: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A heading's content words, folded, in order and as a set."""
    words = tuple(
        fold(t)
        for t in syllables(re.sub(r"^(?:Điều [\w.]+\.|[IVX]+\.|\d+\.)\s*", "", heading))
        if fold(t) not in STOPWORDS
    )
    return words, frozenset(words)


def title_match(query: Query, heading: str) -> float:
    """How much of a heading the question repeats, in [0, 1]: the share of the heading's
    content words (its "Điều 44.5.NĐ.1." number aside) that the question uses. Headings of
    fewer than two content words ("Thứ nhất", "Mục tiêu") say too little to count."""
    words, distinct = _heading_words(heading)
    if len(distinct) < 2 or distinct.isdisjoint(query.asked):
        return 0.0
    return sum(w in query.asked for w in words) / len(words)


def item_number(passage: Passage) -> int | None:
    """The place of a list item ("3. …" or "Thứ ba, …" → 3)."""
    label = item_label(passage.text.split("\n", 1)[0])
    if label is None:
        return None
    if label.isdigit():
        return int(label)
    parts = fold(label).split()
    return ORDINALS.get(parts[-1]) if parts and parts[0] == "thu" else None


def article_number(passage: Passage) -> str | None:
    """ "Điều 29 Nghị định số 63/2010/NĐ-CP" → "29"; "Điều 44.5.NĐ.17. …" → "17"."""
    if passage.origin and (m := re.match(r"Điều (\d+[a-z]?)", passage.origin)):
        return m.group(1)
    m = re.search(r"Điều [\d.]+[A-ZĐ]+\.(\d+[a-z]?)\.", heading_of(passage))
    return m.group(1) if m else None


class Searcher:
    """Searches the live index version; picks up a newer version between questions."""

    def __init__(self, settings: Settings, encoder: Encoder) -> None:
        self.settings = settings
        self.encoder = encoder
        self.vocabulary = encoder.vocabulary
        self.version = IndexVersion.open_current(settings)
        self.version.check_model(encoder.name, encoder.dimension)
        self._swap = ReadWriteLock()
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="search")
        self._load_caches()

    def _load_caches(self) -> None:
        self.documents = {d.id: d for d in self.version.store.documents()}
        self.catalogue = Catalogue.of(list(self.documents.values()))
        self.accent_forms = self.version.store.accent_forms()
        self.total = max(self.version.manifest.passage_count, 1)
        self.lexical = Lexical(self.version.store, self.total)
        self.idf = idf_of(self.total, self.lexical.doc_freq)
        self.superseded = resolve_changes(
            load_changes(self.settings.changes_path), self.version.store.passages_of_document
        )

    def reload_if_changed(self) -> bool:
        """Switch to a newer published version; returns True when it did."""
        folder = current_version_dir(self.settings.index_root)
        if folder is None or folder == self.version.folder:
            return False
        fresh = IndexVersion(folder)
        fresh.check_model(self.encoder.name, self.encoder.dimension)
        # Searches in flight finish on the old version before it is closed.
        with self._swap.writing():
            old, self.version = self.version, fresh
            self._load_caches()
        old.close()
        return True

    def passages(self, ids: list[int]) -> list[tuple[Passage, DocumentMeta]]:
        """Passages of the live version by id, with their documents, in the order given;
        ids the version does not have are skipped. Safe while a new version is swapped in."""
        with self._swap.reading():
            found = self.version.store.passages(ids)
            documents = self.documents
        return [
            (found[pid], documents[found[pid].doc_id])
            for pid in ids
            if pid in found and found[pid].doc_id in documents
        ]

    def corpus(self) -> tuple[str, list[Document], list[Passage]]:
        """The live version's name, its documents with their bodies, and its passages."""
        with self._swap.reading():
            return (self.version.folder.name, *self.version.corpus())

    def analyse(self, question: str) -> Query:
        return analyse(question, self.vocabulary, self.accent_forms)

    def dense_text(self, question: str) -> str:
        """The question as the dense model reads it (accents restored, abbreviations spelled
        out, English terms glossed)."""
        return self.analyse(question).dense_text

    def search(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        extra: int = 0,
    ) -> SearchResult:
        """The ``k`` best passages (and ``extra`` more, for "more results"), with the evidence
        for answering from the ``k``."""
        with self._swap.reading():
            return self._search(self.analyse(question), k, filters, extra)

    # -- ranking ------------------------------------------------------------------------------
    @staticmethod
    def _title_matches(
        query: Query,
        passages: Iterable[Passage],
        titles: dict[int, float],
        headings: dict[str, float],
    ) -> None:
        """``title_match`` of each passage's heading not yet in ``titles``; a heading is
        shared by the items under it, and matched once (``headings``)."""
        for p in passages:
            if p.id not in titles:
                heading = heading_of(p)
                if (c := headings.get(heading)) is None:
                    c = headings[heading] = title_match(query, heading)
                titles[p.id] = c

    def _structural_lists(
        self,
        query: Query,
        ordered: list[int],
        passages: dict[int, Passage],
        titles: dict[int, float],
    ) -> list[tuple[float, list[int]]]:
        """Ranked lists from what the question says about where its answer sits;
        ``titles``: each passage's ``title_match``."""
        lists: list[tuple[float, list[int]]] = []
        present = [pid for pid in ordered if pid in passages]
        if query.kinds:  # "các giải pháp …": passages of that kind, in fused order
            kind = [pid for pid in present if passages[pid].kind in query.kinds]
            lists.append((self.settings.kind_weight, kind))
        if query.article:  # "Điều 17": that article, whichever document cites it
            named = [pid for pid in present if article_number(passages[pid]) == query.article]
            lists.append((1.0, named))
        if query.ordinal:  # "bài học thứ ba": the third item of a list of the kind asked
            item = [
                pid
                for pid in present
                if item_number(passages[pid]) == query.ordinal
                and (not query.kinds or passages[pid].kind in query.kinds)
            ]
            lists.append((ORDINAL_WEIGHT, item))
        if query.periods:  # "giai đoạn 2011-2020": passages about that period
            documents = self.documents

            def about_period(p: Passage) -> bool:
                doc = documents.get(p.doc_id)
                head = f"{doc.title}\n{doc.summary or ''}" if doc else ""
                return any(names_period(f"{head}\n{p.text}", period) for period in query.periods)

            # only the documents of the passages found are read, not the whole catalogue
            about = [pid for pid in present if about_period(passages[pid])]
            if query.kinds:  # "hạn chế … giai đoạn 2011-2020": those of the kind asked first
                about = [pid for pid in about if passages[pid].kind in query.kinds] or about
            lists.append((1.0, about))
        if query.wants & {"number", "duration"}:  # "bao nhiêu ngày?": the passages that
            # state a figure in a sentence about what is asked
            figured = [
                pid
                for pid in present[:FIGURE_DEPTH]
                if states_figure(query, passages[pid].text, self.idf)
            ]
            lists.append((1.0, figured))
        if query.synonyms:  # when no passage says it the question's way, those that say
            # it another way ("trùng lắp" for "chồng chéo") are what the words miss
            folded = {pid: fold(passages[pid].text) for pid in present}
            unsaid = {
                phrase: others
                for phrase, others in query.synonyms.items()
                if not any(phrase in text for text in folded.values())
            }
            said = []
            for pid in present:
                n = sum(any(fold(o) in folded[pid] for o in others) for others in unsaid.values())
                if n:
                    said.append((n, pid))
            said.sort(key=lambda x: -x[0])
            lists.append((SYNONYM_WEIGHT, [pid for _, pid in said]))
        if query.defines:  # "X là gì?": the passages that say "X là …"
            lists.append((1.0, [pid for pid in present if query.defined_in(passages[pid].text)]))
        # A heading that the question repeats ("Nguyên tắc thực hiện thủ tục hành chính",
        # "Phạm vi điều chỉnh") names the article that answers it.
        titled = [(titles[pid], pid) for pid in present if titles[pid] >= TITLE_MATCH]
        titled.sort(key=lambda x: -x[0])
        lists.append((1.0, [pid for _, pid in titled]))
        return lists

    def _damping(self, query: Query, passage: Passage) -> float:
        factor = 1.0
        if passage.scope and not self._names(query, passage.scope):
            factor *= SECTOR_DAMPING
        if passage.boilerplate:
            factor *= FURNITURE_DAMPING
        return factor

    def _names(self, query: Query, scope: str) -> bool:
        """Whether the question names a sector ("Bộ Công Thương", "giao thông vận tải")."""
        words = [w for w in fold(scope).replace("bo ", "", 1).replace("linh vuc ", "").split()]
        text = fold(self.vocabulary.expand(query.restored))
        return bool(words) and " ".join(words) in text

    def _search(
        self, query: Query, k: int | None, filters: SearchFilters | None, extra: int = 0
    ) -> SearchResult:
        k = k or self.settings.top_k
        filters = filters or SearchFilters()
        n = self.settings.candidates * (4 if filters.active else 1)
        rrf_k = self.settings.rrf_k
        version = self.version  # the caller holds the swap lock for reading
        # The three searches release the interpreter while they run, so the words are
        # searched while the question is embedded and the sentences while the passages are
        # searched: a question uses both cores (at most 2 searches wait, the embedding is
        # still shared with the questions asked at the same time).
        lexical_job = self._pool.submit(self.lexical.search, query.lexical_text, n)
        vector = self.encoder.encode_query(query.dense_text)
        sentence_job = self._pool.submit(version.sentence_search, vector, n)
        dense = version.dense_search(vector, n)
        lexical = lexical_job.result()
        # The sentences take longest at 10k passages and more (an inverted file of 50,000 and
        # more sentences): meanwhile, the passages found so far are read and their headings
        # matched with the question.
        found = dict.fromkeys(pid for pid, _ in (*lexical, *dense))
        passages = self.version.store.passages(found)
        titles: dict[int, float] = {}
        headings: dict[str, float] = {}
        self._title_matches(query, passages.values(), titles, headings)
        sentence = sentence_job.result()

        rrf: dict[int, float] = {}
        ranks = [{pid: r for r, (pid, _) in enumerate(found, 1)} for found in (lexical, dense)]
        sentence_rank = {pid: r for r, (pid, _) in enumerate(sentence, 1)}
        # A dense ranking is trusted as far as its best match is close: when nothing is near
        # the question, its order is mostly noise and the words decide.
        dense_weight = _trust(dense[0][1] if dense else 0.0)
        sentence_weight = _trust(sentence[0][1] if sentence else 0.0)
        lists = ((1.0, ranks[0]), (dense_weight, ranks[1]), (sentence_weight, sentence_rank))
        for weight, rank in lists:
            for pid, r in rank.items():
                rrf[pid] = rrf.get(pid, 0.0) + weight / (rrf_k + r)
        ordered = sorted(rrf, key=rrf.__getitem__, reverse=True)
        later = self.version.store.passages(pid for pid in ordered if pid not in found)
        self._title_matches(query, later.values(), titles, headings)
        passages |= later
        for weight, ranked in self._structural_lists(query, ordered, passages, titles):
            for r, pid in enumerate(ranked, 1):
                rrf[pid] += weight / (rrf_k + r)
        for pid, p in passages.items():
            rrf[pid] *= self._damping(query, p)
        ordered = sorted(rrf, key=rrf.__getitem__, reverse=True)

        dense_score, sentence_score = dict(dense), dict(sentence)
        hits: list[Hit] = []
        for pid in ordered:
            p = passages.get(pid)
            if p is None:
                continue
            doc = self.documents[p.doc_id]
            if not filters.accepts(p, doc):
                continue
            if any(near_duplicate(p.text, h.passage.text) for h in hits):
                continue
            hits.append(
                Hit(
                    passage=p,
                    document=doc,
                    score=rrf[pid],
                    lexical_rank=ranks[0].get(pid),
                    dense_rank=ranks[1].get(pid),
                    dense_score=dense_score.get(pid),
                    sentence_score=sentence_score.get(pid),
                )
            )
            if len(hits) >= k + extra:
                break
        hits, further = hits[:k], hits[k:]
        evidence = judge(
            query,
            hits,
            self.idf,
            self.catalogue,
            dense[0][1] if dense else 0.0,
            max((h.sentence_score or 0.0 for h in hits[:3]), default=0.0),
        )
        store = self.version.store
        doc_passages: dict[str, list[Passage]] = {}
        # A passage that ends announcing a list ("… Cụ thể:") is answered with the list.
        announces = any(h.passage.text.rstrip().endswith(":") for h in hits[:3])
        if query.asks_list or query.ordinal or query.expected_count or announces:
            for doc_id in dict.fromkeys(h.passage.doc_id for h in hits[:3]):
                doc_passages[doc_id] = store.passages_of_document(doc_id)
        sections: dict[tuple[str, str], list[Passage]] = {}
        for h in hits:
            key = (h.passage.doc_id, h.passage.section)
            if key not in sections and heading_of(h.passage).startswith("Điều "):
                sections[key] = store.passages_of_section(*key)
        return SearchResult(
            query=query,
            hits=hits,
            evidence=evidence,
            query_vector=vector,
            sentences=store.sentences_of(h.passage.id for h in [*hits, *further]),
            document_passages=doc_passages,
            section_passages=sections,
            further=further,
        )
