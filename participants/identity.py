"""Who a source row belongs to: normalised email, else normalised phone.

Every part of the project that needs a person's key (migration, demo ground truth, API sync)
computes it here, so that the same person always gets the same `contact_id`.
"""

from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_PHONE_REGION = "US"
# Longer text is no address (RFC 5321 allows 254 characters) and is not handed to the validator:
# it took 19 s over a megabyte.
MAX_EMAIL_LENGTH = 320
MAX_PHONE_LENGTH = 100


@lru_cache(maxsize=262_144)
def _normalize_email(text):
    try:
        validated = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    return validated.normalized.lower()


def normalize_email(raw):
    """The lower-cased address when its syntax is valid (no DNS lookup), else None.

    The whole address is lower-cased: mailbox case is never meaningful for the people we email,
    and one person must not become two participants because a list capitalised their address.
    Cached because every person appears in several campaigns.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > MAX_EMAIL_LENGTH:
        return None
    return _normalize_email(text)


@lru_cache(maxsize=262_144)
def _normalize_phone(text):
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw):
    """The number in E.164 ("+12125550134"), US by default; None when it is not a valid number."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > MAX_PHONE_LENGTH:
        return None
    return _normalize_phone(text)


def contact_id_for(*, email, phone):
    """A person's key: the normalised email, else the normalised phone, else None.

    Accepts raw or already-normalised values (normalising twice gives the same result).
    """
    return normalize_email(email) or normalize_phone(phone)
