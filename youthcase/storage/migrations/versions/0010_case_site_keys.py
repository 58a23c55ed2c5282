"""case keys sealed to their site

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:30:00

Every case key is also sealed to its site's public key (``case_site_key``), so that disabling an
account deletes its case-key wraps at once and the site's supervisors still reach its cases. A
migration holds no case key, so cases that exist already get their copies from the first account
that unlocks and can open them (``services.site_copies``); the ``case_site_keys_pending`` setting
says some may still be missing. Also an index that answers "which cases are open" on its own (the
supervisor's unlock reads the open cases' wraps).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_site_key',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_episode.id'], name=op.f('fk_case_site_key_case_id_case_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_case_site_key_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_site_key')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_site_key_case_id'))
    )
    with op.batch_alter_table('case_episode', schema=None) as batch_op:
        batch_op.create_index('ix_case_episode_status_id', ['status', 'id'], unique=False)
    bind = op.get_bind()
    if bind.execute(sa.text('SELECT 1 FROM case_episode LIMIT 1')).first() is not None:
        settings = sa.table('vault_setting', sa.column('id', sa.Uuid()), sa.column('name'), sa.column('value'))
        op.execute(settings.insert().values(id=uuid.uuid4(), name='case_site_keys_pending', value='yes'))


def downgrade() -> None:
    op.execute("DELETE FROM vault_setting WHERE name = 'case_site_keys_pending'")
    with op.batch_alter_table('case_episode', schema=None) as batch_op:
        batch_op.drop_index('ix_case_episode_status_id')
    op.drop_table('case_site_key')
