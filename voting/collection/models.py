"""Collection (征集): liaison stations, deputies' personal codes, proposals from the
public and others, their photos and history, and the candidate list of a year."""
import enum

from voting.accounts.models import utcnow
from voting.extensions import db

CATEGORIES = ["教育", "医疗卫生", "养老", "交通", "住房", "就业", "生态环境", "文化体育", "公共安全", "其他"]


class ProposalStatus(str, enum.Enum):
    pending = "pending"
    studying = "studying"
    shortlisted = "shortlisted"
    merged = "merged"
    declined = "declined"
    candidate = "candidate"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]


STATUS_LABELS = {
    "pending": "待审",
    "studying": "研究中",
    "shortlisted": "拟列为候选",
    "merged": "已合并",
    "declined": "不予采纳",
    "candidate": "已列入候选",
}

# Which status may follow which. Merging and listing as a candidate have their own
# operations; a merged proposal stays merged (its target carries it on).
TRANSITIONS: dict[str, set[str]] = {
    "pending": {"studying", "shortlisted", "declined", "merged"},
    "studying": {"pending", "shortlisted", "declined", "merged"},
    "shortlisted": {"studying", "declined", "merged", "candidate"},
    "declined": {"studying"},
    "merged": set(),
    "candidate": {"shortlisted"},
}

SOURCES = {"public": "群众", "deputy": "代表", "station": "联络站", "department": "部门"}

STATUS_VALUES = ", ".join(f"'{s}'" for s in STATUS_LABELS)
SOURCE_VALUES = ", ".join(f"'{s}'" for s in SOURCES)


class LiaisonStation(db.Model):
    """A deputies' liaison station (代表联络站); its code is what its QR poster opens."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    code = db.Column(db.String(32), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    township = db.Column(db.String(60), nullable=False, default="")
    address = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    body = db.relationship("Body")


class DeputyCode(db.Model):
    """A deputy's personal code (挂牌亮码): its page tags proposals with the deputy."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    code = db.Column(db.String(32), nullable=False, unique=True)
    deputy_name = db.Column(db.String(64), nullable=False)
    station_id = db.Column(db.Integer, db.ForeignKey("liaison_station.id"), nullable=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    station = db.relationship("LiaisonStation")


class Proposal(db.Model):
    """A project idea (建议). `contact` is for staff only and never leaves the staff pages."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    station_id = db.Column(db.Integer, db.ForeignKey("liaison_station.id"), nullable=True, index=True)
    deputy_code_id = db.Column(db.Integer, db.ForeignKey("deputy_code.id"), nullable=True, index=True)
    tracking_code = db.Column(db.String(16), nullable=False, unique=True)
    title = db.Column(db.String(60), nullable=False)
    description = db.Column(db.Text, nullable=False)
    category = db.Column(db.String(16), nullable=False)
    township = db.Column(db.String(60), nullable=False, default="")
    location = db.Column(db.String(200), nullable=False, default="")
    contact = db.Column(db.String(100), nullable=False, default="")
    proposer = db.Column(db.String(120), nullable=False, default="")
    status = db.Column(db.String(16), nullable=False, default=ProposalStatus.pending.value, index=True)
    reply = db.Column(db.Text, nullable=False, default="")
    decline_reason = db.Column(db.Text, nullable=False, default="")
    merged_into_id = db.Column(db.Integer, db.ForeignKey("proposal.id"), nullable=True, index=True)
    source = db.Column(db.String(16), nullable=False, default="public")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    station = db.relationship("LiaisonStation")
    deputy_code = db.relationship("DeputyCode")
    merged_into = db.relationship("Proposal", remote_side=[id], backref="merged_from")
    photos = db.relationship("ProposalPhoto", back_populates="proposal", order_by="ProposalPhoto.id")
    events = db.relationship("ProposalEvent", back_populates="proposal", order_by="ProposalEvent.id")

    __table_args__ = (
        db.CheckConstraint(f"status in ({STATUS_VALUES})", name="status"),
        db.CheckConstraint(f"source in ({SOURCE_VALUES})", name="source"),
        db.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"),
        db.CheckConstraint("status <> 'declined' OR decline_reason <> ''", name="declined_has_reason"),
        # the statistics and list filters group and count within a body (issue #21)
        db.Index("ix_proposal_body_station", "body_id", "station_id"),
        db.Index("ix_proposal_body_category", "body_id", "category"),
        db.Index("ix_proposal_body_township", "body_id", "township"),
        db.Index("ix_proposal_body_status", "body_id", "status"),
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)


class ProposalPhoto(db.Model):
    """A photo kept outside static/ (UPLOAD_DIR); shown to staff only."""

    id = db.Column(db.Integer, primary_key=True)
    proposal_id = db.Column(db.Integer, db.ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(32), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    proposal = db.relationship("Proposal", back_populates="photos")


class ProposalEvent(db.Model):
    """One step in a proposal's history: submitted, status changed, merged, replied."""

    id = db.Column(db.Integer, primary_key=True)
    proposal_id = db.Column(db.Integer, db.ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    actor = db.Column(db.String(64), nullable=False, default="")
    action = db.Column(db.String(32), nullable=False)
    from_status = db.Column(db.String(16), nullable=True)
    to_status = db.Column(db.String(16), nullable=True)
    note = db.Column(db.Text, nullable=False, default="")

    proposal = db.relationship("Proposal", back_populates="events")


candidate_proposal = db.Table(
    "candidate_proposal",
    db.Column("candidate_id", db.Integer, db.ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True),
    db.Column("proposal_id", db.Integer, db.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True),
)

CANDIDATE_STATES = {"draft": "拟定", "balloted": "已提交票决"}


class Candidate(db.Model):
    """A candidate project (候选项目) of a year's list, before it goes on a ballot."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False, index=True)
    title = db.Column(db.String(60), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    budget = db.Column(db.Numeric(12, 2), nullable=False)  # 万元
    department = db.Column(db.String(120), nullable=False)
    planned_completion = db.Column(db.Date, nullable=True)
    state = db.Column(db.String(16), nullable=False, default="draft")
    # The selection ballot this candidate went on (its item refers back: "candidate:<id>").
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    proposals = db.relationship("Proposal", secondary=candidate_proposal, order_by="Proposal.id",
                                backref="candidates")

    __table_args__ = (
        db.CheckConstraint("state in ('draft', 'balloted')", name="state"),
        db.CheckConstraint("budget >= 0", name="budget_not_negative"),
    )

    @property
    def state_label(self) -> str:
        return CANDIDATE_STATES.get(self.state, self.state)


class ProposalGram(db.Model):
    """The similarity index (voting/collection/search.py): one row per distinct bigram of
    a proposal's title and description, written in the proposal's own transaction.
    Looked up by (body, gram); `in_title` marks the title's grams, for title hints."""

    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), primary_key=True)
    gram = db.Column(db.String(32), primary_key=True)
    in_title = db.Column(db.Boolean, primary_key=True)  # before the id: title hints read title rows only
    proposal_id = db.Column(db.Integer, db.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True,
                            index=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class GramCount(db.Model):
    """How many proposals of a body hold a bigram: the index reads the rarest grams of a
    query first and skips those in a large share of the pile (they say little)."""

    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), primary_key=True)
    gram = db.Column(db.String(32), primary_key=True)
    proposals = db.Column(db.Integer, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)
