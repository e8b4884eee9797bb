"""ballot items point at their candidate by a foreign key (issue #16)

Revision ID: f3c9a1d2e4b6
Revises: e2b8c4d61a07
Create Date: 2026-12-04 04:10:00

Until now a selection item found its candidate by parsing its reference
"candidate:<id>" (with a title fallback). The upgrade adds ballot_item.candidate_id and
fills it from those references where the candidate exists in the item's body; the
reference text stays as it was (API.md shows it), and the code still reads it for any
row the backfill left empty.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3c9a1d2e4b6'
down_revision = 'e2b8c4d61a07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ballot_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidate_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ballot_item_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ballot_item_candidate_id_candidate'), 'candidate',
                                    ['candidate_id'], ['id'])
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT ballot_item.id, ballot_item.reference, ballot.body_id FROM ballot_item "
        "JOIN ballot ON ballot.id = ballot_item.ballot_id WHERE ballot_item.reference LIKE 'candidate:%'")).all()
    for item_id, reference, body_id in rows:
        number = reference[len("candidate:"):]
        if not (number.isascii() and number.isdigit()) or len(number) > 9:
            continue
        found = connection.execute(sa.text("SELECT id FROM candidate WHERE id = :id AND body_id = :body"),
                                   {"id": int(number), "body": body_id}).scalar()
        if found is not None:
            connection.execute(sa.text("UPDATE ballot_item SET candidate_id = :c WHERE id = :i"),
                               {"c": found, "i": item_id})


def downgrade():
    with op.batch_alter_table('ballot_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ballot_item_candidate_id_candidate'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ballot_item_candidate_id'))
        batch_op.drop_column('candidate_id')
