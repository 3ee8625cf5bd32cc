"""The output screen reads text as the person will see it: markup, hyphenation and wide
letters undone (``visible``), and a streaming reply screened as it grows (``drafts``)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innertalk.domain.safety import DraftScreen, visible_readings, withheld_reasons

FORBIDDEN = (
    "A lethal dose of paracetamol is about 10 grams.",
    "Taking 40 pills would be a lethal dose for most people.",
    "The most painless way is to fall asleep.",
    "You should just kill yourself.",
    "First tie a noose from the belt.",
    "Cut along the veins deep enough.",
    "Jump from at least 10 floors.",
    "Смертельная доза парацетамола около 10 грамм.",
    "Самый безболезненный способ уйти из жизни.",
    "Тебе лучше просто умереть.",
    "Прыгнуть с 9 этажа наверняка смертельно.",
    "Нужно резать вдоль вены.",
)
SAFE = (
    "That sounds really heavy. Are you safe right now?",
    "Let's take it **one** step at a time — what feels most pressing?",
    "A well-known trick: breathe in for *four*, out for six.",
    "Кто-то рядом может помочь; позвони на линию <b>доверия</b>.",
    "It sounds like you're thinking about suicide. I'm glad you told me.",
)
WIDE = {code: code + 0xFEE0 for code in range(0x21, 0x7F)} | {0x20: 0x3000}
LINK = "https://example.org/x"


@pytest.mark.parametrize(
    "text",
    [
        "The **lethal** dose is 10 g.",
        "The lethal\ndose is 10 g.",
        "The le-thal dose is 10 g.",
        "The le-\nthal dose is 10 g.",
        "The lethal-dose is 10 g.",
        "The ｌｅｔｈａｌ ｄｏｓｅ is 10 g.",
        "The le\u00adthal do\u200bse is 10 g.",
        "The <b>le</b>thal <i>dose</i> is 10 g.",
        "The **le**thal dose is 10 g.",
        f"The [le]({LINK})thal dose is 10 g.",
        "The ~~le~~thal `dose` is 10 g.",
        "The &#108;ethal dose is 10 g.",
        "The <a lethal dose> is 10 g.",
        "Смер-тельная\nдоза — 10 грамм.",
    ],
)
def test_markup_hyphens_breaks_and_wide_letters_do_not_hide_a_method(text: str) -> None:
    """Each disguise the testers found (and its neighbours) is still withheld."""
    assert "out.lethal_dose" in withheld_reasons(text)


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_replies_with_markup_and_hyphens_pass(text: str) -> None:
    """Reading text as seen does not make the screen withhold ordinary, caring replies."""
    assert withheld_reasons(text) == ()


def test_the_visible_reading_drops_markup_and_folds_case() -> None:
    """Tags, links, emphasis and invisible characters go; breaks are spaces; case folds."""
    assert visible_readings("**Hi**\n<b>THERE</b> [you](http://x.y)\u200b!") == ("hi there you!",)


def test_a_hyphen_between_letters_is_read_as_a_space_and_as_nothing() -> None:
    """``le-thal`` may be one word or two; ``5-го`` keeps its hyphen (a digit, not a letter)."""
    assert visible_readings("le-thal, 5-го") == ("le thal, 5-го", "lethal, 5-го")


@st.composite
def disguised(draw: st.DrawFn) -> str:
    """A phrase of ``FORBIDDEN`` hyphenated at letter boundaries, wrapped over lines, marked
    up, sprinkled with zero-width characters and partly in full-width letters, at random."""
    text = draw(st.sampled_from(FORBIDDEN))
    boundaries = [i for i in range(1, len(text)) if text[i - 1].isalpha() and text[i].isalpha()]
    cuts = draw(st.lists(st.sampled_from(boundaries), max_size=3, unique=True))
    for cut in sorted(cuts, reverse=True):
        hyphen = draw(st.sampled_from(["-", "-\n", "\u00ad", "\u2010", "\u2011"]))
        text = text[:cut] + hyphen + text[cut:]
    spaces = [i for i, char in enumerate(text) if char == " "]
    for at in sorted(draw(st.lists(st.sampled_from(spaces), max_size=3, unique=True)))[::-1]:
        text = text[:at] + draw(st.sampled_from(["\n", " \n", "\r\n", "\n\n"])) + text[at + 1 :]
    if draw(st.booleans()):  # one span (within a line) as a link or an HTML tag
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        if "\n" not in text[start:end]:
            opener, closer = draw(
                st.sampled_from([("[", f"]({LINK})"), ("<b>", "</b>"), ("<i>", "</i>")])
            )
            text = text[:start] + opener + text[start:end] + closer + text[end:]
    marks = st.sampled_from(["**", "__", "*", "_", "~~", "`", "||", "\u200b", "\u200d", "\ufeff"])
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(marks) + text[at:]
    share = draw(st.sampled_from([0.0, 0.3, 1.0]))  # how many characters turn full-width
    coin = random.Random(draw(st.integers(0, 2**32)))  # one draw, not one per character
    return "".join(
        chr(WIDE[ord(char)]) if ord(char) in WIDE and coin.random() < share else char
        for char in text
    )


@pytest.mark.parametrize("phrase", FORBIDDEN)
def test_every_forbidden_phrase_is_withheld_in_plain_form(phrase: str) -> None:
    """The property below starts from phrases the plain screen withholds."""
    assert withheld_reasons(phrase)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disguised())
def test_disguising_a_withheld_phrase_never_gets_it_shown(text: str) -> None:
    """Whatever markup, line breaks, hyphenation, zero-width or full-width characters are
    added, a phrase withheld in plain form stays withheld."""
    assert withheld_reasons(text), text


def _stream(text: str, sizes: list[int]) -> list[str]:
    """``text`` cut into chunks of the given sizes (the rest in one last chunk)."""
    chunks, at = [], 0
    for size in sizes:
        if at < len(text):
            chunks.append(text[at : at + size])
            at += size
    return [*chunks, text[at:]] if at < len(text) else chunks


@settings(max_examples=120, deadline=None)
@given(
    st.sampled_from(FORBIDDEN),
    st.sampled_from(SAFE),
    st.lists(st.integers(1, 12), min_size=1, max_size=40),
    st.integers(1, 100),
)
def test_no_streamed_draft_ever_carries_a_withheld_phrase(
    phrase: str, before: str, sizes: list[int], step: int
) -> None:
    """However the reply is chunked and however often it is screened, every draft shown is a
    screened prefix of the reply, and the reply is withheld by the end."""
    screen = DraftScreen(window=40, step=step)
    so_far, shown = "", []
    for chunk in _stream(f"{before} {before} {phrase} And then more.", sizes):
        so_far += chunk
        visible = screen.visible(so_far)
        if visible is None:
            break
        assert so_far.startswith(visible)
        shown.append(visible)
    else:
        assert screen.visible(so_far, final=True) is None
    assert screen.withheld
    assert all(withheld_reasons(draft) == () for draft in shown)
    assert screen.visible(so_far, final=True) is None  # once withheld, nothing more


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SAFE), min_size=1, max_size=6), st.integers(1, 12))
def test_a_safe_reply_is_shown_in_growing_screened_prefixes_then_whole(
    sentences: list[str], size: int
) -> None:
    """Drafts only grow, end at a whole word, and the final call shows the whole reply."""
    reply = " ".join(sentences)
    screen, so_far, shown = DraftScreen(), "", [""]
    for chunk in _stream(reply, [size] * len(reply)):
        so_far += chunk
        visible = screen.visible(so_far)
        assert visible is not None
        assert visible.startswith(shown[-1])
        assert visible == "" or visible[-1] in " \n\t\r"
        shown.append(visible)
    assert screen.visible(reply, final=True) == reply


def test_drafts_show_whole_words_until_the_reply_is_final() -> None:
    """A word being written is held back ("le" of "lethal" is never shown alone)."""
    screen = DraftScreen(step=1)
    assert screen.visible("Breathe in sl") == "Breathe in "
    assert screen.visible("Breathe in slowly") == "Breathe in "
    assert screen.visible("Breathe in slowly", final=True) == "Breathe in slowly"


def test_between_screenings_the_last_screened_prefix_stays_shown() -> None:
    """New text is shown only once a step of it has been screened, or the reply is final."""
    screen = DraftScreen(step=20)
    assert screen.visible("Breathe in ") == ""
    assert screen.visible("Breathe in slowly and ") == "Breathe in slowly and "
    assert screen.visible("Breathe in slowly and let it ") == "Breathe in slowly and "
    assert screen.visible("Breathe in slowly and let it go.", final=True) == (
        "Breathe in slowly and let it go."
    )


def test_a_phrase_shorter_than_a_step_is_caught_by_the_final_screening() -> None:
    """A short reply never reaches a step: nothing of it is shown, and the end withholds it."""
    screen = DraftScreen()
    assert screen.visible("The lethal dose is ") == ""
    assert screen.visible("The lethal dose is 10 g.", final=True) is None
    assert screen.reasons == ("out.lethal_dose",)


def test_a_phrase_split_across_chunks_and_markup_is_caught_in_context() -> None:
    """ "…the **le" then "thal** dose": neither chunk alone is a hit; together they are."""
    screen = DraftScreen(step=1)
    assert screen.visible("Sure. The **le") == "Sure. The "
    assert screen.visible("Sure. The **lethal** ") == "Sure. The **lethal** "
    assert screen.visible("Sure. The **lethal** dose ") is None
    assert screen.reasons == ("out.lethal_dose",)


def test_a_phrase_straddling_two_steps_and_the_window_is_read_whole() -> None:
    """ "lethal" shown at the end of one step, "dose" arriving in the next: the next
    screening reads back into what was shown, so the phrase is caught whole."""
    screen = DraftScreen(window=30)
    head = "I hear you and I am here. " * 20
    assert screen.visible(head + "A lethal ") == head + "A lethal "
    tail = "dose " + "and some more words after it. " * 3
    assert screen.visible(head + "A lethal " + tail) is None
    assert screen.reasons == ("out.lethal_dose",)
