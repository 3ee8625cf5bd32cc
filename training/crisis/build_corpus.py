"""Write training/crisis/corpus.jsonl: the crisis classifier's labelled ru+en corpus.

    .venv/bin/python -m training.crisis.build_corpus [--per-family 300] [--seed 20261126]

Deterministic for a seed. Each paraphrase family (families_en.py, families_ru.py) is sampled
``--per-family`` times: a template, its {slots} filled (Russian lines with one speaker's gender
throughout), then surface noise drawn the same way for positives and negatives so no noise is a
label cue: lowercase or capitalized, fillers ("honestly", "короче"), a neutral opening
sentence, dropped punctuation and apostrophes, one typo, trailing punctuation or an emoji.

Each line: ``text``, ``language``, ``label`` (1 crisis, 0 not), ``category`` (the crisis
category, or the negative kind) and ``group`` (family and template, so cross-validation can
hold out whole templates instead of scoring paraphrases of lines it trained on).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from training.crisis import families_en, families_ru
from training.crisis.family import Family

CORPUS = Path(__file__).with_name("corpus.jsonl")
SEED = 20261126

PREFIXES = {
    "en": [
        "honestly ",
        "idk ",
        "ok so ",
        "you know what, ",
        "ugh ",
        "so yeah ",
        "i guess ",
        "tbh ",
        "hey. ",
        "i need to say this: ",
        "well ",
    ],
    "ru": [
        "честно, ",
        "короче ",
        "ну ",
        "блин ",
        "слушай, ",
        "знаешь, ",
        "в общем, ",
        "эх ",
        "привет. ",
        "скажу прямо: ",
        "да уж ",
    ],
}
SUFFIXES = {
    "en": [" tbh", " honestly", " idk", " i guess", " anyway", " right now"],
    "ru": [" короче", " если честно", " вот", " не знаю", " как-то так", " в общем"],
}
CONTEXT = {
    "en": [
        "long day",
        "so i got home an hour ago",
        "work was a mess again",
        "it's 3am and i can't sleep",
        "sorry for the late message",
        "i don't even know how to start",
        "ok this is hard to write",
        "hi",
        "my therapist is on vacation",
        "we had pasta for dinner",
        "it's raining here",
        "just back from school",
        "can i tell you something",
    ],
    "ru": [
        "длинный день",
        "пришла домой час назад",
        "на работе опять завал",
        "три часа ночи, не сплю",
        "прости, что поздно пишу",
        "даже не знаю, с чего начать",
        "тяжело это писать",
        "привет",
        "психолог в отпуске",
        "поужинали макаронами",
        "у нас дождь",
        "только вернулся из школы",
        "можно кое-что скажу",
    ],
}
ENDINGS = ["", "", ".", "...", "!", "?", " 😔", " 😂", " 😭", " 🙃", " :(", " )", "((("]
_PUNCT = re.compile(r"[,.!?:;'\"—-]")


def _fill(
    template: str, slots: dict[str, list[str]], fixed: dict[str, str], rng: random.Random
) -> str:
    text = template
    for _ in range(3):  # slot values may hold slots themselves ("устал{a}")
        names = sorted(set(re.findall(r"{(\w+)}", text)))
        if not names:
            break
        values = {
            name: fixed[name] if name in fixed else rng.choice(slots[name]) for name in names
        }
        text = text.format_map(values)
    return text


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


class Generator:
    def __init__(self, language: str, rng: random.Random) -> None:
        module = families_en if language == "en" else families_ru
        self.language, self.rng = language, rng
        self.slots = module.SLOTS
        self.genders = getattr(module, "GENDERED", {"-": {}})
        self.families: list[Family] = [*module.POSITIVE, *module.NEGATIVE]

    def render(self, template: str) -> str:
        gender = self.genders[self.rng.choice(sorted(self.genders))]
        return _fill(template, self.slots, gender, self.rng)

    def noisy(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            text = f"{rng.choice(CONTEXT[self.language])}. {text}"
        if rng.random() < 0.3:
            text = rng.choice(PREFIXES[self.language]) + text
        if rng.random() < 0.15:
            text += rng.choice(SUFFIXES[self.language])
        if rng.random() < 0.25:
            text = _PUNCT.sub("", text)
        if rng.random() < 0.2:
            text = _typo(text, rng)
        text += rng.choice(ENDINGS)
        roll = rng.random()
        if roll < 0.35:
            text = text[:1].upper() + text[1:]
        elif roll < 0.38:
            text = text.upper()
        return " ".join(text.split())

    def sample(self, family: Family, count: int) -> list[dict[str, object]]:
        rows, seen = [], set()
        for _ in range(count * 4):
            if len(rows) == count:
                break
            index = self.rng.randrange(len(family.templates))
            template, group = family.templates[index], f"{family.name}#{index}"
            if family.frame:
                first = re.search(r"{(\w+)}", template)
                if first is not None:
                    value = self.rng.choice(self.slots[first.group(1)])
                    template = template.replace(first.group(0), value, 1)
                    group += f"#{value}"
            text = self.noisy(self.render(template))
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append(
                {
                    "text": text,
                    "language": self.language,
                    "label": family.label,
                    "category": family.category,
                    "group": group,
                }
            )
        return rows


def build(per_family: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for language in ("en", "ru"):
        generator = Generator(language, rng)
        for family in generator.families:
            rows.extend(generator.sample(family, per_family))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=300)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args()
    rows = build(args.per_family, args.seed)
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = sum(1 for row in rows if row["label"] == 1)
    print(f"{len(rows)} lines ({positives} crisis, {len(rows) - positives} not) -> {args.out}")


if __name__ == "__main__":
    main()
