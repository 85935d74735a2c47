"""/public/requests: channels that forward enterprise requests (12345 hotline, 一网通办) submit
with a `submit` token, get the tracking number and link, and follow what they submitted."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from crm.api import request_json as present
from crm.api.auth import SUBMIT_SCOPES, api_token
from crm.api.errors import ApiError, validation_error
from crm.api.idempotency import IDEMPOTENCY_KEY, scoped_key
from crm.api.components import component
from crm.api.request_input import category
from crm.api.routing import Reply, api_route
from crm.api.schema import CreditCode, Int, Schema, Str
from crm.db import db
from crm.enterprises.contacts import normalize_email
from crm.requests.errors import WorkflowError
from crm.requests.intake import create_request
from crm.requests.models import Request, RequestEvent, RequestSource
from crm.requests.public_forms import DESCRIPTION_MAX
from crm.requests.tracking import hash_token, set_token, token_for_submission

SUBMIT_BODY = Schema("PublicRequestCreate", {
    "enterprise_name": Str(200, required=True),
    "credit_code": CreditCode(required=True),
    "contact_name": Str(64, required=True),
    "mobile": Str(20, required=True, pattern=r"1[3-9]\d{9}", pattern_message=_l("请填写 11 位手机号码。"),
                  description=_l("11 位手机号码")),
    "email": Str(120, nullable=True, check=normalize_email),
    "category_id": Int(required=True, description=_l("诉求类别编号（见 GET /request-categories）")),
    "title": Str(100, required=True),
    "description": Str(DESCRIPTION_MAX, multiline=True, required=True),
})

_PUBLIC = lambda: component("PublicRequest", present.public_schema)  # noqa: E731


def _label() -> str:
    return f"api:{api_token().name}"


def _link(req: Request, key_text: str | None) -> str | None:
    """The tracking link again, when it can be derived from the idempotency key and is still valid."""
    if not key_text:
        return None
    token = token_for_submission(key_text)
    return present.tracking_url(token) if req.tracking_token_hash == hash_token(token) else None


@api_route("POST", "/public/requests", operation_id="submitPublicRequest", tag="public",
           summary=_l("转入一件企业诉求，返回受理编号和查询链接"), scopes=SUBMIT_SCOPES,
           body=SUBMIT_BODY, headers={"Idempotency-Key": IDEMPOTENCY_KEY},
           description=_l("同一 Idempotency-Key 的重试返回第一次的结果（含同一查询链接）。"),
           replies={201: Reply(_l("已受理"), _PUBLIC)})
def submit(query, body, idempotency_key):
    token = api_token()
    key = scoped_key(token, idempotency_key)
    key_text = f"api:{token.id}:{idempotency_key}" if idempotency_key else None
    earlier = _submission(key)
    if earlier is not None:
        return present.public_view(earlier, _link(earlier, key_text)), 201, {"Idempotent-Replayed": "true"}
    try:
        req = create_request(
            enterprise=None, enterprise_name=body["enterprise_name"], credit_code=body["credit_code"],
            source=RequestSource.API, category=category(body["category_id"]), title=body["title"],
            description=body["description"], actor=None, contact_name=body["contact_name"],
            contact_mobile=body["mobile"], contact_email=body.get("email"), actor_label=_label())
        req.submission_key = key
        secret = set_token(req, token_for_submission(key_text) if key_text else None)
        db.session.commit()
    except WorkflowError as exc:
        raise validation_error({exc.field or "body": exc.message})
    except IntegrityError:
        db.session.rollback()
        earlier = _submission(key)
        if earlier is None:
            raise
        return present.public_view(earlier, _link(earlier, key_text)), 201, {"Idempotent-Replayed": "true"}
    return present.public_view(req, present.tracking_url(secret)), 201


def _submission(key):
    if key is None:
        return None
    return db.session.scalar(select(Request).where(Request.submission_key == key))


@api_route("GET", "/public/requests/{tracking_number}", operation_id="getPublicRequest", tag="public",
           summary=_l("查询经本令牌转入的诉求的进度和答复（与企业查询页相同的内容）"),
           scopes=SUBMIT_SCOPES, path_params={"tracking_number": Str(20)},
           replies={200: Reply(_l("诉求进度"), _PUBLIC)})
def follow(tracking_number, query):
    submitted_here = exists().where(RequestEvent.request_id == Request.id, RequestEvent.action == "submit",
                                    RequestEvent.actor_label == _label())
    req = db.session.scalar(select(Request).where(Request.number == tracking_number, submitted_here))
    if req is None:
        raise ApiError(404, message=_("没有经本令牌转入的这件诉求"))
    return present.public_view(req, None)
