"""The public receipt check (issue #20): the receipt QR leads to it; after publish it says
whether the code is in the ballot's published list; before publish it says the results are
not yet published."""
import re

from tests.ballots.sitting import Sitting


def _code(response):
    return response.get_json()["error"]["code"]


def test_the_receipt_is_found_after_publish_and_not_before(client, api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    receipt = s.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"}).get_json()["receipt"]
    check = f"/api/v1/ballots/{ballot['id']}/receipt-check/{receipt}"
    early = client.get(check)
    assert early.status_code == 409 and _code(early) == "results_not_available"
    page = client.get(f"/receipt-check?ballot={ballot['id']}&code={receipt}")
    assert page.status_code == 409 and "结果尚未公布" in page.get_data(as_text=True)
    s.act(ballot["id"], "close")
    s.act(ballot["id"], "publish")
    answer = client.get(check).get_json()  # no login needed
    assert answer["found"] is True and answer["receipts"] == 1
    typed = receipt.replace("-", "").lower()  # typed without dashes, in lower case
    assert client.get(f"/api/v1/ballots/{ballot['id']}/receipt-check/{typed}").get_json()["found"] is True
    other = "AAAA-AAAA-AAAA-AAAA"
    assert client.get(f"/api/v1/ballots/{ballot['id']}/receipt-check/{other}").get_json()["found"] is False
    bad = client.get(f"/api/v1/ballots/{ballot['id']}/receipt-check/not-a-code")
    assert bad.status_code == 400 and _code(bad) == "bad_receipt_code"
    assert client.get(f"/api/v1/ballots/999999/receipt-check/{receipt}").status_code == 404
    page = client.get(f"/receipt-check?ballot={ballot['id']}&code={receipt}").get_data(as_text=True)
    assert 'data-answer="found"' in page and "已计入" in page
    anywhere = client.get(f"/receipt-check?code={receipt}").get_data(as_text=True)
    assert 'data-answer="found"' in anywhere and ballot["title"] in anywhere
    assert 'data-answer="missing"' in client.get(f"/receipt-check?code={other}").get_data(as_text=True)


def test_the_receipt_qr_holds_the_check_address(client, api, staff):
    from tests.factories import decode_svg_qr

    code = "ABCD-EFGH-2345-6723"
    with_ballot = client.get(f"/receipt-qr.svg?code={code}&ballot=7")
    assert with_ballot.status_code == 200 and with_ballot.mimetype == "image/svg+xml"
    assert decode_svg_qr(with_ballot.get_data(as_text=True)) == f"http://localhost/receipt-check?ballot=7&code={code}"
    assert decode_svg_qr(client.get(f"/receipt-qr.svg?code={code}").get_data(as_text=True)) == code
    assert client.get("/receipt-qr.svg?code=bad").status_code == 404
