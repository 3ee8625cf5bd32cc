"""What follows a crisis signal: hotlines, operator overrides, texts, prompts, reply screening."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from innertalk.domain.prompting import ModelRequest, Tier
from innertalk.domain.safety import (
    CATALOG,
    DEFAULT_HOTLINES,
    CrisisCategory,
    CrisisSignal,
    HotlineFormatError,
    HotlineKind,
    Severity,
    country_from_timezone,
    detect_crisis,
    hotline_fields,
    hotlines_for,
    merge_hotlines,
    message_key,
    parse_hotlines,
    safety_system_prompt,
    screen_model_output,
    with_safety_prompt,
)
from innertalk.domain.safety.responses import ADMIN_ALERT_KEY, OUTPUT_WITHHELD_KEY
from innertalk.domain.users import Language
from innertalk.infrastructure.hotlines import HotlineFileError, load_hotlines
from innertalk.presentation.texts import catalog, text

BUILT_IN = ("RU", "KZ", "UA", "BY", "US", "GB")


def _signal(
    category: CrisisCategory, severity: Severity = Severity.CONCERN, *, about_other: bool = False
) -> CrisisSignal:
    return CrisisSignal(category, severity, about_other, frozenset({category}))


@pytest.mark.parametrize("country", BUILT_IN)
def test_every_built_in_country_starts_with_its_emergency_number(country: str) -> None:
    """Each default country lists its emergency number first and at least one other line."""
    for category in CrisisCategory:
        lines = hotlines_for(country, Language.RU, category=category)
        assert lines[0].kind is HotlineKind.EMERGENCY
        assert len(lines) >= 2


def test_uk_is_read_as_gb_and_case_does_not_matter() -> None:
    """Operators and profiles write "UK", "gb" or " GB "; all mean the same list."""
    assert hotlines_for("UK", Language.EN) == hotlines_for(" gb ", Language.EN)
    assert "116 123" in {line.contact for line in hotlines_for("uk", Language.EN)}


@pytest.mark.parametrize("country", [None, "", "FR", "ZZ"])
def test_an_unknown_country_gets_the_international_fallback(country: str | None) -> None:
    """Without a known country: the local emergency number and worldwide directories."""
    lines = hotlines_for(country, Language.EN)
    assert lines == list(DEFAULT_HOTLINES.international)
    assert {line.contact for line in lines} >= {"findahelpline.com", "befrienders.org"}


def test_abuse_puts_the_dedicated_helpline_right_after_the_emergency_number() -> None:
    """Category-specific lines come before general ones; other categories do not see them."""
    abuse = hotlines_for("US", Language.EN, category=CrisisCategory.ABUSE)
    assert [line.contact for line in abuse[:2]] == ["911", "1-800-799-7233"]
    suicidal = hotlines_for("US", Language.EN, category=CrisisCategory.SUICIDAL_IDEATION)
    assert "1-800-799-7233" not in {line.contact for line in suicidal}


def test_lines_that_do_not_speak_the_language_come_last() -> None:
    """An English-only text line is offered after the lines a Russian speaker can use."""
    lines = hotlines_for("GB", Language.RU)
    english_only = [index for index, line in enumerate(lines) if line.languages == {"en"}]
    assert english_only == list(range(len(lines) - len(english_only), len(lines)))


def test_operator_country_lists_replace_built_in_ones_whole() -> None:
    """A country in the operator's file replaces that country's list; others stay."""
    override = parse_hotlines(
        {"countries": {"ru": [{"name": "Local line", "contact": "8-800-000-00-00"}]}}
    )
    merged = merge_hotlines(DEFAULT_HOTLINES, override)
    assert [line.contact for line in hotlines_for("RU", Language.RU, directory=merged)] == [
        "8-800-000-00-00"
    ]
    assert hotlines_for("US", Language.EN, directory=merged) == hotlines_for("US", Language.EN)


def test_replace_true_drops_every_built_in_country_but_keeps_a_fallback() -> None:
    """``replace = true`` leaves only the file's countries; nobody is left with nothing."""
    override = parse_hotlines(
        {
            "replace": True,
            "countries": {"DE": [{"name": "Telefonseelsorge", "contact": "116 123"}]},
        }
    )
    merged = merge_hotlines(DEFAULT_HOTLINES, override)
    assert set(merged.countries) == {"DE"}
    assert hotlines_for("RU", Language.RU, directory=merged) == list(
        DEFAULT_HOTLINES.international
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"countries": {"RUS": []}}, "two-letter"),
        ({"countries": {"RU": [{"name": "x"}]}}, "contact"),
        ({"countries": {"RU": [{"name": "x", "contact": "1", "kind": "pager"}]}}, "pager"),
        ({"countries": {"RU": [{"contact": "1", "categories": ["sadness"]}]}}, "sadness"),
        ({"countries": {"RU": [{"contact": "1"}]}}, "name"),
        ({"international": "112"}, "list"),
        ({"replace": "yes"}, "replace"),
        ({"hotlines": []}, "unknown"),
    ],
)
def test_malformed_operator_data_is_refused_with_the_reason(
    data: dict[str, object], problem: str
) -> None:
    """A broken file never half-loads; the error names what is wrong."""
    with pytest.raises(HotlineFormatError, match=problem):
        parse_hotlines(data)


