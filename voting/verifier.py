"""The independent verifier of a ballot's public board (docs/BOARD.md):

    python -m voting.verifier BOARD.json [BOARD.json ...]

It uses nothing of Flask, the database or the server's keys: every proof is checked,
the sums recomputed from the accepted casts, the decryption combined from the tellers'
proved shares, the paper ballots added, and the frozen rule applied through
voting.rules; the result must be the signed sheet's. Exit status 1 on any mismatch."""
import json
import sys

from voting.crypto import dkg, elgamal, group
from voting.crypto.ballot import ONE_HOT, BallotRejected, Shape, encoding_for, item_counts, verify_ballot
from voting.crypto.elgamal import Ciphertext
from voting.integrity.sheet_signature import verify_sheet
from voting.rules import OUTCOME_NAMES, RuleError, cast_options, option_limit, rule_from_json, tally

FORMAT = "minsheng-voting-board/2"
FORMATS = ("minsheng-voting-board/1", FORMAT)  # /1: every cast one-hot, no `encoding` field


class Mismatch(Exception):
    """The board does not check out; the message says where."""


def _shape(board: dict) -> Shape:
    ballot = board["ballot"]
    limited = option_limit(ballot["kind"], ballot["seats"]) or (None, None)
    options = tuple(cast_options(ballot["kind"], ballot["ballot_options"]))
    if list(options) != ballot["options"]:
        raise Mismatch("核验板的选项顺序与规则给出的不符")
    encoding = ballot["encoding"] if board["format"] == FORMAT else {"kind": ONE_HOT}
    if board["format"] == FORMAT and (encoding or {}).get("kind") != encoding_for(options):
        raise Mismatch(f"核验板的编码 {encoding!r} 不是这些选项应有的编码（{encoding_for(options)}）")
    try:
        shape = Shape(int(ballot["id"]), tuple(item["id"] for item in ballot["items"]), options, limited[0],
                      limited[1], encoding.get("kind") if isinstance(encoding, dict) else None)
    except ValueError:
        raise Mismatch(f"核验板的编码 {encoding!r} 不是本项表决的选项能用的编码") from None
    if shape.encoding_json() != encoding:
        raise Mismatch(f"核验板的编码 {encoding!r} 与文档规定的不符")
    return shape


def _keys(board: dict) -> tuple[bytes, dict[int, bytes], int]:
    """The joint key and the tellers' verification keys, from the commitments alone."""
    tellers = board["tellers"]
    all_commitments = []
    for member in tellers["members"]:
        commitments = [group.point_from_hex(c) for c in member["commitments"]]
        if len(commitments) != tellers["threshold"]:
            raise Mismatch(f"监票人 {member['position']} 的承诺值个数不是 {tellers['threshold']}")
        context = dkg.ceremony_context(int(tellers["meeting_id"]), member["position"])
        if not dkg.check_knowledge(context, commitments[0], member["knowledge_proof"]):
            raise Mismatch(f"监票人 {member['position']} 的知识证明不成立")
        all_commitments.append(commitments)
    joint = dkg.joint_key(all_commitments)
    if joint.hex() != tellers["joint_key"]:
        raise Mismatch("联合公钥不是各监票人首个承诺值之和")
    positions = [member["position"] for member in tellers["members"]]
    if positions != list(range(1, len(positions) + 1)) or len(positions) != tellers["size"]:
        raise Mismatch("监票人序号须为 1..n")
    return joint, {p: dkg.verification_key(all_commitments, p) for p in positions}, tellers["threshold"]


def _accepted_sums(board: dict, key: bytes, shape: Shape) -> list[list[Ciphertext]]:
    sums = [[elgamal.ZERO for _ in shape.columns] for _ in shape.item_ids]
    trackers = set()
    for cast in board["casts"]:
        try:
            tracker, rows = verify_ballot(key, shape, cast["encrypted"])
        except BallotRejected as error:
            raise Mismatch(f"选票 {cast.get('tracker')} 的证明不成立：{error}")
        if tracker != cast["tracker"] or tracker in trackers:
            raise Mismatch(f"选票 {cast.get('tracker')} 的回执码与其密文不符或重复")
        trackers.add(tracker)
        sums = [[s * c for s, c in zip(sum_row, row)] for sum_row, row in zip(sums, rows)]
    for rejected in board["rejected"]:
        try:
            verify_ballot(key, shape, rejected["encrypted"])
        except BallotRejected:
            continue
        raise Mismatch(f"被拒收的选票 {rejected.get('tracker')} 其实证明成立：一张有效选票未被计入")
    stored = [[Ciphertext.from_json(c) for c in row] for row in board["sums"]]
    if stored != sums or board["accepted"] != len(board["casts"]):
        raise Mismatch("加密合计不是全部接受选票的乘积")
    return sums


