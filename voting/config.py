"""Default configuration. Overridden, in order, by instance/config.py, the
environment and the `test_config` passed to `create_app`."""
from datetime import timedelta


class DefaultConfig:
    SECRET_KEY = None  # generated once into instance/secret_key by `flask init-db`
    SQLALCHEMY_DATABASE_URI = None  # None means instance/voting.sqlite
    # hide_parameters: a logged database error shows the statement, never the values
    # (a card's hash, a receipt, a name) that were bound to it.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    API_TOKEN_LIFETIME = timedelta(hours=12)
    PASSWORD_HASH_METHOD = "scrypt"
    # Login throttling: after LOGIN_SLOWDOWN_AFTER failures each further try must wait
    # a growing delay; after LOGIN_LOCK_AFTER failures the account is locked for LOGIN_LOCK_FOR.
    LOGIN_SLOWDOWN_AFTER = 3
    LOGIN_LOCK_AFTER = 8
    LOGIN_LOCK_FOR = timedelta(minutes=15)
    # Card login throttling, per source address (GET /card/<secret>, POST /api/v1/auth/token
    # with a card): unknown or revoked cards count as failures, valid cards never do. A
    # hall's tablets may share one NAT address, hence the generous thresholds. Failures
    # are forgotten CARD_LOGIN_FORGET_AFTER after the last one, or when a lock ends.
    CARD_LOGIN_SLOWDOWN_AFTER = 10
    CARD_LOGIN_LOCK_AFTER = 30
    CARD_LOGIN_LOCK_FOR = timedelta(minutes=15)
    CARD_LOGIN_FORGET_AFTER = timedelta(hours=1)
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    PUBLIC_BASE_URL = None  # e.g. "http://192.168.1.10:8000" for QR codes; default: request host
    # Where installation keys live (Ed25519 signing key, key-encryption key).
    KEY_DIR = None  # None means the instance folder
    # Requests running at once in one process (voting/admission.py); 0 = no limit.
    MAX_ACTIVE_REQUESTS = 4
    ADMISSION_WAIT_SECONDS = 30.0
    # Reverse proxies in front of the app (voting/proxy.py): 0 ignores X-Forwarded-For.
    TRUSTED_PROXIES = 0
    # The app is reached over HTTPS: Secure cookies and HSTS (voting/proxy.py).
    SERVED_OVER_TLS = False
    # The one time zone of every page, export and log line shown to people (voting/localtime.py).
    DISPLAY_TIMEZONE = "Asia/Shanghai"
    # The hall screen turns a result too long for the screen page by page, this often.
    HALL_PAGE_SECONDS = 8
    # Where the proofs of an encrypted cast are checked (voting.tellers.checking): "inline"
    # in the cast request, or "queued" for checker processes (`flask check-casts --follow`,
    # which gunicorn.conf.py starts beside the workers and sets this for).
    CAST_CHECK = "inline"


ENV_KEYS = {
    # environment variable -> config key
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "VOTING_KEY_DIR": "KEY_DIR",
    "MAX_ACTIVE_REQUESTS": "MAX_ACTIVE_REQUESTS",
    "TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "SERVED_OVER_TLS": "SERVED_OVER_TLS",
    "SIGNING_KEY_FINGERPRINT": "SIGNING_KEY_FINGERPRINT",
    "DISPLAY_TIMEZONE": "DISPLAY_TIMEZONE",
    "CAST_CHECK": "CAST_CHECK",
}


def from_environment(environ) -> dict:
    """Pick the supported settings out of the environment."""
    values = {}
    for env_name, key in ENV_KEYS.items():
        if environ.get(env_name):
            value = environ[env_name]
            if key == "SESSION_COOKIE_SECURE":
                value = value.lower() in ("1", "true", "yes")
            values[key] = value
    return values