def test_the_built_in_list_is_valid_operator_data() -> None:
    """The defaults are written in the file format and parse under the same rules."""
    assert set(DEFAULT_HOTLINES.countries) == set(BUILT_IN)
    assert all(
        line.name.en and line.contact
        for lines in DEFAULT_HOTLINES.countries.values()
        for line in lines
    )


def test_load_hotlines_reads_toml_onto_the_defaults(tmp_path: Path) -> None:
    """A TOML file's countries override the built-in ones, with localized names."""
    path = tmp_path / "hotlines.toml"
    path.write_text(
        '[[countries.KZ]]\nname = { en = "Emergency", ru = "Экстренные службы" }\n'
        'contact = "112"\nkind = "emergency"\n'
        '[[countries.KZ]]\nname = "Local helpline"\ncontact = "150"\nkind = "crisis"\n'
        'categories = ["suicidal_ideation", "self_harm"]\n',
        encoding="utf-8",
    )
    directory = load_hotlines(path)
    lines = hotlines_for("KZ", Language.RU, category=CrisisCategory.SELF_HARM, directory=directory)
    assert [(line.name.text(Language.RU), line.contact) for line in lines] == [
        ("Экстренные службы", "112"),
        ("Local helpline", "150"),
    ]
    assert hotlines_for("US", Language.EN, directory=directory) == hotlines_for("US", Language.EN)


def test_load_hotlines_reads_json(tmp_path: Path) -> None:
    """Any file not named .toml is read as JSON, with the same shape."""
    path = tmp_path / "hotlines.json"
    path.write_text(json.dumps({"international": [{"name": "Help", "contact": "112"}]}))
    assert [line.contact for line in load_hotlines(path).international] == ["112"]


@pytest.mark.parametrize("content", ["not = [valid", "[[countries.RU]]\nname = 'x'\n"])
def test_load_hotlines_fails_loudly_naming_the_file(tmp_path: Path, content: str) -> None:
    """Unreadable or invalid files stop start-up instead of running with other numbers."""
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HotlineFileError, match=r"bad\.toml"):
        load_hotlines(path)


def test_a_missing_hotline_file_fails_loudly(tmp_path: Path) -> None:
    """A configured path that does not exist is an error, not the defaults."""
    with pytest.raises(HotlineFileError):
        load_hotlines(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Europe/Moscow", "RU"),
        ("Asia/Vladivostok", "RU"),
        ("Asia/Almaty", "KZ"),
        ("Europe/Kyiv", "UA"),
        ("Europe/Minsk", "BY"),
        ("Europe/London", "GB"),
        ("America/New_York", "US"),
        ("America/Indiana/Indianapolis", "US"),
        ("Europe/Simferopol", None),
        ("Europe/Berlin", None),
        ("UTC", None),
    ],
)
def test_the_country_is_guessed_from_the_time_zone(zone: str, country: str | None) -> None:
    """Profiles store a time zone, not a country; the built-in countries are recognized."""
    assert country_from_timezone(zone) == country


@pytest.mark.parametrize(
    ("signal", "key"),
    [
        (_signal(CrisisCategory.SUICIDAL_IDEATION), "suicidal_ideation"),
        (_signal(CrisisCategory.SUICIDAL_IDEATION, Severity.HIGH), "suicidal_high"),
        (_signal(CrisisCategory.SELF_HARM, Severity.HIGH), "self_harm"),
        (_signal(CrisisCategory.HARM_TO_OTHERS), "harm_to_others"),
        (_signal(CrisisCategory.ABUSE), "abuse"),
        (_signal(CrisisCategory.ACUTE_DANGER, Severity.HIGH), "acute_danger"),
        (_signal(CrisisCategory.SELF_HARM, about_other=True), "about_other"),
        (_signal(CrisisCategory.ACUTE_DANGER, about_other=True), "about_other_acute"),
    ],
)
def test_each_signal_gets_its_own_message(signal: CrisisSignal, key: str) -> None:
    """Abuse, self-harm, harm to others, emergencies and worried friends read different words."""
    assert message_key(signal) == key


@pytest.mark.parametrize("language", list(Language))
def test_every_message_exists_lists_hotlines_says_it_is_an_ai_and_asks_about_safety(
    language: Language,
) -> None:
    """Each crisis message has {hotlines}, the AI disclaimer and a question about safety."""
    texts = catalog(CATALOG, language)
    ai = {"en": "AI program", "ru": "программа с ИИ"}[language.value]
    safe = {"en": "safe", "ru": "безопасн"}[language.value]
    for category in CrisisCategory:
        for signal in (
            _signal(category),
            _signal(category, Severity.HIGH),
            _signal(category, about_other=True),
        ):
            template = texts[message_key(signal)]
            assert _placeholders(template) == {"hotlines"}, message_key(signal)
            assert ai in template
            assert safe in template
            assert template.rstrip().endswith("?")
    assert OUTPUT_WITHHELD_KEY in texts
    assert ADMIN_ALERT_KEY in texts


