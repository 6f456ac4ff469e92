"""Sign-up questions: written by the organiser in the event's languages, answered by
participants. Pure.

In each language the organiser writes one question per line: a question with a free-text
answer ("Dietary needs"), or a question followed by its choices after bars ("Lunch | Meat
| Fish"): then one is required. Every language asks the same questions in the same order,
with the same choices in the same order: a translation follows the original line by line.

Stored on the event, each question and each choice with a key of its own:

    [{"key": "lunch", "type": "choice", "label": {"en": "Lunch", "pl": "Obiad"},
      "options": [{"key": "meat", "label": {"en": "Meat", "pl": "Mięso"}}, ...]}]

An answer is kept under its question's key, a choice as the choice's key: answers given on
a Polish page and on an English one are the same, and stay valid when a label is reworded
or translated. A key is made from the original wording ("Red meat": "red_meat"), unlike the
others of the event: a key only ever comes back with the same words, so an answer never
comes to mean something else.
"""

from __future__ import annotations

import re
import unicodedata

from matchmaker.events.models import MAX_ANSWER, MAX_QUESTIONS
from matchmaker.i18n import LANGUAGES, text_language

MAX_LABEL = 200
MAX_OPTIONS = 10
# One language's questions as written in the form: every line at its longest, and then some.
MAX_TEXT = MAX_QUESTIONS * (MAX_OPTIONS + 1) * (MAX_LABEL + 3) + 100
KEY = re.compile(r"[a-z0-9_]{1,40}")
_SPELLED_OUT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE"})


class QuestionError(ValueError):
    """`code`: too_many, too_long, too_few_options, too_many_options, empty_label,
    duplicate_option, duplicate_question (one language's text); original_missing,
    mismatch (the languages together). `lang`: the language at fault, when known."""

    def __init__(self, code: str, lang: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.lang = lang


# --- writing ---------------------------------------------------------------------------------


def parse(text: str | None) -> list[dict]:
    """One language's questions: [{"label", "type", "options": [labels]}] in the order given."""
    questions = []
    for line in (text or "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        label, options = parts[0], [p for p in parts[1:] if p]
        if not any(parts):
            continue
        if not label:
            raise QuestionError("empty_label")
        if len(label) > MAX_LABEL or any(len(o) > MAX_LABEL for o in options):
            raise QuestionError("too_long")
        if len(parts) > 1 and len(options) < 2:
            raise QuestionError("too_few_options")
        if len(options) > MAX_OPTIONS:
            raise QuestionError("too_many_options")
        if len({_folded(o) for o in options}) < len(options):
            raise QuestionError("duplicate_option")
        if any(_folded(q["label"]) == _folded(label) for q in questions):
            raise QuestionError("duplicate_question")
        kind = "choice" if options else "text"
        questions.append({"label": label, "type": kind, "options": options})
    if len(questions) > MAX_QUESTIONS:
        raise QuestionError("too_many")
    return questions


def as_text(questions: list[dict]) -> str:
    """One language's questions (as `parse` gives them) as the organiser writes them."""
    return "\n".join(" | ".join([q["label"], *q.get("options", [])]) for q in questions or [])


def compose(texts: dict[str, str], original: str) -> list[dict]:
    """The questions written in several languages (`texts`: language → text), as stored but
    without keys (`keyed` gives them). The original language must have them; every other
    language written must ask the same questions with as many choices."""
    parsed = {}
    for lang in sorted(texts, key=_language_order):
        try:
            found = parse(texts[lang])
        except QuestionError as error:
            error.lang = lang
            raise
        if found:
            parsed[lang] = found
    if not parsed:
        return []
    if original not in parsed:
        raise QuestionError("original_missing", lang=original)
    shape = _shape(parsed[original])
    for lang, found in parsed.items():
        if _shape(found) != shape:
            raise QuestionError("mismatch", lang=lang)
    return [
        {
            "type": question["type"],
            "label": {lang: found[i]["label"] for lang, found in parsed.items()},
            "options": [
                {"label": {lang: found[i]["options"][j] for lang, found in parsed.items()}}
                for j in range(len(question["options"]))
            ],
        }
        for i, question in enumerate(parsed[original])
    ]


def as_texts(questions: list[dict]) -> dict[str, str]:
    """Language → the questions as the organiser writes them, for each language every
    question and choice is written in."""
    return {
        lang: as_text(
            [
                {"label": q["label"][lang], "options": [o["label"][lang] for o in q["options"]]}
                for q in questions
            ]
        )
        for lang in complete_languages(questions)
    }


def keyed(drafts: list[dict], previous: list[dict] | None, original: str) -> list[dict]:
    """`drafts` (from `compose`) with keys: a question or choice still written as before in
    any language (same words, whatever the case) keeps its key, so do those given a valid
    key; the others get a new key made from their original wording, unlike the keys the
    event has."""
    previous = previous or []
    used = {q["key"] for q in previous}
    claimed: set[str] = set()
    result = []
    for draft in drafts:
        before, key = _key_for(draft, previous, used, claimed, original, "question")
        earlier = before["options"] if before else []
        result.append(
            {
                "key": key,
                "type": draft["type"],
                "label": dict(draft["label"]),
                "options": _keyed_options(draft["options"], earlier, original),
            }
        )
    return result


def _keyed_options(drafts: list[dict], previous: list[dict], original: str) -> list[dict]:
    used = {o["key"] for o in previous}
    claimed: set[str] = set()
    options = []
    for draft in drafts:
        _, key = _key_for(draft, previous, used, claimed, original, "choice")
        options.append({"key": key, "label": dict(draft["label"])})
    return options


def _key_for(draft, previous, used, claimed, original, fallback):
    """(the earlier question or choice `draft` stands for, or None; its key), the key
    claimed so that no other draft takes it."""
    before = _given(draft, previous, claimed) or _matching(draft, previous, claimed)
    key = before["key"] if before else _new_key(_wording(draft, original), used | claimed, fallback)
    claimed.add(key)
    return before, key


def _given(draft: dict, previous: list[dict], claimed: set[str]) -> dict | None:
    """A draft that names its key (tests, data files) keeps it, with what it had before."""
    key = draft.get("key")
    if not (isinstance(key, str) and KEY.fullmatch(key)) or key in claimed:
        return None
    return next((p for p in previous if p["key"] == key), None) or {"key": key, "options": []}


def _matching(draft: dict, previous: list[dict], claimed: set[str]) -> dict | None:
    for before in previous:
        if before["key"] in claimed or before.get("type", draft.get("type")) != draft.get("type"):
            continue
        shared = draft["label"].keys() & before["label"].keys()
        if any(_folded(draft["label"][lang]) == _folded(before["label"][lang]) for lang in shared):
            return before
    return None


def _wording(item: dict, original: str) -> str:
    labels = item["label"]
    return labels.get(original) or next(iter(labels.values()), "")


def _new_key(wording: str, taken: set[str], fallback: str) -> str:
    spelled = unicodedata.normalize("NFKD", wording.translate(_SPELLED_OUT))
    plain = spelled.encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:32].strip("_") or fallback
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def _folded(label: str) -> str:
    return " ".join(label.split()).casefold()


def _shape(questions: list[dict]) -> list[tuple[str, int]]:
    return [(q["type"], len(q["options"])) for q in questions]


def _language_order(lang: str) -> tuple[int, str]:
    return (LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES), lang)


