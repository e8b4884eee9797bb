"""The tellers' key ceremony, relayed by the server (voting.crypto.dkg):

1. the secretariat names n teller accounts and k (`name_tellers`);
2. each teller's device publishes a transport key (`publish_transport_key`);
3. each deals: k commitments, a proof of knowledge, and one share per teller sealed
   to that teller's transport key (`publish_dealing`);
4. each checks what it received against the commitments and confirms (`confirm`);
   when all n have confirmed, the joint key is made from the commitments alone.

The server checks everything public (points, proofs) and never holds a share. A
ceremony not yet complete can be started again by naming the tellers again."""
import json
from datetime import datetime

from sqlalchemy import select

from voting.accounts.models import User, utcnow
from voting.ballots.models import Ballot
from voting.crypto import dkg, group
from voting.errors import Refusal, invalid_transition
from voting.extensions import db
from voting.integrity import audit
from voting.meetings.models import Meeting
from voting.tellers.models import TellerCeremony, TellerSeat

MAX_TELLERS = 9


def ceremony_of(meeting: Meeting) -> TellerCeremony | None:
    return db.session.get(TellerCeremony, meeting.id)


def _bad(message: str) -> Refusal:
    return Refusal(400, "bad_request", message)


def name_tellers(meeting: Meeting, user_ids, threshold, *, actor: str = "") -> TellerCeremony:
    """The meeting's tellers (teller accounts of its body), in order, and how many must
    decrypt together. Refused once the key is made or a ballot of the meeting has opened."""
    if not isinstance(user_ids, list) or not 1 <= len(user_ids) <= MAX_TELLERS \
            or not all(isinstance(u, (int, str)) and str(u).isascii() and str(u).isdigit() for u in user_ids):
        raise _bad(f"tellers 须为 1 至 {MAX_TELLERS} 个监票人账号编号的列表。")
    ids = [int(u) for u in user_ids]
    if len(set(ids)) != len(ids):
        raise _bad("同一监票人不能重复列入。")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= len(ids):
        raise _bad(f"threshold（解密所需人数）须为 1 至 {len(ids)} 的整数。")
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for user_id in ids:
        user = users.get(user_id)
        if user is None or user.role != "teller" or user.body_id != meeting.body_id or not user.active:
            raise Refusal(422, "not_a_teller", f"账号 {user_id} 不是本机构的监票人账号。")
    existing = ceremony_of(meeting)
    if existing is not None and existing.joint_key is not None:
        raise invalid_transition("本次会议的监票人密钥已经生成，不能更换监票人。")
    if db.session.scalar(select(Ballot.id).where(Ballot.meeting_id == meeting.id, Ballot.state != "draft").limit(1)):
        raise invalid_transition("本次会议已有表决开始，不能再指定监票人。")
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    ceremony = TellerCeremony(meeting_id=meeting.id, threshold=threshold, size=len(ids))
    ceremony.seats = [TellerSeat(meeting_id=meeting.id, position=p, user_id=u, confirmed=False)
                      for p, u in enumerate(ids, start=1)]
    db.session.add(ceremony)
    audit.record("tellers_named", actor=actor, subject=f"meeting:{meeting.id}", body_id=meeting.body_id,
                 details={"tellers": ids, "threshold": threshold})
    db.session.commit()
    return ceremony


def position_of(meeting: Meeting, principal) -> int | None:
    ceremony = ceremony_of(meeting)
    if ceremony is None or principal is None or principal.is_deputy:
        return None
    return next((s.position for s in ceremony.seats if s.user_id == principal.id), None)


def _seat_of(meeting: Meeting, user) -> tuple[TellerCeremony, TellerSeat]:
    ceremony = ceremony_of(meeting)
    seat = None if ceremony is None else next((s for s in ceremony.seats if s.user_id == user.id), None)
    if seat is None:
        raise Refusal(403, "not_a_teller", "您不是本次会议指定的监票人。")
    if ceremony.joint_key is not None:
        raise invalid_transition("监票人密钥已经生成完毕。")
    return ceremony, seat


def publish_transport_key(meeting: Meeting, user, key_hex) -> TellerCeremony:
    ceremony, seat = _seat_of(meeting, user)
    try:
        group.point_from_hex(key_hex)
    except group.GroupError as error:
        raise _bad(f"传输公钥无效：{error}")
    if any(s.commitments_json for s in ceremony.seats):
        raise invalid_transition("已有监票人分发了份额，不能再更换传输公钥（请秘书处重新指定监票人）。")
    seat.transport_key = key_hex
    db.session.commit()
    return ceremony


