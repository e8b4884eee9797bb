"""The deputy's tablet in Chromium through nginx over TLS (issue #18): the hall
certificate makes a secure context (WebCrypto available, a service worker allowed);
after the worker has kept the page, a reload while the Wi-Fi is down shows the open
ballot again with the choices already made, and the vote goes through once the
network is back."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from deploy import hall_cert
from tests.ballots.sitting import Sitting, release_database
from tests.conftest import CHROMIUM
from voting.ballots.models import CastBallot
from voting.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def hall_browser(browser, hall_tls):
    """Chromium that trusts the hall certificate by its key, as a tablet with the hall
    CA installed does (Chromium takes no CA file on the command line)."""
    spki = hall_cert.spki_sha256(hall_tls.cert)
    tablet = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=["--no-sandbox", f"--ignore-certificate-errors-spki-list={spki}"])
    yield tablet
    tablet.close()


def test_the_tablet_over_https_survives_a_reload_while_offline(hall_front, hall_browser, api, staff):
    sitting = Sitting(api, staff, size=2)
    ballot = sitting.ballot(items=3, seats=2)
    release_database()
    context = hall_browser.new_context(base_url=hall_front.url, locale="zh-CN")
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        page.goto(f"/card/{sitting.deputies[0]['card']}")
        expect(page).to_have_url(re.compile(r"^https://.*/tablet$"))
        expect(page.locator("#screen-wait")).to_be_visible()
        assert page.evaluate("window.isSecureContext") is True
        assert page.evaluate("typeof window.crypto.subtle.digest") == "function"
        # The worker controls the page and has kept it and its assets.
        expect(page.locator("html")).to_have_attribute("data-offline-ready", "1")

        sitting.check_in([1])  # a quorum: the second deputy signs in at the desk
        sitting.act(ballot["id"], "open")
        release_database()
        expect(page.locator("#screen-ballot")).to_be_visible()
        page.locator("#ballot-items > li:nth-child(1) [data-choice=yes]").click()

        # The Wi-Fi drops and the deputy reloads: the page, the ballot and the choice come back.
        context.set_offline(True)
        page.reload()
        expect(page.locator("#screen-ballot")).to_be_visible()
        expect(page.locator("#ballot-title")).to_have_text(ballot["title"])
        expect(page.locator("#ballot-items > li")).to_have_count(3)
        expect(page.locator("#ballot-items > li:nth-child(1) [data-choice=yes]")).to_have_attribute(
            "aria-pressed", "true")

        # Back online, the deputy finishes and the vote is counted once.
        context.set_offline(False)
        page.locator("#ballot-items > li:nth-child(2) [data-choice=no]").click()
        page.locator("#ballot-items > li:nth-child(3) [data-choice=abstain]").click()
        page.click("#to-review")
        page.click("#submit-vote")
        # the done screen (hidden, with its default title, until the server answered)
        expect(page.locator("#screen-done")).to_be_visible()
        expect(page.locator("#done-title")).to_have_text("投票成功")
        expect(page.locator("#receipt-code")).not_to_be_empty()
    finally:
        context.close()
    with hall_front.app.app_context():
        cast = db.session.scalar(select(func.count()).select_from(CastBallot).where(CastBallot.ballot_id == int(ballot["id"])))
        db.session.remove()
    assert cast == 1
