"""The registry of named schemas in the OpenAPI document (`components/schemas`).

Kept apart from the document builder so that the schema objects, which register themselves
here when the document asks for their schema, do not import the builder that imports them.
"""
from __future__ import annotations

from typing import Callable, Union

Builder = Union[dict, Callable[[], dict]]
#: Name -> schema (or a function building it when the document is rendered).
COMPONENTS: dict[str, Builder] = {}


def component(name: str, build: Builder) -> dict:
    """Register a named schema (built when the document is) and return a reference to it."""
    COMPONENTS.setdefault(name, build)
    return {"$ref": f"#/components/schemas/{name}"}

