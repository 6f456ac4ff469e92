import time

import pytest

from matchmaker.accounts.tokens import TokenError, make_token, read_token


def test_round_trip():
    token = make_token("s3cret", "reset", {"uid": 1})
    assert read_token("s3cret", "reset", token, max_age=60) == {"uid": 1}


def test_token_for_one_purpose_is_refused_for_another():
    token = make_token("s3cret", "reset", {"uid": 1})
    with pytest.raises(TokenError) as error:
        read_token("s3cret", "confirm", token, max_age=60)
    assert error.value.reason == "invalid"


def test_tampered_token_is_invalid():
    token = make_token("s3cret", "reset", {"uid": 1})
    with pytest.raises(TokenError):
        read_token("s3cret", "reset", token[:-2] + "xx", max_age=60)


def test_expired_token_says_expired():
    token = make_token("s3cret", "reset", {"uid": 1})
    time.sleep(1.1)
    with pytest.raises(TokenError) as error:
        read_token("s3cret", "reset", token, max_age=0)
    assert error.value.reason == "expired"
