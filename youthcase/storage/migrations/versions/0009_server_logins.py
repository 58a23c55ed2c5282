"""server logins

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00

Team server: one PostgreSQL login per account. ``server_login`` maps each login to its account for
the row-level policies (docs/team-server.md). Empty, and unused, in a local SQLCipher vault. The
roles, grants and policies themselves are not migrations: ``youthcase server init`` and
``youthcase server upgrade`` apply them after the migrations (youthcase/storage/server_security.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('server_login',
    sa.Column('role_name', sa.String(length=63), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['app_user.id'], name=op.f('fk_server_login_account_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_login')),
    sa.UniqueConstraint('account_id', name=op.f('uq_server_login_account_id')),
    sa.UniqueConstraint('role_name', name=op.f('uq_server_login_role_name'))
    )


def downgrade() -> None:
    op.drop_table('server_login')
