"""The status rule of a tracked project. Pure: standard library only, and the day is
passed in (`today`) so that the rule never reads the clock."""
from datetime import date
from typing import Iterable, Protocol

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
DELAYED = "delayed"

STATUS_LABELS = {
    NOT_STARTED: "未开工",
    IN_PROGRESS: "推进中",
    COMPLETED: "已完成",
    DELAYED: "滞后",
}
# What is stored on the project; "delayed" depends on the day and is derived on reading.
STORED_STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED)


class MilestoneLike(Protocol):
    due_date: date
    done_at: date | None


def base_status(progress: int) -> str:
    """The status a published progress percent stands for, before any delay."""
    if progress >= 100:
        return COMPLETED
    return IN_PROGRESS if progress > 0 else NOT_STARTED


def overdue(milestones: Iterable[MilestoneLike], today: date) -> list:
    """Milestones past their due date and not done. Due today is not yet overdue."""
    return [m for m in milestones if m.done_at is None and m.due_date < today]


def is_delayed(progress: int, milestones: Iterable[MilestoneLike], today: date,
               planned_completion: date | None = None) -> bool:
    """A project not completed is 滞后 when a milestone is overdue, or when its planned
    completion date has passed."""
    if progress >= 100:
        return False
    if overdue(milestones, today):
        return True
    return planned_completion is not None and planned_completion < today


def project_status(progress: int, milestones: Iterable[MilestoneLike], today: date,
                   planned_completion: date | None = None) -> str:
    milestones = list(milestones)
    if is_delayed(progress, milestones, today, planned_completion):
        return DELAYED
    return base_status(progress)
