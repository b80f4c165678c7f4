"""Documents added by administrators, kept in the data dir beside the index.

``knowledge/`` is the curated, versioned knowledge base; files added with ``cchc reindex FILE``
(or sent to the bot) are kept here as normalised Markdown once their ingestion has succeeded.
A document here overrides the ``knowledge/`` document with the same id (an update, or a status
change such as "bị thay thế" set by ``--supersedes``).
"""

from __future__ import annotations

from pathlib import Path

from retrieval.atomic import private_dir, remove_durably, write_text_atomically
from retrieval.config import Settings
from retrieval.domain.models import Document
from retrieval.knowledge.documents import load_knowledge_dir, load_markdown, to_markdown


class DocStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def all(self) -> list[Document]:
        if not self.folder.is_dir():
            return []
        return [load_markdown(p) for p in sorted(self.folder.glob("*.md"))]

    def save(self, doc: Document) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half of one."""
        private_dir(self.folder)
        write_text_atomically(self.folder / f"{doc.id}.md", to_markdown(doc))

    def delete(self, doc_id: str) -> bool:
        return remove_durably(self.folder / f"{doc_id}.md")

    # A removed ``knowledge/`` document is remembered, so a later rebuild does not bring it back.
    @property
    def _removed_file(self) -> Path:
        return self.folder / "removed.txt"

    def removed(self) -> set[str]:
        if not self._removed_file.exists():
            return set()
        return {x.strip() for x in self._removed_file.read_text(encoding="utf-8").split() if x}

    def update_removed(self, add: set[str], drop: set[str]) -> None:
        """Remember ``add`` as removed and forget ``drop``, in one atomic write."""
        before = self.removed()
        ids = (before | add) - drop
        if ids == before and self._removed_file.exists():
            return
        private_dir(self.folder)
        write_text_atomically(self._removed_file, "".join(f"{i}\n" for i in sorted(ids)))


def docstore(settings: Settings) -> DocStore:
    return DocStore(settings.data_dir / "documents")


def all_documents(settings: Settings) -> list[Document]:
    """``knowledge/`` plus the data dir's documents, the latter winning on the same id."""
    docs = {d.id: d for d in load_knowledge_dir(settings.knowledge_dir)}
    store = docstore(settings)
    docs.update({d.id: d for d in store.all()})
    for doc_id in store.removed():
        docs.pop(doc_id, None)
    return sorted(docs.values(), key=lambda d: d.id)
