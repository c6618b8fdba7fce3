"""Consent: room for an imported list's wording version ("import: <file name> <date>")

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.alter_column('wording_version', existing_type=sa.String(length=32), type_=sa.String(length=160),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.alter_column('wording_version', existing_type=sa.String(length=160), type_=sa.String(length=32),
                              existing_nullable=False)
