"""The scoped figures reports build on: received, replied on time, resolved, satisfied."""
from datetime import date

from crm.auth.roles import Role
from crm.requests.queries import figures
from crm.requests.workflow import transition

from .conftest import TUESDAY


def test_figures_for_a_period(world, assigned_request, new_request, actors):
    lead = world["users"][Role.DEPARTMENT]
    on_time = assigned_request()
    late = assigned_request()
    for req in (on_time, late):
        transition(req, "accept", lead, today=TUESDAY)
    transition(on_time, "reply", lead, today=date(2026, 11, 30), answer="已解决", outcome="resolved")
    transition(late, "reply", lead, today=date(2026, 12, 2), answer="部分解决", outcome="partly")
    transition(on_time, "rate", None, today=date(2026, 12, 1), via="link", rating="satisfied")
    transition(late, "rate", None, today=date(2026, 12, 3), via="link", rating="unsatisfied")
    new_request()
    result = figures(actors["commission"], date(2026, 11, 1), date(2026, 12, 31))
    assert (result.received, result.replied, result.replied_on_time, result.resolved) == (3, 2, 1, 1)
    assert (result.rated, result.satisfied, result.closed) == (2, 1, 1)
    assert (result.on_time_rate, result.resolution_rate, result.satisfaction_rate) == (0.5, 0.5, 0.5)
    # Scoped: another town's coordinator counts nothing.
    assert figures(actors["other_town"], date(2026, 11, 1), date(2026, 12, 31)).received == 0
