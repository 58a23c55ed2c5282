"""supervision

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:00:14.743601
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_assignment',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('from_worker_id', sa.Uuid(), nullable=False),
    sa.Column('to_worker_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=False),
    sa.Column('assigned_by', sa.Uuid(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by'], ['app_user.id'], name=op.f('fk_case_assignment_assigned_by_app_user')),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_case_assignment_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_worker_id'], ['app_user.id'], name=op.f('fk_case_assignment_from_worker_id_app_user')),
    sa.ForeignKeyConstraint(['to_worker_id'], ['app_user.id'], name=op.f('fk_case_assignment_to_worker_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignment'))
    )
    with op.batch_alter_table('case_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_assignment_case_id'), ['case_id'], unique=False)

    op.create_table('closure_request',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.LargeBinary(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_closure_request_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], name=op.f('fk_closure_request_decided_by_app_user')),
    sa.ForeignKeyConstraint(['requested_by'], ['app_user.id'], name=op.f('fk_closure_request_requested_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_request'))
    )
    with op.batch_alter_table('closure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_request_status'), ['status'], unique=False)

    op.create_table('supervision_note',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('supervisor_id', sa.Uuid(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('discussion', sa.LargeBinary(), nullable=True),
    sa.Column('decisions', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_supervision_note_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['app_user.id'], name=op.f('fk_supervision_note_supervisor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_note'))
    )
    with op.batch_alter_table('supervision_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_note_case_id'), ['case_id'], unique=False)

    op.create_table('supervision_action',
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.LargeBinary(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_supervision_action_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['supervision_note.id'], name=op.f('fk_supervision_action_note_id_supervision_note'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_supervision_action_owner_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_action'))
    )
    with op.batch_alter_table('supervision_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_action_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_action_note_id'), ['note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_action_owner_id'), ['owner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('supervision_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_action_note_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_action_case_id'))

    op.drop_table('supervision_action')
    with op.batch_alter_table('supervision_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_note_case_id'))

    op.drop_table('supervision_note')
    with op.batch_alter_table('closure_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_request_status'))
        batch_op.drop_index(batch_op.f('ix_closure_request_case_id'))

    op.drop_table('closure_request')
    with op.batch_alter_table('case_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_assignment_case_id'))

    op.drop_table('case_assignment')
