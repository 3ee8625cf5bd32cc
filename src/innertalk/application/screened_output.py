"""What a model wrote, screened as the person will see it before it is shown: each streamed
draft (``ScreenedDrafts``) and summaries, portraits and ``/memory`` (``allows_shown``); the
final reply is ``SafetyService.allows_reply``'s. Nothing is shown once the screen withholds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from innertalk.domain.safety import DraftScreen, withheld_reasons

log = structlog.get_logger(__name__)

DraftSink = Callable[[str], Awaitable[None]]
"""Shows the reply so far (a Telegram draft, the console's line)."""


def allows_shown(text: str, *, what: str) -> bool:
    """Whether model-written ``text`` (a summary, a portrait…) may be shown to the person;
    ``what`` names it in the log line, which carries the pattern ids, never the text."""
    reasons = withheld_reasons(text)
    if reasons:
        log.warning("safety.text_withheld", what=what, reasons=list(reasons))
    return not reasons


class DraftWithheldError(Exception):
    """The reply so far failed the output screen: nothing more of it may be shown."""


class ScreenedDrafts:
    """Passes a streaming reply on to ``sink`` only as far as the output screen has read it.

    ``show`` is fed the whole reply so far; ``sink`` gets whole words that passed the screen
    in the context of everything before them (see ``DraftScreen``), and nothing at all once
    the screen withholds the reply: then ``show`` raises ``DraftWithheldError`` and the
    caller stops the stream. Without ``screen`` (no safety configured) it only passes on.
    """

    def __init__(self, sink: DraftSink, *, screen: bool = True) -> None:
        self._sink = sink
        self._screen = DraftScreen() if screen else None
        self._shown = ""

    @property
    def withheld(self) -> bool:
        """The screen withheld the reply: whatever the final screen says, it is replaced."""
        return self._screen is not None and self._screen.withheld

    async def show(self, so_far: str, *, final: bool = False) -> None:
        """``so_far`` is the reply until now; ``final`` when the model has finished it."""
        visible = so_far if self._screen is None else self._screen.visible(so_far, final=final)
        if visible is None:
            assert self._screen is not None
            log.warning("safety.draft_withheld", reasons=list(self._screen.reasons))
            raise DraftWithheldError
        if visible != self._shown:
            self._shown = visible
            await self._sink(visible)
