"""Ballots (表决), their items, who may vote, who voted, and the sealed votes.

Secrecy by construction (DESIGN.md, "Secrecy and integrity"):
- `Participation(ballot, deputy)` records *that* a deputy voted; `CastBallot` holds
  *what* was voted, sealed, with a random id and no deputy, no timestamp, no
  autoincrement. One transaction writes both; nothing joins them.
- On SQLite both are `WITHOUT ROWID` tables, so rows live in a B-tree ordered by
  their key (a random id, or ballot+deputy) rather than by a rowid that grows with
  every insert.
- On PostgreSQL a heap table keeps rows roughly in insertion order and stamps each row
  with the inserting transaction's id (`xmin`); a participation and its cast ballot
  share that id while the ballot is open. Closing a ballot therefore rewrites that
  ballot's rows in key order in the closing transaction (fresh `xmin`, sorted) and
  then CLUSTERs the tables so the old row versions leave the data files
  (`voting.ballots.services.hide_insertion_order`). Residual risk: while a ballot
  is open, and in the write-ahead log, base backups and freed disk blocks until they
  are recycled, someone with raw access to the database server's files could still
  correlate the two writes of one cast. Protect the server and its backups.
- `IdempotencyRecord` is keyed by a keyed hash of (deputy, ballot, idempotency key,
  body) and holds the receipt encrypted under a key derived from the client's
  idempotency key, which is never stored.
"""
import enum
import json

from voting.accounts.models import utcnow
from voting.extensions import db

WITHOUT_ROWID = {"sqlite_with_rowid": False}


class BallotState(str, enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"
    published = "published"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "open": "表决中", "closed": "已结束", "published": "已公布"}[self.value]


# The only moves a ballot makes; anything else is 409 invalid_transition.
TRANSITIONS: dict[BallotState, tuple[BallotState, ...]] = {
    BallotState.draft: (BallotState.open,),
    BallotState.open: (BallotState.closed,),
    BallotState.closed: (BallotState.published,),
    BallotState.published: (),
}

CHANNELS = ("tablet", "paper")
KIND_LABELS = {"selection": "项目票决", "motion": "表决", "appraisal": "满意度测评"}


class StoredRule:
    """The options and the counting rule a ballot (or an appraisal campaign) keeps as
    JSON in `options_json` and `rule_json`."""

    @property
    def options(self) -> list[str]:
        return json.loads(self.options_json)

    @property
    def rule(self) -> dict:
        return json.loads(self.rule_json)


# Ballot.item_keys of opened ballots, per process: (id, public key) → item ids as text.
_ITEM_KEYS: dict[tuple[int, bytes], tuple[str, ...]] = {}
_ITEM_KEYS_KEPT = 1024


