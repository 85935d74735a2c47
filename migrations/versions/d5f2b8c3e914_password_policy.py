"""password policy: users.password_changed_at and password_history (issue 13)

Expiry counts from password_changed_at (null for passwords set before this release: they count
from the account's creation); the history keeps the hashes of the last PASSWORD_HISTORY
passwords. Both rules are off by default.

Revision ID: d5f2b8c3e914
Revises: c4e1a9d27b53
Create Date: 2026-12-02 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5f2b8c3e914'
down_revision = 'c4e1a9d27b53'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column: SQLite adds it in place, no table rebuild.
    op.add_column('users', sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('password_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_history_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_history'))
    )
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_history_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_history_user_id'))
    op.drop_table('password_history')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')
