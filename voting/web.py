"""Wiring of blueprints, error pages, security headers and the login loader."""
from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from voting.inputlimits import id_from
from voting.api.errors import error_response, handle_http_exception_as_json, wants_json
from voting.errors import Refusal
from voting.database import write_intent
from voting.extensions import csrf, db, login_manager
from voting.moved import register_moved

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def register_web(app: Flask) -> None:
    from voting.api import bp as api_bp
    from voting.accounts.admin import bp as admin_bp
    from voting.accounts.views import bp as accounts_bp

    blueprints = [accounts_bp, admin_bp, api_bp]
    for optional in _domain_blueprints():
        blueprints.append(optional)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)
    register_moved(app)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.user_loader(_load_principal)

    @app.get("/healthz")
    def healthz():
        return jsonify({"ok": True})

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for /favicon.ico on every page whatever the <link> says."""
        return app.send_static_file("favicon.ico")

    app.context_processor(_template_helpers)
    app.add_template_filter(_localtime_filter, "localtime")
    app.add_template_filter(_person_filter, "person")
    app.before_request(_before_request)
    app.before_request(_api_csrf_for_cookie_sessions)
    app.after_request(_security_headers)
    app.teardown_request(_teardown)
    _register_error_handlers(app)


def _domain_blueprints():
    """Every domain's blueprint, by name (each package's views.py exposes `bp`)."""
    from voting.appraisals.views import bp as appraisals
    from voting.ballots.views import bp as ballots
    from voting.collection.views import bp as collection  # with its intake and stations pages
    from voting.meetings.views import bp as meetings
    from voting.rollups.views import bp as rollups
    from voting.sheets.views import bp as sheets
    from voting.tellers.views import bp as tellers
    from voting.tracking.views import bp as tracking
    from voting.verification.views import bp as verification

    return [meetings, ballots, collection, tracking, appraisals, rollups, verification, sheets, tellers]


def _load_principal(identity: str):
    from voting.accounts.models import SESSION_VERSION_KEY, User
    from voting.meetings.models import Deputy

    kind, _, raw_id = identity.partition(":")
    if id_from(raw_id) is None:
        return None
    model = {"u": User, "d": Deputy}.get(kind)
    principal = db.session.get(model, id_from(raw_id)) if model else None
    # A disabled account, or a deputy whose meeting has closed, is signed out at once.
    if principal is None or not principal.is_active:
        return None
    from flask import session

    if kind == "d":
        from voting.live.access import CARD_VERSION_KEY

        if session.get(CARD_VERSION_KEY) != principal.card_version:
            return None  # the tablet logged in with a card that has since been reissued
    elif session.get(SESSION_VERSION_KEY) != principal.session_version:
        return None  # the account logged out (or changed its password) since this session began
    return principal


def _template_helpers():
    from voting.accounts.models import ROLE_LABELS
    from voting.accounts.views import dashboard_links

    def nav_links():
        from flask_login import current_user

        if not current_user.is_authenticated or current_user.role == "deputy":
            return []
        return [{"url": "/dashboard", "label": "工作台"}] + dashboard_links(current_user.role)[:6]

    def endpoints():
        from flask import current_app

        return {rule.endpoint for rule in current_app.url_map.iter_rules()}

    return {"nav_links": nav_links, "role_label": lambda r: ROLE_LABELS.get(r, r), "endpoints": endpoints}


def _person_filter(actor) -> str:
    """{{ e.actor|person }}: the name a reader knows for a stored actor (voting/accounts/people.py)."""
    from voting.accounts.people import display_person

    return display_person(actor)


def _localtime_filter(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """{{ p.created_at|localtime }}, {{ u.published_at|localtime('%Y-%m-%d') }}: the display zone."""
    from voting.localtime import local_text

    return local_text(moment, fmt)


# Endpoints that read first and take the write lock themselves, only for their short
# write at the end (a cast: checks and sealing outside SQLite's single write lock).
READ_FIRST_ENDPOINTS = {"api.cast_vote"}


def _before_request():
    write_intent.set(request.method not in READ_METHODS and request.endpoint not in READ_FIRST_ENDPOINTS)
    # NUL never belongs in text and PostgreSQL refuses it: stop it before any query sees it.
    if any("\x00" in value for values in (request.args, request.form, request.view_args or {})
           for value in (values.values() if hasattr(values, "values") else [])
           if isinstance(value, str)):
        from werkzeug.exceptions import BadRequest

        raise BadRequest()
    # An app context reused across requests (tests, CLI) must not carry one caller's login into the next.
    from flask import g

    g.pop("principal", None)
    g.pop("bearer", None)
    g.pop("_login_user", None)


def _api_csrf_for_cookie_sessions():
    """Bearer requests need no CSRF token; a browser using its cookie session does."""
    if request.blueprint != "api" or request.method in READ_METHODS:
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    from flask_login import current_user

    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except Exception:  # flask_wtf raises ValidationError with an English message
            raise Refusal(400, "csrf_failed", "页面已过期，请刷新后重试。")
    return None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/") or _holds_secrets(response):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _holds_secrets(response) -> bool:
    """A page for someone signed in (login cards, deputy codes, screen tokens, names) or
    reached with a token in its address (the hall screen) is kept by no cache: not the
    browser's, not a proxy's. Static files and public pages keep their own rules."""
    if response.mimetype != "text/html":
        return False
    if "token" in request.args:
        return True
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def _teardown(exc):
    if exc is not None:
        db.session.rollback()


def _register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Refusal, _refusal)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return error_response(400, "csrf_failed", "页面已过期，请刷新后重试。")
        return render_template("errors/error.html", code=400, title="页面已过期",
                               message="表单已过期或缺少安全令牌，请返回刷新后重试。"), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        if wants_json():
            return handle_http_exception_as_json(error)
        if error.code == 401:
            from flask import redirect, url_for

            return redirect(url_for("accounts.login", next=request.full_path))
        return _error_page(error.code or 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_busy(error):
        """No database connection free within the pool timeout, the SQLite write lock not
        obtained within busy_timeout, or the server unreachable: nothing was stored, so
        the client may retry (a tablet does, with the same Idempotency-Key)."""
        db.session.rollback()
        app.logger.warning("database busy or unavailable on %s %s: %s", request.method, request.path,
                           type(error).__name__)
        if wants_json():
            response = error_response(503)
        else:
            response = app.make_response((_error_page(503)))
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return error_response(500)
        return _error_page(500)


def _refusal(error: Refusal):
    """The one mapping of a refusal: the JSON error of API.md under /api/, a page elsewhere."""
    db.session.rollback()
    if wants_json():
        return error_response(error.status, error.code, error.message)
    return render_template("errors/error.html", code=error.status, title="操作未完成",
                           message=error.message), error.status


ERROR_TEXT = {
    400: ("请求有误", "提交的内容格式不正确，请检查后重试。"),
    403: ("无权访问", "您的账号没有权限查看或执行此操作。"),
    404: ("页面不存在", "您要找的页面不存在，或者已被移除。"),
    405: ("不支持的操作", "此页面不支持该操作方式。"),
    413: ("内容过大", "上传的文件或提交的内容过大。"),
    429: ("操作过于频繁", "请稍等片刻再试。"),
    503: ("服务器繁忙", "服务器暂时繁忙，请稍等片刻后刷新重试。"),
    500: ("系统出错", "系统暂时出现问题，请稍后重试或联系管理员。"),
}


def _error_page(code: int):
    title, message = ERROR_TEXT.get(code, ("请求未完成", "请求未能完成。"))
    return render_template("errors/error.html", code=code, title=title, message=message), code
