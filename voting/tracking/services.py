"""The supervision domain's front door: what views, the API and other domains call.

Each room holds one part:
- from_ballots.py  projects from published selection results (called by ballots' publish)
- reading.py       staff, department and public reads; who may report
- updates.py       progress updates, milestones and project details, checked
- photos.py        project photos, checked by content and stored outside static/
- inspections.py   inspections (视察) and supervision proposals

Every write validates first (photos included), then changes rows, records the audit
entry and commits once. A refusal leaves neither a row nor a file.
"""
from voting.tracking.from_ballots import (
    RESULT_STATES,
    SELECTED,
    _add_projects,
    candidate_for_item,
    projects_from_ballot,
    result_ballots,
    selected_item_ids,
    track_published_selection,
)
from voting.tracking.reading import (
    delayed_projects,
    may_report,
    project_for_proposal,
    project_summary,
    project_years,
    public_bodies,
    public_clause,
    public_project,
    public_projects,
    public_years,
    staff_projects,
    status_counts,
    year_report,
)
from voting.tracking.updates import (
    add_milestone,
    complete_milestone,
    create_update,
    publish_update,
    update_project,
)
from voting.tracking.photos import (
    CheckedPhoto,
    MAX_PHOTOS,
    PHOTO_FOLDER,
    check_photos,
    photo_dir,
    photo_path,
)
from voting.tracking.inspections import (
    add_supervision_proposal,
    record_inspection,
    reply_to_proposal,
)

__all__ = [
    "CheckedPhoto",
    "MAX_PHOTOS",
    "PHOTO_FOLDER",
    "RESULT_STATES",
    "SELECTED",
    "_add_projects",
    "add_milestone",
    "add_supervision_proposal",
    "candidate_for_item",
    "check_photos",
    "complete_milestone",
    "create_update",
    "delayed_projects",
    "may_report",
    "photo_dir",
    "photo_path",
    "project_for_proposal",
    "project_summary",
    "project_years",
    "projects_from_ballot",
    "public_bodies",
    "public_clause",
    "public_project",
    "public_projects",
    "public_years",
    "publish_update",
    "record_inspection",
    "reply_to_proposal",
    "result_ballots",
    "selected_item_ids",
    "staff_projects",
    "status_counts",
    "track_published_selection",
    "update_project",
    "year_report",
]
