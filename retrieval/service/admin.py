"""Administration of the knowledge base, the same for the CLI and the bot: read files, preview
what a change would do, add, remove and rebuild, under a lock and a run log.

The corpus is ``knowledge/`` plus the documents administrators added (``index.docstore``).
Every action builds a complete new index version beside the live one and swaps it in. What
else it changes (files in ``documents/``, ``removed.txt``, the run log's outcome) travels in
the new version and is applied after the swap (``index.changes``); a run killed at any point
leaves the old state or the new one, and the next run, or :meth:`AdminService.repair` at
start-up, finishes what was published (``index.recovery``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from retrieval.atomic import is_disk_full
from retrieval.config import Settings
from retrieval.domain.errors import (
    CoreError,
    DiskFullError,
    LoaderError,
    ReindexBusyError,
    Stopped,
    UnknownDocumentError,
)
from retrieval.domain.models import BuildReport, Document
from retrieval.embedding.encoder import Encoder, LazyEncoder
from retrieval.index.builder import Progress, build_index
from retrieval.index.changes import Change
from retrieval.index.docstore import all_documents
from retrieval.index.lock import ReindexLock
from retrieval.index.recovery import Repair, complete, repair
from retrieval.index.run_log import FAILED, STOPPED, ReindexLog
from retrieval.knowledge.documents import body_hash
from retrieval.knowledge.loaders import SUPPORTED_SUFFIXES, load_file, load_paths

#: What a run is about: the corpus to index, and what else it changes once published.
Target = Callable[[], tuple[list[Document], Change]]


def _norm_number(number: str) -> str:
    return number.strip().upper().replace(" ", "")


def _failure(error: BaseException) -> str:
    """How a failed run is summed up in the run log."""
    if isinstance(error, CoreError):
        return json.dumps({"code": error.code, **error.details}, ensure_ascii=False, default=str)
    return f"{type(error).__name__}: {error}"


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
        return self._run("rebuild", {}, lambda: (all_documents(self.settings), Change()), dry_run)

    def add(
        self, docs: list[Document], supersedes: list[str] | None = None, dry_run: bool = False
    ) -> BuildReport:
        """Add or update documents; ``supersedes`` numbers are marked replaced by them."""
        supersedes = supersedes or []
        details = {"documents": [d.id for d in docs], "supersedes": supersedes}

        def target() -> tuple[list[Document], Change]:
            corpus = {d.id: d for d in all_documents(self.settings)}
            by_body = {body_hash(d): d.id for d in corpus.values()}
            saved: list[Document] = []
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
            change = Change(save=saved, restored=[d.id for d in saved])
            return list(corpus.values()), change

        report = self._run("add", details, target, dry_run)
        report.plan.duplicates = self.skipped_duplicates + report.plan.duplicates
        return report

    def remove(self, doc_id: str, dry_run: bool = False) -> BuildReport:
        def target() -> tuple[list[Document], Change]:
            corpus = all_documents(self.settings)
            if doc_id not in {d.id for d in corpus}:
                raise UnknownDocumentError("unknown_id", doc_id=doc_id)
            from_knowledge = (self.settings.knowledge_dir / f"{doc_id}.md").exists()
            change = Change(delete=[doc_id], removed=[doc_id] if from_knowledge else [])
            return [d for d in corpus if d.id != doc_id], change

        return self._run("remove", {"document": doc_id}, target, dry_run)

    def repair(self) -> Repair | None:
        """Finish what a killed run published, remove what it left half-written, and settle
        the runs left "đang chạy" (``index.recovery``). None when a run holds the lock: that
        run repairs before it starts."""
        try:
            with ReindexLock(self.settings.index_root):
                log = self._log()
                try:
                    return repair(self.settings, log)
                finally:
                    log.close()
        except ReindexBusyError:
            return None

    @staticmethod
    def _find_by_number(corpus: dict[str, Document], number: str, exclude: set[str]) -> Document:
        wanted = _norm_number(number)
        for doc in corpus.values():
            if doc.id not in exclude and doc.number and _norm_number(doc.number) == wanted:
                return doc
        raise UnknownDocumentError("unknown_number", number=number)

    def _log(self) -> ReindexLog:
        return ReindexLog(self.settings.data_dir / "reindex_runs.sqlite")

    def _run(self, action: str, details: dict, target: Target, dry_run: bool) -> BuildReport:
        if dry_run:
            self.repair()  # so that the plan starts from what was published
            documents, _ = target()
            return build_index(self.settings, self.encoder, documents, dry_run=True)
        try:
            with ReindexLock(self.settings.index_root):
                log = self._log()
                try:
                    return self._locked_run(log, action, details, target)
                finally:
                    log.close()
        except Exception as exc:
            if is_disk_full(exc) and not isinstance(exc, DiskFullError):
                raise DiskFullError(path=str(self.settings.data_dir)) from exc
            raise

    def _locked_run(
        self, log: ReindexLog, action: str, details: dict, target: Target
    ) -> BuildReport:
        repair(self.settings, log)
        run_id = log.start(action, details, self.who)
        try:
            documents, change = target()
            change.run_id = run_id
            report = build_index(
                self.settings, self.encoder, documents, self.progress, change=change
            )
        except (KeyboardInterrupt, Stopped) as exc:
            self._record_end(log, run_id, STOPPED, getattr(exc, "signal", "Ctrl-C"))
            raise
        except Exception as exc:
            if is_disk_full(exc):
                full = DiskFullError(path=str(self.settings.data_dir))
                self._record_end(log, run_id, FAILED, _failure(full))
                raise full from exc
            self._record_end(log, run_id, FAILED, _failure(exc))
            raise
        # Published (or nothing to publish): documents/, then the log. Should this fail, the
        # run stays "đang chạy" and the version keeps its change: the next run completes it.
        folder = self.settings.index_root / report.version if report.published else None
        try:
            complete(self.settings, log, change, folder, report.model_dump(mode="json"))
        except Exception as exc:
            if is_disk_full(exc):
                data = str(self.settings.data_dir)
                raise DiskFullError("disk_full_published", path=data) from exc
            raise
        return report

    @staticmethod
    def _record_end(log: ReindexLog, run_id: int, outcome: str, summary: str) -> None:
        """Record how a run ended; should even that fail (the disk is still full), the next
        run marks it interrupted, and the failure that ended it is what the user is told."""
        try:
            log.finish(run_id, outcome, summary)
        except Exception:  # the run's own failure matters more
            pass


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
