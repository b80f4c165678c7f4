"""The core's failures as typed reasons: a code and the facts behind it, never a sentence.

The faces (``retrieval/cli`` and ``bot``) phrase them for people, through
``retrieval.domain.messages``. Keeping the wording out of the core lets the terminal and
Telegram say the same thing in their own form, and lets tests check reasons, not prose.
"""

from __future__ import annotations

from typing import Any


class CoreError(Exception):
    """A failure a user can act on. ``code`` says what happened; ``details`` the facts."""

    code: str = "error"

    def __init__(self, code: str | None = None, **details: Any) -> None:
        self.code = code or self.code
        self.details = details
        super().__init__(self.code, *(f"{k}={v!r}" for k, v in details.items()))


class SettingsError(CoreError):
    """A malformed setting: ``variable``, ``problem`` (a code) and its ``limit``, if any."""

    code = "settings"


class IndexMissingError(CoreError):
    """No index has been built yet (``root``)."""

    code = "index_missing"


class IndexMismatchError(CoreError):
    """The index was built with another model (``built_with``, ``dimension``) than the one
    configured (``configured``, ``configured_dimension``)."""

    code = "index_mismatch"


class ModelUnavailableError(CoreError):
    """The embedding model cannot be loaded: ``missing`` (not built yet, at ``path``) or
    ``load_failed`` (``model``, ``backend``, ``cause``)."""


class ReindexBusyError(CoreError):
    """Another reindex run holds the lock (``holder``: its pid and start time)."""

    code = "reindex_busy"


class UnknownDocumentError(CoreError):
    """``unknown_id`` (``doc_id``) or ``unknown_number`` (``number``) names no document."""


class DocumentError(CoreError):
    """A knowledge document that cannot be loaded: ``origin`` (the file) and a code."""


class LoaderError(CoreError):
    """A file that cannot be read into a document: a ``file_…`` code, ``file`` (its name)
    and the facts (sizes in ``…_bytes``, counts and their ``limit``). The codes are listed,
    and phrased, in ``retrieval.domain.messages``."""


class CuratedQuizError(CoreError):
    """A curated quiz question that cannot be used; ``problem`` names the file and item."""

    code = "curated_invalid"


class BackupError(CoreError):
    """A backup or a restore that cannot be done: ``backup_no_data`` (``path``),
    ``backup_target_not_empty`` (``path``), ``backup_not_a_backup`` (``path``),
    ``backup_damaged`` (``file``), ``restore_target_not_empty`` (``path``) or ``backup_io``
    (``path``, ``cause``)."""


class DiskFullError(CoreError):
    """The disk holding ``path`` is full (or its quota spent): nothing was published, the
    partial version was removed and the run recorded as failed."""

    code = "disk_full"


class Stopped(BaseException):
    """A stop asked for by a signal (``signal``: "SIGTERM"), raised where the work is so that
    the run is recorded as stopped. A ``BaseException``, like ``KeyboardInterrupt``, so that
    no ``except Exception`` swallows it."""

    def __init__(self, signal: str) -> None:
        super().__init__(signal)
        self.signal = signal
