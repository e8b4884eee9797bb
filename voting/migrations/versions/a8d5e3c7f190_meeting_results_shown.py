"""the meeting's display policy: results at close or only after publish (issue #20)

Revision ID: a8d5e3c7f190
Revises: a7e5c3d9f1b2
Create Date: 2026-12-04 05:40:00

meeting.results_shown is "close" (the hall screen, tablets and /verify show a ballot's
result once it is closed: GB 50799's immediate display) or "publish" (only after 公布).
Existing meetings keep what the hall screen did until now: "close".
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8d5e3c7f190'
down_revision = 'a7e5c3d9f1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('meeting', sa.Column('results_shown', sa.String(length=16), nullable=False, server_default='close'))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild would drop a table
    # that ballots and deputies point at.
    op.drop_column('meeting', 'results_shown')
