"""Year-end appraisal (满意度测评, 述职评议): campaigns, their items, appointed
officials, re-reports (再办理、再报告) and anonymous comments.

The votes themselves are ordinary `appraisal` ballots of voting.ballots, counted by
voting.rules; a campaign only remembers its round-1 ballot. Later rounds are the
core's re-appraisal ballots (parent_id chain), never an edit of round 1.
"""

from voting.accounts.models import utcnow
from voting.ballots.models import StoredRule
from voting.extensions import db

WITHOUT_ROWID = {"sqlite_with_rowid": False}
ITEM_KINDS = ("project", "official")


class AppraisalCampaign(StoredRule, db.Model):
    """One appraisal of a body's year: its options, its rule (voting.rules JSON) and
    its items; once a ballot exists the options and rule are those of the ballot."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    options_json = db.Column(db.Text, nullable=False)
    rule_json = db.Column(db.Text, nullable=False)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meeting.id"), nullable=True, index=True)
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=True, unique=True)
    created_by = db.Column(db.String(64), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    body = db.relationship("Body")
    meeting = db.relationship("Meeting")
    ballot = db.relationship("Ballot")
    items = db.relationship("AppraisalItem", back_populates="campaign", order_by="AppraisalItem.position")

    __table_args__ = (db.CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),)

    @property
    def mode(self) -> str:
        return self.rule.get("mode", "rate")


class Official(db.Model):
    """An appointed official (由人大常委会任命的干部) who reports on the work (述职)."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)
    post = db.Column(db.String(120), nullable=False)
    department = db.Column(db.String(120), nullable=False)
    appointed_on = db.Column(db.Date, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("body_id", "name", "post"),)


class AppraisalItem(db.Model):
    """What is appraised: a project's implementation report or an official."""

    id = db.Column(db.Integer, primary_key=True)
    campaign_id = db.Column(db.Integer, db.ForeignKey("appraisal_campaign.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)
    position = db.Column(db.Integer, nullable=False)
    project_id = db.Column(db.Integer, db.ForeignKey("livelihood_project.id"), nullable=True, index=True)
    official_id = db.Column(db.Integer, db.ForeignKey("official.id"), nullable=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    campaign = db.relationship("AppraisalCampaign", back_populates="items")
    project = db.relationship("LivelihoodProject")
    official = db.relationship("Official")
    rereports = db.relationship("Rereport", back_populates="item", order_by="Rereport.round")

    __table_args__ = (
        db.CheckConstraint("kind in ('project','official')", name="kind"),
        db.CheckConstraint("(project_id IS NULL) <> (official_id IS NULL)", name="one_subject"),
        db.CheckConstraint("(kind = 'project') = (project_id IS NOT NULL)", name="kind_matches"),
        db.UniqueConstraint("campaign_id", "project_id"),
        db.UniqueConstraint("campaign_id", "official_id"),
        db.UniqueConstraint("campaign_id", "position"),
    )

    @property
    def reference(self) -> str:
        return f"project:{self.project_id}" if self.kind == "project" else f"official:{self.official_id}"

    @property
    def title(self) -> str:
        if self.kind == "project":
            return f"{self.project.title}实施情况报告"
        return f"{self.official.name}（{self.official.post}）述职"

    @property
    def department(self) -> str:
        return self.project.department if self.kind == "project" else self.official.department


class Rereport(db.Model):
    """再办理、再报告: an item that failed round `round` (ballot `ballot_id`), the due
    date, and the department's re-report (written once)."""

    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("appraisal_item.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, index=True)
    round = db.Column(db.Integer, nullable=False)
    department = db.Column(db.String(120), nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    rate = db.Column(db.String(32), nullable=True)  # the failing round's exact rate or score, as on the sheet
    text = db.Column(db.Text, nullable=True)
    submitted_by = db.Column(db.String(64), nullable=True)
    submitted_at = db.Column(db.DateTime, nullable=True)
    created_by = db.Column(db.String(64), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    item = db.relationship("AppraisalItem", back_populates="rereports")
    ballot = db.relationship("Ballot")
    attachments = db.relationship("RereportAttachment", back_populates="rereport", order_by="RereportAttachment.id")

    __table_args__ = (
        db.UniqueConstraint("item_id", "ballot_id"),
        db.CheckConstraint("(text IS NULL) = (submitted_at IS NULL)", name="submitted_has_time"),
    )

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class RereportAttachment(db.Model):
    """A PDF, JPEG or PNG of a re-report, stored outside static/ (UPLOAD_DIR/rereports)."""

    id = db.Column(db.Integer, primary_key=True)
    rereport_id = db.Column(db.Integer, db.ForeignKey("rereport.id", ondelete="CASCADE"), nullable=False,
                            index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    original_name = db.Column(db.String(200), nullable=False)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(32), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)

    rereport = db.relationship("Rereport", back_populates="attachments")


class AppraisalComment(db.Model):
    """A deputy's optional comment on an appraised item. Anonymous by construction:
    no deputy, no time, a random id (and WITHOUT ROWID on SQLite), so neither the
    row nor its storage order points back at whoever wrote it."""

    id = db.Column(db.String(32), primary_key=True)  # 16 random bytes, hex
    item_id = db.Column(db.Integer, db.ForeignKey("appraisal_item.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)

    __table_args__ = (WITHOUT_ROWID,)
