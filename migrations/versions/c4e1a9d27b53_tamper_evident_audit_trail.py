"""tamper-evident audit trail: hash chains on audit_entries and request_events, chain_heads,
and triggers refusing UPDATE and DELETE on both

Each row gets prev_hash and row_hash (crm.audit.chain); the rows already there are chained here,
in id order, per stream, exactly as the application chains new ones. request_events.request_id
loses ON DELETE CASCADE: a request's history is never deleted with it.

A snapshot of crm.audit.chain (hashing) and crm.audit.immutable (triggers): migrations never
import app code. tests/test_audit_chain.py checks that a migrated database verifies and has the
triggers db.create_all() gives. On SQLite, a later batch migration that rebuilds one of these
tables drops its triggers and must create them again.

Revision ID: c4e1a9d27b53
Revises: 8e2a4b6c1d39
Create Date: 2026-12-02 19:10:00.000000

"""
import hashlib
import json
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a9d27b53'
down_revision = '8e2a4b6c1d39'
branch_labels = None
depends_on = None

GENESIS = '0' * 64
AUDIT_BUCKETS = 4096
TABLES = ('audit_entries', 'request_events')
FUNCTION = 'crm_refuse_chain_change'
CHUNK = 2000

AUDIT = sa.table(
    'audit_entries', sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)),
    sa.column('actor_id', sa.Integer), sa.column('actor_label', sa.String), sa.column('action', sa.String),
    sa.column('object_type', sa.String), sa.column('object_id', sa.Integer), sa.column('changes', sa.JSON),
    sa.column('reason', sa.Text), sa.column('prev_hash', sa.String), sa.column('row_hash', sa.String))
EVENTS = sa.table(
    'request_events', sa.column('id', sa.Integer), sa.column('request_id', sa.Integer),
    sa.column('at', sa.DateTime(timezone=True)), sa.column('on', sa.Date), sa.column('actor_id', sa.Integer),
    sa.column('actor_label', sa.String), sa.column('actor_department_id', sa.Integer),
    sa.column('action', sa.String), sa.column('from_state', sa.String), sa.column('to_state', sa.String),
    sa.column('text', sa.Text), sa.column('kind', sa.String), sa.column('public', sa.Boolean),
    sa.column('data', sa.JSON), sa.column('prev_hash', sa.String), sa.column('row_hash', sa.String))
CHAIN_HEADS = sa.table('chain_heads', sa.column('chain', sa.String), sa.column('stream', sa.String),
                       sa.column('length', sa.Integer), sa.column('head_hash', sa.String))


def _audit_bucket(row):
    digest = hashlib.sha256(f'{row.object_type}:{row.object_id}'.encode()).digest()
    return f"b{int.from_bytes(digest[:4], 'big') % AUDIT_BUCKETS:04d}"


STREAMS = {'audit_entries': (AUDIT, _audit_bucket), 'request_events': (EVENTS, lambda row: str(row.request_id))}


def _canonical(value, type_):
    if isinstance(type_, sa.JSON) and value is not None:
        value = json.loads(json.dumps(value))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row_hash(table, prev_hash, row, columns):
    content = {c.name: _canonical(row._mapping[c.name], c.type) for c in columns
               if c.name not in ('id', 'prev_hash', 'row_hash')}
    payload = json.dumps({'table': table, 'prev': prev_hash, 'row': content},
                         sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(payload.encode()).hexdigest()


def _chain_existing_rows(bind, name):
    table, stream_of = STREAMS[name]
    columns = list(table.columns)
    heads, last_id = {}, 0
    while True:
        rows = bind.execute(sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(CHUNK)).all()
        if not rows:
            break
        updates = []
        for row in rows:
            stream = stream_of(row)
            prev, length = heads.get(stream, (GENESIS, 0))
            digest = _row_hash(name, prev, row, columns)
            heads[stream] = (digest, length + 1)
            updates.append({'row_id': row.id, 'prev': prev, 'digest': digest})
        bind.execute(table.update().where(table.c.id == sa.bindparam('row_id'))
                     .values(prev_hash=sa.bindparam('prev'), row_hash=sa.bindparam('digest')), updates)
        last_id = rows[-1].id
    if heads:
        bind.execute(CHAIN_HEADS.insert(), [{'chain': name, 'stream': stream, 'length': length, 'head_hash': head}
                                            for stream, (head, length) in heads.items()])


def _create_statements(dialect_name):
    if dialect_name == 'postgresql':
        return [
            f'CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n'
            'BEGIN\n'
            "    RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = TG_OP || ' on ' || "
            "TG_TABLE_NAME || ': rows of the audit trail are never changed or deleted';\n"
            'END\n$$',
        ] + [
            f'CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} '
            f'FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()'
            for table in TABLES
        ]
    if dialect_name == 'sqlite':
        return [
            f'CREATE TRIGGER trg_{table}_append_only_{suffix} BEFORE {operation} ON {table} '
            f"BEGIN SELECT RAISE(ABORT, '{operation} on {table}: rows of the audit trail are never "
            "changed or deleted'); END"
            for table in TABLES
            for suffix, operation in (('upd', 'UPDATE'), ('del', 'DELETE'))
        ]
    raise NotImplementedError(f'no append-only triggers for the {dialect_name} dialect')


def _drop_statements(dialect_name):
    if dialect_name == 'postgresql':
        return ([f'DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table}' for table in TABLES]
                + [f'DROP FUNCTION IF EXISTS {FUNCTION}()'])
    if dialect_name == 'sqlite':
        return [f'DROP TRIGGER IF EXISTS trg_{table}_append_only_{suffix}'
                for table in TABLES for suffix in ('upd', 'del')]
    raise NotImplementedError(f'no append-only triggers for the {dialect_name} dialect')


def upgrade():
    op.create_table('chain_heads',
    sa.Column('chain', sa.String(length=30), nullable=False),
    sa.Column('stream', sa.String(length=40), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('chain', 'stream', name=op.f('pk_chain_heads'))
    )
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    for name in TABLES:
        _chain_existing_rows(bind, name)
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
            if name == 'request_events':
                batch_op.drop_constraint('fk_request_events_request_id_requests', type_='foreignkey')
                batch_op.create_foreign_key('fk_request_events_request_id_requests', 'requests',
                                            ['request_id'], ['id'])
    for statement in _create_statements(bind.dialect.name):
        op.execute(statement)


def downgrade():
    for statement in _drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            if name == 'request_events':
                batch_op.drop_constraint('fk_request_events_request_id_requests', type_='foreignkey')
                batch_op.create_foreign_key('fk_request_events_request_id_requests', 'requests',
                                            ['request_id'], ['id'], ondelete='CASCADE')
            batch_op.drop_column('row_hash')
            batch_op.drop_column('prev_hash')
    op.drop_table('chain_heads')
