"""Captions: paraphrases per sound class, templates per scene kind and (rich vocabulary) request frames, each split
into training and test-only sets.

Two vocabularies. ``"templates"`` (the original): each class has three clause phrases ("a dog barks") and three noun
phrases ("a dog barking"); the LAST phrase of each list and the templates under ``TEST_TEMPLATES`` are test-only.
``"rich"``: at least twenty training clause and noun phrases per class (synonyms, kinds and informal names of the
source, onomatopoeia alone, places and manners) and four test-only ones of each form, more templates, and request
frames ("play me {x}", "what does {x} sound like?") around the scene description; some templates and frames are
test-only too. Like the held-out last phrase of ``"templates"``, a test-only rich phrase or frame is a new phrasing of
known words: every word of a test-only phrase occurs in some training phrase of its class, and every word of a
test-only frame in some training frame, so training hears every word the test uses.
A caption is identified by ``(frame id, template id, phrase ids)`` so the test-only rule can be checked on a built
corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from star_kit.errors import StarKitError

VOCABULARIES = ("templates", "rich")

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
PARAPHRASE = "paraphrase"  # the template id of test-paraphrase's requests (paraphrases.py): test-only as a whole


# class -> ((training clauses, test-only clauses), (training noun phrases, test-only noun phrases)); a test-only
# phrase is a new phrasing of known words: a string no training phrase has, made only of words that training phrases
# of its class use (e.g. training "a hound barks" and "a dog howls at night" -> test-only "a hound howls at night")
RICH_PHRASES: dict[str, tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]] = {
    "cat": (
        (["a cat meows", "a cat is meowing", "a cat keeps mewing", "a kitten mews", "a kitten is meowing for attention",
          "a cat goes meow", "a cat meows from the windowsill", "a cat is meowing to be let in", "a tiny kitten mews",
          "a cat meows over and over", "two cats meow back and forth", "a cat lets out a long meow", "a feline meows",
          "a cat yowls", "a feline is yowling in the garden", "a cat yowls at night", "a kitty meows",
          "a pussycat is meowing", "a cat purrs and meows", "a hungry cat meows at its bowl",
          "a stray cat yowls in an alley", "a tomcat yowls on the fence", "a cat mews softly"],
         ["a kitten meows at night", "a hungry kitten is mewing", "a stray cat meows to be let in",
          "two kittens yowl in the garden"]),
        (["a cat meowing", "the meow of a cat", "a mewing cat", "a kitten meowing", "a meowing kitten", "a loud meow",
          "a cat going meow", "a cat meowing on the windowsill", "a cat meowing to be fed", "a tiny kitten mewing",
          "the mewing of a kitten", "a cat meowing in the hallway", "a feline meowing", "a yowling cat",
          "the yowl of a cat", "a feline yowling on a wall", "a cat", "a kitten", "a kitty", "meow", "meow meow",
          "a hungry cat meowing", "a stray cat yowling in an alley", "a tomcat yowling on a fence",
          "a pussycat meowing", "kittens mewing"],
         ["a kitty mewing on the windowsill", "a hungry kitten meowing", "the yowl of a stray cat",
          "a tiny kitten meowing in the hallway"]),
    ),
    "cow": (
        (["a cow moos", "a cow is mooing", "a cow lows", "cows are mooing", "a cow goes moo", "a cow moos loudly",
          "a cow keeps mooing", "a cow moos on the farm", "a cow moos from across the pasture",
          "a cow lets out a long moo", "cows moo back and forth", "a cow moos in its stall", "an ox lows",
          "oxen are mooing", "a cow moos in the meadow", "an ox moos by the gate", "a bull bellows",
          "a calf moos for its mother", "cattle are mooing in a barn", "a herd of cows moos in the field",
          "a dairy cow moos at milking time", "a bull snorts and bellows"],
         ["a calf moos in the meadow", "a bull is bellowing by the gate", "cattle moo across the field",
          "a herd of cows keeps mooing"]),
        (["a cow mooing", "the mooing of a cow", "a lowing cow", "cows mooing", "a loud moo", "the moo of a cow",
          "a cow mooing on a farm", "cows mooing in the pasture", "a cow going moo", "a mooing cow", "a long low moo",
          "a cow mooing in its stall", "an ox lowing", "a lowing ox", "oxen mooing in a meadow", "the moo of an ox",
          "a cow", "cows", "moo", "moo moo", "a bull bellowing", "a calf mooing", "cattle mooing in a barn",
          "a herd of cattle mooing", "the bellow of a bull", "a dairy cow mooing"],
         ["a calf mooing in its stall", "a bellowing bull", "the lowing of cattle",
          "a herd of cows mooing on the farm"]),
    ),
    "dog": (
        (["a dog barks", "a dog is barking", "a dog keeps barking", "a puppy yaps", "a puppy is yapping",
          "a dog goes woof", "a terrier yaps at the postman", "a big dog barks in a back yard",
          "a guard dog barks at an intruder", "a pup barks excitedly", "a dog barks at the gate",
          "the neighbour's dog won't stop barking", "a hound barks", "a mutt is barking",
          "a hound barks across the valley", "a scruffy mutt yaps", "a doggy barks", "a pooch is barking",
          "a labrador barks in the park", "a dog howls at night", "a dog growls and barks", "a pack of dogs is barking",
          "a bulldog woofs", "a sheepdog barks on the hillside"],
         ["a hound howls at night", "a puppy barks at the postman", "a labrador yaps excitedly",
          "a mutt keeps barking in a back yard"]),
        (["a dog barking", "the barking of a dog", "a barking dog", "a puppy yapping", "a yapping puppy", "a loud woof",
          "a dog barking in a back yard", "a terrier yapping", "a guard dog barking", "a dog going woof woof",
          "a pup barking at the postman", "a big dog's deep bark", "a hound barking", "a barking mutt",
          "the bark of a hound", "a mutt yapping in the street", "a dog", "dogs", "a puppy", "woof", "woof woof",
          "bow-wow", "a pooch barking", "a doggy barking", "a dog howling at night", "a labrador barking in the park",
          "a pack of dogs barking", "a growling dog"],
         ["a hound howling at night", "a terrier barking at the gate", "the bark of a puppy",
          "a pooch yapping in the street"]),
    ),
    "duck": (
        (["a duck quacks", "ducks are quacking", "a duck keeps quacking", "a duck goes quack",
          "ducks quack on the pond", "a duck quacks loudly", "ducks are quacking by the river",
          "a duck quacks in the park", "a farmyard duck quacks", "a duck is quacking for bread", "a mother duck quacks",
          "a pair of ducks quack", "a mallard quacks", "a drake is quacking", "mallards quack on the lake",
          "a drake keeps quacking", "a duckling quacks", "ducks quack and splash", "a drake quacks on the canal",
          "ducklings are quacking", "a mallard quacks by the river"],
         ["a mallard quacks on the pond", "a drake quacks for bread", "ducklings are quacking in the park",
          "a pair of mallards quack loudly"]),
        (["ducks quacking", "the quacking of a duck", "quacking ducks", "a duck quacking", "a loud quack",
          "a duck going quack quack", "ducks quacking on a pond", "a quacking duck", "a duck quacking by the river",
          "ducks quacking in the park", "the quack of a duck", "a noisy duck", "a mallard quacking",
          "the quack of a drake", "mallards quacking on a lake", "a quacking drake", "a duck", "ducks", "a mallard",
          "quack", "quack quack", "a duckling quacking", "ducklings quacking", "a drake quacking on the canal",
          "ducks quacking and splashing"],
         ["a mallard quacking on a pond", "the quack of a duckling", "ducks quacking on a lake", "a noisy drake"]),
    ),
    "frog": (
        (["frogs croak", "a frog is croaking", "frogs keep croaking", "a frog goes ribbit",
          "frogs are croaking in a pond", "a frog croaks at night", "a little frog croaks", "frogs croak in the marsh",
          "a tree frog is croaking", "frogs ribbit in the reeds", "a frog croaks loudly",
          "frogs croak all over the pond", "a bullfrog croaks", "a toad is croaking", "toads croak in a ditch",
          "a bullfrog keeps croaking", "a frog ribbits", "a bullfrog croaks in the swamp",
          "toads are croaking after dark", "a toad croaks by the pond", "a green frog is ribbiting"],
         ["a toad croaks at night", "a bullfrog is croaking in the marsh", "a tree frog ribbits",
          "frogs croak after dark"]),
        (["frogs croaking", "the croaking of frogs", "croaking frogs", "a frog croaking", "a frog going ribbit",
          "a loud ribbit", "frogs croaking in a pond", "a tree frog croaking", "frogs croaking in the marsh at night",
          "a pond full of croaking frogs", "the croak of a frog", "a croaking frog", "a bullfrog croaking",
          "croaking toads", "the croak of a bullfrog", "a toad croaking in a ditch", "a frog", "frogs", "a toad",
          "ribbit", "ribbit ribbit", "a bullfrog croaking in the swamp", "toads croaking after dark",
          "a green frog ribbiting"],
         ["a croaking bullfrog", "a toad croaking by the pond", "the croak of a tree frog", "frogs going ribbit"]),
    ),
    "horse": (
        (["a horse neighs", "a horse is neighing", "a horse whinnies", "a pony neighs", "a pony is whinnying",
          "a horse neighs loudly", "a horse whinnies in its stable", "a horse neighs in a paddock",
          "a horse keeps neighing", "a startled horse whinnies", "a horse neighs at the fence", "a racehorse neighs",
          "a stallion neighs", "a mare is whinnying", "a stallion whinnies in the field", "a mare neighs for her foal",
          "a foal whinnies", "a stallion snorts and neighs", "a colt neighs", "horses are neighing in the stable",
          "a horse nickers softly"],
         ["a foal neighs in the paddock", "a pony whinnies at the fence", "a mare neighs loudly",
          "a stallion keeps neighing"]),
        (["a horse neighing", "the neigh of a horse", "a whinnying horse", "a pony neighing", "a neighing pony",
          "a horse whinnying in a stable", "the whinny of a horse", "a loud neigh", "a horse neighing in a paddock",
          "a neighing horse", "a startled horse whinnying", "a pony whinnying at the fence", "a stallion neighing",
          "the whinny of a mare", "a neighing stallion", "a mare whinnying in the field", "a horse", "a pony", "neigh",
          "neigh neigh", "a foal whinnying", "horses neighing in a stable", "a nickering horse", "a colt neighing",
          "a stallion snorting and neighing"],
         ["a foal neighing in a field", "the neigh of a stallion", "a whinnying pony", "a mare neighing in a stable"]),
    ),
    "owl": (
        (["an owl hoots", "an owl is hooting", "an owl keeps hooting", "an owl hoots at night", "a barn owl hoots",
          "an owl goes hoo hoo", "an owl hoots in the woods", "an owl hoots from a tree", "two owls hoot to each other",
          "an owl hoots softly in the dark", "an owl hoots in the forest at midnight", "an eagle owl hoots",
          "a tawny owl hoots", "an owl goes twit-twoo", "a tawny owl is calling", "an owl calls twit-twoo",
          "a snowy owl hoots", "an owl screeches in the night", "a barn owl screeches", "an owl calls from the barn"],
         ["a barn owl hoots at midnight", "an owl is calling in the woods", "a tawny owl hoots from a tree",
          "two tawny owls hoot in the night"]),
        (["an owl hooting", "the hooting of an owl", "a hooting owl", "an owl hooting at night", "a barn owl hooting",
          "the hoot of an owl", "an owl hooting in the woods", "an owl going hoo hoo", "a soft hoot",
          "owls hooting in the dark", "an eagle owl hooting", "an owl hooting from a tree", "a tawny owl hooting",
          "the twit-twoo of an owl", "a tawny owl calling", "an owl calling in the night", "an owl", "owls",
          "hoot hoot", "hoo hoo", "twit-twoo", "a screeching barn owl", "an owl screeching in the night",
          "a snowy owl hooting"],
         ["a barn owl calling in the night", "the hoot of a tawny owl", "an owl hooting softly in the dark",
          "a hooting barn owl"]),
    ),
    "pig": (
        (["a pig grunts", "a pig is oinking", "a pig keeps grunting", "a pig goes oink oink",
          "pigs are grunting in a sty", "a hog grunts", "a sow is grunting", "a pig oinks in the mud",
          "a pig snorts and grunts", "a fat pig oinks", "pigs oink at feeding time", "a hog is oinking in its pen",
          "a boar grunts", "swine are grunting", "a wild boar snorts", "swine oink in a barn", "a piglet squeals",
          "piglets are squealing in the barn", "a boar squeals", "a pig squeals loudly"],
         ["a sow grunts in the mud", "piglets oink at feeding time", "a hog squeals in its pen",
          "a wild boar is grunting"]),
        (["a pig oinking", "the grunting of a pig", "a grunting pig", "pigs grunting in a sty", "the oink of a pig",
          "a hog grunting", "an oinking pig", "a sow grunting", "a pig going oink oink", "pigs oinking at feeding time",
          "a pig snorting and grunting", "a hog oinking in its pen", "a boar grunting", "grunting swine",
          "the snort of a wild boar", "swine oinking in a barn", "a pig", "pigs", "a piglet", "a hog", "oink",
          "oink oink", "a squealing piglet", "piglets squealing in a barn", "the squeal of a pig"],
         ["a piglet oinking", "a sow oinking in its pen", "the grunting of a hog", "swine grunting in the mud"]),
    ),
    "rooster": (
        (["a rooster crows", "a rooster is crowing", "a rooster calls out", "a rooster goes cock-a-doodle-doo",
          "a rooster crows at dawn", "a rooster crows at sunrise", "a rooster crows in the farmyard",
          "a rooster keeps crowing", "a rooster crows loudly", "a rooster crows from the fence",
          "a rooster wakes everyone up", "two roosters crow at each other", "a cockerel crows",
          "a cockerel is crowing at daybreak", "a young cockerel crows", "a cockerel calls cock-a-doodle-doo",
          "a cock crows", "a cock is crowing at dawn", "a farmyard cock crows at first light",
          "a proud rooster crows on the fence post"],
         ["a cock crows at sunrise", "a cockerel crows in the farmyard", "a young rooster is crowing",
          "a cock keeps crowing at daybreak"]),
        (["a rooster crowing", "the crow of a rooster", "a crowing rooster", "a rooster crowing at dawn",
          "a loud cock-a-doodle-doo", "a rooster going cock-a-doodle-doo", "a rooster crowing in the farmyard",
          "the crowing of a rooster", "a rooster crowing at sunrise", "a rooster's morning call", "roosters crowing",
          "a rooster crowing from the fence", "a cockerel crowing", "the crow of a cockerel",
          "a cockerel crowing at daybreak", "a cockerel's cock-a-doodle-doo", "a rooster", "a cockerel",
          "a cock crowing", "cock-a-doodle-doo", "a cock crowing at first light", "a young cock crowing",
          "a proud rooster crowing on a fence post", "the dawn crow of a cock"],
         ["a cockerel crowing at sunrise", "the crow of a cock", "a crowing cockerel",
          "a young cock going cock-a-doodle-doo"]),
    ),
    "sheep": (
        (["a sheep bleats", "a sheep is bleating", "a sheep baas", "a sheep goes baa", "a lamb bleats",
          "a lamb is baaing", "a flock of sheep bleats", "sheep are bleating on a hillside", "a sheep keeps baaing",
          "a lamb bleats in the field", "sheep baa in a pen", "a sheep bleats loudly", "a ewe bleats",
          "a ram is bleating", "a ewe baas on the moor", "a ram keeps baaing", "a lamb baas for its mother",
          "the flock is bleating in the field", "sheep baa on the hillside", "ewes and lambs are bleating"],
         ["a ewe bleats in the field", "a lamb keeps bleating", "a flock of sheep baas on the moor",
          "a ram baas loudly"]),
        (["a sheep bleating", "the bleating of a sheep", "a bleating sheep", "a sheep going baa", "a lamb bleating",
          "a flock of sheep bleating", "the baa of a sheep", "a lamb baaing in a field", "sheep bleating on a hillside",
          "a bleating lamb", "a loud baa", "sheep baaing in a pen", "a ewe bleating", "the bleat of a ram",
          "a ewe baaing on the moor", "a bleating ram", "a sheep", "a lamb", "sheep", "baa", "baa baa",
          "a flock of sheep", "ewes and lambs bleating", "a lamb baaing for its mother", "a ram baaing by the gate"],
         ["a ewe baaing in a pen", "the bleat of a lamb", "a bleating ewe", "lambs bleating on a hillside"]),
    ),
    "rain": (
        (["rain falls", "it is raining", "rain is pouring down", "it's pouring with rain", "rain drums on a roof",
          "rain patters on the window", "heavy rain is falling", "it's bucketing down", "rain beats down on a tin roof",
          "rain pours onto the pavement", "raindrops patter on a tent", "a downpour soaks the garden",
          "a deluge is falling", "a cloudburst hits the town", "rain is pelting the windows",
          "a deluge lashes the rooftops", "it's drizzling", "a light drizzle is falling",
          "a shower of rain passes over", "a rainstorm batters the house", "rain spatters on an umbrella"],
         ["heavy rain drums on the rooftops", "a downpour is pelting the tent", "light rain patters on an umbrella",
          "a drizzle is falling on the town"]),
        (["rain falling", "the patter of rain", "pouring rain", "a downpour", "heavy rain", "rain drumming on a roof",
          "the pitter-patter of raindrops", "rain on a tin roof", "rain pattering on a window", "a heavy downpour",
          "rain pouring onto a pavement", "raindrops on a tent", "a deluge", "a sudden cloudburst",
          "rain pelting the windows", "a deluge on the rooftops", "rain", "pitter-patter", "drizzle", "a light drizzle",
          "a rain shower", "a rainstorm", "rain spattering on an umbrella", "steady rain", "raindrops"],
         ["a light shower of rain", "rain on the rooftops", "heavy rain drumming on a tent",
          "the patter of a drizzle"]),
    ),
    "wind": (
        (["the wind blows", "wind is howling", "the wind gusts", "a strong wind is blowing",
          "the wind whistles through a gap", "wind howls around the house", "the wind whooshes past",
          "wind is whistling through the trees", "a cold wind blows across the hills", "the wind picks up",
          "wind howls across an open field", "a stiff breeze is blowing", "a gale is blowing", "it's blustery outside",
          "a gale howls over the cliffs", "a blustery gale roars", "a breeze rustles through the leaves",
          "the wind moans around the chimney", "a storm wind roars", "a gust of wind sweeps past",
          "a gentle breeze blows"],
         ["a gale whistles through the trees", "a gentle wind blows", "a cold wind moans across the hills",
          "the wind roars around the house"]),
        (["wind blowing", "the howling of the wind", "gusts of wind", "a strong wind", "wind howling around a house",
          "the whistling of the wind", "a gusty wind", "a stiff breeze", "wind whistling through the trees",
          "a cold wind blowing across the hills", "the whoosh of the wind", "a howling wind", "a gale",
          "blustery winds", "a gale howling over the cliffs", "the roar of a gale", "wind", "whoosh", "a breeze",
          "a gentle breeze rustling the leaves", "the wind moaning around a chimney", "a gust of wind",
          "whistling wind", "a roaring storm wind"],
         ["a gust of wind whistling through a gap", "a cold gale", "the moaning of the wind", "a gentle wind"]),
    ),
    "thunder": (
        (["thunder rumbles", "thunder is roaring", "thunder cracks", "thunder rolls across the sky",
          "thunder rumbles in the distance", "thunder crashes overhead", "a thunderclap shakes the house",
          "thunder growls far away", "thunder crackles and rumbles", "thunder rumbles over the hills",
          "thunder cracks overhead", "a thunderclap splits the sky", "thunder booms", "a peal of thunder rolls in",
          "thunder booms over the valley", "a loud peal of thunder echoes", "a thunderstorm rumbles overhead",
          "thunder grumbles far off", "there's a loud thunderclap", "thunder booms in the storm"],
         ["thunder rolls over the valley", "a thunderclap crashes overhead", "thunder is rumbling far away",
          "a peal of thunder shakes the house"]),
        (["thunder rumbling", "a clap of thunder", "rolling thunder", "distant thunder", "a thunderclap",
          "the rumble of thunder", "a crack of thunder", "thunder crashing overhead", "thunder rolling across the sky",
          "a loud thunderclap", "thunder growling far away", "the crackle of thunder", "a peal of thunder",
          "the boom of thunder", "booming thunder", "a peal of thunder over the valley", "thunder", "boom",
          "a thunderstorm", "a rumble of thunder in the distance", "thunder grumbling far off", "a crash of thunder",
          "a rumbling thunderstorm"],
         ["a distant thunderclap", "a crack of thunder overhead", "thunder booming in the distance",
          "the loud rumble of thunder"]),
    ),
    "siren": (
        (["a siren wails", "a siren is blaring", "a siren howls", "an ambulance siren wails",
          "a police car races past with its siren on", "a siren goes nee-naw", "an ambulance speeds by, siren wailing",
          "a police siren blares", "a siren wails in the distance", "sirens are wailing through the city",
          "an emergency siren starts wailing", "a police car's siren wails through the traffic",
          "a fire truck wails past", "a cop car's siren is blaring", "a fire truck races by with its siren wailing",
          "a cop car goes wee-woo", "an air raid siren wails", "a siren goes nee naw nee naw",
          "a fire truck's siren blares down the street", "an ambulance races past with sirens blaring",
          "a police siren whoops"],
         ["an ambulance siren blares", "a fire truck's siren wails in the distance", "a police car goes wee-woo",
          "sirens are blaring through the city"]),
        (["a siren wailing", "the wail of a siren", "a blaring siren", "an ambulance siren", "a police siren",
          "an ambulance speeding by with its siren on", "a police car with its siren blaring",
          "sirens wailing through the city", "a siren going nee-naw", "an emergency siren",
          "a siren wailing in the distance", "the howl of a police siren", "a fire truck wailing down the street",
          "a cop car's siren", "the wail of a fire truck", "a cop car going wee-woo", "a siren", "sirens", "nee naw",
          "nee naw nee naw", "wee-woo wee-woo", "an air raid siren", "a fire truck's siren",
          "an ambulance racing past with sirens blaring", "a whooping police siren"],
         ["a wailing siren", "the wail of an ambulance siren", "a police car going nee-naw",
          "a fire truck with its siren blaring"]),
    ),
    "car_horn": (
        (["a car horn honks", "a car horn is honking", "a driver honks the car horn", "a car honks",
          "a taxi honks its horn", "a driver leans on the horn", "a car goes honk honk", "an impatient driver honks",
          "horns are honking in traffic", "a van honks its horn", "a horn blares in a traffic jam",
          "a car beeps its horn", "a motorist toots the horn", "a car toots", "a bus toots its horn",
          "an angry motorist honks", "a driver hoots the horn", "a car hoots at a cyclist",
          "someone beeps the horn twice", "a truck blasts its horn", "horns blare in rush hour traffic"],
         ["a taxi toots its horn", "a driver beeps the horn twice", "an angry driver leans on the horn",
          "car horns are honking in traffic"]),
        (["a car horn honking", "the honk of a car horn", "a honking car horn", "a car honking",
          "a taxi honking its horn", "horns honking in traffic", "a driver leaning on the horn",
          "a car going honk honk", "a short honk", "the blare of a horn in a traffic jam",
          "an impatient driver honking", "a car beeping its horn", "a motorist tooting the horn",
          "the toot of a car horn", "a bus tooting", "an angry motorist honking", "a car horn", "a horn", "honk",
          "honk honk", "a hooting horn", "a beeping horn", "a truck blasting its horn",
          "horns blaring in rush hour traffic", "a car hooting at a cyclist", "two short honks"],
         ["a taxi honking in traffic", "the toot of a horn", "an angry driver hooting the horn",
          "a bus blasting its horn"]),
    ),
    "engine": (
        (["an engine runs", "an engine is idling", "an engine revs", "a car engine is running",
          "a truck idles at the lights", "a motorbike revs its engine", "a diesel engine rumbles", "a motor hums",
          "an engine roars to life", "a car engine turns over", "a bus is idling at the stop",
          "a motorbike idles in the driveway", "a lorry is rumbling outside", "a tractor engine chugs",
          "a lorry idles outside", "a tractor is chugging along", "a truck engine roars", "a car revs its engine",
          "a tractor putters across the field", "a motorbike goes vroom", "a diesel generator chugs",
          "a racing car engine screams"],
         ["a diesel lorry idles at the lights", "a truck engine is revving", "a motorbike roars to life",
          "a tractor idles in the driveway"]),
        (["an engine running", "the hum of an engine", "an idling engine", "a car engine idling",
          "a truck idling at the lights", "a motorbike revving", "the rumble of a diesel engine", "an engine revving",
          "a humming motor", "a bus idling at the stop", "the roar of an engine", "a motorbike idling in the driveway",
          "a rumbling lorry", "a chugging tractor", "an idling lorry", "the chug of a tractor engine", "an engine",
          "vroom", "vroom vroom", "a revving engine", "a truck engine roaring", "a tractor puttering across a field",
          "a diesel engine idling", "a revving motorbike", "a racing car engine"],
         ["a revving car engine", "the chug of a diesel tractor", "a motorbike roaring",
          "a lorry idling at the lights"]),
    ),
    "clock_ticking": (
        (["a clock ticks", "a clock is ticking", "a clock tick-tocks", "a clock goes tick tock",
          "a grandfather clock ticks in the hall", "a wall clock is ticking", "a clock ticks in a quiet room",
          "an old clock ticks away", "a kitchen clock keeps ticking", "the clock on the mantelpiece ticks",
          "a clock ticks steadily", "a clock ticks the seconds away", "a pocket watch ticks", "a wristwatch is ticking",
          "a pocket watch ticks in the silence", "a wristwatch ticks away", "a clock tick-tocks on the wall",
          "an antique clock ticks in the study", "a watch ticks", "the hands of a clock tick round"],
         ["a grandfather clock ticks steadily", "a pocket watch is ticking", "a wall clock ticks in the silence",
          "an antique clock keeps ticking"]),
        (["a clock ticking", "the ticking of a clock", "a ticking clock", "the tick tock of a clock",
          "a grandfather clock ticking", "a wall clock ticking", "a clock ticking in a quiet room",
          "an old clock ticking away", "the steady tick of a clock", "a kitchen clock ticking",
          "a clock ticking on the mantelpiece", "the ticking of a grandfather clock", "a pocket watch ticking",
          "the ticking of a wristwatch", "a ticking pocket watch", "a wristwatch ticking in the silence", "a clock",
          "tick tock", "tick tock tick tock", "a watch ticking", "an antique clock ticking in a study",
          "the tick-tock of a wall clock", "a clock tick-tocking on the wall"],
         ["a ticking wristwatch", "the tick tock of a grandfather clock", "an old wall clock ticking",
          "a clock ticking in the silence"]),
    ),
    "bell": (
        (["a bell rings", "a bell is ringing", "a bell chimes", "a church bell tolls", "a bell goes ding dong",
          "a church bell rings out", "a big bell tolls slowly", "a ship's bell rings", "a handbell is rung",
          "bells are chiming in a tower", "a bell tolls in the village", "someone strikes a bell", "a bell clangs",
          "a bell clangs in the belfry", "a steeple bell is clanging", "a bell rings out from the belfry",
          "a doorbell rings", "a doorbell goes ding dong", "a school bell rings", "a bicycle bell dings",
          "church bells peal"],
         ["a church bell chimes", "a school bell is ringing", "a doorbell chimes",
          "church bells are ringing in the village"]),
        (["a bell ringing", "the toll of a bell", "a chiming bell", "a church bell tolling", "the ding dong of a bell",
          "church bells ringing", "the chime of a bell", "a big bell tolling slowly", "a ship's bell",
          "a handbell ringing", "bells chiming in a tower", "a tolling bell", "a clanging bell", "the clang of a bell",
          "a bell clanging in the belfry", "a steeple bell ringing", "a bell", "church bells", "ding dong", "ding ding",
          "a doorbell", "a doorbell ringing", "chimes", "a school bell ringing", "a bicycle bell",
          "the peal of church bells"],
         ["a church bell chiming", "the ding dong of a doorbell", "a clanging school bell",
          "bells tolling in the village"]),
    ),
    "phone_ringing": (
        (["a phone rings", "a telephone is ringing", "the telephone keeps ringing", "a phone goes ring ring",
          "an old telephone rings", "a landline is ringing", "the phone rings in the office",
          "a telephone rings and nobody answers", "the phone is ringing off the hook", "a desk phone rings",
          "the phone rings in another room", "a telephone rings in the hallway", "a mobile is ringing",
          "a cell phone rings", "someone's mobile rings on the table", "a handset keeps ringing",
          "a mobile phone rings", "someone's ringtone goes off", "a phone buzzes and rings",
          "an old rotary phone rings"],
         ["a mobile phone keeps ringing", "a desk phone is ringing in the office",
          "a rotary phone rings in the hallway", "someone's ringtone goes off in another room"]),
        (["a phone ringing", "the ring of a telephone", "a ringing phone", "a telephone ringing in an office",
          "an old telephone ringing", "a landline ringing", "a phone going ring ring", "the ringing of a telephone",
          "a desk phone ringing", "a phone ringing in another room", "a telephone nobody answers",
          "a phone ringing off the hook", "a mobile ringing", "a ringing cell phone", "the ring of a mobile",
          "a handset ringing on the table", "a phone", "a telephone", "ring ring", "a ringtone",
          "a mobile phone ringing", "a ringtone going off", "an old rotary phone ringing",
          "a phone buzzing and ringing"],
         ["a ringing telephone", "the ringtone of a mobile", "a landline ringing in the hallway",
          "an old phone going ring ring"]),
    ),
    "alarm_beeping": (
        (["an alarm beeps", "an alarm is beeping", "an alarm goes off", "an alarm goes beep beep beep",
          "a smoke alarm is beeping", "a wake-up alarm beeps", "a timer beeps", "a kitchen timer is beeping",
          "an alarm keeps beeping", "a digital alarm beeps in the bedroom", "an alarm beeps over and over",
          "the morning alarm goes off", "a smoke detector bleeps", "a detector is beeping", "an alarm bleeps",
          "a carbon monoxide detector beeps", "an alarm clock beeps", "an alarm clock is going off", "a timer goes off",
          "a security alarm beeps", "an oven timer beeps"],
         ["an alarm clock keeps beeping", "a smoke alarm bleeps", "a kitchen timer goes off",
          "a digital alarm is beeping over and over"]),
        (["an alarm beeping", "the beeping of an alarm", "a beeping alarm", "a smoke alarm beeping", "a wake-up alarm",
          "a timer beeping", "a beeping kitchen timer", "the beep beep beep of an alarm", "an alarm going off",
          "a digital alarm beeping in a bedroom", "the morning alarm", "a loud beeping", "a smoke detector bleeping",
          "a bleeping alarm", "the bleep of a detector", "a carbon monoxide detector beeping", "an alarm",
          "an alarm clock", "beep beep", "beep beep beep", "an alarm clock beeping", "an alarm clock going off",
          "a smoke alarm", "an oven timer beeping", "a security alarm beeping"],
         ["a beeping alarm clock", "the beep of a kitchen timer", "the bleep of a smoke alarm",
          "an oven timer going off"]),
    ),
    "knocking": (
        (["someone knocks on a door", "someone is knocking on the door", "a person raps on a door",
          "there's a knock at the door", "someone goes knock knock", "knuckles rap on a wooden door",
          "a neighbour knocks on the door", "someone knocks politely", "someone keeps knocking",
          "a person knocks on the front door", "someone knocks on a hotel room door", "the postman knocks at the door",
          "someone bangs on the door", "a visitor is thumping on the door", "someone thumps on a wooden door",
          "a visitor raps on the door", "someone taps on the door", "a fist pounds on the door",
          "someone knocks three times", "someone knocks on the wall"],
         ["a visitor knocks on the front door", "someone taps politely", "a neighbour bangs on the door",
          "someone is rapping on a wooden door"]),
        (["knocking on a door", "a knock at the door", "a knocking on the door", "knuckles rapping on a wooden door",
          "a loud knock", "someone knocking on the front door", "a polite knock", "a rap at the door",
          "someone knocking at a hotel room door", "repeated knocking", "a neighbour knocking",
          "the knock of the postman", "a bang on the door", "someone thumping on the door", "a visitor knocking",
          "banging at the door", "a knock", "knock knock", "a knock on the door", "tapping on a door", "three knocks",
          "a fist pounding on the door", "rapping on a door", "loud knocks"],
         ["a polite knock at the door", "someone tapping on the front door", "three loud knocks",
          "a visitor banging on a door"]),
    ),
    "footsteps": (
        (["someone walks by", "a person is walking", "footsteps approach", "someone walks down a corridor",
          "footsteps echo in a hallway", "a man walks across a wooden floor", "a woman walks by in high heels",
          "someone walks slowly along the pavement", "footsteps come down the hall", "a person walks across the room",
          "someone is walking on a hard floor", "footsteps cross an empty car park", "someone paces up and down",
          "a person is pacing the room", "someone treads along a stone path", "footfalls echo in a stairwell",
          "someone runs down the stairs", "someone stomps across the floor", "a person is running along a corridor",
          "footsteps crunch on gravel", "someone tiptoes across the room", "boots clomp along a wooden floor"],
         ["someone walks along the pavement in high heels", "a person runs down the corridor",
          "someone stomps up the stairs", "footsteps crunch across the room"]),
        (["footsteps", "footsteps on a hard floor", "steps of a person walking", "someone walking",
          "footsteps in a hallway", "a person walking down a corridor", "high heels clicking on a pavement",
          "footsteps approaching", "slow footsteps on a wooden floor", "someone walking across a room",
          "echoing footsteps", "footsteps crossing an empty car park", "footfalls", "someone pacing up and down",
          "a slow tread on the stairs", "footfalls in a stone stairwell", "steps", "footsteps running",
          "someone running", "stomping feet", "footsteps on gravel", "boots on a wooden floor", "someone tiptoeing",
          "a person walking on a stone path"],
         ["footsteps on the stairs", "someone running down a corridor", "slow footsteps in a stone stairwell",
          "a person stomping up the stairs"]),
    ),
    "water_dripping": (
        (["water drips", "water is dripping", "a tap is dripping", "a leaky tap drips", "water drips into a sink",
          "water drips from the ceiling", "drops of water fall into a bucket", "a tap goes drip drip drip",
          "water is dripping in a cave", "a pipe is dripping", "water drips slowly into a puddle",
          "the kitchen tap keeps dripping", "a faucet drips", "a leaky faucet is dripping", "water plops into a basin",
          "droplets plink into a pool", "water drips from a leak", "a leaking pipe drips",
          "drops of water plink into a sink", "the faucet goes drip drop"],
         ["a faucet is dripping into a sink", "water drips from a leaking pipe", "droplets drip into a bucket",
          "the tap drips slowly"]),
        (["water dripping", "drops of water dripping", "a dripping tap", "a leaky tap", "water dripping into a sink",
          "the drip drip drip of a tap", "water dripping from the ceiling", "drops falling into a bucket",
          "water dripping in a cave", "a dripping pipe", "the slow drip of water", "a tap dripping in the kitchen",
          "a dripping faucet", "a leaky faucet", "the plop of droplets in a basin", "droplets plinking into a pool",
          "a drip", "drip drop", "drip drip drip", "water drops", "a leak dripping", "a leaking pipe",
          "drops of water plinking into a sink", "a faucet going drip drop", "drips"],
         ["a dripping leak", "the drip drop of a faucet", "water dripping into a basin",
          "drops of water falling into a pool"]),
    ),
    "birds_chirping": (
        (["birds chirp", "birds are chirping", "birds sing", "a little bird tweets", "sparrows are chirping in a hedge",
          "songbirds sing in the morning", "birds tweet in the trees", "a robin sings in the garden",
          "birds are chirping outside the window", "small birds chirp in the park", "a blackbird sings from a rooftop",
          "birds chirp and tweet at sunrise", "finches are twittering", "a warbler is warbling",
          "finches warble in a bush", "the dawn chorus begins", "birds tweet and chirp", "sparrows chirp on a fence",
          "a songbird warbles", "birds are singing in the woods", "the birds twitter at dawn"],
         ["songbirds chirp in the garden", "sparrows are tweeting", "finches sing at dawn",
          "a robin sings on a fence"]),
        (["birds chirping", "the chirping of birds", "singing birds", "birdsong", "sparrows chirping in a hedge",
          "songbirds singing in the morning", "a robin singing", "birds tweeting in the trees",
          "the tweeting of little birds", "a blackbird singing on a rooftop", "birds chirping in a park",
          "chirping sparrows", "twittering finches", "the dawn chorus", "a warbler warbling",
          "finches twittering in a bush", "birds", "tweet tweet", "cheep cheep", "chirp chirp", "songbirds",
          "sparrows chirping on a fence", "birds singing in the woods", "the twittering of birds at dawn",
          "a songbird warbling"],
         ["songbirds chirping in a garden", "the birdsong of a robin", "sparrows tweeting in the trees",
          "a little bird singing at dawn"]),
    ),
    "applause": (
        (["a crowd applauds", "people are clapping", "an audience claps", "the audience bursts into applause",
          "a crowd claps and claps", "people applaud at the end of a show", "a theatre audience is clapping",
          "everyone claps their hands", "the crowd gives a big hand", "a room full of people applauds",
          "the audience claps politely", "a concert crowd is clapping", "spectators applaud",
          "the spectators are clapping", "a stadium of spectators claps", "an audience gives an ovation",
          "the crowd cheers and claps", "people clap along", "an audience gives a standing ovation",
          "the audience claps loudly", "everyone starts clapping"],
         ["spectators clap politely", "a concert crowd applauds", "the theatre audience bursts into applause",
          "everyone applauds at the end of a show"]),
        (["applause", "a crowd clapping", "a round of applause", "people clapping", "an audience applauding",
          "clapping hands", "a big hand from the audience", "applause at the end of a show",
          "a theatre audience clapping", "a room full of people clapping", "polite applause",
          "loud applause from a concert crowd", "an ovation", "a standing ovation", "spectators clapping",
          "applause from the spectators", "clapping", "clap clap", "an audience clapping loudly", "hands clapping",
          "a crowd cheering and clapping", "enthusiastic applause", "a slow clap", "people clapping along"],
         ["a crowd applauding", "an ovation from the audience", "loud clapping", "polite applause from spectators"]),
    ),
    "typing": (
        (["someone types on a keyboard", "a person is typing", "keys clack on a keyboard",
          "someone is typing on a laptop", "fingers tap away at a keyboard", "someone types fast on a computer",
          "a person types an email", "keys click on a mechanical keyboard", "someone is typing away in an office",
          "a writer types on a laptop", "someone hammers at the keys", "a keyboard clatters as someone types",
          "a typist is at work", "a typist hammers out a letter", "keystrokes clatter on a laptop",
          "a secretary types up notes", "someone types on a typewriter", "a typewriter clacks",
          "someone taps at a laptop keyboard", "keys rattle as someone types fast", "a programmer types code"],
         ["a typist types on a typewriter", "someone types an email on a laptop",
          "keys clatter on a mechanical keyboard", "a secretary is typing away"]),
        (["typing on a keyboard", "the clicking of keyboard keys", "a clattering keyboard",
          "someone typing on a laptop", "fast typing", "the clack of keys", "a mechanical keyboard clicking",
          "someone typing in an office", "fingers tapping at a keyboard", "a person typing an email",
          "the tapping of computer keys", "busy typing on a computer", "a typist at work", "the keystrokes of a typist",
          "rapid keystrokes", "a secretary typing up notes", "typing", "clickety-clack", "a typewriter",
          "a typewriter clacking", "keyboard clicks", "someone typing fast", "a programmer typing code",
          "clicking keys"],
         ["a typewriter clattering", "the keystrokes of a programmer", "fast typing on a laptop",
          "a typist typing an email"]),
    ),
}  # fmt: skip

# kind -> template id -> (format, tags); the tags say which frames may wrap it: "n" a noun phrase, "c" a clause,
# "p" a plain noun phrase that can follow "the sound of", "1" the bare noun phrase of one event; no tag: only the bare
# frame
RICH_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "single": {
        "rs1": ("{n}", "np1"),
        "rs2": ("{c}", "c"),
        "rs3": ("the sound of {n}", "n"),
        "rs4": ("a recording of {n}", "n"),
        "rs5": ("just {n}", "n"),
        "rs6": ("a clip of {n}", "n"),
        "rs7": ("{n} and nothing else", "n"),
    },
    "overlap": {
        "ro1": ("{n1} and {n2} at the same time", "np"),
        "ro2": ("{n1} with {n2} in the background", "np"),
        "ro3": ("{c1} while {c2}", "c"),
        "ro4": ("{n1} over {n2}", "np"),
        "ro5": ("{c1} and {c2} at the same time", "c"),
        "ro6": ("{n1} and {n2} together", "np"),
        "ro7": ("{n1} along with {n2}", "np"),
        "ro8": ("{c1}, and meanwhile {c2}", "c"),
    },
    "sequence": {
        "rq1": ("{c1}, then {c2}", "c"),
        "rq2": ("{n1} followed by {n2}", "np"),
        "rq3": ("{n1} and then {n2}", "np"),
        "rq4": ("first {n1}, then {n2}", ""),
        "rq5": ("{c1} and then {c2}", "c"),
        "rq6": ("{n1}, then {n2}", "np"),
        "rq7": ("{n1}, and after that {n2}", "np"),
        "rq8": ("{c1}, and a moment later {c2}", "c"),
    },
}
RICH_TEST_TEMPLATES = frozenset({"rs6", "rs7", "ro7", "ro8", "rq7", "rq8"})


class Frame(NamedTuple):
    """How a request wraps the scene description ``{x}``: the template tag it needs ("" any) and the kinds it suits."""

    text: str
    needs: str = ""
    kinds: tuple[str, ...] = tuple(TEMPLATES)


# frame id -> Frame; "1" frames take only noun phrases starting "a"/"an", so "does"/"sounds" agree
RICH_FRAMES: dict[str, Frame] = {
    "bare": Frame("{x}"),
    "play": Frame("play {x}", "n"),
    "play_me": Frame("play me {x}", "n"),
    "please_play": Frame("please play {x}", "n"),
    "could_play": Frame("could you play {x}?", "n"),
    "play_sound": Frame("play the sound of {x}", "p"),
    "want": Frame("I want to hear {x}", "n"),
    "want_sound": Frame("I want the sound of {x}", "p"),
    "like": Frame("I'd like to hear {x}", "n"),
    "would_like": Frame("I would like {x}", "n"),
    "let": Frame("let me hear {x}", "n"),
    "lets": Frame("let's hear {x}", "n"),
    "can_hear": Frame("can I hear {x}?", "n"),
    "give": Frame("give me {x}", "n"),
    "make": Frame("can you make {x}?", "n"),
    "make_me": Frame("make me {x}", "n"),
    "generate": Frame("generate {x}", "n"),
    "generate_sound": Frame("can you generate the sound of {x}?", "p"),
    "create": Frame("create {x}", "n"),
    "put_on": Frame("put on {x}", "n"),
    "please": Frame("{x}, please", "n"),
    "how": Frame("how about {x}?", "n"),
    "what": Frame("what does {x} sound like?", "1"),
    "how_does": Frame("how does {x} sound?", "1"),
    "show": Frame("show me what {x} sounds like", "1"),
    "sound_like": Frame("make it sound like {x}", "c"),
    "where": Frame("I want a recording where {x}", "c"),
    "looking": Frame("I'm looking for {x}", "n"),
    "need": Frame("I need {x} for my video", "n"),
    "need_sound": Frame("I need the sound of {x}", "p"),
    "scene": Frame("set up a scene where {x}", "c"),
    "when": Frame("what does it sound like when {x}?", "c", ("single", "overlap")),
    # test-only: new phrasings of words the training frames use
    "would_play": Frame("would you play {x}?", "n"),
    "need_hear": Frame("I need to hear {x}", "n"),
    "hear_sound": Frame("let me hear the sound of {x}", "p"),
    "hear_what": Frame("can I hear what {x} sounds like?", "1"),
    "show_when": Frame("show me what it sounds like when {x}", "c", ("single", "overlap")),
}
RICH_TEST_FRAMES = frozenset({"would_play", "need_hear", "hear_sound", "hear_what", "show_when"})
BARE_SHARE = 1 / 3  # the share of rich captions that are the bare description (frame "bare")


@dataclass(frozen=True)
class Caption:
    """A caption with the ids of what made it: ``template``, one ``(class, form, index)`` per phrase, and ``frame``.

    ``frame`` is the rich vocabulary's request frame, empty for the templates vocabulary; a rich phrase index counts
    the training phrases of its list, then the test-only ones.
    """

    text: str
    template: str
    phrases: tuple[tuple[str, str, int], ...]
    frame: str = ""

    def has_test_only_part(self) -> bool:
        """True when the frame, the template or any phrase is reserved for the test splits."""
        if self.template == PARAPHRASE:
            return True
        if not self.frame:
            return self.template in TEST_TEMPLATES or any(
                i == len(PHRASES[cls][0 if form == "c" else 1]) - 1 for cls, form, i in self.phrases
            )
        return (
            self.frame in RICH_TEST_FRAMES
            or self.template in RICH_TEST_TEMPLATES
            or any(i >= len(RICH_PHRASES[cls][0 if form == "c" else 1][0]) for cls, form, i in self.phrases)
        )


def check_vocabulary(vocabulary: str) -> None:
    """Raises a one-line StarKitError for a vocabulary name that is not one of ``VOCABULARIES``."""
    if vocabulary not in VOCABULARIES:
        raise StarKitError(f"unknown caption vocabulary '{vocabulary}'; vocabularies: {', '.join(VOCABULARIES)}")


def make_caption(
    kind: str, classes: tuple[str, ...], rng: np.random.Generator, test: bool, vocabulary: str = "templates"
) -> Caption:
    """Draws a caption for a scene of ``kind`` ("single", "overlap", "sequence") with ``classes`` in order.

    Training captions (``test`` false) use only training parts. Test captions: with ``"templates"``, only test-only
    templates and phrases; with ``"rich"``, only test-only phrases for every event, while the frame and template come
    from all of them (test-only ones included), so the test split keeps the bare share and the mix of requests.
    """
    check_vocabulary(vocabulary)
    if vocabulary == "rich":
        return _rich_caption(kind, classes, rng, test)
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


def _rich_caption(kind: str, classes: tuple[str, ...], rng: np.random.Generator, test: bool) -> Caption:
    """:func:`make_caption` for the rich vocabulary: a frame, then a template it can wrap, then the phrases."""
    templates = {t: v for t, v in RICH_TEMPLATES[kind].items() if test or t not in RICH_TEST_TEMPLATES}
    frames = [
        f
        for f, fr in RICH_FRAMES.items()
        if f != "bare"
        and kind in fr.kinds
        and (test or f not in RICH_TEST_FRAMES)
        and any(fr.needs in tags for _, tags in templates.values())
    ]
    frame = "bare" if rng.random() < BARE_SHARE else frames[int(rng.integers(len(frames)))]
    needs = RICH_FRAMES[frame].needs
    names = [t for t, (_, tags) in templates.items() if needs in tags]
    template = names[int(rng.integers(len(names)))]
    fmt = templates[template][0]
    values, parts = {}, []
    for k, cls in enumerate(classes):
        suffix = "" if kind == "single" else str(k + 1)
        for form, (train, held_out) in zip("cn", RICH_PHRASES[cls], strict=True):
            if "{" + form + suffix + "}" not in fmt:
                continue
            options = train + held_out
            ids = range(len(train), len(options)) if test else range(len(train))
            if needs == "1":
                ids = [i for i in ids if options[i].startswith(("a ", "an "))]
            i = ids[int(rng.integers(len(ids)))]
            values[form + suffix] = options[i]
            parts.append((cls, form, i))
    text = RICH_FRAMES[frame].text.format(x=fmt.format(**values))
    return Caption(text[0].upper() + text[1:], template, tuple(parts), frame)


def _split(ids: list[str], test_ids: frozenset[str]) -> dict[str, int]:
    return {"train": sum(i not in test_ids for i in ids), "test": sum(i in test_ids for i in ids)}


def vocabulary_counts(vocabulary: str) -> dict:
    """Sizes of a vocabulary, each as ``{"train": n, "test": n}`` (test: the test-only ones).

    ``phrases``: class -> ``clauses``/``nouns``; ``templates``: kind; ``frames``: all (none for "templates").
    """
    check_vocabulary(vocabulary)
    forms = ("clauses", "nouns")
    if vocabulary == "templates":
        return {
            "phrases": {
                cls: {f: {"train": len(o) - 1, "test": 1} for f, o in zip(forms, lists, strict=True)}
                for cls, lists in PHRASES.items()
            },
            "templates": {kind: _split(list(t), TEST_TEMPLATES) for kind, t in TEMPLATES.items()},
            "frames": {"train": 0, "test": 0},
        }
    return {
        "phrases": {
            cls: {f: {"train": len(tr), "test": len(te)} for f, (tr, te) in zip(forms, lists, strict=True)}
            for cls, lists in RICH_PHRASES.items()
        },
        "templates": {kind: _split(list(t), RICH_TEST_TEMPLATES) for kind, t in RICH_TEMPLATES.items()},
        "frames": _split(list(RICH_FRAMES), RICH_TEST_FRAMES),
    }
