"""Creating requests: numbers, enterprise matching, the first event; the on-site answer."""
from datetime import date

import pytest
from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.requests.errors import WorkflowError
from crm.requests.intake import create_request
from crm.requests.models import Request, RequestEvent
from crm.requests.workflow import transition
from tests.factories import valid_code

from .conftest import TUESDAY


def test_tracking_numbers_are_sequential_per_year(new_request):
    first, second = new_request(), new_request()
    assert (first.number, second.number) == ("2026-000001", "2026-000002")
    assert new_request(on=date(2027, 1, 4)).number == "2027-000001"
    assert new_request().number == "2026-000003"


def test_first_event_is_public_and_state_is_submitted(new_request, world):
    req = new_request()
    assert req.state_label == "待受理"
    assert req.town_id == world["town"].id
    [event] = req.events
    assert (event.action, event.to_state, event.public) == ("submit", "submitted", True)


def test_unlisted_enterprise_is_matched_by_credit_code_or_kept_by_name(world, categories):
    known = world["enterprise"]
    req = create_request(enterprise=None, enterprise_name="随便写的名字", credit_code=known.credit_code.lower(),
                         source="public", category=categories["融资"], title="贷款", description="贴息",
                         actor=None, submitted_on=TUESDAY)
    assert req.enterprise_id == known.id and req.enterprise_name == known.name
    code = valid_code(999)
    other = create_request(enterprise=None, enterprise_name="外区某公司", credit_code=code, source="public",
                           category=categories["融资"], title="贷款", description="贴息", actor=None,
                           submitted_on=TUESDAY)
    assert other.enterprise_id is None and other.credit_code == code and other.town_id is None


@pytest.mark.parametrize("field,kwargs", [
    ("title", {"title": "  "}),
    ("description", {"description": ""}),
    ("credit_code", {"credit_code": "123"}),
    ("enterprise_name", {"enterprise": None, "enterprise_name": ""}),
])
def test_bad_input_is_refused_and_nothing_is_saved(world, categories, field, kwargs):
    args = dict(enterprise=world["enterprise"], source="phone", category=categories["其他"],
                title="标题", description="内容", actor=world["users"][Role.COMMISSION], submitted_on=TUESDAY)
    args.update(kwargs)
    with pytest.raises(WorkflowError) as err:
        create_request(**args)
    assert err.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(Request.id)) is None


def test_liaison_answers_on_site(new_request, world):
    req = new_request()
    transition(req, "answer_on_site", world["users"][Role.LIAISON], today=TUESDAY, answer="已当场解释政策。")
    db.session.commit()
    assert req.state == "answered_on_site" and req.reply == "已当场解释政策。"
    assert req.on_time is True and req.outcome == "resolved"
    assert [e.action for e in db.session.scalars(select(RequestEvent).order_by(RequestEvent.id))] == \
        ["submit", "answer_on_site"]


def test_numbers_stay_unique_under_concurrent_transactions(app):
    import threading

    from crm.requests.numbering import next_number

    taken, errors = [], []

    def worker():
        with app.app_context():
            try:
                for _i in range(10):
                    taken.append(next_number("request", 2031))
                    db.session.commit()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(taken) == list(range(1, 41))
