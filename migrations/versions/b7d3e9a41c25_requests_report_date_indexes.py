"""requests report date indexes: a period's closings, rounds, events and urge notices read by date

The requests report reads only the requests with something counted in its period (or open
today); finding them is a range read on these dates instead of a scan of every request, round,
event and urge notice ever recorded.

Revision ID: b7d3e9a41c25
Revises: ea89e4fb2bf5
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d3e9a41c25'
down_revision = 'ea89e4fb2bf5'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_requests_closed_on', 'requests', ['closed_on']),
    ('ix_request_assignments_assigned_on', 'request_assignments', ['assigned_on']),
    ('ix_request_assignments_ended_on', 'request_assignments', ['ended_on']),
    ('ix_request_events_on_action', 'request_events', ['on', 'action']),
    ('ix_urge_notices_issued_on', 'urge_notices', ['issued_on']),
]


def upgrade():
    # Plain CREATE INDEX (no batch mode): a batch rebuild on SQLite would drop the tables' triggers.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
