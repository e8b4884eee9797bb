"""POST /api/v1/auth/token and token revocation."""
from flask import jsonify, request

from voting.accounts import services as accounts
from voting.api.blueprint import bp
from voting.errors import Refusal
from voting.api.parsing import json_body, string_field
from voting.extensions import db, limiter


def _token_response(raw: str, token, role: str):
    return jsonify({"token": raw, "role": role, "expires_at": token.expires_at.isoformat() + "Z"})


def _card_login() -> bool:
    """A card login is exempt from the per-address limit: a hall's tablets or one API
    client sign in hundreds of deputies from one address. Unknown cards are counted in
    the database instead (meetings.services.deputy_for_card)."""
    try:
        data = request.get_json(silent=True) if request.is_json else None
    except RecursionError:  # absurdly nested: not a card login; json_body refuses it
        return False
    return isinstance(data, dict) and "card" in data


@bp.post("/auth/token")
@limiter.limit("30/minute", exempt_when=_card_login)  # staff passwords only; accounts are throttled too
def create_token():
    data = json_body()
    if "card" in data:
        from voting.meetings.services import deputy_for_card

        card = string_field(data, "card", max_length=200, label="登录卡")
        deputy = deputy_for_card(card, source=request.remote_addr or "")
        if deputy is None:
            raise Refusal(401, "invalid_card", "登录卡无效或已作废。")
        raw, token = accounts.issue_token(deputy=deputy)
        db.session.commit()
        return _token_response(raw, token, "deputy")
    username = string_field(data, "username", max_length=64, label="用户名")
    password = string_field(data, "password", max_length=200, label="密码")
    try:
        user = accounts.authenticate(username, password, source=request.remote_addr or "")
    except accounts.LoginRefused as refused:
        if refused.throttled:
            raise Refusal(429, "rate_limited", refused.message)
        raise Refusal(401, "invalid_credentials", refused.message)
    raw, token = accounts.issue_token(user=user)
    db.session.commit()
    return _token_response(raw, token, user.role)


@bp.post("/auth/revoke")
def revoke_token():
    """Revoke the bearer token this request carries (logout of a tablet or script)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not accounts.revoke_token(header[len("Bearer "):].strip()):
        raise Refusal(401, "unauthorized", "令牌无效或已作废。")
    return jsonify({"revoked": True})
