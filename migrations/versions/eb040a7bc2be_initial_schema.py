"""initial schema: organisations, users, enterprises, visits, requests, notifications, API tokens

Also loads the default request categories with their time limits in working days
("没有办理时限要求的，一般7天内反馈"); admins change them afterwards in the category admin page.

Revision ID: eb040a7bc2be
Revises: 
Create Date: 2026-11-24 09:28:21.072617

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'eb040a7bc2be'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_login_at', ['login', 'at'], unique=False)

    op.create_table('number_counters',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year', name=op.f('pk_number_counters'))
    )
    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('title', name=op.f('uq_policies_title'))
    )
    op.create_table('request_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('time_limit_days', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.CheckConstraint('time_limit_days >= 1', name=op.f('ck_request_categories_positive_limit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_request_categories_name'))
    )
    # A snapshot of crm.requests.categories.DEFAULT_CATEGORIES: migrations never import app code.
    categories = sa.table('request_categories', sa.column('name', sa.String),
                          sa.column('time_limit_days', sa.Integer), sa.column('position', sa.Integer))
    op.bulk_insert(categories, [
        {'name': name, 'time_limit_days': days, 'position': position}
        for position, (name, days) in enumerate([
            ('政策咨询', 5), ('审批办证', 10), ('人才用工', 10), ('法律服务', 10), ('水电气网', 10),
            ('融资', 15), ('市场拓展', 15), ('用地规划', 20), ('其他', 7)], start=1)
    ])
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('towns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_towns')),
    sa.UniqueConstraint('code', name=op.f('uq_towns_code')),
    sa.UniqueConstraint('name', name=op.f('uq_towns_name'))
    )
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('industry', sa.String(length=1), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("industry IS NULL OR industry BETWEEN 'A' AND 'T'", name=op.f('ck_enterprises_known_industry')),
    sa.CheckConstraint("level IN ('district', 'town')", name=op.f('ck_enterprises_known_level')),
    sa.ForeignKeyConstraint(['town_id'], ['towns.id'], name=op.f('fk_enterprises_town_id_towns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_enterprises_credit_code'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_town_id'), ['town_id'], unique=False)
        batch_op.create_index('ix_enterprises_town_name', ['town_id', 'name'], unique=False)

    op.create_table('policy_tags',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_policy_tags_policy_id_policies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_policy_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('policy_id', 'tag_id', name=op.f('pk_policy_tags'))
    )
    with op.batch_alter_table('policy_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), server_default='zh', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_users_department_id_departments')),
    sa.ForeignKeyConstraint(['town_id'], ['towns.id'], name=op.f('fk_users_town_id_towns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hint', sa.String(length=16), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope IN ('read', 'write', 'submit')", name=op.f('ck_api_tokens_known_scope')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_api_tokens_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('name', name=op.f('uq_api_tokens_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_owner_id'), ['owner_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('liaison_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('primary', 'assisting')", name=op.f('ck_assignments_known_role')),
    sa.CheckConstraint('end_on IS NULL OR end_on >= start_on', name=op.f('ck_assignments_ordered_dates')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_assignments_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['liaison_id'], ['users.id'], name=op.f('fk_assignments_liaison_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_enterprise_dates', ['enterprise_id', 'start_on', 'end_on'], unique=False)
        batch_op.create_index('ix_assignments_pair_dates', ['liaison_id', 'enterprise_id', 'start_on', 'end_on'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('object_type', sa.String(length=50), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_entries_object', ['object_type', 'object_id', 'at'], unique=False)

    op.create_table('calendar_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_calendar_overrides_known_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_overrides_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_overrides')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_overrides_day'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['users.id'], name=op.f('fk_calendar_years_loaded_by_id_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=True),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_contacts_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_mobile'), ['mobile'], unique=False)

    op.create_table('enterprise_tags',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_tags_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_enterprise_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enterprise_id', 'tag_id', name=op.f('pk_enterprise_tags'))
    )
    with op.batch_alter_table('enterprise_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('list_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('added_reason', sa.String(length=200), nullable=True),
    sa.Column('removed_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('removed_on IS NULL OR removed_on >= added_on', name=op.f('ck_list_periods_ordered_dates')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_list_periods_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_periods'))
    )
    with op.batch_alter_table('list_periods', schema=None) as batch_op:
        batch_op.create_index('ix_list_periods_enterprise_dates', ['enterprise_id', 'added_on', 'removed_on'], unique=False)
        batch_op.create_index('uq_list_periods_open', ['enterprise_id'], unique=True, sqlite_where=sa.text('removed_on IS NULL'), postgresql_where=sa.text('removed_on IS NULL'))

    op.create_table('user_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'commission', 'town', 'department', 'liaison', 'leader')", name=op.f('ck_user_roles_known_role')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_roles')),
    sa.UniqueConstraint('user_id', 'role', name='uq_user_roles_user_role')
    )
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_roles_user_id'), ['user_id'], unique=False)

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('people_met', sa.String(length=200), nullable=True),
    sa.Column('other_topics', sa.String(length=500), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('onsite', 'video', 'phone', 'meeting')", name=op.f('ck_visits_known_mode')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_visits_author_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_visits_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_visits_idempotency_key'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_visits_enterprise_day', ['enterprise_id', 'visited_on'], unique=False)

    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=64), nullable=True),
    sa.Column('contact_mobile', sa.String(length=20), nullable=True),
    sa.Column('contact_email', sa.String(length=120), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('lead_department_id', sa.Integer(), nullable=True),
    sa.Column('assigned_on', sa.Date(), nullable=True),
    sa.Column('time_limit_days', sa.Integer(), nullable=True),
    sa.Column('accept_due_on', sa.Date(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('original_deadline', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('deadline_provisional', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('extension_status', sa.String(length=10), nullable=True),
    sa.Column('return_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('accept_late_notified', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('due_soon_notified', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('replied_by_department_id', sa.Integer(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('rating', sa.String(length=20), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_on', sa.Date(), nullable=True),
    sa.Column('rated_via', sa.String(length=10), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('tracking_token_hash', sa.String(length=64), nullable=True),
    sa.Column('submission_key', sa.String(length=64), nullable=True),
    sa.CheckConstraint("extension_status IS NULL OR extension_status IN ('pending', 'approved', 'denied')", name=op.f('ck_requests_known_extension_status')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('resolved', 'partly', 'not_solvable')", name=op.f('ck_requests_known_outcome')),
    sa.CheckConstraint("rating IS NULL OR rating IN ('very_satisfied', 'satisfied', 'basically', 'unsatisfied', 'very_unsatisfied')", name=op.f('ck_requests_known_rating')),
    sa.CheckConstraint("source IN ('visit', 'public', 'phone', 'api')", name=op.f('ck_requests_known_source')),
    sa.CheckConstraint("state IN ('submitted', 'answered_on_site', 'assigned', 'in_progress', 'escalated', 'replied', 'reviewing', 'closed', 'rejected')", name=op.f('ck_requests_known_state')),
    sa.CheckConstraint("state NOT IN ('assigned', 'in_progress') OR (lead_department_id IS NOT NULL AND deadline IS NOT NULL)", name=op.f('ck_requests_lead_while_handled')),
    sa.ForeignKeyConstraint(['category_id'], ['request_categories.id'], name=op.f('fk_requests_category_id_request_categories')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_requests_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_requests_lead_department_id_departments')),
    sa.ForeignKeyConstraint(['replied_by_department_id'], ['departments.id'], name=op.f('fk_requests_replied_by_department_id_departments')),
    sa.ForeignKeyConstraint(['town_id'], ['towns.id'], name=op.f('fk_requests_town_id_towns')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_requests_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    sa.UniqueConstraint('number', name=op.f('uq_requests_number')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_requests_submission_key')),
    sa.UniqueConstraint('tracking_token_hash', name=op.f('uq_requests_tracking_token_hash'))
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requests_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_requests_lead_state', ['lead_department_id', 'state'], unique=False)
        batch_op.create_index('ix_requests_state_deadline', ['state', 'deadline'], unique=False)
        batch_op.create_index('ix_requests_submitted_on', ['submitted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_town_id'), ['town_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_requests_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_participants',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('liaison_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_visit_participants_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['liaison_id'], ['users.id'], name=op.f('fk_visit_participants_liaison_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_participants_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'liaison_id', name=op.f('pk_visit_participants'))
    )
    with op.batch_alter_table('visit_participants', schema=None) as batch_op:
        batch_op.create_index('ix_visit_participants_pair_day', ['liaison_id', 'enterprise_id', 'visited_on'], unique=False)

    op.create_table('visit_policies',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_visit_policies_policy_id_policies')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_policies_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'policy_id', name=op.f('pk_visit_policies'))
    )
    with op.batch_alter_table('visit_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_policies_policy_id'), ['policy_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=150), nullable=True),
    sa.Column('dedupe_key', sa.String(length=250), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('app', 'email', 'webhook')", name=op.f('ck_notifications_known_channel')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name=op.f('ck_notifications_known_status')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_notifications_request_id_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'channel', 'read_at'], unique=False)

    op.create_table('request_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=False),
    sa.Column('cooperator_ids', sa.JSON(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('time_limit_days', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_request_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_request_assignments_lead_department_id_departments')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_assignments_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_assignments'))
    )
    with op.batch_alter_table('request_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_assignments_lead_department_id'), ['lead_department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_assignments_request_id'), ['request_id'], unique=False)

    op.create_table('request_cooperators',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_request_cooperators_department_id_departments')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_cooperators_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'department_id', name=op.f('pk_request_cooperators'))
    )
    with op.batch_alter_table('request_cooperators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_cooperators_department_id'), ['department_id'], unique=False)

    op.create_table('request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=50), nullable=True),
    sa.Column('actor_department_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('public', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_department_id'], ['departments.id'], name=op.f('fk_request_events_actor_department_id_departments')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_request_events_actor_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_events_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_events'))
    )
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.create_index('ix_request_events_request_at', ['request_id', 'id'], unique=False)

    op.create_table('urge_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('overdue_days', sa.Integer(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('automatic', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_urge_notices_department_id_departments')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_urge_notices_issued_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_urge_notices_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_urge_notices')),
    sa.UniqueConstraint('number', name=op.f('uq_urge_notices_number')),
    sa.UniqueConstraint('request_id', 'issued_on', name='uq_urge_notices_request_day')
    )
    with op.batch_alter_table('urge_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_urge_notices_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_urge_notices_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('urge_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_urge_notices_request_id'))
        batch_op.drop_index(batch_op.f('ix_urge_notices_department_id'))

    op.drop_table('urge_notices')
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_index('ix_request_events_request_at')

    op.drop_table('request_events')
    with op.batch_alter_table('request_cooperators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_cooperators_department_id'))

    op.drop_table('request_cooperators')
    with op.batch_alter_table('request_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_assignments_request_id'))
        batch_op.drop_index(batch_op.f('ix_request_assignments_lead_department_id'))

    op.drop_table('request_assignments')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index(batch_op.f('ix_notifications_request_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_key'))
        batch_op.drop_index('ix_notifications_due')

    op.drop_table('notifications')
    with op.batch_alter_table('visit_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_policies_policy_id'))

    op.drop_table('visit_policies')
    with op.batch_alter_table('visit_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_participants_pair_day')

    op.drop_table('visit_participants')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requests_visit_id'))
        batch_op.drop_index(batch_op.f('ix_requests_town_id'))
        batch_op.drop_index('ix_requests_submitted_on')
        batch_op.drop_index('ix_requests_state_deadline')
        batch_op.drop_index('ix_requests_lead_state')
        batch_op.drop_index(batch_op.f('ix_requests_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_requests_credit_code'))

    op.drop_table('requests')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_enterprise_day')
        batch_op.drop_index(batch_op.f('ix_visits_author_id'))

    op.drop_table('visits')
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_roles_user_id'))

    op.drop_table('user_roles')
    with op.batch_alter_table('list_periods', schema=None) as batch_op:
        batch_op.drop_index('uq_list_periods_open', sqlite_where=sa.text('removed_on IS NULL'), postgresql_where=sa.text('removed_on IS NULL'))
        batch_op.drop_index('ix_list_periods_enterprise_dates')

    op.drop_table('list_periods')
    with op.batch_alter_table('enterprise_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_tags_tag_id'))

    op.drop_table('enterprise_tags')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_mobile'))
        batch_op.drop_index(batch_op.f('ix_contacts_enterprise_id'))

    op.drop_table('contacts')
    op.drop_table('calendar_years')
    op.drop_table('calendar_overrides')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_object')
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_pair_dates')
        batch_op.drop_index('ix_assignments_enterprise_dates')

    op.drop_table('assignments')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_owner_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('policy_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_tags_tag_id'))

    op.drop_table('policy_tags')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprises_town_name')
        batch_op.drop_index(batch_op.f('ix_enterprises_town_id'))
        batch_op.drop_index(batch_op.f('ix_enterprises_name'))

    op.drop_table('enterprises')
    op.drop_table('towns')
    op.drop_table('tags')
    op.drop_table('request_categories')
    op.drop_table('policies')
    op.drop_table('number_counters')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_login_at')
        batch_op.drop_index('ix_login_attempts_address_at')

    op.drop_table('login_attempts')
    op.drop_table('departments')
