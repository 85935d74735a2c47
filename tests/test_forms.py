"""Every form follows the one text rule (crm/forms.py, crm/text_rules.py): a guard that no form
escapes it, and the rule seen from staff forms, nested rows and a login."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import Form

import crm
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise
from crm.forms import CrmForm, CrmSubform
from tests.enterprises.test_edit_pages import form as enterprise_form

CONTROL = "不能包含控制字符"
FORMAT = "不能包含不可见的格式字符（如方向控制符、零宽字符）"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_in_crm_derives_from_the_checked_bases():
    for module in pkgutil.walk_packages(crm.__path__, "crm."):
        importlib.import_module(module.name)
    forms = {c for c in _subclasses(Form) if c.__module__.startswith("crm.") and c.__module__ != "crm.forms"}
    assert len(forms) > 30  # the walk found the app's forms
    unchecked = sorted(f"{c.__module__}.{c.__qualname__}" for c in forms
                       if not issubclass(c, CrmForm if issubclass(c, FlaskForm) else CrmSubform))
    assert unchecked == []


def test_a_login_with_nul_is_refused_next_to_the_field_not_a_500(client, users):
    response = client.post("/login", data={"login": "admin\x00", "password": "x\x00y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count(CONTROL) == 2  # the login and the password


@pytest.fixture
def commission(client, users, login_as, today):
    today()
    return login_as(users[Role.COMMISSION])


def test_an_enterprise_name_with_a_bidi_override_is_refused(client, commission, town):
    response = client.post("/enterprises/new", data=enterprise_form(town, name="公司\u202egnp.exe"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert FORMAT in page and 'value="公司\u202egnp.exe"' in page  # kept, to be corrected
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_a_contact_row_is_checked_too(client, commission, town):
    response = client.post("/enterprises/new", data=enterprise_form(town, **{"contacts-0-name": "陈\x00静"}))
    assert response.status_code == 422
    assert CONTROL in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
