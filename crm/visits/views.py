"""The liaison's phone pages."""
from flask import render_template

from crm.auth.roles import Role
from crm.permissions import require_roles
from crm.visits import bp


@bp.route("/mine")
@require_roles(Role.LIAISON)
def my_enterprises():
    return render_template("visits/my_enterprises.html")
