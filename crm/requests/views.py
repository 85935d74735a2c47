"""Department inbox and commission board."""
from flask import render_template

from crm.auth.roles import Role
from crm.permissions import require_roles
from crm.requests import bp


@bp.route("/inbox")
@require_roles(Role.DEPARTMENT)
def inbox():
    return render_template("requests/inbox.html")


@bp.route("/board")
@require_roles(Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER)
def board():
    return render_template("requests/board.html")
