"""The liaison's phone home: 我的企业, most urgent first, with the quarter's progress."""
from flask import render_template, request
from flask_login import current_user

from crm.auth.roles import Role
from crm.clock import business_today
from crm.permissions import require_roles
from crm.visits import bp
from crm.visits.queries import my_cards


@bp.route("/mine")
@require_roles(Role.LIAISON)
def my_enterprises():
    today = business_today()
    search = request.args.get("q", "")[:100]
    quarter, summary, cards = my_cards(current_user, today, search)
    return render_template("visits/my_enterprises.html", quarter=quarter, summary=summary,
                           cards=cards, search=search, today=today,
                           days_left=quarter.days_left(today))
