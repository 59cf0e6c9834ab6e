"""What a committed secret looks like: a secret-sounding name with a real-looking literal value,
or a value in a well-known credential format. Shared by the Dockerfile and deploy-config checks."""

from __future__ import annotations

import re
from functools import lru_cache

SECRET_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|CLIENT_?SECRET)",
    re.I,
)
# Formats that are credentials whatever the variable is called.
CREDENTIAL_VALUE = re.compile(
    r"^(AKID[0-9A-Za-z]{32}"  # Tencent Cloud SecretId
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|sk-[A-Za-z0-9_-]{20,}"  # OpenAI-style API keys
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----.*)$",
    re.S,
)
_PLACEHOLDER = re.compile(
    r"^(\$\{?[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}?|<[^>]*>|\{\{.*\}\}|x+|\*+|changeme|change-me|your[-_].*|placeholder"
    r"|example.*|dummy|test|none|null|false|true|todo|secret|password|redacted|\.\.\.)$",
    re.I,
)


# scheme://user:password@host: a connection string with its password written in.
_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:(?P<password>[^@/?#\s]+)@[^\s]+$")


def url_password(value: str) -> str | None:
    """The literal password inside a connection URL (`postgres://app:s3cr3tPass@10.0.0.5/db`), or None
    when there is none or it is a placeholder (`${DB_PASSWORD}`, `<password>`, `pass`)."""
    match = _URL_PASSWORD.match(value.strip())
    if not match:
        return None
    password = match.group("password")
    if len(password) < 6 or _PLACEHOLDER.match(password) or password.startswith(("$", "%24", "{{")):
        return None
    return password


# A setting *about* a secret, not the secret: JWT_SECRET_FILE, TOKEN_TTL, API_KEY_HEADER, TOKEN_URL.
_SETTING_NAME = re.compile(
    r"_(TTL|EXPIRES?(_IN)?|EXPIRY|EXPIRATION|TIMEOUT|LENGTH|LEN|SIZE|COUNT|MAX|MIN|DAYS|HOURS|MINUTES|SECONDS"
    r"|HEADER|NAME|FILE|PATH|DIR|URL|URI|ENDPOINT|ALGORITHM|ALG|TYPE|ISSUER|AUDIENCE|MODE|ENABLED|PREFIX|FIELD)$",
    re.I,
)


def looks_like_secret(name: str, value: str) -> bool:
    """True for a literal that should not be committed: `API_KEY=abc123...`, `AKID...`, or a
    connection URL with a password in it."""
    value = value.strip().strip("'\"")
    if CREDENTIAL_VALUE.match(value) or ("://" in value and url_password(value)):  # a URL has "://"
        return True
    if len(value) < 6 or _PLACEHOLDER.match(value) or not _secret_name(name):
        return False
    # A file path or URL without credentials is configuration, not a secret.
    return not value.startswith(("/", "./", "http://", "https://", "file:"))


@lru_cache(maxsize=4096)
def _secret_name(name: str) -> bool:
    """Whether a variable or key name sounds like a secret. Remembered: the same names (PORT,
    OpenAccessTypes, ...) come back in every service, and SECRET_NAME's case-blind search over its
    alternatives is the costliest part of looks_like_secret."""
    return bool(SECRET_NAME.search(name)) and not _SETTING_NAME.search(name)
