"""the proposals' similarity index and the indexes behind statistics (issue #21)

Revision ID: e2b8c4d61a07
Revises: d7f3b2a91c55
Create Date: 2026-12-04 04:00:00

proposal_gram holds one row per distinct bigram of each proposal's title and
description, gram_count how many proposals of a body hold each bigram
(voting/collection/search.py). The upgrade fills both for the proposals already
stored, with the same function the app uses, in batches.
"""
from collections import Counter

from alembic import op
import sqlalchemy as sa


revision = 'e2b8c4d61a07'
down_revision = 'd7f3b2a91c55'
branch_labels = None
depends_on = None

BATCH = 2000


def _backfill():
    from voting.collection.search import MAX_GRAM
    from voting.collection.similarity import bigrams

    def keys(text):
        return {gram[:MAX_GRAM] for gram in bigrams(text)}

    connection = op.get_bind()
    proposal = sa.table('proposal', sa.column('id'), sa.column('body_id'), sa.column('title'),
                        sa.column('description'))
    gram_table = sa.table('proposal_gram', sa.column('body_id'), sa.column('gram'), sa.column('in_title'),
                          sa.column('proposal_id'))
    count_table = sa.table('gram_count', sa.column('body_id'), sa.column('gram'), sa.column('proposals'))
    counts = Counter()
    last = 0
    while True:
        rows = connection.execute(sa.select(proposal.c.id, proposal.c.body_id, proposal.c.title,
                                            proposal.c.description).where(proposal.c.id > last)
                                  .order_by(proposal.c.id).limit(BATCH)).all()
        if not rows:
            break
        grams = []
        for proposal_id, body_id, title, description in rows:
            in_title = keys(title)
            for gram in in_title | keys(title + description):
                grams.append({"body_id": body_id, "gram": gram, "in_title": gram in in_title,
                              "proposal_id": proposal_id})
                counts[(body_id, gram)] += 1
        if grams:
            connection.execute(gram_table.insert(), grams)
        last = rows[-1][0]
    if counts:
        connection.execute(count_table.insert(), [{"body_id": body_id, "gram": gram, "proposals": n}
                                                  for (body_id, gram), n in sorted(counts.items())])


def upgrade():
    op.create_table('gram_count',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('gram', sa.String(length=32), nullable=False),
    sa.Column('proposals', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_gram_count_body_id_body')),
    sa.PrimaryKeyConstraint('body_id', 'gram', name=op.f('pk_gram_count')),
    sqlite_with_rowid=False
    )
    op.create_table('proposal_gram',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('gram', sa.String(length=32), nullable=False),
    sa.Column('in_title', sa.Boolean(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_proposal_gram_body_id_body')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_gram_proposal_id_proposal'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('body_id', 'gram', 'in_title', 'proposal_id', name=op.f('pk_proposal_gram')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('proposal_gram', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_gram_proposal_id'), ['proposal_id'], unique=False)
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_body_station', ['body_id', 'station_id'], unique=False)
        batch_op.create_index('ix_proposal_body_category', ['body_id', 'category'], unique=False)
        batch_op.create_index('ix_proposal_body_township', ['body_id', 'township'], unique=False)
        batch_op.create_index('ix_proposal_body_status', ['body_id', 'status'], unique=False)
    _backfill()


def downgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_body_status')
        batch_op.drop_index('ix_proposal_body_township')
        batch_op.drop_index('ix_proposal_body_category')
        batch_op.drop_index('ix_proposal_body_station')
    with op.batch_alter_table('proposal_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_gram_proposal_id'))
    op.drop_table('proposal_gram')
    op.drop_table('gram_count')
