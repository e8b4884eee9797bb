"""How records name people (经办人): an actor string as stored ("user:7", a username,
"deputy:12", "public", "") becomes the name a reader knows: the account's display
name (or, for a department account without one, its department), the deputy's name,
公众 for the public. One function for every page and export."""
from sqlalchemy import select

from voting.accounts.models import ROLE_LABELS, User
from voting.extensions import db

FIXED_NAMES = {"": "系统", "public": "公众", "cli": "系统（命令行）", "seed-demo": "演示数据", "system": "系统"}


def user_label(user: User) -> str:
    """An account's display name; one left as its username (the default) reads as the
    department it speaks for, or as its role and username."""
    if user.display_name and user.display_name != user.username:
        return user.display_name
    if user.role == "department" and user.department:
        return user.department
    return f"{ROLE_LABELS.get(user.role, user.role)} {user.username}"


def display_person(actor: str | None) -> str:
    actor = (actor or "").strip()
    if actor in FIXED_NAMES:
        return FIXED_NAMES[actor]
    kind, _, number = actor.partition(":")
    if number.isdigit() and kind in ("user", "deputy"):
        if kind == "user":
            user = db.session.get(User, int(number))
            return user_label(user) if user is not None else actor
        from voting.meetings.models import Deputy

        deputy = db.session.get(Deputy, int(number))
        return f"{deputy.name}代表" if deputy is not None else actor
    user = db.session.scalar(select(User).where(User.username == actor))
    return user_label(user) if user is not None else actor
