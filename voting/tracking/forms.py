"""Reading the supervision forms: plain fields into a dict, uploads into (name, bytes).
Validation happens in the services, so the pages and any other caller share it."""
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict

UPDATE_FIELDS = ("percent", "text")
MILESTONE_FIELDS = ("title", "due_date")
PROJECT_FIELDS = ("department", "description", "budget", "planned_completion")
INSPECTION_FIELDS = ("visited_on", "deputies", "findings", "proposals")


def values(form: MultiDict | ImmutableMultiDict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: form.get(name, "") for name in names}


def photos(files: MultiDict, field: str = "photos") -> list[tuple[str, bytes]]:
    """Every non-empty file input of `field`, read into memory (the request size is
    capped by MAX_CONTENT_LENGTH)."""
    chosen: list[FileStorage] = [f for f in files.getlist(field) if f and (f.filename or "")]
    return [(f.filename or "", f.read()) for f in chosen]
