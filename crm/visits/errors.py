"""The one error the visit services raise: refused input, with a Chinese message per field."""
from __future__ import annotations


class VisitError(Exception):
    """Field name (as the form names it, e.g. "problems-0-title") -> message. Nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
