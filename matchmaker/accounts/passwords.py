"""Password policy: long enough, not absurdly long, not a common password.

No composition rules (NIST SP 800-63B): length and a block list do more good.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """The first rule `password` breaks ('too_short', 'too_long', 'common'), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return "common"
    local_part = email.split("@")[0].lower()
    if (
        local_part
        and len(local_part) >= 4
        and lowered.startswith(local_part)
        and (len(lowered) - len(local_part) <= 4)
    ):
        return "common"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
