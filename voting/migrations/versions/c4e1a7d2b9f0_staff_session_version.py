"""staff session version: logout and a new password end every session

Revision ID: c4e1a7d2b9f0
Revises: bc7de1c30d49
Create Date: 2026-12-04 01:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e1a7d2b9f0'
down_revision = 'bc7de1c30d49'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