class Ballot(StoredRule, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meeting.id"), nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    seats = db.Column(db.Integer, nullable=True)
    secret = db.Column(db.Boolean, nullable=False, default=True)
    options_json = db.Column(db.Text, nullable=False)
    # The rule with every default filled in; frozen (rewritten once more) at open.
    rule_json = db.Column(db.Text, nullable=False)
    state = db.Column(db.String(16), nullable=False, default=BallotState.draft.value)
    round = db.Column(db.Integer, nullable=False, default=1)
    parent_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=True, index=True)
    # Frozen at open: deputies seated (全体代表) and deputies present (= issued).
    total = db.Column(db.Integer, nullable=True)
    issued = db.Column(db.Integer, nullable=True)
    public_key = db.Column(db.LargeBinary, nullable=True)
    wrapped_private_key = db.Column(db.LargeBinary, nullable=True)
    # The tellers' joint key, frozen at open when the meeting has tellers (issue #17):
    # tablet casts are then encrypted to it and only k tellers together can count them.
    teller_key = db.Column(db.LargeBinary, nullable=True)
    # How a cast under tellers encodes its choices (docs/BOARD.md), frozen with the key:
    # "packed" (one ciphertext per item) or "one-hot" (one per option); NULL: no tellers.
    cast_encoding = db.Column(db.String(8), nullable=True)
    # Closed, and the sums wait for k tellers' decryption shares: no sheet yet.
    awaiting_tellers = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    opened_at = db.Column(db.DateTime, nullable=True)
    closed_at = db.Column(db.DateTime, nullable=True)
    published_at = db.Column(db.DateTime, nullable=True)
    # A rehearsal (试表决): counted and shown like any ballot, never published or archived.
    rehearsal = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    # The preset voting time (seconds), the moment it runs out (set at open), and when the
    # timer sweep acted on it (closed the ballot, or asked the secretariat to).
    duration_seconds = db.Column(db.Integer, nullable=True)
    deadline = db.Column(db.DateTime, nullable=True)
    timer_expired_at = db.Column(db.DateTime, nullable=True)

    meeting = db.relationship("Meeting")
    parent = db.relationship("Ballot", remote_side=[id])
    items = db.relationship("BallotItem", back_populates="ballot", order_by="BallotItem.position")

    __table_args__ = (
        db.CheckConstraint("state in ('draft','open','closed','published')", name="state"),
        db.CheckConstraint("kind in ('selection','motion','appraisal')", name="kind"),
        db.CheckConstraint("round >= 1", name="round"),
        db.CheckConstraint("cast_encoding IS NULL OR cast_encoding in ('one-hot','packed')", name="cast_encoding"),
        db.CheckConstraint("seats IS NULL OR seats >= 1", name="seats"),
        db.CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 1", name="duration_seconds"),
    )

    @property
    def state_enum(self) -> BallotState:
        return BallotState(self.state)

    @property
    def results_available(self) -> bool:
        return (self.state in (BallotState.closed.value, BallotState.published.value)
                and not self.awaiting_tellers)

    @property
    def with_tellers(self) -> bool:
        return self.teller_key is not None

    @property
    def item_keys(self) -> tuple[str, ...]:
        """Its items' ids as text, in ballot order: what a cast's choices are keyed by.
        A ballot's items are written when it is created and never after, and its public
        key is drawn afresh when it opens, so an opened ballot's keys are kept per process
        under (id, public key), and a cast does not read its 25 items again; a ballot
        not yet opened (no key) reads them each time."""
        if self.public_key is None:
            return tuple(str(item.id) for item in self.items)
        key = (self.id, bytes(self.public_key))
        found = _ITEM_KEYS.get(key)
        if found is None:
            if len(_ITEM_KEYS) >= _ITEM_KEYS_KEPT:
                _ITEM_KEYS.clear()
            found = _ITEM_KEYS[key] = tuple(str(item.id) for item in self.items)
        return found

    @property
    def results_shown(self) -> bool:
        """Whether the result may be shown beyond the staff who read sheets: on the hall
        screen, the tablets and the public /verify page. Published, always; closed,
        when the meeting shows results at close (Meeting.results_shown)."""
        if self.state == BallotState.published.value:
            return True
        return self.state == BallotState.closed.value and self.meeting.results_shown != "publish"

    @property
    def heading(self) -> str:
        """The title with its round once: a later round's title already ends in
        "（第N轮）" (voting.ballots.rounds), a first round's needs nothing added."""
        if self.round > 1 and not self.title.endswith(f"（第{self.round}轮）"):
            return f"{self.title}（第{self.round}轮）"
        return self.title


class BallotItem(db.Model):
    """A candidate project, motion or appraised report/official on a ballot."""

    id = db.Column(db.Integer, primary_key=True)
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    # The item of the parent ballot this one continues (runoff, re-appraisal).
    source_item_id = db.Column(db.Integer, db.ForeignKey("ballot_item.id"), nullable=True)
    # What the item stands for elsewhere, e.g. "project:12" or "official:3" (API.md's free text).
    reference = db.Column(db.String(64), nullable=True)
    # The candidate (collection) a selection item was made from: a foreign key, set when the
    # candidate list is put to a ballot (migration f3c9a1d2e4b6 filled it from "candidate:<id>").
    candidate_id = db.Column(db.Integer, db.ForeignKey("candidate.id"), nullable=True, index=True)

    ballot = db.relationship("Ballot", back_populates="items")

    __table_args__ = (db.UniqueConstraint("ballot_id", "position"),)


