"""What the companion does after a crisis signal: which text to show, how the model is told.

- ``message_key`` picks the calm message from the ``safety`` locale catalog
  (``locales/<lang>/safety.toml``): one per category where the right first words differ
  (being abused is not self-harm), a stronger one for a suicidal plan, and two for a person
  worried about someone else (one for an emergency happening to that someone now). The
  catalog fills ``{hotlines}`` with lines rendered from ``hotline`` / ``hotline_with_note``.
- ``safety_system_prompt`` is added to the system prompt for the rest of the conversation:
  warm, never a method or a dose (even "hypothetically", "for a story" or "for research"),
  keep the person talking, ask about immediate safety, point to people who can help.
- ``with_safety_prompt`` applies it to a model request and keeps the request on the
  standard model tier: a crisis is never the cheap model's job.
"""

from __future__ import annotations

from dataclasses import replace

from innertalk.domain.prompting import ModelRequest, Tier
from innertalk.domain.safety.hotlines import Hotline
from innertalk.domain.safety.signals import CrisisCategory, CrisisSignal
from innertalk.domain.users import Language

CATALOG = "safety"
"""The locale catalog holding every text below."""
HOTLINE_KEY = "hotline"
HOTLINE_WITH_NOTE_KEY = "hotline_with_note"
OUTPUT_WITHHELD_KEY = "output_withheld"
ADMIN_ALERT_KEY = "admin_alert"


def message_key(signal: CrisisSignal) -> str:
    """The ``safety`` catalog key of the message answering ``signal``."""
    if signal.about_other:
        acute = signal.category is CrisisCategory.ACUTE_DANGER
        return "about_other_acute" if acute else "about_other"
    if signal.category is CrisisCategory.SUICIDAL_IDEATION:
        return "suicidal_high" if signal.is_high else "suicidal_ideation"
    return signal.category.value


def hotline_fields(hotline: Hotline, language: Language) -> tuple[str, dict[str, str]]:
    """The catalog key and fields (``title``, ``contact``, ``note``) rendering one hotline
    in ``language`` ("title", not "name": ``presentation.texts.text`` takes ``name``)."""
    fields = {"title": hotline.name.text(language), "contact": hotline.contact}
    if hotline.note is None:
        return HOTLINE_KEY, fields
    return HOTLINE_WITH_NOTE_KEY, {**fields, "note": hotline.note.text(language)}


_BASE = {
    Language.EN: (
        "Safety mode. The person may be in crisis; a safety message with crisis lines has "
        "already been shown to them. From now on: answer with warmth and without judgement, "
        "in short plain sentences. Take what they say seriously; never argue, lecture, or "
        "promise that everything will be fine. Never give any information about methods, "
        "means, doses, heights, places or ways to hurt oneself or others, even if asked "
        "directly, hypothetically, for a story or for research; say kindly that you will not "
        "help with that and turn back to them. Ask gently whether they are safe right now. "
        "Keep them talking: reflect their feelings and ask one open question at a time. "
        "Encourage them to reach a person today: someone they trust, a crisis line, a doctor "
        "or therapist, or emergency services if they are in danger now. You are an AI and "
        "cannot call anyone or come to them; if asked, say so honestly. Always answer in "
        "English."
    ),
    Language.RU: (
        "Режим безопасности. Человек может быть в кризисе; ему уже показано сообщение с "
        "телефонами помощи. Дальше: отвечай тепло и без осуждения, короткими простыми "
        "фразами. Относись к его словам всерьёз; не спорь, не поучай и не обещай, что всё "
        "будет хорошо. Никогда не сообщай никаких сведений о способах, средствах, дозах, "
        "высотах, местах или путях причинить вред себе или другим, даже если спрашивают "
        "прямо, «гипотетически», «для рассказа» или «для исследования»; мягко скажи, что с "
        "этим не поможешь, и верни разговор к человеку. Бережно спроси, в безопасности ли он "
        "сейчас. Поддерживай разговор: отражай чувства и задавай по одному открытому вопросу. "
        "Побуждай обратиться к живому человеку сегодня: к тому, кому он доверяет, на линию "
        "помощи, к врачу или психотерапевту, а при опасности прямо сейчас — в экстренные "
        "службы. Ты ИИ и не можешь никому позвонить или приехать; если спросят, честно "
        "скажи об этом. Всегда отвечай по-русски."
    ),
}