def publish_dealing(meeting: Meeting, user, commitments, knowledge_proof, shares) -> TellerCeremony:
    """The teller's k commitments, its proof of knowledge of the first, and f(j) sealed
    to every teller j (itself included)."""
    ceremony, seat = _seat_of(meeting, user)
    if not all(s.transport_key for s in ceremony.seats):
        raise invalid_transition("还有监票人未登记传输公钥，请稍后再分发。")
    if seat.commitments_json:
        raise invalid_transition("您已经分发过份额。")
    if not isinstance(commitments, list) or len(commitments) != ceremony.threshold:
        raise _bad(f"commitments 须为 {ceremony.threshold} 个点。")
    try:
        points = [group.point_from_hex(c) for c in commitments]
    except group.GroupError as error:
        raise _bad(f"承诺值无效：{error}")
    if not dkg.check_knowledge(dkg.ceremony_context(meeting.id, seat.position), points[0], knowledge_proof):
        raise Refusal(422, "proof_invalid", "知识证明不成立：承诺值与证明不符。")
    expected = {str(s.position) for s in ceremony.seats}
    if not isinstance(shares, dict) or set(shares) != expected or not all(
            isinstance(v, str) and len(v) == 160 for v in shares.values()):
        raise _bad("shares 须为“监票人序号 → 密封份额（160 位十六进制）”的对象，每位监票人一份。")
    seat.commitments_json = json.dumps(commitments)
    seat.knowledge_proof_json = json.dumps(knowledge_proof)
    seat.dealt_json = json.dumps(shares, sort_keys=True)
    db.session.commit()
    return ceremony


def confirm(meeting: Meeting, user, *, now: datetime | None = None) -> TellerCeremony:
    """The teller's shares all matched their commitments; the last confirmation makes
    the joint key."""
    ceremony, seat = _seat_of(meeting, user)
    if not all(s.dealt_json for s in ceremony.seats):
        raise invalid_transition("还有监票人未分发份额。")
    seat.confirmed = True
    if all(s.confirmed for s in ceremony.seats):
        ceremony.joint_key = dkg.joint_key(all_commitments(ceremony))
        ceremony.completed_at = now or utcnow()
        audit.record("tellers_key_made", actor=f"user:{user.id}", subject=f"meeting:{meeting.id}",
                     body_id=meeting.body_id, details={"joint_key": ceremony.joint_key.hex(),
                                                       "threshold": ceremony.threshold, "size": ceremony.size})
    db.session.commit()
    return ceremony


def all_commitments(ceremony: TellerCeremony) -> list[list[bytes]]:
    return [[group.point_from_hex(c) for c in seat.commitments] for seat in ceremony.seats]


def verification_keys(ceremony: TellerCeremony) -> dict[int, bytes]:
    commitments = all_commitments(ceremony)
    return {seat.position: dkg.verification_key(commitments, seat.position) for seat in ceremony.seats}


def stage(ceremony: TellerCeremony | None) -> str:
    if ceremony is None:
        return "none"
    if ceremony.joint_key is not None:
        return "complete"
    if not all(s.transport_key for s in ceremony.seats):
        return "transport_keys"
    if not all(s.dealt_json for s in ceremony.seats):
        return "dealing"
    return "confirming"


STAGE_TEXT = {"none": "未指定监票人（按安装密钥计票）", "transport_keys": "等待监票人登记传输公钥",
              "dealing": "等待监票人分发份额", "confirming": "等待监票人核对份额", "complete": "监票人密钥已生成"}


def ceremony_json(meeting: Meeting) -> dict:
    ceremony = ceremony_of(meeting)
    current = stage(ceremony)
    data = {"meeting_id": str(meeting.id), "stage": current, "stage_text": STAGE_TEXT[current]}
    if ceremony is None:
        return data
    data.update({
        "threshold": ceremony.threshold, "size": ceremony.size,
        "joint_key": ceremony.joint_key.hex() if ceremony.joint_key else None,
        "tellers": [{"position": s.position, "user_id": str(s.user_id),
                     "name": s.user.display_name or s.user.username,
                     "transport_key": s.transport_key, "commitments": s.commitments,
                     "knowledge_proof": json.loads(s.knowledge_proof_json) if s.knowledge_proof_json else None,
                     "shares": s.dealt, "confirmed": bool(s.confirmed)} for s in ceremony.seats],
    })
    if ceremony.joint_key is not None:
        data["verification_keys"] = {str(p): k.hex() for p, k in verification_keys(ceremony).items()}
    return data


def key_for_opening(meeting: Meeting) -> bytes | None:
    """The joint key a ballot opening now is encrypted to; None without tellers. A
    meeting whose ceremony is under way cannot open a ballot yet."""
    ceremony = ceremony_of(meeting)
    if ceremony is None:
        return None
    if ceremony.joint_key is None:
        raise Refusal(409, "tellers_key_not_ready", "监票人密钥尚未生成完毕，暂不能开始表决（见“监票人”页面）。")
    return ceremony.joint_key
