"""How much of a reply that is still being written may be shown.

A streamed reply is shown as it grows (Telegram drafts, the console), so it is screened as
it grows: a phrase split across chunks ("…the le" + "thal dose…") is only a phrase once both
have arrived, so each step screens the reply so far, not the newest chunk.

``DraftScreen.visible(so_far)`` returns the prefix that may be shown now, or ``None`` once
the output screen withholds the reply (and from then on: nothing more of it is shown):

- Only whole words are shown while the reply streams: the text after the last space is held
  back until the word is complete (or the stream ends, ``final=True``). "le" of "lethal" is
  never shown alone, and a word is screened once, not once per token.
- Each step screens a window: everything new plus ``WINDOW_CHARS`` of what was already
  screened before it, so a phrase straddling the old and the new part is seen whole, and a
  long reply costs the same per step as a short one. A withheld phrase spans a few words, far
  less than the window; the final reply is screened whole anyway, before it is shown.
"""

from __future__ import annotations

from innertalk.domain.safety.output import withheld_reasons

WINDOW_CHARS = 240
"""How far back into the already screened text each step reads again."""
_SPACES = " \n\t\r"


class DraftScreen:
    """Screens one streaming reply step by step; one instance per reply."""

    def __init__(self, window: int = WINDOW_CHARS) -> None:
        self._window = window
        self._screened = 0
        self.reasons: tuple[str, ...] = ()
        """Why the reply was withheld (pattern ids); empty while it may be shown."""

    @property
    def withheld(self) -> bool:
        return bool(self.reasons)

    def visible(self, so_far: str, *, final: bool = False) -> str | None:
        """The prefix of ``so_far`` (the reply until now) that may be shown, or ``None``."""
        if self.withheld:
            return None
        cut = len(so_far) if final else _word_start(so_far, len(so_far))
        if cut <= self._screened:
            return so_far[: self._screened]
        start = _word_start(so_far, self._screened - self._window)
        self.reasons = withheld_reasons(so_far[start:cut])
        if self.reasons:
            return None
        self._screened = cut
        return so_far[:cut]


def _word_start(text: str, position: int) -> int:
    """Where the word ending at ``position`` starts: just after the last space before it."""
    if position <= 0:
        return 0
    return max(text.rfind(space, 0, position) for space in _SPACES) + 1
