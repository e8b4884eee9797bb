"""Demo data of the collection: fictional stations, proposals and candidate lists.

The main county gets 30 liaison stations, 44 proposals in every status (some
merged, some declined with a reason, some answered) and 15 candidate projects; every
other county and township gets 3-5 stations and 6-12 candidates. Idempotent: a body
that already has stations is left alone.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from voting.accounts.models import utcnow
from voting.collection import search
from voting.collection.models import Candidate, DeputyCode, LiaisonStation, Proposal, ProposalEvent
from voting.collection.services import new_tracking_code
from voting.extensions import db
from voting.integrity import audit

YEAR = 2026
ACTOR = "seed-demo"

MAIN_TOWNSHIPS = ["城关镇", "东湖镇", "西岭乡", "南山镇", "北河镇", "石桥镇", "柳溪乡", "金坪镇", "云台乡", "青石街道"]
STATION_KINDS = ["代表联络站", "社区代表联络点", "村代表联络点"]
CODE_PREFIX = {
    "青山县人大常委会": "QS", "白水县人大常委会": "BS",
    "青山县东湖镇人大": "DH", "青山县西岭乡人大": "XL", "白水县南坪镇人大": "NP", "白水县北溪乡人大": "BX",
}

# (title, description, category); the numbers at the end pick near-duplicates below.
IDEAS = [
    ("新建城东公办幼儿园", "城东片区新建小区多，适龄幼儿入园难，希望新建一所公办幼儿园，提供普惠学位。", "教育"),
    ("改造城关二小老旧教学楼", "城关二小教学楼建于上世纪八十年代，墙体开裂，建议加固改造并更新课桌椅。", "教育"),
    ("乡镇卫生院增设夜间门诊", "晚上看病要跑到县城，希望东湖镇卫生院开设夜间门诊，方便群众就医。", "医疗卫生"),
    ("建设社区居家养老服务中心", "老年人多，子女在外务工，建议在每个社区建设居家养老服务中心，提供助餐助浴。", "养老"),
    ("开通城区至西岭乡公交线路", "西岭乡群众进城只能坐私人面包车，希望开通城乡公交，定时发车。", "交通"),
    ("整治北河镇积水路段", "北河镇主街每逢下雨积水严重，建议改造排水管网，铺设透水路面。", "交通"),
    ("老旧小区加装电梯", "城关镇多栋老旧小区住户以老人为主，上下楼困难，希望政府补贴加装电梯。", "住房"),
    ("开展农村劳动力技能培训", "建议免费开展电工、焊工、家政等职业技能培训，帮助农民就近就业。", "就业"),
    ("治理柳溪河沿岸污水直排", "柳溪河沿岸有生活污水直排，夏天气味很大，建议建设污水收集管网。", "生态环境"),
    ("建设全民健身步道", "县城缺少散步锻炼的地方，建议沿河建设健身步道并配建公厕和座椅。", "文化体育"),
    ("学校周边增设护学岗和减速带", "石桥镇中心小学门口车辆多车速快，建议增设减速带、护学岗和监控。", "公共安全"),
    ("农村饮水安全提升", "金坪镇部分村自来水水压不足、水质浑浊，希望改造供水管网。", "其他"),
    ("增加城区停车泊位", "城区停车难，建议利用边角地建设公共停车场，增设泊位。", "交通"),
    ("村卫生室配备常用药品", "云台乡村卫生室常用药经常断供，建议保障基本药物供应。", "医疗卫生"),
    ("建设农贸市场", "南山镇没有规范的农贸市场，占道经营影响交通，建议新建农贸市场。", "其他"),
    ("图书馆延长开放时间", "县图书馆晚上和节假日不开放，建议延长开放时间，增设自习座位。", "文化体育"),
    ("增设社区助餐点", "独居老人吃饭难，建议在社区增设老年助餐点，提供价格实惠的午餐。", "养老"),
    ("公租房扩大保障范围", "新就业大学生和外来务工人员租房难，建议扩大公租房保障范围。", "住房"),
    ("建设零工市场", "打零工的人每天在路边等活，建议建设规范的零工市场，发布用工信息。", "就业"),
    ("农村道路安装路灯", "柳溪乡多条村道晚上一片漆黑，建议安装太阳能路灯，保障夜间出行安全。", "公共安全"),
]
DUPLICATES = [
    ("城东片区急需一所幼儿园", "我家住城东，附近没有公办幼儿园，孩子上幼儿园要跑很远，希望新建。", "教育", 0),
    ("希望开通去西岭乡的公交车", "西岭乡到县城没有公交，老人进城看病很不方便，希望开通公交线路。", "交通", 4),
    ("老小区加装电梯补贴", "建议对老旧小区加装电梯给予补贴，解决老人上下楼难题。", "住房", 6),
    ("柳溪河污水治理", "柳溪河边污水直接排进河里，河水发黑发臭，请求治理。", "生态环境", 8),
]
CANDIDATE_IDEAS = [
    ("新建城东公办幼儿园", "新增学位 360 个", "县教育局", "980.00"),
    ("城乡公交一体化（西岭线）", "开通城区至西岭乡公交线路，配置新能源公交车 6 辆", "县交通运输局", "420.00"),
    ("老旧小区加装电梯补贴", "补贴 40 部电梯，每部 15 万元", "县住房和城乡建设局", "600.00"),
    ("柳溪河沿岸污水管网建设", "建设污水收集管网 8.5 公里", "县生态环境分局", "1350.50"),
    ("社区居家养老服务中心", "建设 10 个社区居家养老服务中心", "县民政局", "560.00"),
    ("乡镇卫生院夜间门诊", "5 个中心卫生院开设夜间门诊", "县卫生健康局", "180.00"),
    ("农村劳动力技能培训", "培训 3000 人次", "县人力资源和社会保障局", "150.00"),
    ("沿河全民健身步道", "建设健身步道 6 公里及配套设施", "县文化广电旅游体育局", "720.00"),
    ("中小学校园安全提升", "学校周边减速带、护学岗和监控全覆盖", "县公安局", "95.80"),
    ("农村供水管网改造", "改造金坪、云台两镇供水管网", "县水利局", "880.00"),
    ("城区公共停车场建设", "新增停车泊位 800 个", "县住房和城乡建设局", "1100.00"),
    ("村卫生室基本药物保障", "全县 126 个村卫生室基本药物配备", "县卫生健康局", "76.00"),
    ("南山镇农贸市场", "新建标准化农贸市场一座", "县市场监督管理局", "650.00"),
    ("图书馆延时开放和自习室", "延长开放时间，新增自习座位 200 个", "县文化广电旅游体育局", "48.00"),
    ("北河镇主街排水改造", "改造排水管网 2.3 公里", "县住房和城乡建设局", "430.00"),
]
SMALL_CANDIDATES = [
    ("镇区道路亮化", "安装太阳能路灯 200 盏", "镇建设办", "86.00"),
    ("村级文化广场", "建设 3 个村级文化广场", "镇文化站", "45.00"),
    ("中心小学食堂改造", "改造食堂及配套设施", "镇中心学校", "68.50"),
    ("敬老院适老化改造", "改造敬老院居住设施", "镇民政办", "52.00"),
    ("农村公路安全防护", "增设护栏 12 公里", "镇交通办", "110.00"),
    ("饮用水水源地保护", "水源地围网和标识", "镇环保办", "30.00"),
    ("卫生院设备更新", "购置 DR、彩超设备", "镇卫生院", "160.00"),
    ("农村垃圾分类试点", "5 个村开展垃圾分类试点", "镇环卫所", "38.00"),
    ("便民服务中心改造", "一站式便民服务大厅", "镇党政办", "40.00"),
    ("农产品冷链仓储", "建设冷库 2 座", "镇农业服务中心", "120.00"),
    ("河道清淤整治", "清淤 5 公里", "镇水利站", "75.00"),
    ("留守儿童之家", "建设 4 个留守儿童之家", "镇妇联", "24.00"),
]
# Candidate number -> the proposal (index in IDEAS) it grew from; these are shortlisted first.
CANDIDATE_SOURCES = {0: 0, 1: 4, 2: 6, 3: 8, 4: 3, 7: 9}
STATUS_PLAN = (["pending"] * 12 + ["studying"] * 8 + ["shortlisted"] * 8 + ["declined"] * 4)
DECLINE_REASONS = ["属于企业经营事项，不宜列入政府民生实事。", "已列入今年市级项目，不再重复安排。",
                   "需求尚需进一步论证，建议先行调研。", "所需投资过大，超出本级财力，转有关部门研究。"]
REPLY = "感谢您的建议。县人大常委会已转有关部门研究，办理进展将在此公布。"


def _code(body, number: int) -> str:
    return f"{CODE_PREFIX.get(body.name, f'B{body.id}')}-{number:02d}"


def _stations(body, count: int, townships: list[str]) -> list[LiaisonStation]:
    stations = []
    for index in range(count):
        township = townships[index % len(townships)]
        kind = STATION_KINDS[(index // len(townships)) % len(STATION_KINDS)]
        stations.append(LiaisonStation(body_id=body.id, code=_code(body, index + 1),
                                       name=f"{township}{kind}" if index < len(townships) else f"{township}第{index // len(townships) + 1}{kind}",
                                       township=township, address=f"{township}人民路 {index + 1} 号"))
    db.session.add_all(stations)
    db.session.flush()
    return stations


def _event(proposal: Proposal, action: str, from_status, to_status, note: str = "") -> None:
    db.session.add(ProposalEvent(proposal_id=proposal.id, body_id=proposal.body_id, actor=ACTOR, action=action,
                                 from_status=from_status, to_status=to_status, note=note, at=proposal.created_at))


def _proposals(body, stations: list[LiaisonStation], codes: list[DeputyCode]) -> list[Proposal]:
    start = utcnow() - timedelta(days=40)
    made: list[Proposal] = []
    rounds = [(idea, None) for idea in IDEAS] + [(idea, None) for idea in IDEAS] + \
        [((t, d, c), target) for t, d, c, target in DUPLICATES]
    for number, ((title, description, category), target) in enumerate(rounds):
        station = stations[(number * 7) % len(stations)]
        repeat = number >= len(IDEAS) and target is None
        if repeat:
            title = title[:50] + "的建议"
            description = "再次反映：" + description
        deputy = codes[number % len(codes)] if number % 5 == 0 else None
        proposal = Proposal(body_id=body.id, station_id=station.id, deputy_code_id=deputy.id if deputy else None,
                            tracking_code=new_tracking_code(), title=title, description=description,
                            category=category, township=station.township, location=station.address,
                            contact=f"139{number:08d}" if number % 3 else "",
                            proposer=f"{deputy.deputy_name}代表" if deputy else "",
                            source="deputy" if deputy else "public", status="pending",
                            created_at=start + timedelta(hours=number * 19))
        db.session.add(proposal)
        db.session.flush()
        _event(proposal, "submitted", None, "pending", proposal.source_label)
        search.index_proposals([proposal.id])
        made.append((proposal, target))
    proposals = [p for p, _ in made]
    for index, (proposal, target) in enumerate(made):
        if target is not None:
            proposal.status, proposal.merged_into_id = "merged", proposals[target].id
            _event(proposal, "merged", "pending", "merged", f"合并至 #{proposals[target].id}“{proposals[target].title}”")
            continue
        status = STATUS_PLAN[index % len(STATUS_PLAN)] if index >= len(IDEAS) else \
            ("shortlisted" if index in CANDIDATE_SOURCES.values() else STATUS_PLAN[(index * 5) % len(STATUS_PLAN)])
        if status == "declined":
            proposal.decline_reason = DECLINE_REASONS[index % len(DECLINE_REASONS)]
        if status != "pending":
            proposal.status = status
            _event(proposal, "status_changed", "pending", status, proposal.decline_reason)
        if index % 4 == 1:
            proposal.reply = REPLY
            _event(proposal, "replied", proposal.status, proposal.status, REPLY)
    db.session.flush()
    return proposals


def _candidates(body, ideas, count: int, proposals=()) -> int:
    for index, (title, description, department, budget) in enumerate(ideas[:count]):
        candidate = Candidate(body_id=body.id, year=YEAR, title=title, description=description,
                              budget=Decimal(budget), department=department,
                              planned_completion=date(YEAR, 6 + index % 7, 28 if index % 2 else 30))
        db.session.add(candidate)
        source = proposals[CANDIDATE_SOURCES[index]] if proposals and index in CANDIDATE_SOURCES else None
        if source is not None and source.status == "shortlisted":
            candidate.proposals.append(source)
            db.session.flush()
            source.status = "candidate"
            _event(source, "listed", "shortlisted", "candidate", f"列入{YEAR}年候选项目“{title}”")
    db.session.flush()
    return min(count, len(ideas))


def seed(context) -> list[str]:
    out: list[str] = []
    main = context["main"]
    bodies = [main] + [b for b in context.get("counties", {}).values() if b.id != main.id] + \
        list(context.get("townships", {}).values())
    for position, body in enumerate(bodies):
        if db.session.execute(select(LiaisonStation.id).filter_by(body_id=body.id).limit(1)).first() is not None:
            continue
        if body.id == main.id:
            stations = _stations(body, 30, MAIN_TOWNSHIPS)
            codes = [DeputyCode(body_id=body.id, code=f"QS-D{n:02d}", deputy_name=name, station_id=stations[n].id)
                     for n, name in enumerate(["王建国", "李秀英", "张志强"], start=1)]
            db.session.add_all(codes)
            db.session.flush()
            proposals = _proposals(body, stations, codes)
            made = _candidates(body, CANDIDATE_IDEAS, 15, proposals)
            summary = f"征集: {body.name} 联络站 30 个、代表个人码 3 个、建议 {len(proposals)} 条、{YEAR} 年候选项目 {made} 个"
        else:
            township = body.name.replace("人大常委会", "").replace("人大", "")
            station_count = 3 + position % 3
            _stations(body, station_count, [township])
            made = _candidates(body, SMALL_CANDIDATES, 6 + (position * 5) % 7)
            summary = f"征集: {body.name} 联络站 {station_count} 个、{YEAR} 年候选项目 {made} 个"
        audit.record("collection_demo_seeded", actor=ACTOR, subject=f"body:{body.id}", body_id=body.id,
                     details={"summary": summary})
        out.append(summary)
    return out
