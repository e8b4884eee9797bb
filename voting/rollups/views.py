"""Roll-up pages for parent bodies: /rollups and its XLSX export."""

from flask import Blueprint, abort, render_template, request, send_file
from io import BytesIO

from voting.localtime import local_today
from voting.inputlimits import id_from, small_int
from voting.accounts.models import Body
from voting.accounts.permissions import READ_ROLLUP, current_principal, ensure_readable, require
from voting.accounts.views import add_dashboard_link
from voting.collection.charts import bar_chart
from voting.extensions import db
from voting.rollups import services
from voting.rollups.exports import NOTE, rollup_xlsx
from voting.tracking.progress import STATUS_LABELS

bp = Blueprint("rollups", __name__, url_prefix="/rollups")

add_dashboard_link({"leader", "secretariat", "admin"}, "rollups.index", "下级汇总",
                   "各县乡票决项目、投资、督办与测评结果汇总")


def _parent_and_year():
    principal = current_principal()
    body_id = request.args.get("body", "")
    parent = db.session.get(Body, id_from(body_id)) if id_from(body_id) is not None else db.session.get(Body, principal.body_id)
    if parent is None:
        abort(404)
    ensure_readable(principal, parent.id)
    years = services.rollup_years(parent)
    raw_year = request.args.get("year", "")
    year = small_int(raw_year) if 2000 <= (small_int(raw_year) or 0) <= 2100 else (years[0] if years else local_today().year)
    return parent, year, years


@bp.get("")
@require(READ_ROLLUP)
def index():
    parent, year, years = _parent_and_year()
    data = services.rollup(parent, year, local_today())
    chart = bar_chart([(row.body.name, row.projects) for row in data.rows], f"{year} 年各机构票决产生项目数")
    return render_template("rollups/index.html", data=data, years=years, chart=chart, statuses=STATUS_LABELS,
                           format_wan=services.format_wan, note=NOTE)


@bp.get("/export.xlsx")
@require(READ_ROLLUP)
def export_xlsx():
    parent, year, _ = _parent_and_year()
    data = services.rollup(parent, year, local_today())
    return send_file(BytesIO(rollup_xlsx(data)), as_attachment=True, download_name=f"rollup-{parent.id}-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
