"""coverage data version: data_versions and the triggers that change its stamp on every write

The coverage engine takes about a second at 50,000 enterprises; each process caches its result
keyed by the 'coverage' stamp and the stamp of the quarter's visits ('coverage:2026Q4').
Triggers on the engine's input tables give the stamp a new value on every insert, update,
delete (and TRUNCATE on PostgreSQL) of them, whatever wrote it: ORM, bulk import, raw SQL;
a visit participation changes its own quarter's stamp only. PostgreSQL takes the writing
transaction's id, SQLite random(): never an increment, which a rolled-back transaction would
hand out again for different data.

A snapshot of crm.data_version.create_statements and drop_statements: migrations never import
app code. tests/test_data_version.py checks that a migrated database and a db.create_all() one
have the same triggers. On SQLite, a later batch migration that rebuilds one of these tables
drops its triggers and must create them again.

Revision ID: ea89e4fb2bf5
Revises: eb040a7bc2be
Create Date: 2026-12-02 07:09:12.130630

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ea89e4fb2bf5'
down_revision = 'eb040a7bc2be'
branch_labels = None
depends_on = None

WATCHED_TABLES = ('enterprises', 'enterprise_tags', 'list_periods', 'assignments')
VISIT_TABLE = 'visit_participants'


def _upsert(name, new_version):
    return (f"INSERT INTO data_versions (name, version) VALUES ({name}, {new_version}) "
            "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version")


def _pg_quarter(row):
    return f"'coverage:' || to_char({row}.visited_on, 'YYYY\"Q\"Q')"


def _sqlite_quarter(row):
    return (f"'coverage:' || strftime('%Y', {row}.visited_on) || 'Q' || "
            f"((CAST(strftime('%m', {row}.visited_on) AS INTEGER) + 2) / 3)")


def _create_statements(dialect_name):
    if dialect_name == 'postgresql':
        same = ' WHERE data_versions.version <> EXCLUDED.version'
        bump = _upsert("'coverage'", 'txid_current()') + same
        new_quarter = _upsert(_pg_quarter('NEW'), 'txid_current()') + same
        old_quarter = _upsert(_pg_quarter('OLD'), 'txid_current()') + same
        return [
            ('CREATE FUNCTION crm_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$\n'
             f'BEGIN\n    {bump};\n    RETURN NULL;\nEND\n$$'),
            ('CREATE FUNCTION crm_bump_visit_quarter() RETURNS trigger LANGUAGE plpgsql AS $$\n'
             f"BEGIN\n    IF TG_OP <> 'DELETE' THEN\n        {new_quarter};\n    END IF;\n"
             f"    IF TG_OP <> 'INSERT' THEN\n        {old_quarter};\n    END IF;\n    RETURN NULL;\nEND\n$$"),
        ] + [
            f'CREATE TRIGGER trg_{table}_data_version '
            f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} '
            'FOR EACH STATEMENT EXECUTE FUNCTION crm_bump_data_version()'
            for table in WATCHED_TABLES
        ] + [
            f'CREATE TRIGGER trg_{VISIT_TABLE}_data_version AFTER INSERT OR UPDATE OR DELETE ON {VISIT_TABLE} '
            'FOR EACH ROW EXECUTE FUNCTION crm_bump_visit_quarter()',
            f'CREATE TRIGGER trg_{VISIT_TABLE}_data_version_truncate AFTER TRUNCATE ON {VISIT_TABLE} '
            'FOR EACH STATEMENT EXECUTE FUNCTION crm_bump_data_version()',
        ]
    if dialect_name == 'sqlite':
        visit_rows = {'ins': ('INSERT', ['NEW']), 'upd': ('UPDATE', ['NEW', 'OLD']), 'del': ('DELETE', ['OLD'])}
        return [
            f'CREATE TRIGGER trg_{table}_data_version_{suffix} AFTER {operation} ON {table} '
            f"FOR EACH ROW BEGIN {_upsert(repr('coverage'), 'random()')}; END"
            for table in WATCHED_TABLES
            for suffix, operation in (('ins', 'INSERT'), ('upd', 'UPDATE'), ('del', 'DELETE'))
        ] + [
            f'CREATE TRIGGER trg_{VISIT_TABLE}_data_version_{suffix} AFTER {operation} ON {VISIT_TABLE} '
            'FOR EACH ROW BEGIN '
            + ' '.join(f"{_upsert(_sqlite_quarter(row), 'random()')};" for row in rows) + ' END'
            for suffix, (operation, rows) in visit_rows.items()
        ]
    raise NotImplementedError(f'no data-version triggers for the {dialect_name} dialect')


def _drop_statements(dialect_name):
    if dialect_name == 'postgresql':
        return ([f'DROP TRIGGER IF EXISTS trg_{table}_data_version ON {table}'
                 for table in (*WATCHED_TABLES, VISIT_TABLE)]
                + [f'DROP TRIGGER IF EXISTS trg_{VISIT_TABLE}_data_version_truncate ON {VISIT_TABLE}',
                   'DROP FUNCTION IF EXISTS crm_bump_data_version()',
                   'DROP FUNCTION IF EXISTS crm_bump_visit_quarter()'])
    if dialect_name == 'sqlite':
        return [f'DROP TRIGGER IF EXISTS trg_{table}_data_version_{suffix}'
                for table in (*WATCHED_TABLES, VISIT_TABLE) for suffix in ('ins', 'upd', 'del')]
    raise NotImplementedError(f'no data-version triggers for the {dialect_name} dialect')


def upgrade():
    op.create_table('data_versions',
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions'))
    )
    for statement in _create_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute("INSERT INTO data_versions (name, version) VALUES ('coverage', 0)")


def downgrade():
    for statement in _drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('data_versions')
