"""The enterprise's pages, without login: submit a request, follow it, rate the answer.

CSRF comes from the forms themselves (the blueprint is exempt from the global check so the
size limit can be set before anything reads the body). A wrong, replaced or unknown
tracking token answers the same neutral "not found" page.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from crm.client_address import client_address
from crm.db import db
from crm.extensions import csrf, limiter
from crm.requests.categories import active_categories
from crm.requests.errors import WorkflowError
from crm.requests.forms import RateForm
from crm.requests.intake import create_request
from crm.requests.link_recovery import recover
from crm.requests.models import RATEABLE_STATES, Request, RequestEvent, RequestSource
from crm.requests.public_forms import DESCRIPTION_MAX, LookupForm, PublicRequestForm
from crm.requests.tracking import find_by_token, hash_token, set_token, token_for_submission
from crm.requests.workflow import transition

bp = Blueprint("public", __name__)
csrf.exempt(bp)

#: Largest request body the public pages accept (the form is a few KB of text).
DEFAULT_MAX_BYTES = 64 * 1024


def _submit_limit() -> str:
    return current_app.config.get("PUBLIC_SUBMIT_RATE_LIMIT", "5 per hour")


def _lookup_limit() -> str:
    return current_app.config.get("PUBLIC_LOOKUP_RATE_LIMIT", "10 per hour")


@bp.before_request
def _limit_body_size():
    request.max_content_length = current_app.config.get("PUBLIC_SUBMIT_MAX_BYTES", DEFAULT_MAX_BYTES)


@bp.after_request
def _private_headers(response):
    # Tracking links are secrets: keep them out of search engines, caches and referrers.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _categories(form: PublicRequestForm) -> None:
    form.category.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(c.id, c.name) for c in active_categories()]


def _submission_key(form_token: str) -> str:
    return hashlib.sha256(("submission:" + form_token).encode("utf-8")).hexdigest()


def _success(req: Request, form_token: str):
    """The success page; the link is shown again only while it is still the request's link."""
    token = token_for_submission(form_token)
    link = None
    if req.tracking_token_hash and hmac.compare_digest(req.tracking_token_hash, hash_token(token)):
        link = url_for("public.track", token=token, _external=True)
    return render_template("public/submitted.html", req=req, link=link)


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def submit():
    form = PublicRequestForm()
    _categories(form)
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(16)
        return render_template("public/submit.html", form=form, max_length=DESCRIPTION_MAX)
    if not form.validate_on_submit():
        if not form.form_token.data or form.form_token.errors:
            form.form_token.data = secrets.token_urlsafe(16)
        return render_template("public/submit.html", form=form, max_length=DESCRIPTION_MAX), 400
    if form.website.data:
        # A bot filled the hidden field: say nothing useful, save nothing.
        current_app.logger.info("public form honeypot filled from %s", client_address())
        return render_template("public/submit.html", form=form, max_length=DESCRIPTION_MAX,
                               refused=True), 400
    key = _submission_key(form.form_token.data)
    existing = db.session.scalar(select(Request).where(Request.submission_key == key))
    if existing is not None:
        return _success(existing, form.form_token.data)
    try:
        req = create_request(
            enterprise=None, enterprise_name=form.enterprise_name.data.strip(),
            credit_code=form.credit_code.data, source=RequestSource.PUBLIC, category=form.category.data,
            title=form.title.data, description=form.description.data, actor=None,
            contact_name=form.contact_name.data.strip(), contact_mobile=form.mobile.data,
            contact_email=(form.email.data or "").strip() or None,
        )
        req.submission_key = key
        set_token(req, token_for_submission(form.form_token.data))
        db.session.commit()
    except WorkflowError as e:
        db.session.rollback()
        getattr(form, e.field, form.description).errors.append(e.message)
        return render_template("public/submit.html", form=form, max_length=DESCRIPTION_MAX), 400
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request won; show it.
        db.session.rollback()
        existing = db.session.scalar(select(Request).where(Request.submission_key == key))
        if existing is None:
            raise
        return _success(existing, form.form_token.data)
    return _success(req, form.form_token.data)


def _not_found():
    return render_template("public/not_found.html"), 404


def _public_events(req: Request) -> list[RequestEvent]:
    return db.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == req.id, RequestEvent.public.is_(True))
        .order_by(RequestEvent.id)
    ).all()


def _track_page(req: Request, token: str, rate_form=None, status: int = 200):
    rateable = req.state_enum in RATEABLE_STATES
    if rateable and rate_form is None:
        rate_form = RateForm(prefix="rate", formdata=None)
    return render_template("public/track.html", req=req, token=token, events=_public_events(req),
                           rate_form=rate_form if rateable else None), status


@bp.route("/track/<token>")
def track(token: str):
    req = find_by_token(token)
    if req is None:
        return _not_found()
    return _track_page(req, token)


@bp.route("/track/<token>/rate", methods=["POST"])
@limiter.limit(_submit_limit)
def rate(token: str):
    req = find_by_token(token)
    if req is None:
        return _not_found()
    form = RateForm(prefix="rate")
    if not form.validate_on_submit():
        return _track_page(req, token, form, 400)
    try:
        transition(req, "rate", None, via="link", rating=form.rating.data, comment=form.comment.data)
    except WorkflowError as e:
        db.session.rollback()
        req = find_by_token(token)
        if req is None:
            return _not_found()
        if req.state_enum not in RATEABLE_STATES:
            flash(e.message, "warning")
            return redirect(url_for("public.track", token=token))
        form.rating.errors = list(form.rating.errors) + [e.message]
        return _track_page(req, token, form, 400)
    db.session.commit()
    flash(_("感谢您的评价！"), "success")
    return redirect(url_for("public.track", token=token))


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def lookup():
    """Lost link: tracking number + credit code + last 4 digits of the mobile give a further link."""
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("public/lookup.html", form=form), 400 if form.is_submitted() else 200
    result = recover(form.number.data.strip(), form.credit_code.data, form.mobile_last4.data,
                     client_address())
    db.session.commit()  # a failure is counted as well
    if result.token is None:
        form.number.errors = list(form.number.errors) + [result.error]
        return render_template("public/lookup.html", form=form), result.status
    flash(_("已生成新的查询链接，请收藏本页；原有的链接仍然有效。"), "success")
    return redirect(url_for("public.track", token=result.token))
