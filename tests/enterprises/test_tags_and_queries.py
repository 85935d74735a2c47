"""The tag vocabulary page, and the "listed on D" / "covered on D" helpers reports build on."""
from datetime import date

from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise, Tag
from crm.enterprises.queries import covered_on, listed_during, listed_enterprises, listed_on, without_liaison_on
from tests.factories import assign, enterprise


def test_admin_adds_renames_and_retires_tags(client, users, login_as, town):
    login_as(users[Role.ADMIN])
    assert client.post("/enterprises/tags", data={"name": "专精特新"}).status_code == 302
    duplicate = client.post("/enterprises/tags", data={"name": "专精特新 "})
    assert duplicate.status_code == 422 and "标签“专精特新”已存在" in duplicate.get_data(as_text=True)
    tag = db.session.scalar(select(Tag))
    ent = enterprise(town, tags=[tag])
    client.post(f"/enterprises/tags/{tag.id}", data={f"tag-{tag.id}-name": "专精特新中小企业"})
    client.post(f"/enterprises/tags/{tag.id}/active")
    db.session.refresh(tag)
    assert (tag.name, tag.active) == ("专精特新中小企业", False)
    assert [t.name for t in db.session.get(Enterprise, ent.id).tags] == ["专精特新中小企业"]
    # A retired tag stays on its enterprises but is not offered to others.
    other = enterprise(town)
    assert "专精特新中小企业" in client.get(f"/enterprises/{ent.id}/edit").get_data(as_text=True)
    assert "专精特新中小企业" not in client.get(f"/enterprises/{other.id}/edit").get_data(as_text=True)


def names(condition):
    return set(db.session.scalars(select(Enterprise.name).where(condition)))


def test_listed_on_uses_exclusive_end_dates(app, users, town):
    enterprise(town, name="期间内", listed_on=date(2026, 1, 1), removed_on=date(2026, 7, 1))
    enterprise(town, name="仍在册", listed_on=date(2026, 7, 1))
    assert names(listed_on(date(2026, 6, 30))) == {"期间内"}
    assert names(listed_on(date(2026, 7, 1))) == {"仍在册"}  # the removal day is off the list
    assert names(listed_during(date(2026, 4, 1), date(2026, 7, 1))) == {"期间内"}
    assert names(listed_during(date(2026, 6, 1), date(2026, 9, 1))) == {"期间内", "仍在册"}
    assert {e.name for e in db.session.scalars(listed_enterprises(date(2025, 12, 31)))} == set()


def test_coverage_gap_is_listed_without_an_assignment_in_force(app, users, town):
    covered = enterprise(town, name="有人负责")
    gap = enterprise(town, name="无人负责")
    assign(users[Role.LIAISON], covered, start_on=date(2026, 1, 1))
    assign(users[Role.LIAISON], gap, start_on=date(2025, 1, 1), end_on=date(2026, 11, 24))
    today = date(2026, 11, 24)
    assert names(covered_on(today)) == {"有人负责"}
    assert names(without_liaison_on(today)) == {"无人负责"}
    assert names(without_liaison_on(date(2026, 11, 23))) == set()
