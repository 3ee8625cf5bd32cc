"""The model request for one message: the history within budget, the safety prompt once the
session is in safety mode, the tier, and the person's pseudonym for the provider."""

from __future__ import annotations

from dataclasses import replace

from innertalk.application.safety import SafetyNotice
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.folding import pinned_budget
from innertalk.domain.messages import is_simple_message
from innertalk.domain.prompting import ModelRequest, Tier, build_reply_request
from innertalk.domain.safety import safety_system_prompt
from innertalk.domain.users import Language, Pseudonyms


class ReplyRequests:
    """Builds requests within ``TalkPolicy``'s budgets; ``folded``: the history may be folded
    (then its opening is pinned)."""

    def __init__(
        self,
        *,
        history_budget: int,
        max_output_tokens: int,
        pseudonyms: Pseudonyms,
        folded: bool,
    ) -> None:
        self._history_budget = history_budget
        self._max_output_tokens = max_output_tokens
        self._pseudonyms = pseudonyms
        self._folded = folded

    def build(
        self,
        context: ConversationContext,
        message: str,
        language: Language,
        notice: SafetyNotice | None = None,
        *,
        persona: str = "",
    ) -> ModelRequest:
        """The request answering ``message`` in ``language`` after ``context``."""
        in_safety_mode = context.session is not None and context.session.safety
        safety = None
        if in_safety_mode:
            signal = notice.signal if notice else None
            assert context.profile is not None
            safety = safety_system_prompt(  # in the system prompt's (the profile's) language
                context.profile.language,
                signal.category if signal else None,
                about_other=bool(signal and signal.about_other),
            )
        budget = self._history_budget
        request = build_reply_request(
            context,
            message,
            language=language,
            history_budget=budget,
            max_output_tokens=self._max_output_tokens,
            safety=safety,
            persona=persona,
            # only folded history has an opening to pin: unfolded, every turn is kept anyway
            pinned_budget=pinned_budget(budget) if self._folded else 0,
        )
        simple = is_simple_message(message) and not in_safety_mode
        return replace(
            request,
            tier=Tier.FAST if simple else Tier.STANDARD,
            user_ref=self._pseudonyms.of(context.key),
        )