# --- reading ---------------------------------------------------------------------------------


def complete_languages(questions: list[dict]) -> list[str]:
    """The languages every question and every choice is written in."""
    if not questions:
        return []
    common = set.intersection(*(_written_in(q) for q in questions))
    return sorted(common, key=_language_order)


def _written_in(question: dict) -> set[str]:
    langs = {lang for lang, label in question["label"].items() if label}
    for option in question["options"]:
        langs &= {lang for lang, label in option["label"].items() if label}
    return langs


def in_language(questions: list[dict] | None, reader: str, original: str) -> list[dict]:
    """The questions as a reader of `reader` gets them (`i18n.text_language`: theirs, else
    English, else the original, else any), each with the language it is shown in:
    [{"key", "type", "label", "lang", "options": [{"key", "label"}]}]."""
    questions = questions or []
    common = complete_languages(questions)
    shown = []
    for question in questions:
        lang = text_language(common or _written_in(question), reader, original)
        label, lang = _label(question["label"], lang, reader, original)
        shown.append(
            {
                "key": question["key"],
                "type": question["type"],
                "label": label,
                "lang": lang,
                "options": [
                    {"key": o["key"], "label": _label(o["label"], lang, reader, original)[0]}
                    for o in question["options"]
                ],
            }
        )
    return shown


def _label(labels: dict[str, str], lang: str | None, reader: str, original: str):
    """(label, its language): in `lang` if written, else by the reader's rule."""
    if lang and labels.get(lang):
        return labels[lang], lang
    written = [code for code, label in labels.items() if label]
    found = text_language(written, reader, original)
    return (labels[found], found) if found else ("", original)


def answer_text(question: dict, value: str | None) -> str:
    """An answer as shown (`question` from `in_language`): a choice by its label; an answer
    no choice has any more as it was kept."""
    value = value or ""
    if question["type"] == "choice":
        return next((o["label"] for o in question["options"] if o["key"] == value), value)
    return value


def answered(
    questions: list[dict] | None, answers: dict[str, str] | None, reader: str, original: str
) -> list[tuple[str, str]]:
    """(question, answer) in the reader's language, for each question answered."""
    answers = answers or {}
    pairs = []
    for question in in_language(questions, reader, original):
        text = answer_text(question, answers.get(question["key"]))
        if text:
            pairs.append((question["label"], text))
    return pairs


# --- answering -------------------------------------------------------------------------------


def check_answers(questions: list[dict], given: dict[str, str]) -> tuple[dict[str, str], dict]:
    """(answers by question key, errors by question key: "required" or "too_long").

    `given` maps each question's key to what was sent; a choice is sent as its key.
    """
    answers, errors = {}, {}
    for question in questions or []:
        key = question["key"]
        value = (given.get(key) or "").strip()
        if question["type"] == "choice":
            if value not in {option["key"] for option in question["options"]}:
                errors[key] = "required"
                continue
        elif len(value) > MAX_ANSWER:
            errors[key] = "too_long"
            continue
        answers[key] = value
    return answers, errors
