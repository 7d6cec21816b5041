"""The setup guide: the intake questions an organisation configures and the checking of
patients' answers; pure functions, owned by the on_demand plugin.

A field is ``{"key", "label", "kind", "required", "options"}``. Kinds: ``text`` (one line),
``long_text``, ``phone``, ``state`` (a US state or territory code), ``choice`` (one of
``options``) and ``consent`` (a tick box; a required consent must be ticked). Answers are saved
one at a time as the patient gives them; ``missing`` says which required ones are still due.
"""

from __future__ import annotations

import re
from typing import Any

from vclinic.api import BadRequest

KINDS = ("text", "long_text", "phone", "state", "choice", "consent")
MAX_FIELDS = 30
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{7,20}$")
STATES = frozenset([
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
])
_LIMITS = {"text": 200, "long_text": 2000}

#: The setup guide of an organisation whose admin has not configured one.
DEFAULT_FIELDS: list[dict[str, Any]] = [
    {"key": "reason", "label": "Reason for visit", "kind": "long_text", "required": True,
     "options": []},
    {"key": "state", "label": "State you are in now", "kind": "state", "required": True,
     "options": []},
    {"key": "phone", "label": "Phone number", "kind": "phone", "required": False,
     "options": []},
    {"key": "consent", "label": "I consent to a telehealth visit", "kind": "consent",
     "required": True, "options": []},
]


def check_fields(fields: Any) -> list[dict[str, Any]]:
    """The admin's field list, normalised; BadRequest naming the first problem."""
    if not isinstance(fields, list) or not 1 <= len(fields) <= MAX_FIELDS:
        raise BadRequest(f"Give 1 to {MAX_FIELDS} intake fields.", code="invalid_fields")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for field in fields:
        if not isinstance(field, dict):
            raise BadRequest("Each intake field must be an object.", code="invalid_fields")
        key, label = field.get("key"), field.get("label")
        kind = field.get("kind", "text")
        if not isinstance(key, str) or not _KEY.match(key) or key in seen:
            raise BadRequest("Each field needs a unique key of lower-case letters, digits and "
                             "underscores.", code="invalid_fields")
        if not isinstance(label, str) or not 1 <= len(label.strip()) <= 200:
            raise BadRequest(f"Field {key!r} needs a label of 1 to 200 characters.",
                             code="invalid_fields")
        if kind not in KINDS:
            raise BadRequest(f"Field {key!r}: kind must be one of {', '.join(KINDS)}.",
                             code="invalid_fields")
        options = field.get("options", [])
        if kind == "choice" and (not isinstance(options, list) or not options or not all(
                isinstance(o, str) and 0 < len(o) <= 100 for o in options)):
            raise BadRequest(f"Field {key!r}: a choice needs a list of options.",
                             code="invalid_fields")
        seen.add(key)
        out.append({"key": key, "label": label.strip(), "kind": kind,
                    "required": bool(field.get("required", False)),
                    "options": list(options) if kind == "choice" else []})
    return out


def check_answer(fields: list[dict[str, Any]], key: str, value: Any) -> Any:
    """``value`` cleaned for the field ``key``; BadRequest (without echoing it) otherwise."""
    field = next((f for f in fields if f["key"] == key), None)
    if field is None:
        raise BadRequest(f"There is no intake question {key!r}.", code="unknown_field")
    kind = field["kind"]
    if kind == "consent":
        if not isinstance(value, bool):
            raise BadRequest(f"{field['label']}: answer true or false.", code="invalid_answer")
        return value
    if not isinstance(value, str):
        raise BadRequest(f"{field['label']}: answer with text.", code="invalid_answer")
    cleaned = value.strip() if kind == "long_text" else " ".join(value.split())
    if kind in _LIMITS and len(cleaned) > _LIMITS[kind]:
        raise BadRequest(f"{field['label']}: at most {_LIMITS[kind]} characters.",
                         code="invalid_answer")
    if kind == "phone" and cleaned and not _PHONE.match(cleaned):
        raise BadRequest(f"{field['label']}: enter a phone number of 7 to 20 digits.",
                         code="invalid_answer")
    if kind == "state":
        cleaned = cleaned.upper()
        if cleaned and cleaned not in STATES:
            raise BadRequest(f"{field['label']}: enter a two-letter state code (e.g. CA).",
                             code="invalid_answer")
    if kind == "choice" and cleaned and cleaned not in field["options"]:
        raise BadRequest(f"{field['label']}: choose one of the options.", code="invalid_answer")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned):
        raise BadRequest(f"{field['label']}: remove the control characters.",
                         code="invalid_answer")
    return cleaned


def missing(fields: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    """Keys of required fields not answered yet (a required consent must be true)."""
    due = []
    for field in fields:
        if not field["required"]:
            continue
        value = answers.get(field["key"])
        if value is None or value == "" or (field["kind"] == "consent" and value is not True):
            due.append(field["key"])
    return due


def check_patient(name: Any, email: Any) -> tuple[str, str]:
    """The patient's name and email from the first step ("Enter the patient information")."""
    if not isinstance(name, str) or not 1 <= len(" ".join(name.split())) <= 100 or any(
            ord(ch) < 32 for ch in name):
        raise BadRequest("Enter your name (1 to 100 characters).", code="invalid_name")
    if (not isinstance(email, str) or len(email) > 254 or email.count("@") != 1
            or any(ch.isspace() or ord(ch) < 32 for ch in email)
            or not all(email.split("@"))):
        raise BadRequest("Enter a valid email address.", code="invalid_email")
    return " ".join(name.split()), email.strip().lower()
