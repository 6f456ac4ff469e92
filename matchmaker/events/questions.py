"""Sign-up questions: written by the organiser one per line, answered by participants. Pure.

A line is a question with a free-text answer ("Dietary needs"), or a question followed
by its choices after bars ("Lunch | Meat | Fish | Vegetarian"): then one is required.
"""

from __future__ import annotations

from matchmaker.events.models import MAX_ANSWER, MAX_QUESTIONS

MAX_LABEL = 200
MAX_OPTIONS = 10


class QuestionError(ValueError):
    """`code`: too_many, too_long, too_few_options, too_many_options."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse(text: str | None) -> list[dict]:
    questions = []
    for line in (text or "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        label, options = parts[0], [p for p in parts[1:] if p]
        if not label:
            continue
        if len(label) > MAX_LABEL or any(len(o) > MAX_LABEL for o in options):
            raise QuestionError("too_long")
        if len(parts) > 1 and len(options) < 2:
            raise QuestionError("too_few_options")
        if len(options) > MAX_OPTIONS:
            raise QuestionError("too_many_options")
        if options:
            questions.append({"label": label, "type": "choice", "options": options})
        else:
            questions.append({"label": label, "type": "text", "options": []})
    if len(questions) > MAX_QUESTIONS:
        raise QuestionError("too_many")
    return questions


def as_text(questions: list[dict]) -> str:
    return "\n".join(" | ".join([q["label"], *q.get("options", [])]) for q in questions or [])


def check_answers(questions: list[dict], given: dict[str, str]) -> tuple[dict[str, str], dict]:
    """(answers by question label, errors by question index: "required" or "too_long").

    `given` maps the question's index as a string ("0", "1"…) to what was sent.
    """
    answers, errors = {}, {}
    for index, question in enumerate(questions or []):
        value = (given.get(str(index)) or "").strip()
        if question["type"] == "choice":
            if value not in question["options"]:
                errors[index] = "required"
                continue
        elif len(value) > MAX_ANSWER:
            errors[index] = "too_long"
            continue
        answers[question["label"]] = value
    return answers, errors
