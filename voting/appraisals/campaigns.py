"""Appraisal campaigns (满意度测评, 述职评议): their fields, rule and items, all checked."""
import json
from datetime import date

from sqlalchemy import select

from voting.inputlimits import id_from, small_int
from voting.errors import Refusal, invalid
from voting.extensions import db
from voting.integrity import audit
from voting.integrity.canonical import canonical_json
from voting.appraisals.models import AppraisalCampaign, AppraisalItem, Official
from voting.rules import APPRAISAL, DEFAULT_APPRAISAL_OPTIONS, OPTION_NAMES, RuleError, rule_from_json, rule_text
from voting.rules.forms import appraisal_rule, graded_threshold, threshold_fields, weighted_rule
from voting.tracking.models import LivelihoodProject


BASE_OPTIONS = list(DEFAULT_APPRAISAL_OPTIONS)
EXTRA_OPTIONS = ("unknown", "abstain")
MODE_LABELS = {"rate": "满意率", "graded": "等次评定（常委会）", "weighted": "加权评分（述职评议）"}
VERDICT_NAMES = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
REREPORT = "rereport_required"
MAX_ATTACHMENTS = 5
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_FOLDER = "rereports"
MAX_COMMENT = 500
MAX_OFFICIALS = 500


def conflict(message: str, code: str = "invalid_transition") -> Refusal:
    return Refusal(409, code, message)


def _clean(value, label: str, high: int, required: bool = True) -> tuple[str, str | None]:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return "", (f"请填写{label}。" if required else None)
    if len(text) > high:
        return "", f"{label}不能超过{high}个字。"
    return text, None


def _date(value, label: str, required: bool = True) -> tuple[date | None, str | None]:
    if isinstance(value, date):
        return value, None
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None, (f"请填写{label}。" if required else None)
    try:
        parsed = date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        return None, f"{label}应为日期，如 2026-06-30。"
    if not 1950 <= parsed.year <= 2100:
        return None, f"{label}超出合理范围。"
    return parsed, None


def options_with(unknown: bool, abstain: bool) -> list[str]:
    return BASE_OPTIONS + (["unknown"] if unknown else []) + (["abstain"] if abstain else [])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("；", "\n").splitlines() if line.strip()]


def rule_from_form(data: dict) -> dict:
    """The rule JSON of voting.rules from the campaign form's fields:
    mode; threshold (rate: fraction "4/5", inclusive, base); weights and bands
    (weighted: "满意 100" lines are not needed: one field per option, and bands as
    "90 优秀" lines); below label. Raises Refusal on anything rule_from_json refuses."""
    mode = (data.get("mode") or "rate").strip()
    if mode == "graded":
        return appraisal_rule(mode, graded_threshold(data.get("graded_fraction")))
    if mode == "rate":
        fraction = (data.get("fraction") or "").strip()
        # a rate line typed without its box ticked is exclusive (> share), as the form says
        threshold = threshold_fields(fraction, data.get("inclusive") or "0", data.get("base")) if fraction else None
        return appraisal_rule(mode, threshold)
    if mode == "weighted":
        weights = {option: data.get(f"weight_{option}") for option in BASE_OPTIONS + ["abstain"]
                   if (data.get(f"weight_{option}") or "").strip()}
        bands_text = data.get("bands")
        bands = None if bands_text is None else [line.partition(" ")[::2] for line in _lines(bands_text)]
        return weighted_rule(weights, bands, data.get("below"))
    return {"mode": mode}


def checked_rule(rule: dict, options: list[str]) -> dict:
    """The rule with every default filled in, as the ballot will store it."""
    try:
        parsed = rule_from_json(APPRAISAL, rule)
    except RuleError as error:
        raise invalid({"rule": f"测评规则有误：{error}"}, "invalid_rule")
    weights = getattr(parsed, "weights", None)
    if weights:
        stray = sorted(set(weights) - set(options))
        if stray:
            names = "、".join(OPTION_NAMES.get(o, o) for o in stray)
            raise invalid({"rule": f"计分的选项不在本次测评的选项中：{names}"}, "invalid_rule")
    return parsed.to_json()


def describe_rule(rule: dict) -> str:
    return rule_text(APPRAISAL, rule_from_json(APPRAISAL, rule))


