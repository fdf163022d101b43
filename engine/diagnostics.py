"""Content diagnostics: file, line, column, a stable code, a severity and a message that teaches the fix."""
from __future__ import annotations

from dataclasses import dataclass

#: Every diagnostic code, with its one-line meaning. docs/authoring.md documents each with an example.
CODES: dict[str, str] = {
    "BAL001": "YAML syntax error",
    "BAL002": "the file is not UTF-8 text",
    "BAL003": "the file is empty or its top level is not a mapping",
    "BAL004": "a key appears twice in one mapping",
    "BAL005": "the file is too large, too deeply nested or expands too many aliases",
    "BAL006": "a YAML tag that Balcony does not accept (such as a python tag)",
    "BAL007": "the file cannot be read",
    "BAL010": "unknown key",
    "BAL011": "wrong type of value",
    "BAL012": "value out of range",
    "BAL013": "a required key is missing",
    "BAL014": "an id is malformed",
    "BAL015": "unsupported language version",
    "BAL020": "expression syntax error",
    "BAL021": "reference to undeclared state, stakeholder, group or scene",
    "BAL022": "unknown function or wrong number of arguments",
    "BAL023": "type mismatch in an expression",
    "BAL024": "text template error",
    "BAL025": "a number out of range",
    "BAL030": "a choice or event leads to a scene that does not exist",
    "BAL031": "a scene can never be reached",
    "BAL032": "a scene has no way out and is not an ending",
    "BAL033": "a condition can never hold",
    "BAL034": "a scene must offer between 1 and 4 choices",
    "BAL035": "a condition always holds",
    "BAL036": "a scene may show more than four choices at once (hidden choices whose conditions can hold together)",
    "BAL040": "an included file is missing",
    "BAL041": "includes form a cycle",
    "BAL042": "an id is defined twice",
    "BAL043": "an included file defines something includes may not define",
    "BAL050": "there must be exactly one fallback ending",
    "BAL051": "an ending can never be reached because of its condition",
    "BAL052": "a phase transition names an unknown phase",
    "BAL053": "an invariant or persona is malformed",
    "BAL054": "'goto: return' may have nowhere to return to",
    "BAL055": "a text assumes something that can never hold",
    "BAL060": "a scene's phase label disagrees with the phases in which it can be entered",
    "BAL061": "a conditional goto's branches are out of order (the last needs no 'if', the others one)",
    "BAL062": "a translation file lacks translations (they are shown in the source language)",
    "BAL063": "a translation is stale: its source changed or is gone",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    severity: str  # "error" or "warning"
    message: str

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.severity}: {self.message}"

    def to_dict(self) -> dict:
        return {
            "file": self.file, "line": self.line, "column": self.column,
            "code": self.code, "severity": self.severity, "message": self.message,
        }


class Diagnostics:
    """Collects diagnostics; never stops at the first."""

    def __init__(self):
        self.items: list[Diagnostic] = []
        self._seen: set = set()

    def add(self, file, pos, code, message, severity="error"):
        line, col = pos if pos else (1, 1)
        d = Diagnostic(str(file), line, col, code, severity, message)
        if d not in self._seen:
            self._seen.add(d)
            self.items.append(d)

    def error(self, file, pos, code, message):
        self.add(file, pos, code, message, "error")

    def warning(self, file, pos, code, message):
        self.add(file, pos, code, message, "warning")

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.file, d.line, d.column, d.code))
