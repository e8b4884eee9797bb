"""`flask verify` for ballots: signatures, recounts, participation = cast ballots.

For every closed or published ballot: the stored sheet's Ed25519 signature holds and
was made with this installation's key; recounting the stored sealed ballots under the
frozen rule gives exactly the stored sheet; each tracker is the hash of its sealed
ballot; the sheet's digest is the one recorded in the audit chain at close. For every
ballot that has opened: tablet participations = tablet cast ballots; paper ballots
entered ≤ paper ballots issued (one may be taken away and never returned), and = the
entries the audit log recorded; the audit log backs the ballot's state (opened,
closed, published), so deleting the last entries of the log is noticed.
"""
import json

from sqlalchemy import func, select

from voting.inputlimits import id_from
from voting.ballots.models import Ballot, BallotState, CastBallot, Participation
from voting.ballots.paper import batch_ballots
from voting.ballots.services import (CountError, count_ballot, counted_part, participation_count, sheet_digest, stored_sheet,
                                     trackers_digest)
from voting.extensions import db
from voting.tellers.tally import encrypted_sums_digest
from voting.integrity import keys
from voting.integrity.models import AuditEntry


def _channel_counts(model, ballot_id: int) -> dict:
    rows = db.session.execute(select(model.channel, func.count()).where(model.ballot_id == ballot_id)
                              .group_by(model.channel))
    counts = {"tablet": 0, "paper": 0}
    counts.update({channel: n for channel, n in rows})
    return counts


SHEET_ACTIONS = ("ballot_closed", "ballot_counted")  # the entry that stored the sheet (counted: under tellers)


def _recorded_digest(ballot_id: int) -> str | None:
    details = db.session.scalar(select(AuditEntry.details).where(
        AuditEntry.action.in_(SHEET_ACTIONS), AuditEntry.subject == f"ballot:{ballot_id}")
        .order_by(AuditEntry.id.desc()).limit(1))
    return json.loads(details).get("sheet_sha256") if details else None


def check_sheet(ballot: Ballot, echo) -> list[str]:
    name = f"表决 {ballot.id}「{ballot.title}」"
    try:
        sheet = stored_sheet(ballot)
    except ValueError:  # the stored JSON no longer parses: a changed byte, say
        echo(f"{name}: 计票单内容已损坏")
        return [f"{name} 的计票单内容已损坏，无法读取"]
    if sheet is None:
        echo(f"{name}: 缺少计票单")
        return [f"{name} 已结束但没有计票单"]
    problems = []
    signed = keys.verify_sheet(sheet)
    ours = (sheet.get("signature") or {}).get("public_key") == keys.public_key_b64()
    echo(f"{name}: 计票单签名 {'通过' if signed and ours else '不符'}")
    if not signed:
        problems.append(f"{name} 的计票单签名不符")
    elif not ours:
        problems.append(f"{name} 的计票单不是用本系统的密钥签名的")
    try:
        recount = count_ballot(ballot)
    except CountError as error:
        echo(f"{name}: 重新计票 失败")
        return problems + [str(error)]
    stored = counted_part(sheet)
    if "encryption" not in stored:  # signed before sheets said how the ballot was kept secret
        recount.pop("encryption", None)
    same = recount == stored
    echo(f"{name}: 重新计票（{recount['cast']} 张选票）{'与计票单一致' if same else '与计票单不一致'}")
    if not same:
        differing = sorted(k for k in set(recount) | set(stored) if recount.get(k) != stored.get(k))
        problems.append(f"{name} 重新计票与计票单不一致：{'、'.join(differing)}")
    problems.extend(_check_against_opening(ballot, sheet, name, echo))
    problems.extend(check_integrity(ballot, sheet, name, echo))
    recorded = _recorded_digest(ballot.id)
    if recorded != sheet_digest(sheet):
        echo(f"{name}: 计票单摘要与审计日志不符")
        problems.append(f"{name} 的计票单与结束时审计日志记录的摘要不符")
    return problems


