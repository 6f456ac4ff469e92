"""Sign-up questions written per language: readers get them in theirs (else English, else
the original), answers are kept by key and shown in the reader's language, and questions
written in one language before still work after the data conversion."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from matchmaker.events import questions, seats
from matchmaker.events.models import Event, Registration
from matchmaker.events.personal_data import export_registrations
from matchmaker.extensions import db
from tests.conftest import body_text
from tests.web import test_events as events
from tests.web.helpers import translated
from tests.web.test_events import (
    edit,
    fresh,
    make_event,
    person,
    registrations,
    sign_up,
    text,
)

# The events tests' world: organisations, people (Alice reads Polish, Bob Norwegian,
# Carol Danish) and an organiser, Olga, who reads English.
app = events.app
world = events.world

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "matchmaker/migrations/versions/a8d5c2f6b4e1_question_texts.py"
)
EN = "Dietary needs\nLunch | Meat | Fish"
PL = "Dieta\nObiad | Mięso | Ryba"
TEXTS = {
    "en": {"title": "Visit to Alma House", "description": "A living lab.", "programme": ""},
    "pl": {"title": "Wizyta w Alma House", "description": "Laboratorium.", "programme": ""},
}


def migration():
    spec = importlib.util.spec_from_file_location("question_texts", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def written(original: str = "en", **texts: str) -> list[dict]:
    """Questions as the organiser's form gives them, in the languages of `texts`."""
    return questions.compose(texts, original)


def event_in(world, original="en", **texts) -> Event:
    return make_event(
        world,
        capacity=5,
        original_language=original,
        texts=TEXTS,
        questions=written(original, **texts),
    )


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, text(response)[:500]
    return list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))


def asked(event: Event) -> list[dict]:
    return fresh(event).questions


# --- readers -------------------------------------------------------------------------------


def test_a_polish_reader_sees_the_polish_question_and_choices(app, world):
    event = event_in(world, en=EN, pl=PL)
    alice = person(app, world, "alice")
    page = text(alice.get(f"/pl/events/{event.id}"))
    assert '<label for="answer-lunch" lang="pl">Obiad</label>' in page
    assert re.search(r'<option value="fish" lang="pl"\s*>Ryba</option>', page)
    assert '<label for="answer-dietary_needs" lang="pl">Dieta</label>' in page
    assert "Lunch" not in page and ">Fish<" not in page
    # The same event in English, for an English reader.
    page = text(alice.get(f"/en/events/{event.id}"))
    assert '<label for="answer-lunch" lang="en">Lunch</label>' in page
    assert re.search(r'<option value="fish" lang="en"\s*>Fish</option>', page)


def test_a_danish_reader_of_questions_in_polish_and_english_gets_english(app, world):
    event = event_in(world, original="pl", pl=PL, en=EN)
    page = text(person(app, world, "carol").get(f"/da/events/{event.id}"))
    # (The keys come from the original, Polish, wording.)
    assert '<label for="answer-obiad" lang="en">Lunch</label>' in page
    assert re.search(r'<option value="ryba" lang="en"\s*>Fish</option>', page)
    assert "Obiad<" not in page and "Ryba<" not in page


def test_questions_written_in_the_original_only_are_shown_in_it_to_everyone(app, world):
    event = event_in(world, original="pl", pl=PL)
    page = text(person(app, world, "carol").get(f"/da/events/{event.id}"))
    assert '<label for="answer-obiad" lang="pl">Obiad</label>' in page


# --- answers -------------------------------------------------------------------------------


def test_answers_are_stored_as_keys_whatever_language_they_were_given_in(app, world):
    event = event_in(world, en=EN, pl=PL)
    alice, dave = person(app, world, "alice"), person(app, world, "dave")
    assert sign_up(alice, event, lang="pl", answer_lunch="fish").status_code == 200
    assert sign_up(dave, event, lang="en", answer_lunch="fish").status_code == 200
    assert [r.answers["lunch"] for r in registrations(event)] == ["fish", "fish"]
    # A label is no answer: only the choices' keys are.
    bob = person(app, world, "bob")
    assert sign_up(bob, event, lang="pl", answer_lunch="Ryba").status_code == 422
    assert len(registrations(event)) == 2


