"""Bot settings that would only fail at Telegram are refused at start-up with one line."""

from __future__ import annotations

import pytest

from innertalk.config import ConfigError, load_settings


@pytest.mark.parametrize("secret", ["has space", "ümlaut", "x" * 257, "semi;colon"])
def test_a_webhook_secret_telegram_would_refuse_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    """WEBHOOK_SECRET allows what setWebhook allows: 1-256 of A-Z a-z 0-9 _ -."""
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET: "):
        load_settings(None)


def test_a_valid_webhook_secret_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret of allowed characters is accepted as is (and stays hidden)."""
    monkeypatch.setenv("WEBHOOK_SECRET", "Abc_123-xyz")
    secret = load_settings(None).http.webhook_secret
    assert secret is not None
    assert secret.get_secret_value() == "Abc_123-xyz"
