"""the tellers' k-of-n key, encrypted casts, decryption shares (issue #17)

Revision ID: a7e5c3d9f1b2
Revises: f3c9a1d2e4b6
Create Date: 2026-12-04 06:00:00

New tables for the key ceremony (teller_ceremony, teller_seat), the encrypted sums and
the tellers' decryption shares of a closed ballot, and rejected encrypted casts; on
ballot the frozen joint key and whether the count waits for the tellers; on
cast_ballot who encrypted it. Existing rows keep the installation's sealing.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7e5c3d9f1b2'
down_revision = 'f3c9a1d2e4b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'teller_ceremony',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('joint_key', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('threshold >= 1 AND threshold <= size', name=op.f('ck_teller_ceremony_threshold')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_teller_ceremony_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_teller_ceremony')),
    )
    op.create_table(
        'teller_seat',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('transport_key', sa.String(length=64), nullable=True),
        sa.Column('commitments_json', sa.Text(), nullable=True),
        sa.Column('knowledge_proof_json', sa.Text(), nullable=True),
        sa.Column('dealt_json', sa.Text(), nullable=True),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['teller_ceremony.meeting_id'],
                                name=op.f('fk_teller_seat_meeting_id_teller_ceremony'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_teller_seat_user_id_user')),
        sa.PrimaryKeyConstraint('meeting_id', 'position', name=op.f('pk_teller_seat')),
        sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_teller_seat_meeting_id_user_id')),
    )
    op.create_table(
        'encrypted_tally',
        sa.Column('ballot_id', sa.Integer(), nullable=False),
        sa.Column('sums_json', sa.Text(), nullable=False),
        sa.Column('accepted', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_encrypted_tally_ballot_id_ballot')),
        sa.PrimaryKeyConstraint('ballot_id', name=op.f('pk_encrypted_tally')),
    )
    op.create_table(
        'decryption_share',
        sa.Column('ballot_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('shares_json', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_decryption_share_ballot_id_ballot')),
        sa.PrimaryKeyConstraint('ballot_id', 'position', name=op.f('pk_decryption_share')),
    )
    op.create_table(
        'rejected_cast',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('ballot_id', sa.Integer(), nullable=False),
        sa.Column('tracker', sa.String(length=19), nullable=False),
        sa.Column('encrypted', sa.LargeBinary(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_rejected_cast_ballot_id_ballot')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rejected_cast')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('rejected_cast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejected_cast_ballot_id'), ['ballot_id'], unique=False)
    # Plain ADD COLUMN (no batch copy): ballot is referenced by rows of other tables.
    op.add_column('ballot', sa.Column('teller_key', sa.LargeBinary(), nullable=True))
    op.add_column('ballot', sa.Column('awaiting_tellers', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('cast_ballot', sa.Column('origin', sa.String(length=8), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): no batch copy of referenced tables.
    for table, column in (('cast_ballot', 'origin'), ('ballot', 'awaiting_tellers'), ('ballot', 'teller_key')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    with op.batch_alter_table('rejected_cast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejected_cast_ballot_id'))
    op.drop_table('rejected_cast')
    op.drop_table('decryption_share')
    op.drop_table('encrypted_tally')
    op.drop_table('teller_seat')
    op.drop_table('teller_ceremony')