def check_integrity(ballot: Ballot, sheet: dict, name: str, echo) -> list[str]:
    """The signed `integrity` block: the trackers and participations stored now are
    those the sheet was signed over, and the ballot_closed entry chains onto the audit
    head it names. A sheet signed before the block existed has none (said, not failed:
    removing it from a newer sheet breaks the signature)."""
    pinned = sheet.get("integrity")
    if pinned is None:
        echo(f"{name}: 计票单为旧版，未记载完整性信息")
        return []
    if not isinstance(pinned, dict):
        return [f"{name} 的计票单完整性信息已损坏"]
    problems = []
    if pinned.get("trackers_sha256") != trackers_digest(ballot.id):
        problems.append(f"{name} 的选票回执与计票单签名时的不同（选票被替换、增加或删除）")
    if pinned.get("participations") != participation_count(ballot.id):
        problems.append(f"{name} 的参与人数 {participation_count(ballot.id)} 与计票单记载的 "
                        f"{pinned.get('participations')} 不符")
    chained = db.session.scalar(select(AuditEntry.prev_hash).where(
        AuditEntry.action.in_(SHEET_ACTIONS), AuditEntry.subject == f"ballot:{ballot.id}")
        .order_by(AuditEntry.id.desc()).limit(1))
    if chained != pinned.get("audit_head"):
        problems.append(f"{name} 结束时的审计链位置与计票单记载的不符")
    echo(f"{name}: 计票单完整性信息（回执摘要、参与人数、审计链头）{'一致' if not problems else '不符'}")
    return problems


def _check_against_opening(ballot: Ballot, sheet: dict, name: str, echo) -> list[str]:
    """The rule and the roster total a sheet was counted under are the ones frozen when
    the ballot opened, as the (MACed) ballot_opened entry recorded them: changing the
    stored rule while the ballot is open, or after, makes the recount agree with a
    wrong sheet, but not with this entry."""
    details = db.session.scalar(select(AuditEntry.details).where(
        AuditEntry.action == "ballot_opened", AuditEntry.subject == f"ballot:{ballot.id}")
        .order_by(AuditEntry.id.desc()).limit(1))
    opened = json.loads(details) if details else {}
    problems = []
    for field, label in (("rule", "计票规则"), ("total", "应到人数"), ("issued", "发出票数")):
        if field in opened and opened[field] != sheet.get(field):
            problems.append(f"{name} 计票单的{label}与开始表决时审计日志记录的不同")
    echo(f"{name}: 计票规则与开始表决时 {'一致' if not problems else '不符'}")
    return problems


def _check_paper_issued(ballot: Ballot, name: str) -> list[str]:
    """Each paper participation (a deputy handed a paper ballot) matches one
    paper_ballot_issued entry of the (MACed) audit log, and the other way round: a
    participation row written into the database afterwards is noticed."""
    issued = set()
    for subject, details in db.session.execute(select(AuditEntry.subject, AuditEntry.details).where(
            AuditEntry.action == "paper_ballot_issued", AuditEntry.body_id == ballot.body_id)):
        if json.loads(details or "{}").get("ballot") == ballot.id and subject.startswith("deputy:"):
            issued.add(subject[len("deputy:"):])
    stored = {str(deputy_id) for deputy_id in db.session.scalars(select(Participation.deputy_id).where(
        Participation.ballot_id == ballot.id, Participation.channel == "paper"))}
    if stored == issued:
        return []
    return [f"{name} 纸质选票发放记录与审计日志不符：数据库中 {len(stored)} 人，审计日志中 {len(issued)} 人"
            + (f"（多出 {len(stored - issued)} 人）" if stored - issued else "")]


