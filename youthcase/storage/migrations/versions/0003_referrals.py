"""referrals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:38:18.504803
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_provider',
    sa.Column('service_type', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('borough', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('chase_interval_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_provider'))
    )
    with op.batch_alter_table('service_provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_provider_service_type'), ['service_type'], unique=False)

    op.create_table('referral',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=False),
    sa.Column('consent_override_reason', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=False),
    sa.Column('re_referral_of', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_referral_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_referral_created_by_app_user')),
    sa.ForeignKeyConstraint(['re_referral_of'], ['referral.id'], name=op.f('fk_referral_re_referral_of_referral')),
    sa.ForeignKeyConstraint(['service_id'], ['service_provider.id'], name=op.f('fk_referral_service_id_service_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_status'), ['status'], unique=False)

    op.create_table('referral_milestone',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('decline_reason', sa.String(length=20), nullable=True),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], name=op.f('fk_referral_milestone_recorded_by_app_user')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_milestone_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_milestone'))
    )
    with op.batch_alter_table('referral_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_milestone_referral_id'), ['referral_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_milestone_referral_id'))

    op.drop_table('referral_milestone')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_status'))
        batch_op.drop_index(batch_op.f('ix_referral_service_id'))
        batch_op.drop_index(batch_op.f('ix_referral_case_id'))

    op.drop_table('referral')
    with op.batch_alter_table('service_provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_provider_service_type'))

    op.drop_table('service_provider')
