"""Signed, expiring, single-use tokens for the links we e-mail.

Single use comes from binding each token to the state it changes: a reset token
carries a fingerprint of the current password hash, a confirmation token the
address being confirmed. Once that state changes, the token no longer matches.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenError(Exception):
    """The token is forged, damaged, expired or already used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def make_token(secret: str, purpose: str, payload: dict) -> str:
    return URLSafeTimedSerializer(secret, salt=f"matchmaker.{purpose}").dumps(payload)


def read_token(secret: str, purpose: str, token: str, max_age: int) -> dict:
    serializer = URLSafeTimedSerializer(secret, salt=f"matchmaker.{purpose}")
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(payload, dict):
        raise TokenError("invalid")
    return payload