def test_the_csv_and_the_participant_list_show_answers_in_the_organisers_language(app, world):
    event = event_in(world, en=EN, pl=PL)
    sign_up(
        person(app, world, "alice"),
        event,
        lang="pl",
        answer_dietary_needs="Bez orzechów",
        answer_lunch="fish",
    )
    sign_up(person(app, world, "dave"), event, lang="en", answer_lunch="meat")
    olga = person(app, world, "olga")

    english = csv_rows(olga.get(f"/en/my/events/{event.id}/participants.csv"))
    assert english[0][-2:] == ["Dietary needs", "Lunch"]
    table = {row[0]: row[-2:] for row in english[1:]}
    assert table == {"Alice": ["Bez orzechów", "Fish"], "Dave": ["", "Meat"]}

    polish = csv_rows(olga.get(f"/pl/my/events/{event.id}/participants.csv"))
    assert polish[0][-2:] == ["Dieta", "Obiad"]
    assert {row[0]: row[-1] for row in polish[1:]} == {"Alice": "Ryba", "Dave": "Mięso"}

    page = text(olga.get(f"/pl/my/events/{event.id}"))
    assert '<dt lang="pl">Obiad</dt><dd lang="pl">Ryba</dd>' in page
    assert '<dt lang="pl">Dieta</dt><dd>Bez orzechów</dd>' in page
    page = text(olga.get(f"/en/my/events/{event.id}"))
    assert '<dt lang="en">Lunch</dt><dd lang="en">Meat</dd>' in page


def test_the_receipt_lists_the_answers_in_the_recipients_language(app, world, smtp_server):
    event = event_in(world, en=EN, pl=PL)
    # Alice reads Polish, though she signed up on the English page.
    sign_up(person(app, world, "alice"), event, lang="en", answer_lunch="fish")
    [receipt] = smtp_server.wait_for("alice@example.org")
    body = body_text(receipt)
    assert "Obiad: Ryba" in body
    assert "Fish" not in body
    # Carol reads Danish: the questions are not in Danish, so she gets them in English.
    sign_up(person(app, world, "carol"), event, lang="da", answer_lunch="meat")
    [receipt] = smtp_server.wait_for("carol@example.org")
    assert "Lunch: Meat" in body_text(receipt)


def test_a_receipt_without_questions_lists_no_answers(app, world, smtp_server):
    event = make_event(world, capacity=5)
    sign_up(person(app, world, "dave"), event)
    [receipt] = smtp_server.wait_for("dave@example.org")
    assert "Your answers:" not in body_text(receipt)


# --- the organiser's form ------------------------------------------------------------------


def test_the_form_offers_the_questions_in_each_language_the_event_is_written_in(app, world):
    event = event_in(world, en=EN, pl=PL)
    page = text(person(app, world, "olga").get(f"/en/my/events/{event.id}/edit"))
    more = page.index('<details class="question-languages"')
    assert page.index('name="questions_en"') < page.index('name="questions_pl"') < more
    assert page.index('name="questions_da"') > more and page.index('name="questions_nb"') > more
    found = re.search(r'<textarea[^>]*name="questions_pl"[^>]*>\s*(.*?)</textarea>', page, re.S)
    assert found and found.group(1).strip() == PL


def test_each_column_of_questions_is_described_by_its_language(app, world):
    """The columns' boxes share one label; a screen reader hears which language each is."""
    event = event_in(world, en=EN, pl=PL)
    page = text(person(app, world, "olga").get(f"/en/my/events/{event.id}/edit"))
    for code, name in (("en", "English"), ("pl", "Polski"), ("da", "Dansk")):
        box = re.search(rf'<textarea[^>]*name="questions_{code}"[^>]*>', page).group(0)
        described_by = re.search(r'aria-describedby="([^"]*)"', box).group(1).split()
        assert described_by[0] == f"questions-{code}-language"
        assert f'id="questions-{code}-language">{name}</span>' in page


def test_the_organiser_writes_the_questions_in_two_languages(app, world):
    event = make_event(world, capacity=5, texts=TEXTS)
    olga = person(app, world, "olga")
    changes = {"texts_pl-title": "Wizyta", "texts_pl-description": "Laboratorium."}
    response = edit(olga, event, questions_en=EN, questions_pl=PL, **changes)
    assert response.status_code == 303, text(response)[:3000]
    [diet, lunch] = asked(event)
    assert diet == {
        "key": "dietary_needs",
        "type": "text",
        "label": {"pl": "Dieta", "en": "Dietary needs"},
        "options": [],
    }
    assert lunch["label"] == {"pl": "Obiad", "en": "Lunch"}
    assert [o["key"] for o in lunch["options"]] == ["meat", "fish"]
    assert lunch["options"][1]["label"] == {"pl": "Ryba", "en": "Fish"}