class BallotVoter(db.Model):
    """The deputies a ballot was issued to: those present when it opened."""

    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), primary_key=True)
    deputy_id = db.Column(db.Integer, db.ForeignKey("deputy.id"), primary_key=True)

    __table_args__ = (WITHOUT_ROWID,)


class Participation(db.Model):
    """That a deputy voted on a ballot (on a tablet, or was issued a paper ballot).
    The primary key is the unique constraint that stops a second vote."""

    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), primary_key=True)
    deputy_id = db.Column(db.Integer, db.ForeignKey("deputy.id"), primary_key=True)
    channel = db.Column(db.String(8), nullable=False)

    __table_args__ = (
        db.CheckConstraint("channel in ('tablet','paper')", name="channel"),
        WITHOUT_ROWID,
    )


class CastBallot(db.Model):
    """One sealed ballot. No deputy, no time, a random id: see the module docstring."""

    id = db.Column(db.String(32), primary_key=True)  # 16 random bytes, hex
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, index=True)
    tracker = db.Column(db.String(19), nullable=False)
    sealed = db.Column(db.LargeBinary, nullable=False)
    channel = db.Column(db.String(8), nullable=False)
    invalid = db.Column(db.Boolean, nullable=False, default=False)
    # Under tellers: "device" (encrypted on the tablet) or "server" (a plain API cast the
    # server encrypted at once); NULL for a ballot sealed to the installation's key.
    origin = db.Column(db.String(8), nullable=True)
    # Under tellers: "pending" (stored, proofs not yet checked: CAST_CHECK = "queued"),
    # "valid" (counted) or "failed" (never counted: an invalid ballot, 无效票, with the
    # reason in `rejection`); see voting.tellers.checking. NULL for a sealed cast.
    proof_check = db.Column(db.String(8), nullable=True, index=True)
    rejection = db.Column(db.String(200), nullable=True)

    __table_args__ = (
        db.UniqueConstraint("ballot_id", "tracker"),
        db.CheckConstraint("channel in ('tablet','paper')", name="channel"),
        db.CheckConstraint("proof_check IS NULL OR proof_check in ('pending','valid','failed')", name="proof_check"),
        WITHOUT_ROWID,
    )


class NamedVote(db.Model):
    """The choices of a deputy on a named (记名) ballot. Never written for a secret one."""

    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), primary_key=True)
    deputy_id = db.Column(db.Integer, db.ForeignKey("deputy.id"), primary_key=True)
    choices = db.Column(db.Text, nullable=False)

    __table_args__ = (WITHOUT_ROWID,)


class IdempotencyRecord(db.Model):
    """A stored answer to a vote, for retries with the same Idempotency-Key.
    `key_hash` = HMAC(installation secret, deputy | ballot | key | body); `receipt`
    is AES-GCM encrypted under a key derived from the idempotency key itself."""

    key_hash = db.Column(db.String(64), primary_key=True)
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, index=True)
    receipt = db.Column(db.LargeBinary, nullable=False)

    __table_args__ = (WITHOUT_ROWID,)


class TallySheet(db.Model):
    """The signed result of a ballot, stored as canonical JSON at close and never edited."""

    id = db.Column(db.Integer, primary_key=True)
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, unique=True)
    sheet_json = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def sheet(self) -> dict:
        return json.loads(self.sheet_json)


class PaperCount(db.Model):
    """A batch of paper ballots counted by hand: per item the count of each choice,
    and how many of the batch were invalid, sealed to the ballot's key like a cast
    ballot. `ballots` (how many paper ballots the batch holds) is in the clear: it is
    what cast ≤ issued is checked against, and no more than the progress shows."""

    id = db.Column(db.String(32), primary_key=True)  # 16 random bytes, hex
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, index=True)
    ballots = db.Column(db.Integer, nullable=False)
    tracker = db.Column(db.String(19), nullable=False)
    sealed = db.Column(db.LargeBinary, nullable=False)

    __table_args__ = (
        db.UniqueConstraint("ballot_id", "tracker"),
        db.CheckConstraint("ballots >= 1", name="ballots"),
        WITHOUT_ROWID,
    )
