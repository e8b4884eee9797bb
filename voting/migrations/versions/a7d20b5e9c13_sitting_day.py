"""the day of the sitting (issue #20): absences, ballot timers, rehearsals

Revision ID: a7d20b5e9c13
Revises: a8d5e3c7f190
Create Date: 2026-12-04 05:30:46

- absence: a deputy on leave (请假) or who left mid-session (中途退场); re-entry removes it.
- ballot.rehearsal (试表决), ballot.duration_seconds / deadline / timer_expired_at (the timer).
- meeting.timer_expiry: what a timed ballot does at zero ("close" or "ask").
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d20b5e9c13'
down_revision = 'a8d5e3c7f190'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=8), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('by_staff', sa.Boolean(), nullable=False),
    sa.CheckConstraint("reason in ('leave','left')", name=op.f('ck_absence_reason')),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputy.id'], name=op.f('fk_absence_deputy_id_deputy'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_absence_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence')),
    sa.UniqueConstraint('meeting_id', 'deputy_id', name=op.f('uq_absence_meeting_id_deputy_id'))
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_meeting_id'), ['meeting_id'], unique=False)

    # Plain ADD COLUMN (no table rebuild): on SQLite a batch rebuild of ballot or meeting,
    # tables other rows point at, fails its foreign keys. SQLite cannot add a CHECK to an
    # existing table, so the two checks are added where the database can (PostgreSQL).
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('ballot', sa.Column('rehearsal', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('ballot', sa.Column('duration_seconds', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('deadline', sa.DateTime(), nullable=True))
    op.add_column('ballot', sa.Column('timer_expired_at', sa.DateTime(), nullable=True))
    op.add_column('meeting', sa.Column('timer_expiry', sa.String(length=8), server_default='close', nullable=False))
    if not sqlite:
        op.create_check_constraint(op.f('ck_ballot_duration_seconds'), 'ballot',
                                   'duration_seconds IS NULL OR duration_seconds >= 1')
        op.create_check_constraint(op.f('ck_meeting_timer_expiry'), 'meeting', "timer_expiry in ('close','ask')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_meeting_timer_expiry'), 'meeting', type_='check')
        op.drop_constraint(op.f('ck_ballot_duration_seconds'), 'ballot', type_='check')
    for table, column in (('meeting', 'timer_expiry'), ('ballot', 'timer_expired_at'), ('ballot', 'deadline'),
                          ('ballot', 'duration_seconds'), ('ballot', 'rehearsal')):
        op.drop_column(table, column)  # SQLite 3.35+ drops a plain column in place
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_meeting_id'))
    op.drop_table('absence')
