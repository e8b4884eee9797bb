"""Staff login and logout, the home page and the role dashboards."""
from collections.abc import Callable
from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from voting.accounts import services
from voting.accounts.forms import LoginForm
from voting.accounts.models import ROLE_LABELS, SESSION_VERSION_KEY
from voting.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/index.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data.strip(), form.password.data,
                                         source=request.remote_addr or "")
        except services.LoginRefused as refused:
            error = refused.message
            status = 429 if refused.throttled else 401
        else:
            login_user(user)
            session[SESSION_VERSION_KEY] = user.session_version
            flash(f"欢迎，{user.name}（{ROLE_LABELS[user.role]}）。", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.dashboard"))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    """Sign out, and end every other session of the account too: a cookie saved
    before this moment (another browser, a copied cookie) opens nothing any more."""
    if current_user.is_authenticated and not getattr(current_user, "is_deputy", False):
        user = current_user._get_current_object()
        user.session_version = (user.session_version or 0) + 1
        db.session.commit()
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/dashboard")
def dashboard():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next="/dashboard"))
    if current_user.role == "deputy":
        return redirect(url_for("meetings.tablet")) if "meetings.tablet" in _endpoints() else render_template(
            "accounts/dashboard.html", links=[], panels=[])
    return render_template("accounts/dashboard.html", links=dashboard_links(current_user.role),
                           panels=dashboard_panels(current_user.role))


def _endpoints() -> set[str]:
    from flask import current_app

    return {rule.endpoint for rule in current_app.url_map.iter_rules()}


# Each domain adds its entries: role -> [(endpoint, label, description)].
DASHBOARD_LINKS: list[tuple[set[str], str, str, str]] = []


def add_dashboard_link(roles: set[str], endpoint: str, label: str, description: str) -> None:
    DASHBOARD_LINKS.append((roles, endpoint, label, description))


def dashboard_links(role: str) -> list[dict]:
    available = _endpoints()
    return [
        {"url": url_for(endpoint), "label": label, "description": description}
        for roles, endpoint, label, description in DASHBOARD_LINKS
        if role in roles and endpoint in available
    ]


# Each domain may also add a panel of live figures: (roles, template, build), where
# build() returns the template's variables, or None to leave the panel out.
DASHBOARD_PANELS: list[tuple[set[str], str, Callable[[], dict | None]]] = []


def add_dashboard_panel(roles: set[str], template: str, build: Callable[[], dict | None]) -> None:
    DASHBOARD_PANELS.append((roles, template, build))


def dashboard_panels(role: str) -> list[dict]:
    panels = []
    for roles, template, build in DASHBOARD_PANELS:
        if role in roles:
            variables = build()
            if variables is not None:
                panels.append({"template": template, **variables})
    return panels
