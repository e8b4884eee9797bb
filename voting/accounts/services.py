"""Account operations: login with throttling, bearer tokens, users and bodies."""
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from voting.accounts.models import STAFF_ROLES, ApiToken, Body, BodyLevel, User, utcnow
from voting.extensions import db
from voting.integrity import audit
from voting.meetings.models import Deputy


class LoginRefused(Exception):
    """A login that did not succeed; `message` is for the user, in Chinese."""

    def __init__(self, message: str, throttled: bool = False):
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def token_hash(raw: str) -> str:
    from voting.integrity.keys import credential_hash

    return credential_hash("api-token", raw)


def backoff_wait(failures: int, last_failed_at: datetime | None, locked_until: datetime | None,
                 slowdown_after: int, now: datetime) -> timedelta:
    """Delay still required before the next attempt: the rest of a lock, or, from
    `slowdown_after` failures on, 2 s, 4 s, 8 s, ... (at most 60 s) after the last one.
    Shared by the staff login (per account) and the card login (per address)."""
    if locked_until and locked_until > now:
        return locked_until - now
    extra = failures - slowdown_after
    if extra >= 0 and last_failed_at:
        delay = timedelta(seconds=min(2 ** (extra + 1), 60))
        ready_at = last_failed_at + delay
        if ready_at > now:
            return ready_at - now
    return timedelta(0)


def _wait_needed(user: User, now: datetime) -> timedelta:
    """Delay still required before the next attempt on this account."""
    return backoff_wait(user.failed_logins, user.last_failed_at, user.locked_until,
                        current_app.config["LOGIN_SLOWDOWN_AFTER"], now)


def authenticate(username: str, password: str, *, now: datetime | None = None, source: str = "") -> User:
    """Check a staff login. Repeated failures slow down, then lock the account.
    Commits (a failure must be remembered even though the caller gets an error)."""
    now = now or utcnow()
    cfg = current_app.config
    user = db.session.execute(select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        audit.record("login_failed", actor=source, subject=f"unknown:{username[:40]}")
        db.session.commit()
        raise LoginRefused("用户名或密码错误。")
    wait = _wait_needed(user, now)
    if wait > timedelta(0):
        seconds = int(wait.total_seconds()) + 1
        raise LoginRefused(f"登录失败次数过多，请 {seconds} 秒后再试。", throttled=True)
    if not user.active or not user.check_password(password):
        user.failed_logins += 1
        user.last_failed_at = now
        if user.failed_logins >= cfg["LOGIN_LOCK_AFTER"]:
            user.locked_until = now + cfg["LOGIN_LOCK_FOR"]
        audit.record("login_failed", actor=source, subject=f"user:{user.id}", body_id=user.body_id,
                     details={"failures": user.failed_logins})
        db.session.commit()
        if user.locked_until and user.locked_until > now:
            minutes = int(cfg["LOGIN_LOCK_FOR"].total_seconds() // 60)
            raise LoginRefused(f"登录失败次数过多，账号已锁定 {minutes} 分钟。", throttled=True)
        raise LoginRefused("用户名或密码错误。")
    user.failed_logins = 0
    user.last_failed_at = None
    user.locked_until = None
    db.session.commit()
    return user


def issue_token(*, user: User | None = None, deputy=None, now: datetime | None = None,
                lifetime: timedelta | None = None) -> tuple[str, ApiToken]:
    """Create a bearer token; only its hash is stored. The caller commits."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=token_hash(raw),
        user_id=user.id if user else None,
        deputy_id=deputy.id if deputy else None,
        expires_at=now + (lifetime or current_app.config["API_TOKEN_LIFETIME"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def find_token(raw: str) -> ApiToken | None:
    """The token with its holder (and a deputy's meeting) in one query: every API
    request of a tablet starts here."""
    if not raw:
        return None
    return db.session.execute(
        select(ApiToken).filter_by(token_hash=token_hash(raw))
        .options(joinedload(ApiToken.user), joinedload(ApiToken.deputy).joinedload(Deputy.meeting))
    ).scalar_one_or_none()


def resolve_token(raw: str, now: datetime | None = None):
    """The principal a token stands for, or None when unknown, expired or revoked."""
    token = find_token(raw)
    now = now or utcnow()
    if token is None or token.revoked or token.expires_at <= now:
        return None
    holder = token.holder
    if holder is None or not holder.is_active:
        return None
    return holder


def revoke_token(raw: str) -> bool:
    token = find_token(raw)
    if token is None or token.revoked:
        return False
    token.revoked = True
    db.session.commit()
    return True


def top_body() -> Body | None:
    return db.session.execute(
        select(Body).where(Body.parent_id.is_(None)).order_by(Body.id).limit(1)
    ).scalar_one_or_none()


def ensure_top_body(name: str = "本级人大常委会", level: str = BodyLevel.county.value) -> tuple[Body, bool]:
    body = top_body()
    if body is not None:
        return body, False
    body = Body(name=name, level=level)
    db.session.add(body)
    db.session.flush()
    audit.record("body_created", actor="cli", subject=f"body:{body.id}", body_id=body.id, details={"name": name})
    return body, True


def create_or_update_user(username: str, role: str, password: str, *, body: Body,
                          display_name: str = "", department: str | None = None,
                          actor: str = "cli") -> tuple[User, bool]:
    """Create the account, or reset its role, body and password. Returns (user, created)."""
    if role not in STAFF_ROLES:
        raise ValueError(f"未知角色：{role}")
    if len(password) < 8:
        raise ValueError("密码至少 8 位。")
    user = db.session.execute(select(User).filter_by(username=username)).scalar_one_or_none()
    created = user is None
    if created:
        user = User(username=username)
    user.role = role
    user.body_id = body.id
    user.display_name = display_name or user.display_name or username
    user.department = department
    user.set_password(password)
    user.failed_logins = 0
    user.locked_until = None
    db.session.add(user)
    db.session.flush()
    audit.record("user_created" if created else "user_updated", actor=actor, subject=f"user:{user.id}",
                 body_id=body.id, details={"username": username, "role": role})
    return user, created
