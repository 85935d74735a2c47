"""The home dashboard of the commission, towns and leaders: this quarter at a glance.

Every number is taken from the coverage and requests reports for the user's scope, and every
number links to the report list it came from.
"""
from __future__ import annotations

from datetime import date

from flask import url_for

from crm.permissions.reports import COVERAGE, report_scope
from crm.reports import coverage_report, requests_report
from crm.reports.pages import records
from crm.reports.periods import Period
from crm.visits.quarters import Quarter

TOP = 5


def dashboard_context(user, today: date) -> dict:
    scope, _message = report_scope(user, {}, COVERAGE)
    quarter = Quarter.of(today)
    coverage = coverage_report.build(quarter, scope, today)
    period = Period.of_quarter(quarter)
    requests = requests_report.build(period, scope, today)
    base = {"quarter": str(quarter), **scope.args()}
    period_args = {"period": period.key, **scope.args()}

    towns = coverage.breakdown("town")
    towns = towns[towns["owed"] > 0].sort_values(["rate", "owed", "label"], ascending=[True, False, True],
                                                 kind="stable").head(TOP)
    liaisons = coverage.liaison_ranking()
    liaisons = liaisons.sort_values(["rate", "owed", "liaison_name"], ascending=[True, False, True],
                                    kind="stable").head(TOP)
    return {
        "scope": scope, "quarter": quarter, "period": period, "today": today,
        "coverage": coverage, "figures": coverage.headline(), "requests": requests.headline(),
        "coverage_args": base, "period_args": period_args,
        "worst_departments": records(requests.worst_departments(TOP)),
        "worst_towns": records(towns) if scope.town_id is None else [],
        "worst_liaisons": records(liaisons) if scope.town_id is not None else [],
        "coverage_url": url_for("reports.coverage", **base),
    }
