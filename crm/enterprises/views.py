"""Enterprise list and detail pages."""
from flask import render_template

from crm.auth.roles import Role
from crm.enterprises import bp
from crm.permissions import require_roles


@bp.route("/")
@require_roles(Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER, Role.LIAISON, Role.DEPARTMENT)
def index():
    return render_template("enterprises/index.html")
