"""The translators as ``[translate]`` makes them, against the local fakes: what they send, and
every answer they cannot use named as a TranslationError."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from bot.config import Config, SummaryConfig, TranslateConfig
from bot.translation import LibreTranslate, TranslationError, translator_from_config
from tests.support.translators import LIBRE_PATH, FakeModelTranslator
from tests.translation.conftest import PHRASEBOOK, TITLE_EN, TITLE_RU


async def test_the_model_of_the_summaries_translates_with_their_key(
    httpserver: HTTPServer, monkeypatch
) -> None:
    model = FakeModelTranslator(httpserver, PHRASEBOOK)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-summaries")
    config = Config(
        summary=SummaryConfig(provider="openai", base_url=model.base_url, model="tiny-model"),
        translate=TranslateConfig(backend="openai"),
    )
    translator = translator_from_config(config)
    assert translator is not None

    assert await translator.translate([TITLE_RU], "ru", "en") == [TITLE_EN]
    assert model.requests[0]["model"] == "tiny-model"
    assert "from ru to en" in model.requests[0]["messages"][0]["content"]
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer sk-summaries"


def test_translation_off_makes_no_translator() -> None:
    assert translator_from_config(Config()) is None


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"translatedText": ["only one"]}, "gave 1 translations for 2 texts"),
        ({"translatedText": "not a list"}, "answered str, not a list of texts"),
        ({"error": "Invalid API key"}, "unexpected shape"),
    ],
)
async def test_an_answer_that_cannot_be_used_is_a_translation_error(
    httpserver: HTTPServer, answer: dict, problem: str
) -> None:
    httpserver.expect_request(LIBRE_PATH, method="POST").respond_with_json(answer)
    translator = LibreTranslate(httpserver.url_for("/"), None, timeout=2)

    with pytest.raises(TranslationError, match=problem):
        await translator.translate(["один", "два"], "ru", "en")
