"""What every importer reports: problems tied to a sheet, row and column, all listed at once."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet} " if self.sheet else ""
        return f"{where}第{self.row}行 [{self.column}] {self.message}"


@dataclass
class ImportReport:
    problems: list[ImportProblem] = field(default_factory=list)

    def add(self, row: int, column: str, message: str, sheet: str = "") -> None:
        self.problems.append(ImportProblem(row, column, str(message), sheet))

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportRejected(Exception):
    """Raised instead of applying an import that has problems; nothing was changed."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems
