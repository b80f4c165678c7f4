"""Administrative reindexing: rebuild, add documents, remove one, under a lock and a run log.

The corpus is ``knowledge/`` plus the documents administrators added (``retrieval.docstore``).
Every action builds a complete new index version beside the live one and swaps it in; the
added files reach the document store only after that has succeeded.
"""

from __future__ import annotations

from retrieval.docstore import all_documents, docstore
from retrieval.documents import body_hash
from retrieval.embedding import Encoder, LazyEncoder
from retrieval.models import Document
from retrieval.reindex import BuildReport, Plan, Progress, build_index
from retrieval.reindex_lock import ReindexLock
from retrieval.reindex_log import ReindexLog
from retrieval.settings import Settings


class UnknownDocumentError(ValueError):
    """``--remove`` or ``--supersedes`` names a document that is not in the corpus."""


def _norm_number(number: str) -> str:
    return number.strip().upper().replace(" ", "")


class Reindexer:
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
                raise UnknownDocumentError(f"Không có văn bản mã “{doc_id}” trong chỉ mục.")
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
        raise UnknownDocumentError(f"Không có văn bản số “{number}” để đánh dấu bị thay thế.")

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


def describe_plan(plan: Plan) -> list[str]:
    """The plan in Vietnamese, a line per part, for the CLI and the bot."""
    lines = []
    for label, ids in (
        ("Mới", plan.new),
        ("Thay đổi", plan.changed),
        ("Không đổi", plan.unchanged),
        ("Gỡ bỏ", plan.removed),
    ):
        shown = ", ".join(ids[:8]) + (f" … (+{len(ids) - 8})" if len(ids) > 8 else "")
        lines.append(f"{label}: {len(ids)}" + (f" — {shown}" if ids else ""))
    for doc_id, twin in plan.duplicates:
        lines.append(f"Trùng nội dung: {doc_id} giống hệt văn bản đã có {twin} (bỏ qua)")
    lines.append(f"Đoạn văn: {plan.passages}, cần nhúng mới: {plan.to_embed}")
    return lines
