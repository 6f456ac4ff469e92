"""Failed sign-ins counted per account, beside the per-address limit on the login form.

The address limit alone would lock out a whole conference venue behind one address, and
would not stop one account being guessed from many addresses. So a wrong password (or a
wrong second-step code) also counts against the account tried, in the rate limiter's
storage (Redis in production: shared by every worker). While an account is over its
limit, nobody can sign in to it with a password; its owner is e-mailed once when it
gets there. The account is named by a hash of its address, never the address itself.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from matchmaker.extensions import limiter

NAMESPACE = "login-account"


def _key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _limits() -> list[RateLimitItem]:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return []
    return parse_many(current_app.config["LOGIN_FAILURES_PER_ACCOUNT"])


def is_blocked(email: str) -> bool:
    key = _key(email)
    return any(not limiter.limiter.test(item, NAMESPACE, key) for item in _limits())


def minutes_blocked(email: str) -> int:
    """How long until the account takes passwords again, in whole minutes (at least 1)."""
    key = _key(email)
    resets = [
        limiter.limiter.get_window_stats(item, NAMESPACE, key).reset_time
        for item in _limits()
        if not limiter.limiter.test(item, NAMESPACE, key)
    ]
    if not resets:
        return 0
    return max(1, int((max(resets) - time.time() + 59) // 60))


def record_failure(email: str) -> bool:
    """Count one failed attempt; True when it used up a limit (tell the owner, once)."""
    key = _key(email)
    reached = False
    for item in _limits():
        limiter.limiter.hit(item, NAMESPACE, key)
        if limiter.limiter.get_window_stats(item, NAMESPACE, key).remaining == 0:
            reached = True
    return reached


def forget_failures(email: str) -> None:
    """After a successful sign-in the count starts again."""
    key = _key(email)
    for item in _limits():
        limiter.limiter.clear(item, NAMESPACE, key)
