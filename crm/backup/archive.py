"""The backup file: a tar archive with a manifest, the database copy and the attachments."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

FORMAT = "crm-backup"
VERSION = 1
MANIFEST = "manifest.json"
ATTACHMENTS = "attachments"


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, in Chinese."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    revision: Optional[str]
    #: Table name -> row count, counted in the snapshot the database copy was taken from.
    tables: dict[str, int]
    database_member: str
    database_sha256: str
    database_bytes: int
    attachments: int = 0

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, **self.__dict__},
                          ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        try:
            data = json.loads(raw)
            if data.pop("format") != FORMAT or data.pop("version") != VERSION:
                raise ValueError
            return cls(**data)
        except (ValueError, TypeError, KeyError) as exc:
            raise BackupError("备份文件的清单无法识别：这不是本系统的备份文件，或版本不受支持。") from exc


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write(target: Path, manifest: Manifest, database: Path, attachments: Optional[Path]) -> None:
    """Write the archive next to `target` and move it into place only when it is complete, so a
    backup that fails half-way never leaves a file that looks like a backup."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=".crm-backup-", dir=target.parent or ".")
    os.close(fd)
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            raw = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
            tar.add(database, arcname=manifest.database_member)
            if attachments is not None:
                tar.add(attachments, arcname=ATTACHMENTS)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unpack(source: Path, into: Path) -> tuple[Manifest, Path, Optional[Path]]:
    """Read and check the whole archive into `into`: the manifest, the database copy (its
    checksum and size) and the attachments folder, or BackupError naming what is wrong."""
    try:
        with tarfile.open(source, "r:*") as tar:
            members = tar.getmembers()  # reads to the end: a truncated file fails here
            names = {m.name for m in members}
            if MANIFEST not in names:
                raise BackupError("备份文件中没有清单（manifest.json）：这不是本系统的备份文件。")
            manifest = Manifest.from_json(tar.extractfile(MANIFEST).read())
            if manifest.database_member not in names:
                raise BackupError("备份文件中缺少数据库副本，无法恢复。")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"备份文件不完整或已损坏（{exc.__class__.__name__}），未做任何恢复。") from exc
    database = into / manifest.database_member
    if database.stat().st_size != manifest.database_bytes or sha256_of(database) != manifest.database_sha256:
        raise BackupError("备份文件中的数据库副本与清单中的校验值不符（文件已损坏或被改动），未做任何恢复。")
    attachments = into / ATTACHMENTS
    return manifest, database, attachments if attachments.is_dir() else None
