"""The one error the request services raise: a refusal, said in Chinese, maybe about one field."""
from __future__ import annotations

from typing import Optional


class WorkflowError(Exception):
    """A refused step or bad input. Nothing was changed when it is raised."""

    def __init__(self, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.message = message
        #: The form field the message belongs next to (None: the whole form).
        self.field = field


class NotAllowed(WorkflowError):
    """The actor may not take this step on this request."""
