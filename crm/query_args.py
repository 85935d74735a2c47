"""The pages' query strings lose what a single-line field refuses before any view reads them.

A search box or filter link with U+0000 made PostgreSQL refuse the query (a 500); an invisible
format character only made a search find nothing. Every page reads filters from `request.args`
(enterprise, request, visit and user lists, reports, links that keep the filters), so cleaning it
here, once, covers them all. The API is left alone: its query schema refuses such values with a
field-level error (crm/api/schema.py), as it does for its JSON bodies.
"""
from __future__ import annotations

from typing import Iterable

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from crm.text_rules import refused, strip_refused

#: Blueprints that validate their own query strings and answer errors in their own shape.
SELF_CHECKED = frozenset({"api"})


def cleaned(values: MultiDict) -> MultiDict:
    """`values` with the refused characters dropped from every key and value (the same object
    when nothing is refused)."""
    pairs: Iterable[tuple[str, str]] = values.items(multi=True)
    if all(refused(k) is None and refused(v) is None for k, v in pairs):
        return values
    return ImmutableMultiDict([(strip_refused(k), strip_refused(v)) for k, v in values.items(multi=True)])


def init_app(app: Flask) -> None:
    @app.before_request
    def _clean_query_args():
        if request.blueprint not in SELF_CHECKED and request.args:
            request.args = cleaned(request.args)
