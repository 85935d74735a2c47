"""Password hashing (scrypt), the length rule, and one-time passwords."""
from __future__ import annotations

import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

# Letters and digits that cannot be confused when read aloud or typed from paper.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A fixed hash to compare against when the login is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


def min_length() -> int:
    return current_app.config.get("PASSWORD_MIN_LENGTH", 10)


def one_time_password() -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(12))