def test_translating_or_rewording_keeps_the_keys_answers_point_to(app, world):
    event = make_event(world, capacity=5, texts=TEXTS, questions=written(en=EN))
    sign_up(person(app, world, "dave"), event, answer_lunch="fish")
    olga = person(app, world, "olga")
    # A translation added, the order changed, "Meat" reworded, a choice added.
    response = edit(
        olga,
        event,
        questions_en="Dietary needs\nLunch | Fish | Red meat | Vegetarian",
        questions_pl="Dieta\nObiad | Ryba | Czerwone mięso | Wegetariańskie",
    )
    assert response.status_code == 303, text(response)[:3000]
    [diet, lunch] = asked(event)
    assert diet["key"] == "dietary_needs" and lunch["key"] == "lunch"
    assert [o["key"] for o in lunch["options"]] == ["fish", "red_meat", "vegetarian"]
    # Reworded in one language, a choice keeps its key by the words of the other.
    response = edit(
        olga, event, questions_en="Dietary needs\nLunch | Fish of the day | Red meat | Vegetarian"
    )
    assert response.status_code == 303, text(response)[:3000]
    [_diet, lunch] = asked(event)
    assert [o["key"] for o in lunch["options"]] == ["fish", "red_meat", "vegetarian"]
    assert lunch["options"][0]["label"] == {"pl": "Ryba", "en": "Fish of the day"}
    # Dave's answer, given before all this, reads as the same choice.
    rows = csv_rows(olga.get(f"/pl/my/events/{event.id}/participants.csv"))
    assert rows[1][-1] == "Ryba"
    rows = csv_rows(olga.get(f"/en/my/events/{event.id}/participants.csv"))
    assert rows[1][-1] == "Fish of the day"


BAD = [
    ({"questions_en": "Lunch | Meat | Fish\n| Tea | Coffee"}, "empty_label"),
    ({"questions_en": "", "questions_pl": PL}, "original_missing"),
    ({"questions_en": "Lunch | " + " | ".join(f"Dish {i}" for i in range(11))}, "too_many_options"),
    ({"questions_en": "Lunch | Meat | " + "x" * 201}, "too_long"),
    ({"questions_en": "Lunch | Meat | Fish | fish"}, "duplicate_option"),
    ({"questions_en": "Lunch\nlunch"}, "duplicate_question"),
    ({"questions_en": "\n".join(f"Question {i}" for i in range(6))}, "too_many"),
    ({"questions_en": EN, "questions_pl": "Dieta\nObiad | Mięso | Ryba | Wege"}, "mismatch"),
    ({"questions_en": EN, "questions_pl": "Obiad | Mięso | Ryba"}, "mismatch"),
]
MESSAGES = {
    "empty_label": "Write each question before its choices, as in: Lunch | Meat | Fish",
    "original_missing": "Write the questions in the language you write in first as well: "
    "the other languages translate them.",
    "too_many_options": "Give at most 10 choices for a question.",
    "too_long": "Use at most 200 characters for each question and choice.",
    "duplicate_option": "Give each choice of a question only once.",
    "duplicate_question": "Ask each question only once.",
    "too_many": "Ask at most 5 questions.",
    "mismatch": "Ask the same questions as in English, in the same order and with the same "
    "number of choices.",
}


@pytest.mark.parametrize(
    ("changes", "code"), BAD, ids=[f"{code}-{i}" for i, (_, code) in enumerate(BAD)]
)
def test_bad_questions_are_refused_with_a_clear_error_and_nothing_changes(
    app, world, changes, code
):
    event = make_event(world, capacity=5, texts=TEXTS, questions=written(en=EN))
    before, revision = asked(event), fresh(event).revision
    olga = person(app, world, "olga")
    response = edit(olga, event, **changes)
    assert response.status_code == 422
    page = text(response)
    assert MESSAGES[code] in page
    # The error sits with the language at fault.
    at_fault = "questions_pl" if code == "mismatch" else "questions_en"
    assert re.search(
        rf'name="{at_fault}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="{at_fault}"',
        page,
    )
    assert asked(event) == before and fresh(event).revision == revision


