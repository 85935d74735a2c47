"""`flask crm backup` and `flask crm restore`: a backup restores to an identical database, on
the engine the suite runs on; a truncated file, a non-empty target and a missing --yes are
refused with nothing restored."""
from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from config import TestingConfig, engine_options
from crm import create_app
from crm.audit.chain import audit_bucket
from crm.db import db
from crm.enterprises.models import Enterprise
from tests import factories

#: Rows the backup and the restore add to the audit trail themselves.
OWN_AUDIT_ACTIONS = ("backup", "restore")


def _cli(app, *args):
    # The runner uses the app already pushed, if any: push this one (the suite keeps its own pushed).
    with app.app_context():
        return app.test_cli_runner().invoke(args=["crm", *args])


def _target_app(url, tmp_path):
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(url),
                      ATTACHMENTS_DIR=str(tmp_path / "restored-attachments"))


def _contents(conn) -> dict[str, list[tuple]]:
    """Every row of every application table, in primary-key order; stamps left out (a restore
    renews them on purpose) and the backup's and restore's own audit rows and their chain head."""
    out = {}
    own_stream = audit_bucket("database", None)  # where the backup's and restore's audit rows go
    for table in db.metadata.sorted_tables:
        if table.name == "data_versions":
            continue
        stmt = select(table).order_by(*table.primary_key.columns)
        if table.name == "audit_entries":
            stmt = stmt.where(table.c.action.not_in(OWN_AUDIT_ACTIONS))
        if table.name == "chain_heads":
            stmt = stmt.where(table.c.stream != own_stream)
        out[table.name] = [tuple(row) for row in conn.execute(stmt)]
    return out


@pytest.fixture
def attachments(app, tmp_path):
    folder = tmp_path / "attachments"
    (folder / "ab").mkdir(parents=True)
    (folder / "ab" / "abcdef.pdf").write_bytes(b"%PDF-1.7 test")
    app.config["ATTACHMENTS_DIR"] = str(folder)
    yield folder
    app.config.pop("ATTACHMENTS_DIR")


def test_a_backup_of_the_demo_restores_to_an_identical_database(app, attachments, empty_database_url, tmp_path):
    assert _cli(app, "demo", "--today", "2026-11-24").exit_code == 0
    with db.engine.connect() as conn:
        before = _contents(conn)
        stamps_before = dict(conn.execute(text("SELECT name, version FROM data_versions")).all())
    assert sum(map(len, before.values())) > 5000 and stamps_before
    file = tmp_path / "crm.backup"

    made = _cli(app, "backup", str(file))
    assert made.exit_code == 0, made.output
    assert "已备份" in made.output and "1 个附件" in made.output

    target = _target_app(empty_database_url, tmp_path)
    done = _cli(target, "restore", str(file), "--yes")
    assert done.exit_code == 0, done.output
    assert "行数与备份清单一致" in done.output
    with target.app_context():
        with db.engine.connect() as conn:
            assert _contents(conn) == before
            stamps_after = dict(conn.execute(text("SELECT name, version FROM data_versions")).all())
            restored = conn.execute(text("SELECT count(*) FROM audit_entries WHERE action = 'restore'")).scalar()
        db.engine.dispose()
    assert stamps_after.keys() == stamps_before.keys()
    assert all(stamps_after[k] != stamps_before[k] for k in stamps_before), "no cache may take the restore for old data"
    assert restored == 1
    assert (tmp_path / "restored-attachments" / "ab" / "abcdef.pdf").read_bytes() == b"%PDF-1.7 test"


@pytest.fixture
def small_backup(app, town, tmp_path):
    factories.enterprise(town, name="备份测试企业", listed_on=date(2025, 1, 1))
    db.session.commit()
    file = tmp_path / "small.backup"
    assert _cli(app, "backup", str(file)).exit_code == 0
    return file


def test_restore_into_a_migrated_empty_database(small_backup, empty_database_url, tmp_path):
    target = _target_app(empty_database_url, tmp_path)
    with target.app_context():
        upgrade()  # the schema and the default categories, no data: still an empty database
    done = _cli(target, "restore", str(small_backup), "--yes")
    assert done.exit_code == 0, done.output
    with target.app_context():
        assert db.session.scalars(select(Enterprise.name)).all() == ["备份测试企业"]
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_that_holds_data(app, town, small_backup):
    factories.enterprise(town, name="后来的企业")
    db.session.commit()
    done = _cli(app, "restore", str(small_backup), "--yes")
    assert done.exit_code == 1
    assert "目标数据库不是空的" in done.output and "enterprises" in done.output
    assert sorted(db.session.scalars(select(Enterprise.name))) == ["后来的企业", "备份测试企业"]


def test_a_truncated_backup_is_refused_and_restores_nothing(small_backup, empty_database_url, tmp_path):
    raw = small_backup.read_bytes()
    small_backup.write_bytes(raw[: len(raw) // 2])
    target = _target_app(empty_database_url, tmp_path)
    done = _cli(target, "restore", str(small_backup), "--yes")
    assert done.exit_code == 1
    assert "备份文件不完整或已损坏" in done.output
    with target.app_context():
        with db.engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        db.engine.dispose()


def test_restore_asks_for_confirmation(small_backup, empty_database_url, tmp_path):
    done = _cli(_target_app(empty_database_url, tmp_path), "restore", str(small_backup))
    assert done.exit_code == 1 and "--yes" in done.output


def test_a_failed_backup_leaves_no_file(app, tmp_path, monkeypatch):
    from crm.backup import archive

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive.tarfile.TarFile, "addfile", broken)
    file = tmp_path / "never.backup"
    with pytest.raises(OSError):
        app.test_cli_runner().invoke(args=["crm", "backup", str(file)], catch_exceptions=False)
    assert not file.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".crm-backup-")] == []
