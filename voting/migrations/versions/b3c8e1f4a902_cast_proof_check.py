"""queued proof checks of encrypted casts (issue #17)

Revision ID: b3c8e1f4a902
Revises: a7d20b5e9c13
Create Date: 2026-12-04 08:45:00

- cast_ballot.proof_check: under tellers "pending" (stored, proofs not yet checked),
  "valid" or "failed"; NULL for a cast sealed to the installation's key.
- cast_ballot.rejection: why a cast failed its check (shown on the public board).
Casts stored before this revision were checked inside their request: "valid".
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c8e1f4a902'
down_revision = 'a7d20b5e9c13'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cast_ballot', sa.Column('proof_check', sa.String(length=8), nullable=True))
    op.add_column('cast_ballot', sa.Column('rejection', sa.String(length=200), nullable=True))
    op.execute("UPDATE cast_ballot SET proof_check = 'valid' WHERE origin IS NOT NULL")
    op.create_index(op.f('ix_cast_ballot_proof_check'), 'cast_ballot', ['proof_check'], unique=False)
    if op.get_bind().dialect.name != 'sqlite':
        op.create_check_constraint(op.f('ck_cast_ballot_proof_check'), 'cast_ballot',
                                   "proof_check IS NULL OR proof_check in ('pending','valid','failed')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_cast_ballot_proof_check'), 'cast_ballot', type_='check')
    op.drop_index(op.f('ix_cast_ballot_proof_check'), table_name='cast_ballot')
    op.drop_column('cast_ballot', 'rejection')
    op.drop_column('cast_ballot', 'proof_check')
