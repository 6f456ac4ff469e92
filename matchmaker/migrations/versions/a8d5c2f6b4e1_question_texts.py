"""sign-up questions written per language: each question and choice keyed, labels by language

The questions of an event were [{"label": "Lunch", "type": "choice", "options": ["Meat"]}],
written in one language, and answers were kept by label ({"Lunch": "Meat"}). Now each
label is kept per language, each question and choice has a key, and answers are kept by
key ({"lunch": "meat"}). Existing questions become written in the event's original
language. Only data changes; the conversion is written out here (not imported from the
application) so that this migration stays what it is when the application changes.

Revision ID: a8d5c2f6b4e1
Revises: f7c4b0e5a3d9
Create Date: 2026-12-08 09:30:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8d5c2f6b4e1'
down_revision = 'f7c4b0e5a3d9'
branch_labels = None
depends_on = None

event = sa.table(
    "event",
    sa.column("id", sa.Integer),
    sa.column("original_language", sa.String),
    sa.column("questions", sa.JSON),
)
registration = sa.table(
    "registration",
    sa.column("id", sa.Integer),
    sa.column("event_id", sa.Integer),
    sa.column("answers", sa.JSON),
)
_SPELLED_OUT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE"})


def _key(wording, taken, fallback):
    """A key made from the wording ("Dietary needs" → "dietary_needs"), unique in `taken`."""
    spelled = unicodedata.normalize("NFKD", (wording or "").translate(_SPELLED_OUT))
    plain = spelled.encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:32].strip("_") or fallback
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def is_single_language(questions):
    return any(isinstance(q.get("label"), str) for q in questions or [])


def convert_questions(questions, original):
    """Single-language questions as written in `original`, each question and choice keyed."""
    converted, taken = [], set()
    for question in questions or []:
        key = _key(question["label"], taken, "question")
        taken.add(key)
        options, option_keys = [], set()
        for label in question.get("options") or []:
            option_key = _key(label, option_keys, "choice")
            option_keys.add(option_key)
            options.append({"key": option_key, "label": {original: label}})
        converted.append(
            {
                "key": key,
                "type": question.get("type") or ("choice" if options else "text"),
                "label": {original: question["label"]},
                "options": options,
            }
        )
    return converted


def convert_answers(answers, converted, original):
    """Answers by label to answers by key (`converted`: the event's questions, converted).
    An answer to a question since removed, or a choice since removed, is kept as it was."""
    by_label = {q["label"][original]: q for q in converted}
    result, unknown = {}, {}
    for label, value in (answers or {}).items():
        question = by_label.get(label)
        if question is None:
            unknown[label] = value
            continue
        if question["type"] == "choice":
            value = next(
                (o["key"] for o in question["options"] if o["label"][original] == value), value
            )
        result[question["key"]] = value
    for label, value in unknown.items():
        result.setdefault(label, value)
    return result


def _label(labels, original):
    return labels.get(original) or next(iter(labels.values()), "")


def revert_questions(questions, original):
    return [
        {
            "label": _label(q["label"], original),
            "type": q["type"],
            "options": [_label(o["label"], original) for o in q["options"]],
        }
        for q in questions or []
    ]


def revert_answers(answers, questions, original):
    by_key = {q["key"]: q for q in questions}
    result = {}
    for key, value in (answers or {}).items():
        question = by_key.get(key)
        if question is None:
            result.setdefault(key, value)
            continue
        if question["type"] == "choice":
            value = next(
                (_label(o["label"], original) for o in question["options"] if o["key"] == value),
                value,
            )
        result[_label(question["label"], original)] = value
    return result


def _each_event(connection, wanted, change_questions, change_answers):
    """Change the questions of each event `wanted` picks, and the answers given to them
    (`change_answers(answers, questions before, questions after, original language)`)."""
    rows = connection.execute(
        sa.select(event.c.id, event.c.original_language, event.c.questions)
    ).all()
    for event_id, original, questions in rows:
        if not questions or not wanted(questions):
            continue
        changed = change_questions(questions, original)
        connection.execute(
            sa.update(event).where(event.c.id == event_id).values(questions=changed)
        )
        registrations = connection.execute(
            sa.select(registration.c.id, registration.c.answers).where(
                registration.c.event_id == event_id
            )
        ).all()
        for registration_id, answers in registrations:
            if answers:
                connection.execute(
                    sa.update(registration)
                    .where(registration.c.id == registration_id)
                    .values(answers=change_answers(answers, questions, changed, original))
                )


def convert_all(connection):
    """Every event's single-language questions, and the answers to them (events already
    converted are left as they are)."""
    _each_event(
        connection,
        is_single_language,
        convert_questions,
        lambda answers, _before, after, original: convert_answers(answers, after, original),
    )


def revert_all(connection):
    _each_event(
        connection,
        lambda questions: not is_single_language(questions),
        revert_questions,
        lambda answers, before, _after, original: revert_answers(answers, before, original),
    )


def upgrade():
    convert_all(op.get_bind())


def downgrade():
    revert_all(op.get_bind())