def test_question_errors_are_given_in_the_organisers_language(app, world):
    event = make_event(world, capacity=5, texts=TEXTS, questions=written(en=EN))
    olga = person(app, world, "olga")
    page = text(olga.get(f"/pl/my/events/{event.id}/edit"))
    token = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    data = events.event_form(event, questions_en="Lunch | " + " | ".join(str(i) for i in range(11)))
    data.update(csrf_token=olga.token, revision=token)
    response = olga.post(f"/pl/my/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert translated("pl", "Give at most 10 choices for a question.") in text(response)


# --- questions written before, in one language -----------------------------------------------

OLD_QUESTIONS = [
    {"label": "Dieta", "type": "text", "options": []},
    {"label": "Obiad", "type": "choice", "options": ["Mięso", "Ryba"]},
]


def old_event(world, app) -> Event:
    """An event of the old kind: questions in its original language (Polish), answered by
    label ({"Obiad": "Ryba"}), one answer to a question since removed."""
    event = make_event(world, capacity=5, original_language="pl", texts=TEXTS)
    db.session.execute(update(Event).where(Event.id == event.id).values(questions=OLD_QUESTIONS))
    db.session.commit()
    answers = {"Dieta": "Bez orzechów", "Obiad": "Ryba", "Parking": "Tak"}
    seats.sign_up(event.id, world["dave"].id, answers=answers)
    return fresh(event)


def test_the_conversion_keys_old_questions_and_their_answers(app, world):
    event = old_event(world, app)
    convert = migration()
    convert.convert_all(db.session.connection())
    db.session.commit()
    [diet, lunch] = asked(event)
    assert diet == {"key": "dieta", "type": "text", "label": {"pl": "Dieta"}, "options": []}
    assert lunch == {
        "key": "obiad",
        "type": "choice",
        "label": {"pl": "Obiad"},
        "options": [
            {"key": "mieso", "label": {"pl": "Mięso"}},
            {"key": "ryba", "label": {"pl": "Ryba"}},
        ],
    }
    [registration] = registrations(event)
    assert registration.answers == {"dieta": "Bez orzechów", "obiad": "ryba", "Parking": "Tak"}
    # Run again, nothing changes; converted back, it is as it was.
    convert.convert_all(db.session.connection())
    db.session.commit()
    assert asked(event) == [diet, lunch]
    convert.revert_all(db.session.connection())
    db.session.commit()
    assert asked(event) == OLD_QUESTIONS
    assert registrations(event)[0].answers == {
        "Dieta": "Bez orzechów",
        "Obiad": "Ryba",
        "Parking": "Tak",
    }


def test_old_single_language_questions_still_work_after_the_conversion(app, world):
    event = old_event(world, app)
    migration().convert_all(db.session.connection())
    db.session.commit()
    # Shown in Polish to everyone; a new answer and the old one are the same choice.
    page = text(person(app, world, "carol").get(f"/da/events/{event.id}"))
    assert '<label for="answer-obiad" lang="pl">Obiad</label>' in page
    assert (
        sign_up(person(app, world, "alice"), event, lang="da", answer_obiad="ryba").status_code
        == 200
    )
    olga = person(app, world, "olga")
    rows = csv_rows(olga.get(f"/en/my/events/{event.id}/participants.csv"))
    assert rows[0][-2:] == ["Dieta", "Obiad"]
    assert {row[0]: row[-2:] for row in rows[1:]} == {
        "Dave": ["Bez orzechów", "Ryba"],
        "Alice": ["", "Ryba"],
    }
    # The organiser translates them: the keys, and so the answers, stay.
    page = text(olga.get(f"/en/my/events/{event.id}/edit"))
    assert "Dieta\nObiad | Mięso | Ryba" in page
    polish = {"texts_pl-title": "Wizyta w Alma House", "texts_pl-description": "Laboratorium."}
    pl = "Dieta\nObiad | Mięso | Ryba"
    response = edit(olga, event, questions_pl=pl, questions_en=EN, **polish)
    assert response.status_code == 303, text(response)[:3000]
    rows = csv_rows(olga.get(f"/en/my/events/{event.id}/participants.csv"))
    assert {row[0]: row[-1] for row in rows[1:]} == {"Dave": "Fish", "Alice": "Fish"}
    answers = db.session.scalars(select(Registration.answers).order_by(Registration.id)).all()
    assert [a["obiad"] for a in answers] == ["ryba", "ryba"]


def test_a_persons_data_export_gives_their_answers_in_their_language(app, world):
    event = event_in(world, en=EN, pl=PL)
    sign_up(person(app, world, "alice"), event, lang="en", answer_lunch="fish")
    [exported] = export_registrations(world["alice"])
    assert exported["answers"] == [{"question": "Obiad", "answer": "Ryba"}]
