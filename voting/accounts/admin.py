"""Administration of bodies (人大机构) and staff accounts, for role admin.

An admin works inside its own body's subtree: it creates the bodies below its own and
their first staff accounts."""
from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import select

from voting.accounts.forms import BodyForm, StaffForm
from voting.accounts.models import ROLE_LABELS, Body, BodyLevel, User
from voting.accounts.permissions import MANAGE_BODIES, MANAGE_USERS, current_principal, readable_body_ids, require
from voting.accounts.services import create_or_update_user
from voting.accounts.views import add_dashboard_link
from voting.extensions import db
from voting.integrity import audit

bp = Blueprint("admin", __name__, url_prefix="/admin")

add_dashboard_link({"admin"}, "admin.bodies", "人大机构", "建立下级人大机构")
add_dashboard_link({"admin"}, "admin.users", "工作人员账号", "为各机构开设工作人员账号")

LEVEL_LABELS = {level.value: level.label for level in BodyLevel}


def _subtree() -> list[Body]:
    ids = readable_body_ids(current_principal())
    return list(db.session.execute(select(Body).where(Body.id.in_(ids)).order_by(Body.id)).scalars())


@bp.route("/bodies", methods=["GET", "POST"])
@require(MANAGE_BODIES)
def bodies():
    subtree = _subtree()
    form = BodyForm()
    form.parent_id.choices = [(b.id, b.name) for b in subtree]
    status = 200
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.execute(select(Body.id).filter_by(name=name)).first():
            form.name.errors.append("已有同名的人大机构。")
            status = 400
        else:
            body = Body(name=name, level=form.level.data, parent_id=form.parent_id.data)
            db.session.add(body)
            db.session.flush()
            audit.record("body_created", actor=f"user:{current_principal().id}", subject=f"body:{body.id}",
                         body_id=body.id, details={"name": name, "parent": form.parent_id.data})
            db.session.commit()
            flash(f"已建立人大机构：{name}", "success")
            return redirect(url_for("admin.bodies"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/bodies.html", form=form, bodies=subtree, levels=LEVEL_LABELS), status


@bp.route("/users", methods=["GET", "POST"])
@require(MANAGE_USERS)
def users():
    subtree = _subtree()
    form = StaffForm()
    form.body_id.choices = [(b.id, b.name) for b in subtree]
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        if db.session.execute(select(User.id).filter_by(username=username)).first():
            form.username.errors.append("该用户名已被使用。")
            status = 400
        elif form.role.data == "department" and not (form.department.data or "").strip():
            form.department.errors.append("责任单位账号必须填写责任单位名称。")
            status = 400
        else:
            body = db.session.get(Body, form.body_id.data)
            user, _ = create_or_update_user(username, form.role.data, form.password.data, body=body,
                                            display_name=(form.display_name.data or "").strip(),
                                            department=(form.department.data or "").strip() or None,
                                            actor=f"user:{current_principal().id}")
            db.session.commit()
            flash(f"已开设账号 {user.username}（{ROLE_LABELS[user.role]}，{body.name}）", "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 400
    ids = [b.id for b in subtree]
    accounts = db.session.execute(select(User).where(User.body_id.in_(ids)).order_by(User.body_id, User.username)).scalars()
    return render_template("accounts/users.html", form=form, accounts=list(accounts), roles=ROLE_LABELS), status
