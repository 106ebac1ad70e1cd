"""The workbench's one exception hierarchy.

Every error a user can meet derives from :class:`WorkbenchError`; its message is written
for the user (what went wrong and what to do). Pages catch ``WorkbenchError`` and show the
message; the CLI prints it and exits non-zero. Code re-raises with ``from exc``.
"""

from __future__ import annotations

from typing import Any


class WorkbenchError(Exception):
    """Base class: a problem the user can act on."""


class ConfigError(WorkbenchError):
    """A configuration file has a wrong key or value (the message names the key)."""


class FileRejectedError(WorkbenchError):
    """The file cannot be read at all (wrong format, encrypted, too big, zip bomb...)."""

    def __init__(
        self,
        message: str,
        *,
        file_name: str = "",
        code: str = "file_rejected",
        message_en: str | None = None,
    ):
        super().__init__(message)  # French: the interface's default language
        self.file_name = file_name
        self.code = code
        self.message_en = message_en or message

    def message(self, locale: str = "fr") -> str:
        return self.message_en if locale == "en" else str(self)


class InvalidBatchError(WorkbenchError):
    """The batch was read but its validation report holds blocking errors."""

    def __init__(self, message: str, report: Any = None):  # a core.ingest ValidationReport
        super().__init__(message)
        self.report = report


class StoreError(WorkbenchError):
    """The database could not be read or written."""


class ModelNotFoundError(WorkbenchError):
    """No model is registered, or the requested version does not exist."""


class TamperedModelError(WorkbenchError):
    """A model artefact does not match its manifest hash."""


class LeakageError(WorkbenchError):
    """The leakage audit found a feature that gives the label away."""


class TrainingError(WorkbenchError):
    """Training could not run on the given data."""


class InvalidThresholdsError(WorkbenchError, ValueError):
    """The threshold pair is not 0 <= low <= high <= 1."""


class DriftError(WorkbenchError):
    """Drift cannot be computed or shown (too few rows, no column to compare, ...)."""


class PermissionDeniedError(WorkbenchError):
    """The signed-in identity's role does not allow this action (the message says which)."""

    def __init__(self, message: str, *, action: str = ""):
        super().__init__(message)
        self.action = action


class StoreBusyError(StoreError):
    """Another process held the database longer than the configured wait."""


class AuditError(WorkbenchError):
    """The audit trail is broken: a row was deleted or rewritten, or a model swapped."""
