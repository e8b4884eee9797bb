"""Project photos: checked by content (Pillow), size-limited, stored outside static/."""
from dataclasses import dataclass
from pathlib import Path


from voting.errors import Refusal, invalid
from voting import uploads
from voting.uploads import upload_dir
from voting.extensions import db
from voting.tracking.models import LivelihoodProject, ProjectPhoto


MAX_PHOTOS = 6
PHOTO_FOLDER = "projects"


@dataclass
class CheckedPhoto:
    data: bytes
    content_type: str
    extension: str


def check_photos(photos: list[tuple[str, bytes]]) -> list[CheckedPhoto]:
    """JPEG or PNG by content (Pillow), each within the size limit; all or nothing."""
    from voting.collection.services import check_photo

    photos = [(name, raw) for name, raw in photos if name or raw]
    if len(photos) > MAX_PHOTOS:
        raise invalid({"photos": f"一次最多上传 {MAX_PHOTOS} 张照片。"}, "invalid_photo")
    checked = []
    for name, raw in photos:
        try:
            photo = check_photo(raw, name)
        except Refusal as refused:
            message = refused.errors.get("photos") or refused.message
            raise invalid({"photos": message}, "invalid_photo") from None
        checked.append(CheckedPhoto(photo.data, photo.content_type, photo.extension))
    return checked


def check_photos_with(errors: dict, photos) -> list[CheckedPhoto]:
    """`check_photos` for a form with other fields: a refusal's message joins `errors`
    (shown with the others) and no photo is kept."""
    try:
        return check_photos(list(photos))
    except Refusal as refused:
        errors.update(refused.errors)
        return []


def photo_dir() -> Path:
    return upload_dir() / PHOTO_FOLDER


def photo_path(photo: ProjectPhoto) -> Path:
    return photo_dir() / photo.stored_name


def _store_photos(checked: list[CheckedPhoto], project: LivelihoodProject, written: list[Path], **owner) -> None:
    """Write the files (into `written`, see uploads.files_of_the_transaction) and add their rows."""
    for photo in checked:
        name, path = uploads.write_new_file(photo_dir(), photo.extension, photo.data)
        written.append(path)
        db.session.add(ProjectPhoto(project_id=project.id, body_id=project.body_id, stored_name=name,
                                    content_type=photo.content_type, **uploads.facts(photo.data), **owner))
    db.session.flush()
