"""The issue's "done when", end to end through the pages: import 600 rows with mistakes, fix,
apply, find the coverage gaps, bulk-assign them, export and re-import unchanged."""
import io

from sqlalchemy import func, select

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise
from crm.enterprises.queries import without_liaison_on
from crm.org.models import Town
from tests.conftest import PASSWORD
from tests.enterprises.conftest import TODAY, sheet
from tests.factories import valid_code


def upload(client, data):
    return client.post("/enterprises/import", data={"file": (io.BytesIO(data), "2026年重点企业清单.xlsx")},
                       content_type="multipart/form-data")


def test_commission_imports_fixes_covers_and_exports(client, users, login_as, town, make_user):
    db.session.add(Town(code="BZ", name="堡镇"))
    db.session.commit()
    liaisons = [make_user(Role.LIAISON, login=f"bb{i}", name=f"包保人{i}", town=town) for i in range(5)]
    rows = [{"企业名称": f"上海测试{i}有限公司", "统一社会信用代码": valid_code(50000 + i),
             "所属乡镇": "城桥镇" if i % 2 else "堡镇", "级别": "区级" if i % 3 == 0 else "镇级",
             "行业": "制造业", "联系人": f"联系人{i}", "联系电话": f"138{i:08d}",
             "包保责任人": "" if i % 50 == 0 else f"bb{i % 5}", "列入日期": "2025-01-01"} for i in range(600)]
    broken = [dict(r) for r in rows]
    broken[10]["统一社会信用代码"] = broken[10]["统一社会信用代码"][:-1] + "O"
    broken[20]["所属乡镇"] = "城乔镇"
    broken[30]["联系电话"] = "138123"
    login_as(users[Role.COMMISSION])

    first = upload(client, sheet(broken)).get_data(as_text=True)
    assert "发现 3 处错误，涉及 3 行" in first
    for row in ("第12行", "第22行", "第32行"):
        assert row in first
    preview = upload(client, sheet(rows)).get_data(as_text=True)
    assert "全部 600 行检查通过：将新增 600 家" in preview
    token = preview.split("/enterprises/import/")[1].split('"')[0]
    assert client.post(f"/enterprises/import/{token}").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 600

    gaps = client.get("/enterprises/?no_liaison=1").get_data(as_text=True)
    assert "为全部 12 家符合条件的企业指派" in gaps
    assigned = client.post("/enterprises/bulk-assign", data={
        "all": "1", "no_liaison": "1", "liaison_id": liaisons[0].id, "role": "primary",
        "start_on": TODAY.isoformat(), "mode": "add"}, follow_redirects=True)
    assert "已为 12 家企业指派包保责任人 包保人0" in assigned.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Enterprise.id)).where(without_liaison_on(TODAY))) == 0

    exported = client.get("/enterprises/export.xlsx").data
    again = upload(client, exported).get_data(as_text=True)
    assert "全部 600 行检查通过：将新增 0 家，更新 0 家，600 家无变化" in again

    liaison = client.application.test_client()
    liaison.post("/login", data={"login": "bb3", "password": PASSWORD})
    page = liaison.get("/enterprises/?per_page=200").get_data(as_text=True)
    mine = {f"上海测试{i}有限公司" for i in range(600) if i % 5 == 3 and i % 50 != 0}
    shown = {name for name in (f"上海测试{i}有限公司" for i in range(600)) if name + "<" in page}
    assert shown == mine
