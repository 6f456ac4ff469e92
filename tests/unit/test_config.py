import pytest

from matchmaker.config import ConfigError, finalise


def test_development_writes_a_random_secret_once(tmp_path):
    first, second = {"ENVIRONMENT": "development"}, {"ENVIRONMENT": "development"}
    finalise(first, str(tmp_path))
    finalise(second, str(tmp_path))
    assert len(first["SECRET_KEY"]) == 64
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("secret", [None, "", "dev", "change-me", "short"])
def test_production_refuses_missing_or_default_secret(tmp_path, secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        finalise({"ENVIRONMENT": "production", "SECRET_KEY": secret}, str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_production_accepts_a_long_secret(tmp_path):
    config = {"ENVIRONMENT": "production", "SECRET_KEY": "f" * 64}
    finalise(config, str(tmp_path))
    assert config["SECRET_KEY"] == "f" * 64
