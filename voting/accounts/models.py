"""Bodies (人大机构), staff accounts, API tokens and login throttling."""
import enum
from datetime import datetime, timezone

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from voting.extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BodyLevel(str, enum.Enum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"

    @property
    def label(self) -> str:
        return {"province": "省", "city": "市", "county": "县", "township": "乡镇"}[self.value]


class Body(db.Model):
    """A people's congress (人大机构). Every record of the service belongs to one."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    level = db.Column(db.String(16), nullable=False, default=BodyLevel.county.value)
    parent_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    parent = db.relationship("Body", remote_side=[id], backref="children")

    def ancestors(self) -> list["Body"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def descendant_ids(self) -> set[int]:
        ids, stack = set(), list(self.children)
        while stack:
            node = stack.pop()
            ids.add(node.id)
            stack.extend(node.children)
        return ids


class Role(str, enum.Enum):
    admin = "admin"
    secretariat = "secretariat"
    teller = "teller"
    leader = "leader"
    station = "station"
    department = "department"
    deputy = "deputy"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.value]


ROLE_LABELS = {
    "admin": "系统管理员",
    "secretariat": "大会秘书处",
    "teller": "监票人",
    "leader": "领导",
    "station": "联络站工作人员",
    "department": "责任单位",
    "deputy": "代表",
}
STAFF_ROLES = [r.value for r in Role if r is not Role.deputy]


SESSION_VERSION_KEY = "_uv"  # in a staff session: the account's session_version when it signed in


class User(UserMixin, db.Model):
    """A staff account. Deputies are not users: they log in per meeting with a card."""

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True)
    display_name = db.Column(db.String(120), nullable=False, default="")
    password_hash = db.Column(db.String(256), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    # For role `department`: the responsible department (责任单位) this account speaks for.
    department = db.Column(db.String(120), nullable=True)
    # For role `station`: the liaison station code this account works at.
    station_code = db.Column(db.String(32), nullable=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    last_failed_at = db.Column(db.DateTime, nullable=True)
    locked_until = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Sessions carry the version they were opened under; logging out or a new password
    # bumps it, which ends every session of the account (a saved cookie opens nothing).
    session_version = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    body = db.relationship("Body")

    __table_args__ = (
        db.CheckConstraint(
            "role in ('admin','secretariat','teller','leader','station','department')",
            name="staff_role",
        ),
    )

    kind = "user"

    def get_id(self) -> str:
        return f"u:{self.id}"

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_deputy(self) -> bool:
        return False

    def set_password(self, password: str) -> None:
        from flask import current_app

        # scrypt in production; the test suite sets a cheap method so thousands of fixtures stay fast.
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        if self.id is not None:  # a new password ends the sessions opened with the old one
            self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def name(self) -> str:
        return self.display_name or self.username


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"), nullable=True, index=True)
    deputy_id = db.Column(db.Integer, db.ForeignKey("deputy.id", ondelete="CASCADE"), nullable=True, index=True)
    expires_at = db.Column(db.DateTime, nullable=False)
    revoked = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")
    deputy = db.relationship("Deputy")

    __table_args__ = (
        db.CheckConstraint(
            "(user_id IS NULL) <> (deputy_id IS NULL)", name="one_holder"
        ),
    )

    @property
    def holder(self):
        return self.user if self.user_id is not None else self.deputy


class AddressThrottle(db.Model):
    """Failed logins counted per source address (card login: `scope` "card"), kept in
    the database so that every gunicorn worker sees the same count. Holds no secret:
    only the address, how many failures, when the last one was and any lock."""

    id = db.Column(db.Integer, primary_key=True)
    scope = db.Column(db.String(16), nullable=False)
    address = db.Column(db.String(64), nullable=False)
    failures = db.Column(db.Integer, nullable=False, default=0)
    last_failed_at = db.Column(db.DateTime, nullable=True)
    locked_until = db.Column(db.DateTime, nullable=True)

    __table_args__ = (db.UniqueConstraint("scope", "address"),)
