"""requests report: date indexes, and the 'requests' data stamp with the triggers that change it

The requests report reads only the requests with something counted in its period (or open
today); finding them is a range read on these dates instead of a scan of every request, round,
event and urge notice ever recorded.

Each process keeps a built report under the 'requests' stamp in data_versions. Triggers on the
report's inputs (requests, rounds, events, urge notices, departments, towns, categories, the
calendar tables) give it a new value on every insert, update, delete (and TRUNCATE on
PostgreSQL), whatever wrote it, as the coverage stamp's triggers do (migration ea89e4fb2bf5).
A snapshot of crm.data_version.requests_statements and requests_drop_statements: migrations
never import app code; tests/test_data_version.py checks a migrated database has the triggers
db.create_all() gives.

Revision ID: b7d3e9a41c25
Revises: d5f2b8c3e914
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d3e9a41c25'
down_revision = 'd5f2b8c3e914'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_requests_closed_on', 'requests', ['closed_on']),
    ('ix_request_assignments_assigned_on', 'request_assignments', ['assigned_on']),
    ('ix_request_assignments_ended_on', 'request_assignments', ['ended_on']),
    ('ix_request_events_on_action', 'request_events', ['on', 'action']),
    ('ix_urge_notices_issued_on', 'urge_notices', ['issued_on']),
]
REQUEST_TABLES = ('requests', 'request_assignments', 'request_events', 'urge_notices', 'departments', 'towns',
                  'request_categories', 'calendar_overrides', 'calendar_years')
FUNCTION = 'crm_bump_requests_version'


def _upsert(name, new_version):
    return (f"INSERT INTO data_versions (name, version) VALUES ({name}, {new_version}) "
            "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version")


def _create_statements(dialect_name):
    if dialect_name == 'postgresql':
        bump = _upsert("'requests'", 'txid_current()') + ' WHERE data_versions.version <> EXCLUDED.version'
        return [
            f'CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n'
            f'BEGIN\n    {bump};\n    RETURN NULL;\nEND\n$$',
        ] + [
            f'CREATE TRIGGER trg_{table}_data_version '
            f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} '
            f'FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
            for table in REQUEST_TABLES
        ]
    if dialect_name == 'sqlite':
        return [
            f'CREATE TRIGGER trg_{table}_data_version_{suffix} AFTER {operation} ON {table} '
            f"FOR EACH ROW BEGIN {_upsert(repr('requests'), 'random()')}; END"
            for table in REQUEST_TABLES
            for suffix, operation in (('ins', 'INSERT'), ('upd', 'UPDATE'), ('del', 'DELETE'))
        ]
    raise NotImplementedError(f'no data-version triggers for the {dialect_name} dialect')


def _drop_statements(dialect_name):
    if dialect_name == 'postgresql':
        return ([f'DROP TRIGGER IF EXISTS trg_{table}_data_version ON {table}' for table in REQUEST_TABLES]
                + [f'DROP FUNCTION IF EXISTS {FUNCTION}()'])
    if dialect_name == 'sqlite':
        return [f'DROP TRIGGER IF EXISTS trg_{table}_data_version_{suffix}'
                for table in REQUEST_TABLES for suffix in ('ins', 'upd', 'del')]
    raise NotImplementedError(f'no data-version triggers for the {dialect_name} dialect')


def upgrade():
    # Plain CREATE INDEX (no batch mode): a batch rebuild on SQLite would drop the tables' triggers.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    for statement in _create_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute("INSERT INTO data_versions (name, version) VALUES ('requests', 0)")


def downgrade():
    for statement in _drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute("DELETE FROM data_versions WHERE name = 'requests'")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