def _electronic_counts(board: dict, shape: Shape, sums, verification_keys, threshold) -> dict:
    shares_by_position = {d["position"]: d["shares"] for d in board["decryptions"]}
    if len(shares_by_position) < threshold:
        raise Mismatch(f"解密份额不足 {threshold} 份")
    ballot_id = board["ballot"]["id"]
    table = elgamal.log_table(board["accepted"])
    counts = {}
    for i, item_id in enumerate(shape.item_ids):
        points = []
        for j, column in enumerate(shape.columns):
            parts = {}
            for position, shares in shares_by_position.items():
                if position not in verification_keys:
                    raise Mismatch(f"未知监票人 {position} 的解密份额")
                context = f"ballot:{ballot_id}|item:{item_id}|option:{column}|teller:{position}"
                point = elgamal.check_share(verification_keys[position], context, sums[i][j], shares[i][j])
                if point is None:
                    raise Mismatch(f"监票人 {position} 对项目 {item_id} 密文 {column} 的解密份额证明不成立")
                parts[position] = point
            points.append(elgamal.combine(sums[i][j], {p: parts[p] for p in sorted(parts)[:threshold]}))
        counts[item_id] = item_counts(shape, points, board["accepted"], table)
        if counts[item_id] is None:
            raise Mismatch(f"项目 {item_id} 的合计解密后不是有效票数")
    return counts


def _check_result(board: dict, counts: dict) -> None:
    ballot, paper, sheet = board["ballot"], board["paper"], board["result"]
    if not isinstance(sheet, dict) or not verify_sheet(sheet):
        raise Mismatch("计票单签名不成立")
    for item_id, options in paper["counts"].items():
        for option, number in options.items():
            counts[item_id][option] += number
    # A cast accepted and then failing its proof check was cast, and is invalid (无效票).
    failed = sum(1 for rejected in board["rejected"] if rejected.get("after_acceptance") is True)
    cast, invalid = board["accepted"] + paper["ballots"] + failed, paper["invalid"] + failed
    rule = rule_from_json(ballot["kind"], ballot["rule"])
    result = tally(ballot["kind"], rule, counts=counts, total=ballot["total"], issued=ballot["issued"], cast=cast,
                   invalid=invalid, seats=ballot["seats"], options=ballot["ballot_options"])
    for field, value in (("cast", result.cast), ("valid", result.valid), ("invalid", result.invalid),
                         ("not_voted", result.not_voted), ("issued", result.issued), ("total", ballot["total"])):
        if sheet.get(field) != value:
            raise Mismatch(f"计票单的 {field} 为 {sheet.get(field)}，核验得 {value}")
    if sheet.get("rule") != rule.to_json():
        raise Mismatch("计票单的规则与核验板冻结的规则不同")
    for entry in sheet["items"]:
        decided = result.items.get(entry["id"])
        expected = {"counts": counts.get(entry["id"]), "outcome": decided.outcome if decided else "void",
                    "rate": decided.to_json()["rate"] if decided else None,
                    "rank": decided.rank if decided else None}
        got = {name: entry.get(name) for name in expected}
        if got != expected:
            raise Mismatch(f"项目 {entry['id']} 的结果为 {got}，核验得 {expected}")
    if len(sheet["items"]) != len(counts):
        raise Mismatch("计票单的项目与核验板不符")


def verify(board) -> list[str]:
    """Every problem found (empty when the board checks out)."""
    try:
        if not isinstance(board, dict) or board.get("format") not in FORMATS or board.get("group") != "ristretto255":
            raise Mismatch(f"不是 {' 或 '.join(FORMATS)} 格式的核验板")
        shape = _shape(board)
        key, verification_keys, threshold = _keys(board)
        sums = _accepted_sums(board, key, shape)
        counts = _electronic_counts(board, shape, sums, verification_keys, threshold)
        _check_result(board, counts)
    except Mismatch as error:
        return [str(error)]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RuleError, group.GroupError) as error:
        return [f"核验板格式不符：{type(error).__name__} {error}"]
    return []


def summary(board: dict) -> str:
    sheet = board["result"]
    lines = [f"表决 {board['ballot']['id']}「{board['ballot']['title']}」：接受加密选票 {board['accepted']} 张，"
             f"纸质选票 {board['paper']['ballots']} 张，拒收 {len(board['rejected'])} 张"]
    for item in sheet["items"]:
        lines.append(f"  {item['title']}：{item['counts']} → {OUTCOME_NAMES.get(item['outcome'], item['outcome'])}")
    return "\n".join(lines)


def main(argv=None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("用法：python -m voting.verifier BOARD.json [BOARD.json ...]", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                board = json.load(handle)
        except (OSError, ValueError) as error:
            print(f"{path}: 无法读取：{error}")
            failed = True
            continue
        problems = verify(board)
        if problems:
            failed = True
            print(f"{path}: 核验未通过")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"{path}: 核验通过")
            print(summary(board))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
