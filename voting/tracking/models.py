"""Tracked projects (民生实事项目) and their year: milestones, progress updates,
inspections (视察) with supervision proposals (督办建议), and photos.

History is kept by construction: a progress update is a new row and is never
edited; a draft only ever changes into the published version of itself. The
project's `progress` and `status` are a copy of its latest published update,
written in the same transaction that publishes it.
"""
from datetime import date

from voting.accounts.models import utcnow
from voting.extensions import db
from voting.tracking.progress import STATUS_LABELS, STORED_STATUSES, project_status

STORED_STATUS_VALUES = ", ".join(f"'{s}'" for s in STORED_STATUSES)


class LivelihoodProject(db.Model):
    """A selected project followed through the year."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    year = db.Column(db.Integer, nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    department = db.Column(db.String(120), nullable=False, default="")  # 责任单位
    budget = db.Column(db.Numeric(12, 2), nullable=True)  # 万元
    planned_completion = db.Column(db.Date, nullable=True)
    # Copied from the latest published update; "delayed" is derived on reading (status_on).
    status = db.Column(db.String(16), nullable=False, default="not_started")
    progress = db.Column(db.Integer, nullable=False, default=0)
    # The selection ballot item it came from (NULL only for projects registered directly).
    ballot_item_id = db.Column(db.Integer, db.ForeignKey("ballot_item.id"), nullable=True, unique=True)
    candidate_id = db.Column(db.Integer, db.ForeignKey("candidate.id"), nullable=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    body = db.relationship("Body")
    ballot_item = db.relationship("BallotItem")
    milestones = db.relationship("Milestone", back_populates="project",
                                 order_by="[Milestone.due_date, Milestone.id]")
    updates = db.relationship("ProgressUpdate", back_populates="project", order_by="ProgressUpdate.id")
    inspections = db.relationship("Inspection", back_populates="project",
                                  order_by="[Inspection.visited_on.desc(), Inspection.id.desc()]")

    __table_args__ = (
        db.CheckConstraint(f"status in ({STORED_STATUS_VALUES})", name="status"),
        db.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        db.CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
    )

    def status_on(self, today: date) -> str:
        return project_status(self.progress, self.milestones, today, self.planned_completion)

    def status_label_on(self, today: date) -> str:
        return STATUS_LABELS[self.status_on(today)]

    @property
    def published_updates(self) -> list["ProgressUpdate"]:
        return sorted((u for u in self.updates if u.published),
                      key=lambda u: (u.published_at, u.id), reverse=True)


class Milestone(db.Model):
    """A dated step of a project (节点). Its due date is not edited after the fact:
    moving a deadline would hide a delay."""

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("livelihood_project.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    title = db.Column(db.String(120), nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    done_at = db.Column(db.Date, nullable=True)
    created_by = db.Column(db.String(64), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    project = db.relationship("LivelihoodProject", back_populates="milestones")

    def overdue_on(self, today: date) -> bool:
        return self.done_at is None and self.due_date < today


class ProgressUpdate(db.Model):
    """One progress report of the responsible department. A draft is seen by staff
    only; publishing sets `published_at` on the same row, nothing else changes."""

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("livelihood_project.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    percent = db.Column(db.Integer, nullable=False)
    text = db.Column(db.Text, nullable=False)
    author = db.Column(db.String(64), nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True, index=True)
    published = db.Column(db.Boolean, nullable=False, default=False)
    published_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    project = db.relationship("LivelihoodProject", back_populates="updates")
    photos = db.relationship("ProjectPhoto", back_populates="update", order_by="ProjectPhoto.id")

    __table_args__ = (
        db.CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        db.CheckConstraint("published = (published_at IS NOT NULL)", name="published_has_time"),
    )


class Inspection(db.Model):
    """Deputies' visit to a project (视察)."""

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("livelihood_project.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    visited_on = db.Column(db.Date, nullable=False)
    deputies = db.Column(db.Text, nullable=False)  # names of the deputies present, as written
    findings = db.Column(db.Text, nullable=False)
    created_by = db.Column(db.String(64), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    project = db.relationship("LivelihoodProject", back_populates="inspections")
    proposals = db.relationship("SupervisionProposal", back_populates="inspection",
                                order_by="SupervisionProposal.id")
    photos = db.relationship("ProjectPhoto", back_populates="inspection", order_by="ProjectPhoto.id")


class SupervisionProposal(db.Model):
    """A supervision proposal (督办建议) made at an inspection, and the department's
    reply. The reply is written once."""

    id = db.Column(db.Integer, primary_key=True)
    inspection_id = db.Column(db.Integer, db.ForeignKey("inspection.id", ondelete="CASCADE"),
                              nullable=False, index=True)
    project_id = db.Column(db.Integer, db.ForeignKey("livelihood_project.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    text = db.Column(db.Text, nullable=False)
    reply = db.Column(db.Text, nullable=True)
    replied_by = db.Column(db.String(64), nullable=True)
    replied_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    inspection = db.relationship("Inspection", back_populates="proposals")
    project = db.relationship("LivelihoodProject")

    __table_args__ = (
        db.CheckConstraint("(reply IS NULL) = (replied_at IS NULL)", name="reply_has_time"),
    )


class ProjectPhoto(db.Model):
    """A photo of a progress update or of an inspection, kept outside static/
    (UPLOAD_DIR/projects). The public sees photos of published updates only."""

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer, db.ForeignKey("livelihood_project.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    update_id = db.Column(db.Integer, db.ForeignKey("progress_update.id", ondelete="CASCADE"),
                          nullable=True, index=True)
    inspection_id = db.Column(db.Integer, db.ForeignKey("inspection.id", ondelete="CASCADE"),
                              nullable=True, index=True)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(32), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    update = db.relationship("ProgressUpdate", back_populates="photos")
    inspection = db.relationship("Inspection", back_populates="photos")

    __table_args__ = (
        db.CheckConstraint("(update_id IS NULL) <> (inspection_id IS NULL)", name="one_owner"),
    )

    @property
    def public(self) -> bool:
        return self.update is not None and self.update.published