@pytest.mark.parametrize("language", list(Language))
def test_hotlines_render_through_the_catalog(language: Language) -> None:
    """``hotline_fields`` fills exactly the catalog's hotline placeholders."""
    signal = detect_crisis("я сегодня наглотаюсь таблеток")
    assert signal is not None
    lines = []
    for line in hotlines_for("RU", language, category=signal.category):
        key, fields = hotline_fields(line, language)
        assert _placeholders(catalog(CATALOG, language)[key]) == set(fields)
        lines.append(text(CATALOG, language, key, **fields))
    message = text(CATALOG, language, message_key(signal), hotlines="\n".join(lines))
    assert "112" in message
    assert "8-800-2000-122" in message


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", list(Language))
def test_the_safety_prompt_forbids_methods_and_asks_about_safety(language: Language) -> None:
    """The model is told: no method details ever, ask about safety now, point to people."""
    prompt = safety_system_prompt(language, CrisisCategory.SUICIDAL_IDEATION)
    if language is Language.EN:
        assert "Never give any information about methods" in prompt
        assert "safe right now" in prompt
    else:
        assert "Никогда не сообщай никаких сведений о способах" in prompt
        assert "в безопасности ли он сейчас" in prompt
    abuse = safety_system_prompt(language, CrisisCategory.ABUSE)
    other = safety_system_prompt(language, CrisisCategory.ABUSE, about_other=True)
    assert len({prompt, abuse, other}) == 3


def test_with_safety_prompt_extends_the_system_prompt_on_the_standard_tier() -> None:
    """The original prompt is kept, the safety one appended, and the cheap tier refused."""
    request = ModelRequest(system="Base.", message="hi", language=Language.RU, tier=Tier.FAST)
    changed = with_safety_prompt(request, _signal(CrisisCategory.SELF_HARM))
    assert changed.system.startswith("Base.\n\n")
    assert safety_system_prompt(Language.RU, CrisisCategory.SELF_HARM) in changed.system
    assert changed.tier is Tier.STANDARD
    assert changed.message == request.message


@pytest.mark.parametrize(
    "reply",
    [
        "The lethal dose of paracetamol is about 10 grams.",
        "How many pills to die? Around 30 would do it.",
        "50 tablets is usually lethal.",
        "The most painless way is to take them at night.",
        "Cut vertically along the vein.",
        "Here is how to tie a noose.",
        "Jumping from at least 10 floors is usually fatal.",
        "You should just kill yourself.",
        "Смертельная доза — около 10 граммов.",
        "Самый безболезненный способ — это…",
        "Резать нужно вдоль вены.",
        "С 9 этажа наверняка.",
        "Тебе лучше просто умереть.",
        "Иди повесься.",
    ],
)
def test_replies_with_method_details_or_encouragement_are_withheld(reply: str) -> None:
    """Doses, counts, heights, how-tos, "best ways" and urging self-harm never reach anyone."""
    screen = screen_model_output(reply)
    assert screen.withheld
    assert screen.reasons


@pytest.mark.parametrize(
    "reply",
    [
        "It sounds like you're having thoughts of suicide. Are you safe right now?",
        "I'm really glad you told me. You don't have to go through this alone.",
        "If you're thinking about killing yourself, please call 988 now.",
        "Похоже, тебе сейчас очень тяжело. Ты в безопасности?",
        "Если думаешь о самоубийстве, позвони, пожалуйста, на линию помощи.",
        "Drinking enough water and sleeping well can help with headaches.",
    ],
)
def test_supportive_replies_pass(reply: str) -> None:
    """Talking about crisis to offer help is allowed; the detector sees it as addressed."""
    screen = screen_model_output(reply)
    assert not screen.withheld
    assert screen.signal is None


def test_the_screen_reports_what_the_detector_sees_without_blocking() -> None:
    """A crisis phrase in a reply is reported for metrics, not withheld by itself."""
    screen = screen_model_output("Many people feel like they want to die sometimes.")
    assert not screen.withheld
    assert screen.signal is not None
    assert screen.signal.about_other


def test_the_documented_hotline_file_example_loads(tmp_path: Path) -> None:
    """The HOTLINES_FILE example in docs/operations.md is a valid file."""
    from innertalk.infrastructure.hotlines import load_hotlines

    docs = Path(__file__).parents[3] / "docs" / "operations.md"
    example = docs.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "hotlines.toml").write_text(example, encoding="utf-8")
    directory = load_hotlines(tmp_path / "hotlines.toml")
    assert [line.contact for line in directory.countries["RU"]] == ["112", "8-800-000-00-00"]
