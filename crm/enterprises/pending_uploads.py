"""Uploaded spreadsheets waiting between preview and apply, kept in instance/ under a random token.

A file on disk (not in the session or a hidden field) survives a 10 MB upload, several gunicorn
workers on one host, and a preview left open for a while. Only the uploader may apply it, for
MAX_AGE; stale files are swept on each new upload.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Optional

from flask import current_app

MAX_AGE = 6 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _folder() -> Path:
    base = current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads")
    folder = Path(base) / "enterprise-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(token: str) -> Optional[tuple[Path, Path]]:
    if not _TOKEN.match(token or ""):
        return None
    folder = _folder()
    return folder / f"{token}.data", folder / f"{token}.json"


def save(data: bytes, filename: str, user_id: Optional[int]) -> str:
    _sweep()
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(token)
    _write(data_path, data)
    meta = {"filename": filename, "user_id": user_id, "at": time.time()}
    _write(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return token


def load(token: str, user_id: Optional[int]) -> Optional[tuple[bytes, str]]:
    """The bytes and file name, or None when unknown, expired or uploaded by someone else."""
    paths = _paths(token)
    if paths is None or not paths[0].exists() or not paths[1].exists():
        return None
    data_path, meta_path = paths
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("user_id") != user_id or time.time() - meta.get("at", 0) > MAX_AGE:
            return None
        return data_path.read_bytes(), meta.get("filename") or "upload.xlsx"
    except (OSError, ValueError):
        return None


def discard(token: str) -> None:
    paths = _paths(token)
    for path in paths or ():
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "wb") as fh:
        fh.write(data)
    os.replace(temporary, path)  # a reader never sees half a file


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass
