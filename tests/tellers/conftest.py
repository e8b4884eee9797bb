"""A sitting whose meeting has three tellers (2 of 3), each with its own device."""
import pytest

from tests.ballots.sitting import Sitting
from tests.factories import gen_user
from voting.teller import TellerDevice


def device_for(api, username: str) -> TellerDevice:
    token = api.token(username)

    def call(method, path, body=None):
        response = api.call(method, "/api/v1" + path, token, json=body)
        return response.status_code, response.get_json()
    return TellerDevice(call, {})


class TellerSitting(Sitting):
    """A Sitting with named tellers whose devices have made the meeting's key."""

    def __init__(self, api, staff, body, *, size=6, threshold=2, tellers=3):
        super().__init__(api, staff, size=size)
        self.teller_users = [gen_user("teller", body) for _ in range(tellers)]
        response = api.post(f"/api/v1/meetings/{self.mid}/tellers", self.secretariat,
                            json={"tellers": [str(u.id) for u in self.teller_users], "threshold": threshold})
        assert response.status_code == 201, response.get_json()
        self.devices = [device_for(api, u.username) for u in self.teller_users]

    def make_key(self) -> dict:
        for device in self.devices:
            device.join(self.mid)
        for device in self.devices:
            device.deal()
        for device in self.devices:
            last = device.confirm()
        return last


@pytest.fixture
def teller_sitting(api, staff, body):
    sitting = TellerSitting(api, staff, body)
    sitting.make_key()
    return sitting