_FOCUS = {
    Language.EN: {
        CrisisCategory.SELF_HARM: (
            "They have spoken about hurting themselves. Do not shame or demand promises; "
            "acknowledge the pain behind it, and if they are injured, urge medical help."
        ),
        CrisisCategory.HARM_TO_OTHERS: (
            "They have spoken about hurting someone. Stay calm and non-judgemental; encourage "
            "them to step away from the person and from anything that could be a weapon, and "
            "to talk to a crisis line or a professional now."
        ),
        CrisisCategory.ABUSE: (
            "They may be experiencing abuse or violence. Believe them; say it is not their "
            "fault; never suggest confronting the abuser; support their own choices; mention "
            "that someone may read their phone and they can clear this chat."
        ),
        CrisisCategory.ACUTE_DANGER: (
            "This may be an emergency happening now. Urge them first of all to call the "
            "emergency number or ask someone nearby to call, then stay with them in the chat."
        ),
    },
    Language.RU: {
        CrisisCategory.SELF_HARM: (
            "Человек говорил о самоповреждении. Не стыди и не требуй обещаний; признай боль, "
            "которая за этим стоит, а если есть травма — настаивай на медицинской помощи."
        ),
        CrisisCategory.HARM_TO_OTHERS: (
            "Человек говорил о желании причинить вред кому-то. Сохраняй спокойствие и не "
            "осуждай; предложи отойти от этого человека и от всего, что может стать оружием, "
            "и поговорить с линией помощи или специалистом прямо сейчас."
        ),
        CrisisCategory.ABUSE: (
            "Человек, возможно, переживает насилие. Верь ему; скажи, что он не виноват; не "
            "советуй выяснять отношения с обидчиком; поддерживай его собственные решения; "
            "упомяни, что кто-то может читать его телефон и этот чат можно очистить."
        ),
        CrisisCategory.ACUTE_DANGER: (
            "Возможно, это экстренная ситуация прямо сейчас. Прежде всего настаивай, чтобы "
            "человек позвонил в экстренные службы или попросил кого-то рядом позвонить, и "
            "оставайся с ним в чате."
        ),
    },
}

_ABOUT_OTHER = {
    Language.EN: (
        "They are worried about someone else. Help them support that person and find help "
        "for them (emergency services if that person is in danger now), and also ask how "
        "they themselves are coping."
    ),
    Language.RU: (
        "Человек беспокоится о ком-то другом. Помоги ему поддержать этого человека и найти "
        "для него помощь (экстренные службы, если тот в опасности прямо сейчас), и спроси, "
        "как он сам со всем этим справляется."
    ),
}


def safety_system_prompt(
    language: Language, category: CrisisCategory | None = None, *, about_other: bool = False
) -> str:
    """The system prompt addition for a conversation after a crisis signal."""
    parts = [_BASE[language]]
    if about_other:
        parts.append(_ABOUT_OTHER[language])
    elif category in _FOCUS[language]:
        parts.append(_FOCUS[language][category])
    return " ".join(parts)


def with_safety_prompt(request: ModelRequest, signal: CrisisSignal) -> ModelRequest:
    """``request`` with the safety prompt for ``signal`` added, on the standard tier."""
    addition = safety_system_prompt(
        request.language, signal.category, about_other=signal.about_other
    )
    return replace(request, system=f"{request.system}\n\n{addition}", tier=Tier.STANDARD)
