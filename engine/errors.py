"""The engine's error types: one small tree, all under BalconyError."""
from __future__ import annotations


class BalconyError(Exception):
    """Base of every error the engine raises on purpose."""


class ContentError(BalconyError):
    """A scenario could not be loaded; `diagnostics` says every reason, with positions."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first.format() if first else 'invalid scenario'}{more}")


class PhaseError(BalconyError):
    """A driving-API call was made in the wrong execution phase; the message says what to call."""


class ChoiceError(BalconyError):
    """The chosen option does not exist or is not available now."""


class SaveError(BalconyError):
    """A save or transcript file could not be read, or does not fit the scenario."""


class ExprRuntimeError(BalconyError):
    """An expression's arithmetic overflowed, or gave no number (NaN), while a run was being played; the
    message names the expression."""


class ExprError(BalconyError):
    """An expression is outside the grammar or refers to something undeclared."""

    def __init__(self, message: str, offset: int = 0, code: str = "BAL020"):
        super().__init__(message)
        self.offset = offset
        self.code = code
