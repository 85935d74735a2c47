"""The home page: each role lands where its work is."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from sqlalchemy import text
from flask_login import current_user, login_required

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.main import bp
from crm.main.homes import home_endpoint
from crm.reports.dashboard import dashboard_context


@bp.route("/")
@login_required
def home():
    endpoint = home_endpoint(current_user)
    if endpoint != "main.home":
        return redirect(url_for(endpoint))
    return render_template("main/home.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    """District overview for the commission, town coordinators and leaders."""
    if not current_user.has_role(Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER):
        return redirect(url_for("main.home"))
    return render_template("main/dashboard.html", **dashboard_context(current_user, business_today()))


@bp.route("/healthz")
def healthz():
    """For the load balancer and monitoring: the app answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