def create_campaign(body_id: int, data: dict, actor: str) -> AppraisalCampaign:
    errors = {}
    title, problem = _clean(data.get("title"), "测评名称", 200)
    if problem:
        errors["title"] = problem
    raw_year = str(data.get("year") or "").strip()
    year = small_int(raw_year)
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = "请填写年度，如 2026。"
    options = options_with(bool(data.get("unknown")), bool(data.get("abstain")))
    rule = None
    try:
        rule = checked_rule(data.get("rule") if isinstance(data.get("rule"), dict) else rule_from_form(data), options)
    except Refusal as error:
        errors.update(error.errors)
    if errors:
        raise invalid(errors, "invalid_campaign")
    campaign = AppraisalCampaign(body_id=body_id, year=year, title=title, options_json=json.dumps(options),
                                 rule_json=canonical_json(rule).decode(), created_by=actor)
    db.session.add(campaign)
    db.session.flush()
    audit.record("appraisal_campaign_created", actor=actor, subject=f"appraisal:{campaign.id}", body_id=body_id,
                 details={"title": title, "year": year, "options": options, "rule": rule})
    db.session.commit()
    return campaign


def campaigns_of(body_id: int, year: int | None = None) -> list[AppraisalCampaign]:
    query = select(AppraisalCampaign).where(AppraisalCampaign.body_id == body_id)
    if year is not None:
        query = query.where(AppraisalCampaign.year == year)
    return list(db.session.scalars(query.order_by(AppraisalCampaign.year.desc(), AppraisalCampaign.id.desc())))


def _editable(campaign: AppraisalCampaign) -> None:
    if campaign.ballot_id is not None:
        raise conflict("测评表决已经生成，不能再更改测评项目。")


def candidate_projects(campaign: AppraisalCampaign) -> list[LivelihoodProject]:
    taken = {item.project_id for item in campaign.items if item.project_id}
    projects = db.session.scalars(select(LivelihoodProject).where(
        LivelihoodProject.body_id == campaign.body_id, LivelihoodProject.year == campaign.year)
        .order_by(LivelihoodProject.id))
    return [p for p in projects if p.id not in taken]


def candidate_officials(campaign: AppraisalCampaign) -> list[Official]:
    taken = {item.official_id for item in campaign.items if item.official_id}
    officials = db.session.scalars(select(Official).where(Official.body_id == campaign.body_id)
                                   .order_by(Official.department, Official.id))
    return [o for o in officials if o.id not in taken]


def add_items(campaign: AppraisalCampaign, *, project_ids=(), official_ids=(), actor: str) -> list[AppraisalItem]:
    """Add projects of the campaign's body and year, and officials of its body."""
    _editable(campaign)
    projects = {p.id: p for p in candidate_projects(campaign)}
    officials = {o.id: o for o in candidate_officials(campaign)}
    wanted_projects = [id_from(i) for i in project_ids if id_from(i) is not None]
    wanted_officials = [id_from(i) for i in official_ids if id_from(i) is not None]
    unknown = [i for i in wanted_projects if i not in projects] + [i for i in wanted_officials if i not in officials]
    if unknown:
        raise Refusal(404, "not_found", "所选的项目或人员不存在、不属于本年度，或已在本次测评中。")
    if not wanted_projects and not wanted_officials:
        raise invalid({"items": "请至少选择一个项目或一名人员。"}, "invalid_items")
    position = max((item.position for item in campaign.items), default=0)
    added = []
    for pid in dict.fromkeys(wanted_projects):
        position += 1
        added.append(AppraisalItem(campaign_id=campaign.id, body_id=campaign.body_id, kind="project",
                                   position=position, project_id=pid))
    for oid in dict.fromkeys(wanted_officials):
        position += 1
        added.append(AppraisalItem(campaign_id=campaign.id, body_id=campaign.body_id, kind="official",
                                   position=position, official_id=oid))
    db.session.add_all(added)
    db.session.flush()
    audit.record("appraisal_items_added", actor=actor, subject=f"appraisal:{campaign.id}", body_id=campaign.body_id,
                 details={"projects": wanted_projects, "officials": wanted_officials})
    db.session.commit()
    return added


def remove_item(item: AppraisalItem, actor: str) -> None:
    campaign = item.campaign
    _editable(campaign)
    audit.record("appraisal_item_removed", actor=actor, subject=f"appraisal:{campaign.id}", body_id=campaign.body_id,
                 details={"item": item.id, "reference": item.reference})
    db.session.delete(item)
    db.session.commit()
