"""return indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 12:25:38.325608

Covering indexes over coded columns for the monthly return's aggregates (youthcase/returns/kpis.py):
each lets SQLite answer a KPI from a narrow index instead of the wide, encrypted rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_episode', schema=None) as batch_op:
        batch_op.create_index('ix_case_episode_person_arrival', ['person_id', 'arrival_at'], unique=False)
        batch_op.create_index('ix_case_episode_received', ['arrival_at', 'site_id', 'worker_id', 'person_id', 'referral_source', 'engagement', 'first_contact_at', 'age_at_arrival'], unique=False)
        batch_op.create_index('ix_case_episode_unit', ['id', 'site_id', 'worker_id'], unique=False)

    with op.batch_alter_table('case_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_case_status_change_history', ['case_id', 'changed_on', 'change'], unique=False)

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_return', ['contact_at', 'case_id', 'medium', 'successful', 'contact_with', 'duration_minutes'], unique=False)

    with op.batch_alter_table('referral_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_referral_milestone_steps', ['referral_id', 'step', 'occurred_on'], unique=False)

    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_risk_assessment_order', ['case_id', 'assessed_on', 'created_at', 'id', 'risk_level', 'needs_identified', 'needs_met'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_assessment_order')

    with op.batch_alter_table('referral_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_milestone_steps')

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_return')

    with op.batch_alter_table('case_status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_change_history')

    with op.batch_alter_table('case_episode', schema=None) as batch_op:
        batch_op.drop_index('ix_case_episode_unit')
        batch_op.drop_index('ix_case_episode_received')
        batch_op.drop_index('ix_case_episode_person_arrival')

