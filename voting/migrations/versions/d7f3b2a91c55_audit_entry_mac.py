"""audit entries authenticated with instance/mac.key

Revision ID: d7f3b2a91c55
Revises: c4e1a7d2b9f0
Create Date: 2026-12-04 01:30:00

Entries written before this revision have no MAC: `flask verify` reports them until
`flask audit-mac` (run once by the operator, with the key folder) adds theirs.
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7f3b2a91c55'
down_revision = 'c4e1a7d2b9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('mac')
