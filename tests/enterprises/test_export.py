"""Export of the filtered list in the import format: export -> import changes nothing."""
import io
from datetime import date

import pandas as pd
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import import_apply
from crm.enterprises.models import Contact, Enterprise, Tag
from crm.enterprises.workbook import COLUMNS
from tests.factories import assign, enterprise


def read(data: bytes) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, engine="calamine")


def state():
    """Everything an import could change, as plain values."""
    out = []
    for e in db.session.scalars(select(Enterprise).order_by(Enterprise.id)):
        out.append((e.name, e.credit_code, e.town_id, e.level, e.industry, e.address,
                    sorted(t.name for t in e.tags),
                    [(c.name, c.title, c.mobile, c.email) for c in e.contacts],
                    sorted((p.added_on, p.removed_on) for p in e.list_periods),
                    sorted((a.liaison_id, a.role, a.start_on, a.end_on) for a in e.assignments)))
    return out


def build_district(users, town, other_town, make_user):
    tags = [Tag(name="专精特新"), Tag(name="外资企业"), Tag(name="出口型企业", active=False)]
    db.session.add_all(tags)
    namesake1 = make_user(Role.LIAISON, login="wangwei1", name="王伟", town=town)
    namesake2 = make_user(Role.LIAISON, login="wangwei2", name="王伟", town=town)
    a = enterprise(town, name="上海（崇明）海洋装备有限公司", level="district", industry="C",
                   address="八一路1号", tags=[tags[0], tags[2]])
    a.contacts += [Contact(name="陈静", title="总经理", mobile="13812345678"),
                   Contact(name="李强", mobile="021-59612345", email="li@example.com")]
    b = enterprise(other_town, name="外镇企业")
    gone = enterprise(town, name="已移出企业", listed_on=date(2023, 1, 1), removed_on=date(2025, 3, 1))
    no_primary = enterprise(town, name="只有协助人企业")
    db.session.commit()
    assign(users[Role.LIAISON], a)
    assign(namesake1, a, role="assisting")
    assign(namesake2, b)
    assign(users[Role.LIAISON], no_primary, role="assisting")
    assign(namesake1, gone, start_on=date(2023, 1, 1), end_on=date(2025, 3, 1))
    return a, b, gone


def test_export_then_import_changes_nothing(client, users, login_as, town, other_town, make_user):
    build_district(users, town, other_town, make_user)
    before = state()
    login_as(users[Role.COMMISSION])
    response = client.get("/enterprises/export.xlsx?status=all")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    frame = read(response.data)
    assert list(frame.columns) == COLUMNS
    a = frame[frame["企业名称"] == "上海（崇明）海洋装备有限公司"].iloc[0]
    assert a["联系电话"] == "13812345678；021-59612345" and a["邮箱"] == "；li@example.com"
    assert a["包保责任人"] == f"{users[Role.LIAISON].name}、wangwei1"  # 王伟 is ambiguous: login
    assert a["标签"] == "专精特新、出口型企业" and a["行业"] == "制造业" and a["级别"] == "区级"
    assert frame[frame["企业名称"] == "只有协助人企业"].iloc[0]["包保责任人"].endswith("（协助）")
    assert frame[frame["企业名称"] == "已移出企业"].iloc[0]["移出日期"] == "2025-03-01"

    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEntry))
    plan, result = import_apply.apply(response.data, "export.xlsx")
    db.session.commit()
    assert (result.created, result.updated) == (0, 0), [r.changes for r in plan.changed]
    assert result.unchanged == 4
    assert state() == before
    # Only the import's own summary row would be added by the view; apply itself audits nothing.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows


def test_export_follows_the_filter_and_keeps_leading_zeros(client, users, login_as, town, other_town):
    mine = enterprise(town, name="本镇企业")
    mine.contacts.append(Contact(name="张三", mobile="021-59612345"))
    enterprise(other_town, name="外镇企业")
    db.session.commit()
    login_as(users[Role.COMMISSION])
    frame = read(client.get(f"/enterprises/export.xlsx?town={town.id}").data)
    assert list(frame["企业名称"]) == ["本镇企业"]
    assert frame.iloc[0]["联系电话"] == "021-59612345"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export")).changes["rows"] == 1


def test_department_export_masks_phones(client, users, login_as, town, monkeypatch):
    from sqlalchemy import true

    import crm.permissions.enterprises as rules

    ent = enterprise(town, name="诉求企业")
    ent.contacts.append(Contact(name="张三", mobile="13812345678", email="zhang@example.com"))
    db.session.commit()
    # The department sees this enterprise through a request (stubbed: requests are another feature).
    monkeypatch.setattr(rules, "_department_condition", lambda department_id: true())
    login_as(users[Role.DEPARTMENT])
    frame = read(client.get("/enterprises/export.xlsx").data)
    assert frame.iloc[0]["联系电话"] == "138****5678"
    assert frame.iloc[0]["邮箱"] == "z***@example.com"


def test_command_line_export(app, users, town, tmp_path):
    enterprise(town, name="命令行企业")
    path = tmp_path / "out.xlsx"
    result = app.test_cli_runner().invoke(args=["crm", "export-enterprises", str(path)])
    assert result.exit_code == 0, result.output
    assert list(read(path.read_bytes())["企业名称"]) == ["命令行企业"]


def test_import_template_has_the_headers(client, users, login_as):
    login_as(users[Role.TOWN])
    assert list(read(client.get("/enterprises/import/template.xlsx").data).columns) == COLUMNS
