"""Captions: paraphrases per sound class and templates per scene kind, split into train and test-only sets.

Each class has clause phrases ("a dog barks") and noun phrases ("a dog barking"). The LAST phrase of each list
and the templates under ``TEST_TEMPLATES`` are reserved for the test splits: training never sees them.
A caption is identified by ``(template id, phrase ids)`` so the rule can be checked on a built corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# class -> (clauses, noun phrases); the last entry of each list is test-only
PHRASES: dict[str, tuple[list[str], list[str]]] = {
    "cat": (["a cat meows", "a cat is meowing", "a cat keeps mewing"],
            ["a cat meowing", "the meow of a cat", "a mewing cat"]),
    "cow": (["a cow moos", "a cow is mooing", "a cow lows"],
            ["a cow mooing", "the mooing of a cow", "a lowing cow"]),
    "dog": (["a dog barks", "a dog is barking", "a dog keeps barking"],
            ["a dog barking", "the barking of a dog", "a barking dog"]),
    "duck": (["a duck quacks", "ducks are quacking", "a duck keeps quacking"],
             ["ducks quacking", "the quacking of a duck", "quacking ducks"]),
    "frog": (["frogs croak", "a frog is croaking", "frogs keep croaking"],
             ["frogs croaking", "the croaking of frogs", "croaking frogs"]),
    "horse": (["a horse neighs", "a horse is neighing", "a horse whinnies"],
              ["a horse neighing", "the neigh of a horse", "a whinnying horse"]),
    "owl": (["an owl hoots", "an owl is hooting", "an owl keeps hooting"],
            ["an owl hooting", "the hooting of an owl", "a hooting owl"]),
    "pig": (["a pig grunts", "a pig is oinking", "a pig keeps grunting"],
            ["a pig oinking", "the grunting of a pig", "a grunting pig"]),
    "rooster": (["a rooster crows", "a rooster is crowing", "a rooster calls out"],
                ["a rooster crowing", "the crow of a rooster", "a crowing rooster"]),
    "sheep": (["a sheep bleats", "a sheep is bleating", "a sheep baas"],
              ["a sheep bleating", "the bleating of a sheep", "a bleating sheep"]),
    "rain": (["rain falls", "it is raining", "rain is pouring down"],
             ["rain falling", "the patter of rain", "pouring rain"]),
    "wind": (["the wind blows", "wind is howling", "the wind gusts"],
             ["wind blowing", "the howling of the wind", "gusts of wind"]),
    "thunder": (["thunder rumbles", "thunder is roaring", "thunder cracks"],
                ["thunder rumbling", "a clap of thunder", "rolling thunder"]),
    "siren": (["a siren wails", "a siren is blaring", "a siren howls"],
              ["a siren wailing", "the wail of a siren", "a blaring siren"]),
    "car_horn": (["a car horn honks", "a car horn is honking", "a driver honks the car horn"],
                 ["a car horn honking", "the honk of a car horn", "a honking car horn"]),
    "engine": (["an engine runs", "an engine is idling", "an engine revs"],
               ["an engine running", "the hum of an engine", "an idling engine"]),
    "clock_ticking": (["a clock ticks", "a clock is ticking", "a clock tick-tocks"],
                      ["a clock ticking", "the ticking of a clock", "a ticking clock"]),
    "bell": (["a bell rings", "a bell is ringing", "a bell chimes"],
             ["a bell ringing", "the toll of a bell", "a chiming bell"]),
    "phone_ringing": (["a phone rings", "a telephone is ringing", "the telephone keeps ringing"],
                      ["a phone ringing", "the ring of a telephone", "a ringing phone"]),
    "alarm_beeping": (["an alarm beeps", "an alarm clock is beeping", "an alarm goes off"],
                      ["an alarm beeping", "the beeping of an alarm clock", "a beeping alarm"]),
    "knocking": (["someone knocks on a door", "someone is knocking on the door", "a person raps on a door"],
                 ["knocking on a door", "a knock at the door", "a knocking on the door"]),
    "footsteps": (["someone walks by", "a person is walking", "footsteps approach"],
                  ["footsteps", "footsteps on a hard floor", "steps of a person walking"]),
    "water_dripping": (["water drips", "water is dripping", "a tap is dripping"],
                       ["water dripping", "drops of water dripping", "a dripping tap"]),
    "birds_chirping": (["birds chirp", "birds are chirping", "birds sing"],
                       ["birds chirping", "the chirping of birds", "singing birds"]),
    "applause": (["a crowd applauds", "people are clapping", "an audience claps"],
                 ["applause", "a crowd clapping", "a round of applause"]),
    "typing": (["someone types on a keyboard", "a person is typing", "keys clack on a keyboard"],
               ["typing on a keyboard", "the clicking of keyboard keys", "a clattering keyboard"]),
}  # fmt: skip

# kind -> template ids; {c}/{n} = clause/noun phrase, {c1}/{n1} and {c2}/{n2} the first and second event
TEMPLATES: dict[str, dict[str, str]] = {
    "single": {"s1": "{c}", "s2": "{n}", "s3": "the sound of {n}", "s4": "you can hear {n}", "s5": "{n} can be heard"},
    "overlap": {
        "o1": "{c1} while {c2}",
        "o2": "{n1} and {n2} at the same time",
        "o3": "{n1} with {n2} in the background",
        "o4": "{n1} together with {n2}",
        "o5": "{c1} as {c2}",
    },
    "sequence": {
        "q1": "{c1}, then {c2}",
        "q2": "{n1} followed by {n2}",
        "q3": "first {n1}, then {n2}",
        "q4": "{n1}, and after that {n2}",
        "q5": "{c1}, and afterwards {c2}",
    },
}
TEST_TEMPLATES = frozenset({"s4", "s5", "o4", "o5", "q4", "q5"})


@dataclass(frozen=True)
class Caption:
    """A caption with the ids of what made it: ``template`` and one ``(class, form, index)`` per phrase."""

    text: str
    template: str
    phrases: tuple[tuple[str, str, int], ...]

    def has_test_only_part(self) -> bool:
        """True when the template or any phrase is reserved for the test splits."""
        return self.template in TEST_TEMPLATES or any(
            i == len(PHRASES[cls][0 if form == "c" else 1]) - 1 for cls, form, i in self.phrases
        )


def make_caption(kind: str, classes: tuple[str, ...], rng: np.random.Generator, test: bool) -> Caption:
    """Draws a caption for a scene of ``kind`` ("single", "overlap", "sequence") with ``classes`` in order.

    ``test`` picks only test-only templates and phrases; otherwise only training ones.
    """
    names = [t for t in TEMPLATES[kind] if (t in TEST_TEMPLATES) == test]
    template = names[int(rng.integers(len(names)))]
    fmt = TEMPLATES[kind][template]
    values, parts = {}, []
    for k, cls in enumerate(classes):
        suffix = "" if kind == "single" else str(k + 1)
        for form, options in zip("cn", PHRASES[cls], strict=True):
            if "{" + form + suffix + "}" not in fmt:
                continue
            i = len(options) - 1 if test else int(rng.integers(len(options) - 1))
            values[form + suffix] = options[i]
            parts.append((cls, form, i))
    text = fmt.format(**values)
    return Caption(text[0].upper() + text[1:], template, tuple(parts))
