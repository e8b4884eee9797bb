"""A teller's device as a script: `python -m voting.teller` (docs/BOARD.md, "Tellers").

    python -m voting.teller --server https://hall.example --username teller1 --state teller1.json join <meeting id>
    python -m voting.teller ... deal          # once every teller has joined
    python -m voting.teller ... confirm       # once every teller has dealt: checks and keeps the share
    python -m voting.teller ... decrypt <ballot id>

The state file holds this teller's secrets (the transport key, then its share of the
meeting's key): it never leaves this machine, and the server never sees a share. Keep a
copy (and the printed QR, `--backup-qr`) in a sealed envelope: k lost shares lose the count.
Nothing here imports Flask or the database."""
import argparse
import getpass
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from voting.crypto import dkg, elgamal, group, transport
from voting.crypto.elgamal import Ciphertext


class TellerError(Exception):
    """The server refused, or what it relayed does not check out."""


class TellerDevice:
    """One teller's side of the ceremony and the count. `call(method, path, body)`
    returns (status, JSON) from the server's /api/v1; `state` is this device's secrets."""

    def __init__(self, call, state: dict):
        self.call = call
        self.state = state

    def _ok(self, method: str, path: str, body=None) -> dict:
        status, data = self.call(method, path, body)
        if status >= 400:
            error = (data or {}).get("error", {})
            raise TellerError(f"{status} {error.get('code')}: {error.get('message')}")
        return data

    def ceremony(self) -> dict:
        return self._ok("GET", f"/meetings/{self.state['meeting_id']}/tellers")

    def join(self, meeting_id: str) -> dict:
        self.state.update({"meeting_id": str(meeting_id), "transport_secret": group.scalar_hex(group.random_scalar())})
        key = group.base_mul(group.scalar_from_hex(self.state["transport_secret"])).hex()
        data = self._ok("POST", f"/meetings/{meeting_id}/tellers/transport-key", {"key": key})
        self.state["position"] = self.ceremony()["your_position"]
        return data

    def deal(self) -> dict:
        data = self.ceremony()
        meeting_id, position = int(self.state["meeting_id"]), self.state["position"]
        coefficients = dkg.new_polynomial(data["threshold"])
        shares = {}
        for seat in data["tellers"]:
            recipient = group.point_from_hex(seat["transport_key"])
            aad = transport.associated_data(meeting_id, position, seat["position"])
            shares[str(seat["position"])] = transport.seal_share(recipient, dkg.evaluate(coefficients, seat["position"]),
                                                                 aad)
        body = {"commitments": [c.hex() for c in dkg.commitments(coefficients)],
                "knowledge_proof": dkg.prove_knowledge(dkg.ceremony_context(meeting_id, position), coefficients[0]),
                "shares": shares}
        return self._ok("POST", f"/meetings/{meeting_id}/tellers/dealing", body)

    def confirm(self) -> dict:
        """Open the share every teller dealt to this one, check each against its dealer's
        commitments and proof, keep the sum; then confirm. A bad share is refused here."""
        data = self.ceremony()
        meeting_id, position = int(self.state["meeting_id"]), self.state["position"]
        secret = group.scalar_from_hex(self.state["transport_secret"])
        total, all_commitments = 0, []
        for seat in data["tellers"]:
            commitments = [group.point_from_hex(c) for c in seat["commitments"]]
            if not dkg.check_knowledge(dkg.ceremony_context(meeting_id, seat["position"]), commitments[0],
                                       seat["knowledge_proof"]):
                raise TellerError(f"监票人 {seat['position']} 的知识证明不成立")
            share = transport.open_share(secret, seat["shares"][str(position)],
                                         transport.associated_data(meeting_id, seat["position"], position))
            if not dkg.share_matches(commitments, position, share):
                raise TellerError(f"监票人 {seat['position']} 分发给本监票人的份额与其承诺值不符")
            total = (total + share) % group.L
            all_commitments.append(commitments)
        self.state.update({"share": group.scalar_hex(total),
                           "joint_key": dkg.joint_key(all_commitments).hex(),
                           "verification_key": group.base_mul(total).hex()})
        return self._ok("POST", f"/meetings/{meeting_id}/tellers/confirm", {})

    def decrypt(self, ballot_id: str) -> dict:
        """Proved shares of every sum of the ballot; the server checks each proof."""
        sums = self._ok("GET", f"/ballots/{ballot_id}/sums")
        secret, position = group.scalar_from_hex(self.state["share"]), self.state["position"]
        shares = []
        for item_id, row in zip(sums["items"], sums["sums"]):
            shares.append([elgamal.decryption_share(secret, f"ballot:{ballot_id}|item:{item_id}|option:{column}"
                                                            f"|teller:{position}", Ciphertext.from_json(c))
                           for column, c in zip(sums["columns"], row)])
        return self._ok("POST", f"/ballots/{ballot_id}/decryption", {"shares": shares})


def http_caller(server: str, token: str):
    def call(method: str, path: str, body=None):
        request = urllib.request.Request(server.rstrip("/") + "/api/v1" + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
    return call


def _token(server: str, username: str, password: str) -> str:
    request = urllib.request.Request(server.rstrip("/") + "/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["token"]


def backup_qr(state: dict, path: str) -> None:
    import qrcode

    qrcode.make(json.dumps({"meeting_id": state["meeting_id"], "position": state["position"],
                            "share": state["share"]}, separators=(",", ":"))).save(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voting.teller", description="监票人设备：密钥生成与解密")
    parser.add_argument("--server", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--state", required=True, help="本监票人的秘密文件（传输私钥与密钥份额）")
    parser.add_argument("--backup-qr", help="确认后另存份额二维码（PNG），打印后封存")
    parser.add_argument("action", choices=["join", "deal", "confirm", "decrypt"])
    parser.add_argument("target", nargs="?", help="join：会议编号；decrypt：表决编号")
    args = parser.parse_args(argv)
    state_path = Path(args.state)
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    password = getpass.getpass("密码：")
    device = TellerDevice(http_caller(args.server, _token(args.server, args.username, password)), state)
    try:
        if args.action == "join":
            device.join(args.target)
        elif args.action == "deal":
            device.deal()
        elif args.action == "confirm":
            device.confirm()
            if args.backup_qr:
                backup_qr(state, args.backup_qr)
        else:
            result = device.decrypt(args.target)
            print("计票单已生成" if result["counted"] else f"已提交，共 {result['given']} 位监票人")
    except TellerError as error:
        print(f"失败：{error}", file=sys.stderr)
        return 1
    finally:
        state_path.write_text(json.dumps(state, indent=1))
        state_path.chmod(0o600)
    print(json.dumps(device.ceremony().get("stage_text"), ensure_ascii=False) if args.action != "decrypt" else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
