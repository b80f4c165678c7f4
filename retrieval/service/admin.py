"""Administration of the knowledge base, the same for the CLI and the bot: read files, preview
what a change would do, add, remove and rebuild, under a lock and a run log.

The corpus is ``knowledge/`` plus the documents administrators added (``index.docstore``).
Every action builds a complete new index version beside the live one and swaps it in; the
added files reach the document store only after that has succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retrieval.config import Settings
from retrieval.domain.errors import LoaderError, UnknownDocumentError
from retrieval.domain.models import BuildReport, Document
from retrieval.embedding.encoder import Encoder, LazyEncoder
from retrieval.index.builder import Progress, build_index
from retrieval.index.docstore import all_documents, docstore
from retrieval.index.lock import ReindexLock
from retrieval.index.run_log import ReindexLog
from retrieval.knowledge.documents import body_hash
from retrieval.knowledge.loaders import SUPPORTED_SUFFIXES, load_file, load_paths


def _norm_number(number: str) -> str:
    return number.strip().upper().replace(" ", "")


class AdminService:
    """Rebuild, add and remove, each as one locked, logged run that publishes a new version."""

    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | LazyEncoder | None = None,
        progress: Progress | None = None,
        who: str | None = None,
    ) -> None:
        self.settings = settings
        self._encoder: Encoder | LazyEncoder | None = encoder
        self.progress = progress
        self.who = who
        self.skipped_duplicates: list[tuple[str, str]] = []

    @property
    def encoder(self) -> Encoder | LazyEncoder:
        if self._encoder is None:
            self._encoder = LazyEncoder(self.settings)
        return self._encoder

    def rebuild(self, dry_run: bool = False) -> BuildReport:
        """The corpus as it stands: ``knowledge/`` plus added documents."""
        return self._run("rebuild", {}, lambda: all_documents(self.settings), dry_run)

    def add(
        self, docs: list[Document], supersedes: list[str] | None = None, dry_run: bool = False
    ) -> BuildReport:
        """Add or update documents; ``supersedes`` numbers are marked replaced by them."""
        supersedes = supersedes or []
        details = {"documents": [d.id for d in docs], "supersedes": supersedes}
        saved: list[Document] = []

        def target() -> list[Document]:
            corpus = {d.id: d for d in all_documents(self.settings)}
            by_body = {body_hash(d): d.id for d in corpus.values()}
            self.skipped_duplicates = []
            for doc in docs:
                twin = by_body.get(body_hash(doc))
                if twin and twin != doc.id:
                    self.skipped_duplicates.append((doc.id, twin))
                    continue
                corpus[doc.id] = doc
                saved.append(doc)
            for number in supersedes:
                old = self._find_by_number(corpus, number, exclude={d.id for d in saved})
                newest = saved[-1] if saved else None
                replaced_by = (newest.number or newest.title) if newest else None
                updated = old.model_copy(
                    update={"status": "bị thay thế", "replaced_by": replaced_by}
                )
                corpus[old.id] = updated
                saved.append(updated)
            return list(corpus.values())

        report = self._run("add", details, target, dry_run)
        if not dry_run:
            store = docstore(self.settings)
            for doc in saved:
                store.save(doc)
                store.set_removed(doc.id, False)
        report.plan.duplicates = self.skipped_duplicates + report.plan.duplicates
        return report

    def remove(self, doc_id: str, dry_run: bool = False) -> BuildReport:
        def target() -> list[Document]:
            corpus = all_documents(self.settings)
            if doc_id not in {d.id for d in corpus}:
                raise UnknownDocumentError("unknown_id", doc_id=doc_id)
            return [d for d in corpus if d.id != doc_id]

        report = self._run("remove", {"document": doc_id}, target, dry_run)
        if not dry_run:
            store = docstore(self.settings)
            store.delete(doc_id)
            if (self.settings.knowledge_dir / f"{doc_id}.md").exists():
                store.set_removed(doc_id, True)
        return report

    @staticmethod
    def _find_by_number(corpus: dict[str, Document], number: str, exclude: set[str]) -> Document:
        wanted = _norm_number(number)
        for doc in corpus.values():
            if doc.id not in exclude and doc.number and _norm_number(doc.number) == wanted:
                return doc
        raise UnknownDocumentError("unknown_number", number=number)

    def _run(self, action: str, details: dict, target, dry_run: bool) -> BuildReport:
        if dry_run:
            return build_index(self.settings, self.encoder, target(), dry_run=True)
        with ReindexLock(self.settings.index_root):
            log = ReindexLog(self.settings.data_dir / "reindex_runs.sqlite")
            run_id = log.start(action, details, self.who)
            try:
                report = build_index(self.settings, self.encoder, target(), self.progress)
            except KeyboardInterrupt:
                log.finish(run_id, "bị dừng", "Ctrl-C")
                raise
            except Exception as exc:
                log.finish(run_id, "thất bại", f"{type(exc).__name__}: {exc}")
                raise
            else:
                log.finish(run_id, "thành công", report.model_dump(mode="json"))
            finally:
                log.close()
        return report


__all__ = ["SUPPORTED_SUFFIXES", "AdminService", "corpus_documents", "read_file", "read_paths"]


def read_file(path: Path | str, max_bytes: int, overrides: Mapping[str, Any] | None = None):
    """One file (md, txt, html, docx, pdf) → ``Document``; raises ``LoaderError``."""
    return load_file(path, max_bytes, overrides)


def read_paths(
    paths: list[Path], max_bytes: int, overrides: Mapping[str, Any] | None = None
) -> tuple[list[Document], list[LoaderError]]:
    """Every file named or under a folder named; a bad file is reported, not fatal."""
    return load_paths(paths, max_bytes, overrides)


def corpus_documents(settings: Settings) -> list[Document]:
    """The corpus as the next rebuild would index it: ``knowledge/`` plus added documents."""
    return all_documents(settings)
