"""Test data factories (gen_*) and a small JSON API client."""
import itertools

from voting.accounts.models import STAFF_ROLES, Body
from voting.accounts.services import create_or_update_user
from voting.extensions import db

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def gen_body(name: str | None = None, level: str = "county", parent: Body | None = None) -> Body:
    body = Body(name=name or f"测试县人大常委会{next(_seq)}", level=level, parent_id=parent.id if parent else None)
    db.session.add(body)
    db.session.commit()
    return body


def gen_user(role: str, body: Body, username: str | None = None, password: str = PASSWORD, **extra):
    username = username or f"{role}{next(_seq)}"
    user, _ = create_or_update_user(username, role, password, body=body, **extra)
    db.session.commit()
    return user


class ApiClient:
    """Wraps the Flask test client: JSON in and out, bearer tokens by name."""

    def __init__(self, client):
        self.client = client

    def token(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def card_token(self, card: str) -> str:
        response = self.client.post("/api/v1/auth/token", json={"card": card})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def call(self, method: str, path: str, token: str | None = None, json=None, headers=None, **kwargs):
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=json, headers=all_headers, **kwargs)

    def get(self, path, token=None, **kwargs):
        return self.call("GET", path, token, **kwargs)

    def post(self, path, token=None, json=None, **kwargs):
        return self.call("POST", path, token, json=json, **kwargs)


__all__ = ["PASSWORD", "STAFF_ROLES", "gen_body", "gen_user", "ApiClient"]


def login(client, user):
    """Sign `user` (an account or its username) in with the login form; the client."""
    username = user if isinstance(user, str) else user.username
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
