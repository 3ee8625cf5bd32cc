"""seeks_help_for_other: the worried-friend shape, for signals the learned layer raises."""

from __future__ import annotations

import pytest

from innertalk.domain.safety import CrisisCategory, seeks_help_for_other

SUICIDE = CrisisCategory.SUICIDAL_IDEATION


@pytest.mark.parametrize(
    "text",
    [
        "my best friend texted that she's done with everything. what should i say?",
        "our son has been giving away his games. should i be worried?",
        "подруга пишет что всё бессмысленно и она устала, как ей помочь?",
        "брат говорит что скоро его не будет, что ему ответить",
        "my coworker said he won't be around next month, any advice?",
    ],
)
def test_asking_how_to_help_someone_close_is_the_worried_friend_shape(text: str) -> None:
    """Someone close named, help asked for them, no crisis of the writer's own."""
    assert seeks_help_for_other(text, SUICIDE)


@pytest.mark.parametrize(
    "text",
    [
        "my friend says she wants to end it and i want to die too, what do i do",
        "брат не разговаривает со мной, я тоже не хочу жить, что делать",
        "i'm done with everything, how do i tell my mom",
        "what should i do, nobody would miss me",
        "у меня мысли навредить жене, не знаю что делать",
        "как помочь себе, когда всё бессмысленно",
        "я обуза для другой семьи, что делать",
    ],
)
def test_the_writers_own_crisis_is_never_taken_for_someone_elses(text: str) -> None:
    """The writer's own claim, no one close named, or no help asked: not the shape."""
    assert not seeks_help_for_other(text, SUICIDE)


def test_abuse_danger_and_harm_stay_the_writers() -> None:
    """In abuse, acute danger and harm to others someone close may be the danger itself."""
    text = "my husband hit me again last night, what should i do"
    for category in (
        CrisisCategory.ABUSE,
        CrisisCategory.ACUTE_DANGER,
        CrisisCategory.HARM_TO_OTHERS,
    ):
        assert not seeks_help_for_other(text, category)
    assert seeks_help_for_other(
        "my friend hurts herself, how can i help her", CrisisCategory.SELF_HARM
    )
