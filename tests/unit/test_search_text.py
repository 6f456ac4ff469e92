"""Cross-language search text functions: folding, stemming, documents and safe queries."""

from __future__ import annotations

import os
import random
import re
import sqlite3
from contextlib import closing

import pytest

from matchmaker.search.text import (
    analyse,
    document,
    fold,
    fts5_query,
    group_meets,
    label_tokens,
    query_variants,
    stem,
    tokens,
    tsquery,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is optional
    given = None

TOKEN = re.compile(r"[a-z0-9]+")
_FTS_TOK = r'"[a-z0-9]+"'
_FTS_GROUP = rf"\({_FTS_TOK}(?: OR {_FTS_TOK})*\)"
_FTS_LAST = rf"\({_FTS_TOK}\*(?: OR {_FTS_TOK}\*)*\)"
FTS5_GRAMMAR = re.compile(rf"(?:{_FTS_GROUP} AND )*(?:{_FTS_LAST}|{_FTS_GROUP})")
_TS_TOK = r"[a-z0-9]+"
_TS_GROUP = rf"\({_TS_TOK}(?: \| {_TS_TOK})*\)"
_TS_LAST = rf"\({_TS_TOK}:\*(?: \| {_TS_TOK}:\*)*\)"
TSQUERY_GRAMMAR = re.compile(rf"(?:{_TS_GROUP} & )*(?:{_TS_LAST}|{_TS_GROUP})")

NASTY_INPUTS = [
    "e-health",
    "AND",
    "OR",
    "NOT",
    "a OR b NOT c",
    '"',
    '""',
    '"unterminated',
    "*",
    "tele*",
    "-",
    "--",
    "^",
    ":",
    "a:b",
    "()",
    "(",
    ")",
    "NEAR(a b)",
    "NEAR(a b, 2)",
    "content:telemedycyna",
    "'; DROP TABLE x; --",
    "🙂",
    "\x00",
    "a\x00b",
    "\ud800",
    "",
    " ",
    "!!!???...",
    "x" * 10_000,
    "word " * 2_000,
    "e-" * 5_000,
    "\ufb01 \uff34\uff25\uff2c\uff25 \u00b2 \u0130stanbul",
    "telemedycyna" + "\u0301" * 50,
]


def _index(docs: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(content)")
    conn.executemany("INSERT INTO t (content) VALUES (?)", [(doc,) for doc in docs])
    return conn


def _search(conn: sqlite3.Connection, user_input: str) -> list[int]:
    expression = fts5_query(query_variants(user_input))
    if expression is None:
        return []
    rows = conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", (expression,))
    return [rowid for (rowid,) in rows]


def _meets(query: str, doc_tokens: list[str]) -> bool:
    """Every query word has a variant among the document's tokens (prefixes aside)."""
    return all(set(group) & set(doc_tokens) for group in query_variants(query))


# --- folding and tokens ---------------------------------------------------------------


def test_fold_maps_polish_and_nordic_letters_to_ascii():
    assert fold("Łódź Ærø Å Ø ß") == "lodz aero a o ss"


def test_fold_maps_all_polish_letters():
    assert fold("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż") == "acelnoszz acelnoszz"


def test_tokens_keep_hyphen_parts_and_joined_form_without_single_letters():
    assert tokens("e-health") == ["health", "ehealth"]
    assert tokens("COVID-19, phase 3") == ["covid", "19", "covid19", "phase", "3"]


def test_tokens_are_capped_at_40_characters():
    assert tokens("a" * 100) == ["a" * 40]


# --- stemming ------------------------------------------------------------------------


def test_polish_inflections_share_a_stem():
    assert (
        len({stem(word, "pl") for word in ("telemedycyna", "telemedycyny", "telemedycynie")}) == 1
    )


def test_danish_noun_and_adjective_share_a_stem():
    assert stem("telemedicin", "da") == stem("telemedicinske", "da")


def test_norwegian_noun_and_adjective_share_a_stem():
    assert stem("telemedisin", "nb") == stem("telemedisinsk", "nb")


def test_english_plural_shares_a_stem():
    assert stem("hospitals", "en") == stem("hospital", "en")


def test_stemmer_sees_diacritics_and_the_stem_is_folded():
    assert analyse("Lægen", "da") == analyse("lægerne", "da") == ["laeg"]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        stem("word", "de")


# --- queries meet documents ------------------------------------------------------------


def test_polish_query_meets_polish_document_in_another_case():
    assert _meets("telemedycyna", analyse("Rozwój telemedycyny w szpitalach", "pl"))


def test_danish_query_meets_danish_adjective():
    assert _meets("telemedicin", analyse("Telemedicinske løsninger til hospitaler", "da"))


def test_norwegian_query_meets_norwegian_adjective():
    assert _meets("telemedisin", analyse("Telemedisinske tjenester for sykehus", "nb"))


def test_query_without_diacritics_meets_document_with_them():
    assert _meets("laege", analyse("Lægen", "da"))
    assert _meets("lodz", analyse("Łódź", "pl"))


def test_a_query_in_any_language_meets_a_tag_label_in_another():
    tokens = label_tokens(["E-zdrowie i telemedycyna", "E-health and telemedicine"])
    for query in ("telemedycyna", "telemedycyny", "telemedicine", "Telemedicin", "e-health"):
        assert any(group_meets(group, tokens) for group in query_variants(query)), query
    assert not group_meets(query_variants("kardiologia")[0], tokens)


def test_a_joining_word_of_a_label_matches_no_tag():
    tokens = label_tokens(["E-health and telemedicine", "E-sundhed og telemedicin"])
    assert not group_meets(query_variants("and")[0], tokens)
    assert not group_meets(query_variants("og")[0], tokens)


def test_the_word_being_typed_meets_a_label_as_a_prefix():
    tokens = label_tokens(["Telemedicine"])
    assert group_meets(query_variants("telem")[0], tokens, prefix=True)
    assert not group_meets(query_variants("telem")[0], tokens)


def test_document_skips_blank_languages_and_rejects_unknown_ones():
    assert set(document({"pl": ["Tytuł"], "en": ["", "  "]})) == {"pl"}
    with pytest.raises(ValueError):
        document({"de": ["Titel"]})


def test_document_is_capped():
    content = document({"en": ["word " * 30_000]})["en"].split()
    assert len(content) == 20_000


def test_query_has_at_most_12_words():
    assert len(query_variants(" ".join(f"word{i}" for i in range(30)))) == 12


# --- query expressions ------------------------------------------------------------------


def test_fts5_query_shape():
    variants = [["telemedycyn", "telemedycyna"], ["szpit"]]
    assert fts5_query(variants) == '("telemedycyn" OR "telemedycyna") AND ("szpit"*)'
    assert (
        fts5_query(variants, prefix_last=False) == '("telemedycyn" OR "telemedycyna") AND ("szpit")'
    )


def test_tsquery_shape():
    variants = [["telemedycyn", "telemedycyna"], ["szpit"]]
    assert tsquery(variants) == "(telemedycyn | telemedycyna) & (szpit:*)"
    assert tsquery(variants, prefix_last=False) == "(telemedycyn | telemedycyna) & (szpit)"


def test_builders_drop_anything_but_plain_tokens():
    assert fts5_query([['"', "a b", "*"], []]) is None
    assert tsquery([["x:*", "&"]]) is None
    assert fts5_query([["ok", 'x" OR "y']]) == '("ok"*)'


def _check_input(user_input: str, conn: sqlite3.Connection) -> None:
    variants = query_variants(user_input)
    assert all(TOKEN.fullmatch(tok) for group in variants for tok in group)
    assert all(group == sorted(set(group)) and group for group in variants)
    for prefix_last in (True, False):
        expression = fts5_query(variants, prefix_last=prefix_last)
        ts_expression = tsquery(variants, prefix_last=prefix_last)
        if not variants:
            assert expression is None and ts_expression is None
            continue
        assert FTS5_GRAMMAR.fullmatch(expression), expression
        assert TSQUERY_GRAMMAR.fullmatch(ts_expression), ts_expression
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = _index(
        [
            " ".join(analyse("Rozwój telemedycyny w szpitalach", "pl")),
            " ".join(analyse("Telemedicinske løsninger", "da")),
            " ".join(analyse("E-health for hospitals", "en")),
        ]
    )
    yield conn
    conn.close()


@pytest.mark.parametrize("user_input", NASTY_INPUTS)
def test_nasty_input_gives_plain_tokens_and_valid_fts5(user_input, fts):
    _check_input(user_input, fts)


if given is not None:

    @settings(database=None, deadline=None, max_examples=300)
    @given(st.text(max_size=200))
    def test_fuzzed_input_gives_plain_tokens_and_valid_fts5(user_input):
        with closing(_index(["telemedycyn"])) as conn:
            _check_input(user_input, conn)

else:  # pragma: no cover - fallback without hypothesis

    def test_fuzzed_input_gives_plain_tokens_and_valid_fts5():
        rng = random.Random(20240501)
        alphabet = "aąłøæå AND OR NOT NEAR \"*-^:()'{};,.\x00🙂ß1"
        with closing(_index(["telemedycyn"])) as conn:
            for _ in range(500):
                _check_input("".join(rng.choices(alphabet, k=rng.randint(0, 60))), conn)


def test_polish_query_finds_polish_document_in_sqlite(fts):
    assert _search(fts, "telemedycyna") == [1]
    assert _search(fts, "Telemedycyna szpital") == [1]


def test_prefix_of_the_word_being_typed_matches_in_sqlite(fts):
    assert _search(fts, "telemedyc") == [1]
    assert _search(fts, "e-heal") == [3]
    assert _search(fts, "hospital") == [3]


def test_all_words_must_match_in_sqlite(fts):
    assert _search(fts, "telemedycyna hospital") == []


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"), reason="needs PostgreSQL"
)
def test_tsquery_matches_in_postgresql():
    psycopg = pytest.importorskip("psycopg")
    url = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    content = " ".join(analyse("Rozwój telemedycyny w szpitalach", "pl"))
    with psycopg.connect(url) as conn:
        for user_input, expected in [
            ("telemedycyna", True),
            ("telemedy", True),
            ("hospital", False),
        ]:
            query = tsquery(query_variants(user_input))
            row = conn.execute(
                "SELECT to_tsvector('simple', %s) @@ to_tsquery('simple', %s)", (content, query)
            ).fetchone()
            assert row[0] is expected, user_input
        for user_input in NASTY_INPUTS:
            query = tsquery(query_variants(user_input))
            if query is not None:
                conn.execute("SELECT to_tsquery('simple', %s)", (query,)).fetchone()