def _audited_paper_entries(ballot_id: int) -> int:
    """Paper ballots the audit log says were entered: one per `paper_ballot_recorded`
    entry plus the `ballots` of each `paper_totals_recorded` entry."""
    subject = f"ballot:{ballot_id}"
    single = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "paper_ballot_recorded", AuditEntry.subject == subject)) or 0
    batches = db.session.scalars(select(AuditEntry.details).where(
        AuditEntry.action == "paper_totals_recorded", AuditEntry.subject == subject))
    return single + sum(int(json.loads(details or "{}").get("ballots") or 0) for details in batches)


def check_participation(ballot: Ballot, echo) -> list[str]:
    """Tablet: every participation has exactly one cast ballot. Paper: a participation
    means a paper ballot was handed out, which the deputy may take away unreturned (the
    sheet counts it as issued but not cast, 未投); so paper entered ≤ paper issued, and
    the entries stored match those the audit log recorded."""
    name = f"表决 {ballot.id}「{ballot.title}」"
    voted = _channel_counts(Participation, ballot.id)
    cast = _channel_counts(CastBallot, ballot.id)
    cast["paper"] += batch_ballots(ballot.id)  # paper ballots entered as counted totals
    unreturned = max(voted["paper"] - cast["paper"], 0)
    echo(f"{name}: 参与 平板 {voted['tablet']} / 纸质 {voted['paper']}，"
         f"选票 平板 {cast['tablet']} / 纸质 {cast['paper']}"
         + (f"（纸质选票未收回 {unreturned} 张）" if unreturned else ""))
    problems = []
    if voted["tablet"] != cast["tablet"]:
        problems.append(f"{name} 平板参与人数 {voted['tablet']} 与平板选票数 {cast['tablet']} 不符")
    if cast["paper"] > voted["paper"]:
        problems.append(f"{name} 录入纸质选票 {cast['paper']} 张多于发出的 {voted['paper']} 张")
    problems.extend(_check_paper_issued(ballot, name))
    audited = _audited_paper_entries(ballot.id)
    if cast["paper"] != audited:
        problems.append(f"{name} 录入纸质选票 {cast['paper']} 张与审计日志记录的 {audited} 张不符")
    issued = ballot.issued or 0
    if sum(cast.values()) > issued:
        problems.append(f"{name} 收回票 {sum(cast.values())} 多于发出票 {issued}，表决无效")
    return problems


# The audit entry each state of the lifecycle is reached with (voting.ballots.services).
STATE_ENTRIES = (
    (BallotState.open, "ballot_opened", "开始"),
    (BallotState.closed, "ballot_closed", "结束"),
    (BallotState.published, "ballot_published", "公布"),
)
_ORDER = [BallotState.draft, BallotState.open, BallotState.closed, BallotState.published]


def check_state_audited(ballot: Ballot, echo) -> list[str]:
    """The ballot's state is backed by the audit chain: an opened ballot has its
    `ballot_opened` entry, a closed one also `ballot_closed`, a published one also
    `ballot_published`; and no entry records a step the ballot has not reached. The
    hash chain alone cannot see its last entries deleted; this check can."""
    name = f"表决 {ballot.id}「{ballot.title}」"
    recorded = dict(db.session.execute(
        select(AuditEntry.action, func.count()).where(
            AuditEntry.subject == f"ballot:{ballot.id}",
            AuditEntry.action.in_([action for _, action, _ in STATE_ENTRIES]))
        .group_by(AuditEntry.action)).all())
    reached = _ORDER.index(ballot.state_enum)
    problems = []
    for state, action, word in STATE_ENTRIES:
        should = _ORDER.index(state) <= reached
        count = recorded.get(action, 0)
        if should and count != 1:
            problems.append(f"{name} 状态为“{ballot.state_enum.label}”，但审计日志中"
                            + ("没有" if count == 0 else f"有 {count} 条") + f"{word}表决的记录（{action}）")
        elif not should and count:
            problems.append(f"{name} 状态为“{ballot.state_enum.label}”，但审计日志记录了{word}表决（{action}）")
    echo(f"{name}: 状态与审计日志 {'一致' if not problems else '不符'}")
    return problems


