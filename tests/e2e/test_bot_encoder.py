"""The real ``innertalk bot`` with its sentence encoder on (every other e2e test runs with
``SAFETY_ENCODER=off``): a goodbye no rule and no n-gram catches gets the crisis notice."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from innertalk.domain.safety import detect_crisis
from tests.e2e.bot_process import bot_process, onboard
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e

# Written for the tests (as in test_crisis_classifier.py): the n-gram head alone scores it
# below its threshold; the encoder's head says suicidal ideation.
GOODBYE = "wrote notes for mum and my brother, put them in the drawer. feeling calm for once"


async def test_with_the_encoder_on_a_goodbye_the_ngrams_miss_gets_the_crisis_notice(
    tmp_path: Path,
) -> None:
    """SAFETY_ENCODER=on: /readyz shows the encoder in use, and a quiet goodbye that neither the
    rules nor the n-grams flag gets the notice with an emergency number before the reply."""
    assert detect_crisis(GOODBYE) is None
    async with (
        FakeTelegram() as telegram,
        bot_process(tmp_path, telegram, SAFETY_ENCODER="on") as bot,
    ):
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{bot.base_url}/readyz") as ready,
        ):
            components = {c["name"]: c for c in (await ready.json())["components"]}
        assert components["crisis_model"]["detail"] == "n-grams + sentence encoder"
        eve = telegram.user(language_code="en")
        await onboard(telegram, eve)
        before = len(eve.messages())
        eve.send(GOODBYE)
        messages = await eve.wait_for_messages(before + 2, timeout=30)
        notice = messages[before].text
        assert "AI program" in notice, [m.text for m in messages[before:]]
        assert any(number in notice for number in ("112", "911", "988", "999"))
        assert await bot.terminate() == 0, bot.output()
