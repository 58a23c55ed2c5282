"""signed records and audit

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:30:00

Account records, published account keys, site keys, grants and recovery generations carry an
Ed25519 signature chained from the recovery key pinned in every slot; the audit trail becomes a
SHA-256 hash chain whose events are signed by the acting account (docs/security.md, "Signed
records"). No data is moved: no vault of the keys v2 format was released before this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SIGNATURE = sa.LargeBinary(length=64)


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enrolment_public', sa.LargeBinary(length=32), nullable=False))
        batch_op.add_column(sa.Column('signed_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('signature', SIGNATURE, nullable=False))
    with op.batch_alter_table('account_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', SIGNATURE, nullable=False))
    with op.batch_alter_table('site_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('signature', SIGNATURE, nullable=False))
    with op.batch_alter_table('site_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', SIGNATURE, nullable=False))
    with op.batch_alter_table('recovery_public_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', SIGNATURE, nullable=False))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('previous_mac', new_column_name='previous_digest')
        batch_op.alter_column('mac', new_column_name='digest')
        batch_op.add_column(sa.Column('signer', sa.String(length=12), nullable=False))
        batch_op.add_column(sa.Column('signature', SIGNATURE, nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('signature')
        batch_op.drop_column('signer')
        batch_op.alter_column('digest', new_column_name='mac')
        batch_op.alter_column('previous_digest', new_column_name='previous_mac')
    for table in ('recovery_public_key', 'site_grant', 'site_key', 'account_key', 'app_user'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('signature')
            if table in ('site_key', 'app_user'):
                batch_op.drop_column('signed_by')
            if table == 'app_user':
                batch_op.drop_column('enrolment_public')
