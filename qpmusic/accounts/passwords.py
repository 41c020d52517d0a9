"""Password hashing with argon2 and the rules a new password must meet."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 256

_strong = PasswordHasher()
# Tests create many accounts; the cheapest valid argon2 parameters keep them fast.
_fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Compared against when no account matches, so a miss takes as long as a wrong password.
_DUMMY_HASH = _strong.hash("no such account")


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _strong


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is too weak, as a key for the form to translate; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if len(set(password)) < 5:
        return "too_simple"
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if (len(local_part) >= 4 and local_part in lowered) or (name and name.lower() == lowered):
        return "personal"
    if lowered in COMMON_PASSWORDS:
        return "common"
    return None


COMMON_PASSWORDS = {
    "1234567890",
    "0123456789",
    "qwertzuiop",
    "qwertyuiop",
    "azertyuiop",
    "password123",
    "passwort123",
    "motdepasse",
    "motdepasse1",
    "iloveyou123",
    "quattropole",
    "musikpreis",
}
