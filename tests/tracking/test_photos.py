"""Photos: JPEG/PNG by content, at most 5 MB; a refused upload stores nothing (no
row, no file); files are served with safe headers, drafts' photos never publicly."""
import io

import pytest

from tests.factories import gen_user, login
from tests.tracking.conftest import image_bytes, stored_files
from voting.extensions import db
from voting.tracking.models import Inspection, ProgressUpdate, ProjectPhoto, SupervisionProposal

FORM = {"percent": "50", "text": "完成一半工程量。", "publish": "1"}
LIMIT = 5 * 1024 * 1024


def post_update(client, project, files, publish="1"):
    data = {**FORM, "publish": publish, "photos": files}
    return client.post(f"/tracking/projects/{project.id}/updates", data=data, content_type="multipart/form-data")


def upload(name: str, data: bytes):
    return (io.BytesIO(data), name)


def counts():
    return (db.session.query(ProgressUpdate).count(), db.session.query(ProjectPhoto).count(),
            db.session.query(Inspection).count(), db.session.query(SupervisionProposal).count())


def padded_png(total: int) -> bytes:
    """A real PNG followed by padding up to `total` bytes (Pillow still reads it)."""
    data = image_bytes("PNG")
    return data + b"\0" * (total - len(data))


BAD_FILES = {
    "gif": ("photo.gif", image_bytes("GIF")),
    "renamed text": ("photo.jpg", b"this is not an image at all" * 10),
    "html as png": ("photo.png", b"<html><script>alert(1)</script></html>"),
    "empty": ("photo.jpg", b""),
    "truncated jpeg": ("photo.jpg", image_bytes("JPEG")[:40]),
    "too large": ("big.png", padded_png(LIMIT + 1)),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_wrong_type_or_size_is_refused_and_nothing_is_stored(app, project, department_client, name):
    before = stored_files(app)
    good = upload("ok.png", image_bytes("PNG"))
    response = post_update(department_client, project, [good, upload(*BAD_FILES[name])])
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "JPG 或 PNG" in text or "MB" in text or "空文件" in text
    assert counts() == (0, 0, 0, 0)
    assert stored_files(app) == before


@pytest.mark.parametrize("name", ["gif", "too large"])
def test_inspection_with_a_bad_photo_stores_nothing(app, project, secretariat_client, name):
    before = stored_files(app)
    response = secretariat_client.post(f"/tracking/projects/{project.id}/inspections", data={
        "visited_on": "2026-05-20", "deputies": "王建国", "findings": "现场查看施工情况。", "proposals": "加快进度",
        "photos": [upload(*BAD_FILES[name])]}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert counts() == (0, 0, 0, 0)
    assert stored_files(app) == before


def test_exactly_five_megabytes_is_accepted(app, project, department_client):
    before = len(stored_files(app))
    assert post_update(department_client, project, [upload("max.png", padded_png(LIMIT))]).status_code == 302
    assert db.session.query(ProjectPhoto).count() == 1 and len(stored_files(app)) == before + 1


def test_too_many_photos_are_refused(app, project, department_client):
    files = [upload(f"p{i}.png", image_bytes("PNG")) for i in range(7)]
    assert post_update(department_client, project, files).status_code == 400
    assert counts() == (0, 0, 0, 0)


def test_good_photos_are_stored_outside_static_and_served_safely(app, project, department_client, staff):
    assert post_update(department_client, project,
                       [upload("a.jpg", image_bytes("JPEG")), upload("b.png", image_bytes("PNG"))]).status_code == 302
    photos = db.session.query(ProjectPhoto).order_by(ProjectPhoto.id).all()
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    assert all("static" not in str(path) for path in stored_files(app))
    for client in (department_client, login(app.test_client(), staff["leader"])):
        response = client.get(f"/tracking/photos/{photos[0].id}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    public = app.test_client().get(f"/tracking/public/photos/{photos[1].id}")
    assert public.status_code == 200 and public.mimetype == "image/png"
    assert f"/tracking/public/photos/{photos[1].id}" in app.test_client().get(f"/tracking/public/{project.id}").get_data(as_text=True)


def test_photos_of_drafts_and_inspections_are_not_public(app, project, department_client, secretariat_client):
    assert post_update(department_client, project, [upload("draft.png", image_bytes("PNG"))],
                       publish="0").status_code == 302
    assert secretariat_client.post(f"/tracking/projects/{project.id}/inspections", data={
        "visited_on": "2026-05-20", "deputies": "王建国", "findings": "现场查看施工情况。",
        "photos": [upload("visit.jpg", image_bytes("JPEG"))]}, content_type="multipart/form-data").status_code == 302
    public = app.test_client()
    for photo in db.session.query(ProjectPhoto):
        assert public.get(f"/tracking/public/photos/{photo.id}").status_code == 404
        assert public.get(f"/tracking/photos/{photo.id}").status_code == 302  # to the login page
        assert secretariat_client.get(f"/tracking/photos/{photo.id}").status_code == 200


def test_photos_of_other_bodies_and_departments_are_hidden(app, body, project, department_client, other_body):
    assert post_update(department_client, project, [upload("a.png", image_bytes("PNG"))]).status_code == 302
    photo = db.session.query(ProjectPhoto).one()
    stranger = login(app.test_client(), gen_user("secretariat", other_body))
    assert stranger.get(f"/tracking/photos/{photo.id}").status_code == 404
    other_department = login(app.test_client(), gen_user("department", body, department="县水利局"))
    assert other_department.get(f"/tracking/photos/{photo.id}").status_code == 403
