"""the encoding of a ballot's encrypted casts, frozen at open (issue #17)

Revision ID: c5d2e8f1a3b7
Revises: b3c8e1f4a902
Create Date: 2026-12-04 15:10:00

- ballot.cast_encoding: "packed" (one ciphertext per item: abstain 0, the first option
  1, the second B) or "one-hot" (one ciphertext per option), docs/BOARD.md; NULL for a
  ballot without tellers. Ballots opened under tellers before this revision were
  encrypted one-hot, and stay so.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d2e8f1a3b7'
down_revision = 'b3c8e1f4a902'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('ballot', sa.Column('cast_encoding', sa.String(length=8), nullable=True))
    op.execute("UPDATE ballot SET cast_encoding = 'one-hot' WHERE teller_key IS NOT NULL")
    if op.get_bind().dialect.name != 'sqlite':
        op.create_check_constraint(op.f('ck_ballot_cast_encoding'), 'ballot',
                                   "cast_encoding IS NULL OR cast_encoding in ('one-hot','packed')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_ballot_cast_encoding'), 'ballot', type_='check')
    op.drop_column('ballot', 'cast_encoding')
