"""English wording: plain, warm, short."""

from __future__ import annotations

from innertalk.infrastructure.llm.offline.phrasebook import Phrasebook

_NEGATIVE = (
    "It sounds like you're feeling {state} right now.",
    "I hear that you're feeling {state}.",
    "Feeling {state} can be really hard to carry.",
    "Thank you for telling me. It seems you're feeling {state}.",
)
_NEGATIVE_WITH_TOPIC = (
    "It sounds like you're feeling {state}, and it may have to do with {topic}.",
    "I hear that you feel {state} when it comes to {topic}.",
)
_POSITIVE = (
    "It's lovely to hear you're feeling {state}.",
    "I'm glad you're feeling {state}.",
    "That sounds really nice: you're feeling {state}.",
)

ENGLISH = Phrasebook(
    negative_state=_NEGATIVE,
    negative_noun=_NEGATIVE,
    negative_with_topic_state=_NEGATIVE_WITH_TOPIC,
    negative_with_topic_noun=_NEGATIVE_WITH_TOPIC,
    positive_state=_POSITIVE,
    positive_noun=_POSITIVE,
    mixed=(
        "It sounds like you're feeling {state1} and {state2} at the same time.",
        "I hear that you feel {state1}, and {state2} too.",
        "It seems part of you feels {state1} and part of you feels {state2}.",
    ),
    negated_positive=(
        "It sounds like you're not feeling very {state} right now.",
        "I hear that you're not feeling {state} at the moment.",
    ),
    negated_positive_plain=(
        "It sounds like things feel hard right now.",
        "I hear that it's not easy right now.",
    ),
    negative_questions=(
        "What do you think is behind it?",
        "When did you first notice it?",
        "Where do you notice it in your body right now?",
        "What might support you right now?",
        "What do you need most right now?",
        "What usually happens when it gets stronger?",
    ),
    positive_questions=(
        "What helped bring it about?",
        "What do you notice in yourself when you feel this way?",
        "How could you make a little more room for it?",
        "What happened today that brought this on?",
    ),
    mixed_questions=(
        "Which of these feelings is stronger right now?",
        "How do these feelings sit together for you?",
        "What do you think is behind each of them?",
        "What do you need most right now?",
    ),
    feeling_questions={
        "anxiety": ("What worries you most today?",),
        "worry": ("What are you most worried about right now?",),
        "sadness": ("What's making you feel sad right now?",),
        "loneliness": ("Whose company do you miss most right now?",),
        "anger": ("What set it off?",),
        "irritation": ("What's been getting to you the most?",),
        "tiredness": ("What's been draining you the most?",),
        "fear": ("What scares you most about it?",),
        "shame": ("What do you tell yourself in those moments?",),
        "guilt": ("What do you tell yourself in those moments?",),
        "resentment": ("What hurt the most?",),
        "pain": ("What hurt the most?",),
        "confusion": ("What feels most unclear right now?",),
        "overwhelm": ("Which part of it weighs on you most?",),
        "stress": ("What's putting the most pressure on you right now?",),
        "grief": ("What do you find yourself remembering most?",),
    },
    topic_bodies=(
        "It sounds like you've been thinking about {topic}.",
        "Thank you for telling me about {topic}.",
        "I hear that you have a lot on your mind about {topic}.",
        "Let's stay for a moment with what you said about {topic}.",
    ),
    topic_questions=(
        "What feels most important about it right now?",
        "How do you feel when you think about it?",
        "What part of it affects you most?",
        "What would you most like to be different?",
    ),
    loss_openers=("I'm so sorry for your loss.", "I'm really sorry that happened."),
    loss_bodies=("Losing someone is so hard.", "That's a heavy loss to carry."),
    loss_questions=(
        "What do you find yourself remembering most?",
        "How are you coping right now?",
        "What do you need most right now?",
    ),
    generic_bodies=(
        "I'm listening.",
        "Thank you for sharing that.",
        "I hear you.",
        "I'm here with you.",
    ),
    generic_questions=(
        "What's on your mind right now?",
        "What feels most important about it for you?",
        "How do you feel as you talk about it?",
        "What would you like to explore about it?",
    ),
    empty_bodies=(
        "I'm here and listening.",
        "Sometimes words are hard to find, and that's okay.",
        "I'm here, and there's no rush.",
    ),
    empty_questions=(
        "What would you like to share?",
        "How are you feeling right now?",
        "Where would you like to start?",
    ),
    greeting_bodies=(
        "I'm here and listening.",
        "It's good to hear from you.",
        "I'm glad you're here.",
    ),
    greeting_questions=(
        "How are you feeling right now?",
        "What's on your mind today?",
        "What would you like to talk about?",
    ),
    how_are_you_bodies=(
        "Thanks for asking: I'm a program, so I'm doing fine.",
        "That's kind of you to ask. I'm a program, so things are steady on my side.",
    ),
    how_are_you_questions=("How about you?", "How are you feeling today?"),
    identity_statements=(
        "I'm an AI companion, a computer program, not a human and not a therapist.",
        "To be honest, I'm a program: an AI companion, not a real person and not a therapist.",
        "I'm InnerTalk, an AI companion; I'm not a human and not a therapist.",
    ),
    identity_support=(
        "But I can listen and help you put your feelings into words.",
        "Still, I'm here to listen.",
    ),
    identity_questions=(
        "What would you like to talk about?",
        "What's on your mind right now?",
        "Where would you like to start?",
    ),
    thanks_bodies=(
        "You're welcome.",
        "Thank you for trusting me with this.",
        "I'm glad to hear that.",
    ),
    thanks_closings=(
        "How are you feeling now?",
        "What else is on your mind?",
        "I'm here whenever you want to keep going.",
    ),
    farewell_bodies=(
        "Bye for now, take care of yourself.",
        "Thank you for the conversation. Take good care.",
        "See you soon, and be gentle with yourself.",
    ),
    night_farewell_bodies=("Good night!", "Good night, rest well."),
    farewell_closings=("I'm here whenever you want to talk.", "Come back any time."),
    advice_bodies=(
        "It sounds like you're looking for a way forward.",
        "I hear that you'd like to find a way through this.",
        "Let's think it through together.",
    ),
    advice_questions=(
        "What options can you already see?",
        "What's one small step that feels possible?",
        "What has helped you, even a little, before?",
    ),
    unsure_bodies=(
        "It's okay not to know.",
        "Sometimes it's hard to find the words, and that's okay.",
    ),
    unsure_questions=(
        "What do you notice in yourself right now?",
        "What comes to mind first, without looking for the right answer?",
    ),
    crisis_bodies=(
        "I'm really sorry you're hurting this much, and I'm glad you told me. I'm a program"
        " and can't keep you safe, so please contact your local emergency number or a crisis"
        " line right now, or reach out to someone near you.",
        "I hear how much pain you're in, and it matters. I'm only a program, so please reach"
        " out right now to emergency services or a crisis line, or to someone you trust"
        " nearby.",
    ),
    crisis_questions=(
        "Are you safe right now?",
        "Is there someone nearby you could reach out to right now?",
    ),
    long_message_openers=(
        "Thank you for sharing so much of this.",
        "Thank you for trusting me with all of this.",
    ),
    greeting_openers={
        "hello": "Hello!",
        "hey": "Hey!",
        "good morning": "Good morning!",
        "good afternoon": "Good afternoon!",
        "good evening": "Good evening!",
    },
    default_greeting_opener="Hi!",
    night_farewells=frozenset({"good night", "goodnight"}),
)
