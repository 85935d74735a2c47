"""The enterprise page: profile, contacts, liaisons with history, list periods, audit, slots."""
from datetime import date

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import sections
from crm.enterprises.models import Contact
from tests.factories import assign, enterprise


def test_detail_shows_profile_liaison_history_and_periods(client, users, login_as, town, make_user):
    ent = enterprise(town, name="上海东滩生态农业有限公司", industry="A", address="陈海公路8号",
                     listed_on=date(2023, 3, 1), removed_on=date(2024, 2, 1))
    ent.contacts.append(Contact(name="陈静", title="总经理", mobile="13812345678"))
    db.session.commit()
    zhao = make_user(Role.LIAISON, name="赵敏", town=town)
    assign(zhao, ent, start_on=date(2023, 3, 1), end_on=date(2024, 2, 1))
    login_as(users[Role.COMMISSION])
    html = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    for words in ("上海东滩生态农业有限公司", "A 农、林、牧、渔业", "陈海公路8号", "陈静", "13812345678",
                  "赵敏", "2023-03-01", "2024-02-01", "已移出清单", "重新列入清单", "暂无变更记录"):
        assert words in html, words


def test_other_features_fill_the_visits_and_requests_slots(client, users, login_as, town, app):
    from jinja2 import ChoiceLoader, DictLoader

    ent = enterprise(town)
    env_loader, registered = app.jinja_env.loader, list(sections._SECTIONS)
    app.jinja_env.loader = ChoiceLoader([DictLoader({
        "test/_requests.html": "<section id='requests'>诉求 {{ count }} 件 · {{ enterprise.name }}</section>",
    }), env_loader])
    sections.register("requests_list", "test/_requests.html", lambda e, user: {"count": 3})
    try:
        login_as(users[Role.COMMISSION])
        html = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    finally:
        sections._SECTIONS[:] = registered
        app.jinja_env.loader = env_loader
    assert f"诉求 3 件 · {ent.name}" in html
    assert html.index("id='requests'") < html.index("变更记录")


def test_demo_has_history_tags_contacts_and_gaps(app):
    from sqlalchemy import func, select

    from crm.audit import AuditEntry
    from crm.enterprises.models import Enterprise, ListPeriod, Tag
    from crm.enterprises.queries import without_liaison_on

    result = app.test_cli_runner().invoke(args=["crm", "demo", "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    today = date(2026, 11, 24)
    relisted = db.session.scalar(select(func.count()).select_from(
        select(ListPeriod.enterprise_id).group_by(ListPeriod.enterprise_id)
        .having(func.count() > 1).subquery()))
    gaps = db.session.scalar(select(func.count(Enterprise.id)).where(without_liaison_on(today)))
    assert relisted >= 3 and 5 <= gaps <= 30
    assert db.session.scalar(select(func.count()).select_from(Tag).where(Tag.active.is_(False))) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.object_type == "enterprise")) >= 600
