"""List, create and revoke API tokens. The secret appears once, on the page right after creation."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.api.admin import bp
from crm.api.admin.forms import TokenForm
from crm.api.tokens import ApiToken, Scope, TokenError, create_token, revoke_token
from crm.auth.models import User
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.pagination import paginate
from crm.permissions import require_roles


@bp.route("/")
@require_roles(Role.ADMIN)
def tokens():
    stmt = (select(ApiToken).options(selectinload(ApiToken.owner))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.name))
    return render_template("api/tokens.html", page=paginate(stmt), today=business_today())


@bp.route("/new", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def new_token():
    form = TokenForm()
    form.scope.choices = {s.value: s.label for s in Scope}
    if form.scope.data is None:
        form.scope.data = Scope.READ.value
    if form.validate_on_submit():
        owner = db.session.scalar(select(User).where(func.lower(User.login) == form.owner.data.strip().lower()))
        if owner is None:
            form.owner.errors.append(_("没有登录名为“%(login)s”的用户", login=form.owner.data.strip()))
        else:
            try:
                token, secret = create_token(form.name.data, owner, Scope(form.scope.data),
                                             form.expires_on.data, today=business_today(),
                                             created_by=current_user)
            except TokenError as exc:
                getattr(form, {"expires_on": "expires_on", "owner": "owner"}.get(exc.field or "", "name")
                        ).errors.append(str(exc))
            else:
                db.session.commit()
                response = make_response(render_template("api/token_created.html", token=token, secret=secret))
                response.headers["Cache-Control"] = "no-store"  # the secret must not be cached
                return response
    return render_template("api/token_new.html", form=form)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@require_roles(Role.ADMIN)
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if revoke_token(token):
        db.session.commit()
        flash(_("已吊销令牌“%(name)s”，使用它的系统将无法再访问接口。", name=token.name), "success")
    return redirect(url_for("api_admin.tokens"))
