"""Intake questions: their definition rules and the validation of a prospect's answers."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portal.core.errors import InvalidInput

TYPES = ("text", "choice", "number", "date")
MAX_QUESTIONS = 10
MAX_ANSWER = 2000
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_questions(questions: Any) -> list[dict]:
    """A clean list of question definitions, or InvalidInput saying what is wrong."""
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        raise InvalidInput(f"Up to {MAX_QUESTIONS} questions.", fields={"questions": "Too many questions."})
    clean, seen = [], set()
    for i, q in enumerate(questions):
        if not isinstance(q, dict):
            raise InvalidInput("Each question needs a key, a label and a type.", fields={f"questions.{i}": "Invalid."})
        key, label, kind = q.get("key"), q.get("label"), q.get("type", "text")
        if not isinstance(key, str) or not KEY.match(key) or key in seen:
            raise InvalidInput("Question keys are short, unique, lower-case words.",
                               fields={f"questions.{i}.key": "Use a-z, 0-9 and _."})
        if not isinstance(label, str) or not label.strip() or len(label) > 200:
            raise InvalidInput("Each question needs a label.", fields={f"questions.{i}.label": "Required."})
        if kind not in TYPES:
            raise InvalidInput(f"A question is one of: {', '.join(TYPES)}.", fields={f"questions.{i}.type": "Invalid."})
        choices = q.get("choices") or []
        if kind == "choice" and (not isinstance(choices, list) or not choices or len(choices) > 20 or
                                 not all(isinstance(c, str) and 0 < len(c) <= 100 for c in choices)):
            raise InvalidInput("A choice question needs 1 to 20 choices.",
                               fields={f"questions.{i}.choices": "Invalid."})
        seen.add(key)
        clean.append({"key": key, "label": label.strip(), "type": kind, "required": bool(q.get("required")),
                      **({"choices": choices} if kind == "choice" else {})})
    return clean


def check_answers(questions: list[dict], answers: Any) -> dict[str, str]:
    """Answers keyed by question, as text; required ones present, each of its question's type."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise InvalidInput("Answers must be an object.", fields={"answers": "Must be an object."})
    known = {q["key"] for q in questions}
    unknown = [k for k in answers if k not in known]
    if unknown:
        raise InvalidInput("Some answers are for questions that do not exist.",
                           fields={f"answers.{k}": "Unknown question." for k in unknown[:10]})
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for q in questions:
        raw = answers.get(q["key"])
        value = "" if raw is None else str(raw).strip()
        if isinstance(raw, (dict, list)):
            errors[q["key"]] = "Must be text."
            continue
        if not value:
            if q.get("required"):
                errors[q["key"]] = "Please answer this question."
            continue
        if len(value) > MAX_ANSWER:
            errors[q["key"]] = f"At most {MAX_ANSWER} characters."
        elif q["type"] == "number":
            try:
                number = float(value)
            except ValueError:
                errors[q["key"]] = "Enter a number."
                continue
            if not (0 <= number <= 1_000_000):
                errors[q["key"]] = "Enter a number between 0 and 1,000,000."
        elif q["type"] == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors[q["key"]] = "Enter a date as YYYY-MM-DD."
        elif q["type"] == "choice" and value not in q.get("choices", []):
            errors[q["key"]] = "Choose one of the options."
        clean[q["key"]] = value
    if errors:
        raise InvalidInput("Some answers need another look.", fields={f"answers.{k}": v for k, v in errors.items()})
    return clean