def ballots_check(ballot_id, echo) -> list[str]:
    # Drafts too: a ballot put back to draft still has its `ballot_opened` entry.
    query = select(Ballot).order_by(Ballot.id)
    if ballot_id is not None:
        if id_from(str(ballot_id)) is None:
            return [f"表决编号“{ballot_id}”无效"]
        query = select(Ballot).where(Ballot.id == id_from(str(ballot_id)))
    ballots = list(db.session.scalars(query))
    if ballot_id is not None and not ballots:
        return [f"未找到表决 {ballot_id}"]
    problems = []
    for ballot in ballots:
        if ballot.state == BallotState.draft.value:
            draft_problems = check_state_audited(ballot, lambda _line: None)
            if ballot_id is not None or draft_problems:
                echo(f"表决 {ballot.id}「{ballot.title}」: 草稿，无需核验"
                     + ("，但审计日志记录了它的开始、结束或公布" if draft_problems else ""))
            problems.extend(draft_problems)
            continue
        problems.extend(check_state_audited(ballot, echo))
        problems.extend(check_participation(ballot, echo))
        if ballot.results_available:
            problems.extend(check_sheet(ballot, echo))
    checked = ballots if ballot_id is not None else [b for b in ballots if b.state != BallotState.draft.value]
    echo(f"表决: 已核验 {len(checked)} 项")
    return problems


def anchors_check(ballot_id, echo) -> list[str]:
    """Every close and publish written to anchors.log (outside the database) is still
    true in it: voting/integrity/anchors.py."""
    from voting.integrity import anchors

    lines, problems = anchors.read()
    if ballot_id is not None and id_from(str(ballot_id)) is not None:
        lines = [line for line in lines if line.get("ballot") == id_from(str(ballot_id))]
    known_hashes = set(db.session.scalars(select(AuditEntry.entry_hash).where(
        AuditEntry.entry_hash.in_({str(line.get("audit")) for line in lines}))))
    for line in lines:
        bid = line.get("ballot")
        ballot = db.session.get(Ballot, bid) if isinstance(bid, int) else None
        name = f"表决 {bid}"
        if line.get("audit") not in known_hashes:
            problems.append(f"{name}: 锚点记录的审计日志条目（{line.get('event')}）已不在审计日志中")
        if line.get("event") == "closed" and "sums_sha256" in line:  # under tellers: the sums, no sheet yet
            if ballot is None or ballot.state not in (BallotState.closed.value, BallotState.published.value):
                problems.append(f"{name}: 锚点记录它已于 {line.get('at')} 结束，但数据库中它"
                                + ("不存在" if ballot is None else f"的状态为“{ballot.state_enum.label}”"))
            elif encrypted_sums_digest(ballot.id) != line.get("sums_sha256"):
                problems.append(f"{name}: 加密合计与结束时锚点记录的摘要不符")
        elif line.get("event") in ("closed", "counted"):
            sheet = None
            if ballot is not None and ballot.results_available:
                try:
                    sheet = stored_sheet(ballot)
                except ValueError:
                    sheet = None
            if sheet is None:
                problems.append(f"{name}: 锚点记录它已于 {line.get('at')} 结束并生成计票单，但数据库中它"
                                + ("不存在" if ballot is None else f"的状态为“{ballot.state_enum.label}”或没有计票单"))
            elif sheet_digest(sheet) != line.get("sheet_sha256"):
                problems.append(f"{name}: 计票单与结束时锚点记录的摘要不符")
        elif line.get("event") == "published":
            if ballot is None or ballot.state != BallotState.published.value:
                problems.append(f"{name}: 锚点记录它已于 {line.get('at')} 公布，但数据库中它未处于公布状态")
    echo(f"锚点记录（{len(lines)} 条）: {'一致' if not problems else '不符'}")
    return problems
