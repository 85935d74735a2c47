"""Compiled translation catalogs at start-up: a deployment that installed with plain
`pip install -r requirements.txt` (and never ran `make translations`) still speaks English.

Each reviewed .po is compiled to its .mo when the .mo is missing or older. Beside the .po when
that folder is writable; otherwise into instance/translations, which then comes first in
BABEL_TRANSLATION_DIRECTORIES. Written to a temporary file and renamed, so two workers starting
together never read half a catalog.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask


def _stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def _compile(po: Path, mo: Path) -> None:
    mo.parent.mkdir(parents=True, exist_ok=True)
    with open(po, "rb") as fh:
        catalog = read_po(fh)
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_compiled(app: Flask) -> None:
    source = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
    fallback = Path(app.instance_path) / "translations"
    use_fallback = False
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not _stale(po, mo):
            continue
        try:
            _compile(po, mo)
        except OSError:  # a read-only install: compile into the instance folder instead
            target = fallback / po.relative_to(source).with_suffix(".mo")
            if _stale(po, target):
                _compile(po, target)
            use_fallback = True
    if use_fallback:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{fallback};{app.config['BABEL_TRANSLATION_DIRECTORIES']}"
