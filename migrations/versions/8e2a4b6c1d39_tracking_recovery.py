"""tracking_links and tracking_lookup_failures: lost-link recovery that locks and retires nothing (issue 17)

tracking_links: further links issued by the /track lookup; the links issued before stay valid.
tracking_lookup_failures: wrong answers per tracking number, so a few within a day lock it
whatever the addresses they come from.

Revision ID: 8e2a4b6c1d39
Revises: 3c7d1f0a9b21
Create Date: 2026-12-02 19:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e2a4b6c1d39'
down_revision = '3c7d1f0a9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_tracking_links_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tracking_links_token_hash'))
    )
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_links_request_id'), ['request_id'], unique=False)

    op.create_table('tracking_lookup_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_lookup_failures'))
    )
    with op.batch_alter_table('tracking_lookup_failures', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_lookup_failures_number_at', ['number', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('tracking_lookup_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_lookup_failures_number_at')
    op.drop_table('tracking_lookup_failures')
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_links_request_id'))
    op.drop_table('tracking_links')
