"""record revisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:00:00

Corrections (docs/architecture.md, "Corrections"): a case's details, its young person, incident,
contacts and goals carry a ``version`` (a change made from an older view is refused), every change
keeps the earlier values in ``record_revision`` (under the case key), and a contact recorded in
error is struck out, not deleted. Also: each recovery generation signs the one it replaced
(``vouches_for_previous``), so slots made after a rotation still trust older recovery signatures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

VERSIONED = ('case_episode', 'case_person', 'incident', 'contact', 'plan_goal')


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('struck_out', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('recovery_public_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vouches_for_previous', sa.LargeBinary(length=64), nullable=True))
    op.create_table('record_revision',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('record', sa.String(length=32), nullable=False),
    sa.Column('row_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=True),
    sa.Column('previous', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_record_revision_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by'], ['app_user.id'], name=op.f('fk_record_revision_changed_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_revision')),
    sa.UniqueConstraint('record', 'row_id', 'version', name=op.f('uq_record_revision_record'))
    )
    with op.batch_alter_table('record_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_revision_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('record_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_revision_case_id'))
    op.drop_table('record_revision')
    with op.batch_alter_table('recovery_public_key', schema=None) as batch_op:
        batch_op.drop_column('vouches_for_previous')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('struck_out')
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
