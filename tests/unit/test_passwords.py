from matchmaker.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)


def test_eleven_characters_are_too_short():
    assert password_problem("a" * 5 + "bcdefg") == "too_short"


def test_twelve_varied_characters_pass():
    assert password_problem("river lamp 7") is None


def test_more_than_128_characters_are_too_long():
    assert password_problem("river lamp 7 " * 10) == "too_long"
    assert len("river lamp 7 " * 10) > MAX_LENGTH


def test_passphrase_of_exactly_the_maximum_passes():
    assert password_problem(("river lamp 7 " * 10)[:MAX_LENGTH]) is None


def test_common_password_is_refused_case_insensitively():
    assert password_problem("Password1234") == "common"
    assert password_problem("QWERTYUIOP123") == "common"


def test_one_repeated_character_is_refused():
    assert password_problem("a" * MIN_LENGTH) == "common"


def test_password_made_of_the_email_name_is_refused():
    assert password_problem("annekatrine1", email="annekatrine@example.org") == "common"


def test_no_composition_rules():
    assert password_problem("only lower case words") is None


def test_hash_is_scrypt_and_verifies():
    hashed = hash_password("river lamp 7 seven")
    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, "river lamp 7 seven")
    assert not verify_password(hashed, "river lamp 7 eight")
