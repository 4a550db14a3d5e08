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
PARAPHRASE = "paraphrase"  # the template id of dev- and test-paraphrase's requests: never in train or val


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
          "a stray cat yowls in an alley", "a tomcat yowls on the fence", "a cat mews softly", "a cat meows loudly",
          "a kitty cat goes meow meow", "a moggy meows at the back door", "a moggy is mewling",
          "a kitten mewls for its mother", "a siamese cat yowls", "a ginger tom meows on the doorstep",
          "a tabby cat meows in the kitchen", "a persian cat mews quietly", "a black cat caterwauls on the roof",
          "two tomcats caterwaul at midnight", "a cat hisses and yowls", "a cat mewls by the fireplace",
          "a pet cat meows for its dinner", "a cat miaows", "a kitten miaows on the sofa",
          "an old cat meows at the door", "a lost kitten cries", "a cat cries to be let out",
          "the neighbour's cat is meowing", "a cat meows down the street at night", "a little pussycat mews",
          "a mother cat calls to her kittens", "a stray tomcat howls on the fence"],
         ["a kitten meows at night", "a hungry kitten is mewing", "a stray cat meows to be let in",
          "two kittens yowl in the garden"]),
        (["a cat meowing", "the meow of a cat", "a mewing cat", "a kitten meowing", "a meowing kitten", "a loud meow",
          "a cat going meow", "a cat meowing on the windowsill", "a cat meowing to be fed", "a tiny kitten mewing",
          "the mewing of a kitten", "a cat meowing in the hallway", "a feline meowing", "a yowling cat",
          "the yowl of a cat", "a feline yowling on a wall", "a cat", "a kitten", "a kitty", "meow", "meow meow",
          "a hungry cat meowing", "a stray cat yowling in an alley", "a tomcat yowling on a fence",
          "a pussycat meowing", "kittens mewing", "a moggy meowing", "a mewling kitten", "a tabby cat meowing",
          "a siamese cat yowling", "a ginger tom meowing on the doorstep", "the caterwauling of tomcats",
          "a cat hissing and yowling", "a pet cat meowing for its dinner", "a miaow", "a kitten miaowing on a sofa",
          "a meowing cat in the kitchen", "a lost kitten crying", "the cry of a cat", "a cat's meow",
          "a persian cat mewing", "a kitty cat", "mew", "miaow miaow", "a cat crying at the door at night",
          "the neighbour's cat meowing", "a cat meowing by the fireplace", "cats", "a black cat caterwauling on a roof",
          "a tomcat howling", "meow meow meow"],
         ["a kitty mewing on the windowsill", "a hungry kitten meowing", "the yowl of a stray cat",
          "a tiny kitten meowing in the hallway"]),
    ),
    "cow": (
        (["a cow moos", "a cow is mooing", "a cow lows", "cows are mooing", "a cow goes moo", "a cow moos loudly",
          "a cow keeps mooing", "a cow moos on the farm", "a cow moos from across the pasture",
          "a cow lets out a long moo", "cows moo back and forth", "a cow moos in its stall", "an ox lows",
          "oxen are mooing", "a cow moos in the meadow", "an ox moos by the gate", "a bull bellows",
          "a calf moos for its mother", "cattle are mooing in a barn", "a herd of cows moos in the field",
          "a dairy cow moos at milking time", "a bull snorts and bellows", "a cow goes moo moo", "a heifer moos",
          "a heifer is lowing in the field", "a bullock bellows", "a steer moos on the ranch", "a moo cow moos",
          "a cow moos in the barn at night", "cows low in the pasture at dusk", "a mother cow calls for her calf",
          "a calf bawls", "a calf is bawling for its mother", "a bull roars in the field", "cattle low on the ranch",
          "a cow moos in the milking shed", "a jersey cow moos", "a highland cow moos", "a cow moos over the hedge",
          "a cow bellows", "a herd of cattle lows", "the cows are mooing to be milked", "a young bull is bellowing",
          "a cow moos in the distance", "a cow moos on a hillside"],
         ["a calf moos in the meadow", "a bull is bellowing by the gate", "cattle moo across the field",
          "a herd of cows keeps mooing"]),
        (["a cow mooing", "the mooing of a cow", "a lowing cow", "cows mooing", "a loud moo", "the moo of a cow",
          "a cow mooing on a farm", "cows mooing in the pasture", "a cow going moo", "a mooing cow", "a long low moo",
          "a cow mooing in its stall", "an ox lowing", "a lowing ox", "oxen mooing in a meadow", "the moo of an ox",
          "a cow", "cows", "moo", "moo moo", "a bull bellowing", "a calf mooing", "cattle mooing in a barn",
          "a herd of cattle mooing", "the bellow of a bull", "a dairy cow mooing", "a moo cow", "a heifer mooing",
          "a lowing heifer", "a bullock bellowing", "a steer mooing on a ranch", "a bawling calf",
          "a calf bawling for its mother", "the bellowing of a bull", "a cow mooing in the barn",
          "cattle lowing at dusk", "a mother cow calling her calf", "a jersey cow mooing", "a highland cow mooing",
          "a cow mooing in the distance", "moo moo moo", "a bull", "a calf", "cattle", "a cow mooing over a hedge",
          "a herd of cows", "cows mooing in the milking shed", "a bellowing cow", "a cow mooing on a hillside"],
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
          "a bulldog woofs", "a sheepdog barks on the hillside", "a beagle bays", "a bloodhound is baying",
          "a husky howls", "a husky is howling at the moon", "a dog yelps", "a puppy yelps in pain",
          "a dog whimpers at the door", "a puppy whines for attention", "a dog growls at a stranger",
          "a chihuahua yaps", "a little doggy goes woof woof", "a poodle yaps in the kitchen",
          "a german shepherd barks", "a collie barks in the yard", "a dog barks down the street at night",
          "a dog barks in the distance", "a rottweiler barks behind a fence", "a spaniel barks at a squirrel",
          "a dog bays at the moon", "a small dog yaps", "a doggie woofs", "two dogs bark at each other",
          "a dog barks on the beach", "a puppy barks for a treat"],
         ["a hound howls at night", "a puppy barks at the postman", "a labrador yaps excitedly",
          "a mutt keeps barking in a back yard"]),
        (["a dog barking", "the barking of a dog", "a barking dog", "a puppy yapping", "a yapping puppy", "a loud woof",
          "a dog barking in a back yard", "a terrier yapping", "a guard dog barking", "a dog going woof woof",
          "a pup barking at the postman", "a big dog's deep bark", "a hound barking", "a barking mutt",
          "the bark of a hound", "a mutt yapping in the street", "a dog", "dogs", "a puppy", "woof", "woof woof",
          "bow-wow", "a pooch barking", "a doggy barking", "a dog howling at night", "a labrador barking in the park",
          "a pack of dogs barking", "a growling dog", "a beagle baying", "a baying hound", "a husky howling",
          "a howling husky", "a yelping puppy", "a dog yelping", "a whimpering dog", "a whining puppy",
          "a dog growling at a stranger", "a yappy chihuahua", "a poodle yapping", "a german shepherd barking",
          "a collie barking in a yard", "a dog barking down the street at night", "a dog barking in the distance",
          "a rottweiler barking behind a fence", "a spaniel barking", "a terrier", "a hound", "a doggie", "yap yap",
          "arf arf", "ruff ruff", "the yelp of a puppy", "two dogs barking at each other", "a dog's howl",
          "the woof of a big dog"],
         ["a hound howling at night", "a terrier barking at the gate", "the bark of a puppy",
          "a pooch yapping in the street"]),
    ),
    "duck": (
        (["a duck quacks", "ducks are quacking", "a duck keeps quacking", "a duck goes quack",
          "ducks quack on the pond", "a duck quacks loudly", "ducks are quacking by the river",
          "a duck quacks in the park", "a farmyard duck quacks", "a duck is quacking for bread", "a mother duck quacks",
          "a pair of ducks quack", "a mallard quacks", "a drake is quacking", "mallards quack on the lake",
          "a drake keeps quacking", "a duckling quacks", "ducks quack and splash", "a drake quacks on the canal",
          "ducklings are quacking", "a mallard quacks by the river", "a duck goes quack quack", "a ducky quacks",
          "a duckie goes quack", "a wild duck quacks on the marsh", "a mallard hen quacks",
          "a female mallard quacks loudly", "ducks quack in the farmyard", "a duck quacks at the edge of the pond",
          "a flock of ducks is quacking", "ducks squabble and quack", "a domestic duck quacks",
          "a runner duck quacks in the yard", "ducks quack on the village pond", "a duck quacks at dawn",
          "a mother duck calls her ducklings", "a duck quacks as it lands on the lake",
          "ducks are quacking by the canal", "a drake calls to a hen", "a duck quacks in the distance",
          "a mallard is quacking in the reeds", "ducks gabble on the river", "a duck quacks over and over",
          "a pet duck quacks in the garden", "ducks quack at feeding time"],
         ["a mallard quacks on the pond", "a drake quacks for bread", "ducklings are quacking in the park",
          "a pair of mallards quack loudly"]),
        (["ducks quacking", "the quacking of a duck", "quacking ducks", "a duck quacking", "a loud quack",
          "a duck going quack quack", "ducks quacking on a pond", "a quacking duck", "a duck quacking by the river",
          "ducks quacking in the park", "the quack of a duck", "a noisy duck", "a mallard quacking",
          "the quack of a drake", "mallards quacking on a lake", "a quacking drake", "a duck", "ducks", "a mallard",
          "quack", "quack quack", "a duckling quacking", "ducklings quacking", "a drake quacking on the canal",
          "ducks quacking and splashing", "a ducky quacking", "a duckie", "a wild duck quacking",
          "a mallard hen quacking", "ducks quacking in a farmyard", "a flock of quacking ducks",
          "ducks squabbling and quacking", "a domestic duck quacking", "a runner duck",
          "the quacking of ducks on a village pond", "a mother duck calling her ducklings",
          "a duck quacking in the reeds", "gabbling ducks", "quack quack quack", "a duck quacking at dawn",
          "a duck quacking in the distance", "the quacks of mallards", "ducks on a pond", "a drake", "ducklings",
          "a duck landing on a lake and quacking"],
         ["a mallard quacking on a pond", "the quack of a duckling", "ducks quacking on a lake", "a noisy drake"]),
    ),
    "frog": (
        (["frogs croak", "a frog is croaking", "frogs keep croaking", "a frog goes ribbit",
          "frogs are croaking in a pond", "a frog croaks at night", "a little frog croaks", "frogs croak in the marsh",
          "a tree frog is croaking", "frogs ribbit in the reeds", "a frog croaks loudly",
          "frogs croak all over the pond", "a bullfrog croaks", "a toad is croaking", "toads croak in a ditch",
          "a bullfrog keeps croaking", "a frog ribbits", "a bullfrog croaks in the swamp",
          "toads are croaking after dark", "a toad croaks by the pond", "a green frog is ribbiting",
          "a frog croaks in the garden pond", "a froggy goes ribbit ribbit", "a toad croaks under a log",
          "a bullfrog bellows in the swamp", "a chorus of frogs croaks", "frogs chorus at night",
          "frogs croak in the rice paddy", "frogs croak along the riverbank", "a frog croaks on a lily pad",
          "a toad is croaking in the rushes", "a frog calls from the bog", "a natterjack toad croaks",
          "a common frog croaks in the ditch", "a frog croaks over and over", "a frog croaks loudly in the bayou",
          "frogs croak and ribbit in the reeds", "a big bullfrog croaks deeply", "a little froggy croaks",
          "a frog croaks in the distance", "toads croak by the lake", "frogs are croaking on a summer evening",
          "a male frog croaks for a mate", "a frog croaks in the jungle", "a frog goes croak croak"],
         ["a toad croaks at night", "a bullfrog is croaking in the marsh", "a tree frog ribbits",
          "frogs croak after dark"]),
        (["frogs croaking", "the croaking of frogs", "croaking frogs", "a frog croaking", "a frog going ribbit",
          "a loud ribbit", "frogs croaking in a pond", "a tree frog croaking", "frogs croaking in the marsh at night",
          "a pond full of croaking frogs", "the croak of a frog", "a croaking frog", "a bullfrog croaking",
          "croaking toads", "the croak of a bullfrog", "a toad croaking in a ditch", "a frog", "frogs", "a toad",
          "ribbit", "ribbit ribbit", "a bullfrog croaking in the swamp", "toads croaking after dark",
          "a green frog ribbiting", "a froggy going ribbit ribbit", "a croaking toad under a log",
          "a bullfrog bellowing in a swamp", "a chorus of frogs", "frogs croaking in a rice paddy",
          "frogs croaking along a riverbank", "a frog croaking on a lily pad", "a natterjack toad croaking",
          "a common frog croaking in a ditch", "a frog croaking over and over", "a big bullfrog croaking deeply",
          "a little froggy", "a frog croaking in the distance", "toads croaking by a lake",
          "frogs croaking on a summer evening", "croak", "croak croak", "ribbit ribbit ribbit",
          "a frog chorus at night", "a frog croaking in the jungle", "a frog calling from a bog",
          "the deep croak of a bullfrog", "a bullfrog", "toads"],
         ["a croaking bullfrog", "a toad croaking by the pond", "the croak of a tree frog", "frogs going ribbit"]),
    ),
    "horse": (
        (["a horse neighs", "a horse is neighing", "a horse whinnies", "a pony neighs", "a pony is whinnying",
          "a horse neighs loudly", "a horse whinnies in its stable", "a horse neighs in a paddock",
          "a horse keeps neighing", "a startled horse whinnies", "a horse neighs at the fence", "a racehorse neighs",
          "a stallion neighs", "a mare is whinnying", "a stallion whinnies in the field", "a mare neighs for her foal",
          "a foal whinnies", "a stallion snorts and neighs", "a colt neighs", "horses are neighing in the stable",
          "a horse nickers softly", "a horse goes neigh", "a horsey neighs", "a horse snorts",
          "a horse nickers at feeding time", "a mare nickers to her foal", "a horse trots up and neighs",
          "a horse whinnies on the farm", "a shire horse neighs", "a shetland pony neighs", "a filly whinnies",
          "a gelding neighs in the paddock", "a horse neighs and stamps its hooves",
          "a horse neighs as it gallops past", "a ranch horse whinnies", "a horse neighs in the distance",
          "a horse whickers", "a pony whickers softly", "a racehorse whinnies at the starting gate",
          "a frightened horse rears and neighs", "a horse neighs in the barn", "a horse clip-clops along and neighs",
          "a mustang neighs", "a wild horse whinnies on the plains", "a horse neighs on the beach"],
         ["a foal neighs in the paddock", "a pony whinnies at the fence", "a mare neighs loudly",
          "a stallion keeps neighing"]),
        (["a horse neighing", "the neigh of a horse", "a whinnying horse", "a pony neighing", "a neighing pony",
          "a horse whinnying in a stable", "the whinny of a horse", "a loud neigh", "a horse neighing in a paddock",
          "a neighing horse", "a startled horse whinnying", "a pony whinnying at the fence", "a stallion neighing",
          "the whinny of a mare", "a neighing stallion", "a mare whinnying in the field", "a horse", "a pony", "neigh",
          "neigh neigh", "a foal whinnying", "horses neighing in a stable", "a nickering horse", "a colt neighing",
          "a stallion snorting and neighing", "a horsey", "a horsey going neigh", "a snorting horse",
          "a horse nickering at feeding time", "a mare nickering to her foal", "a horse trotting and neighing",
          "a shire horse neighing", "a shetland pony neighing", "a filly whinnying", "a gelding neighing in a paddock",
          "a galloping horse neighing", "a horse neighing in the distance", "a whickering pony",
          "a racehorse whinnying at the starting gate", "a frightened horse neighing", "a horse neighing in the barn",
          "the clip-clop of hooves and a neigh", "a mustang neighing", "a wild horse whinnying on the plains", "whinny",
          "neigh neigh neigh", "a stallion", "a mare", "a foal", "horses"],
         ["a foal neighing in a field", "the neigh of a stallion", "a whinnying pony", "a mare neighing in a stable"]),
    ),
    "owl": (
        (["an owl hoots", "an owl is hooting", "an owl keeps hooting", "an owl hoots at night", "a barn owl hoots",
          "an owl goes hoo hoo", "an owl hoots in the woods", "an owl hoots from a tree", "two owls hoot to each other",
          "an owl hoots softly in the dark", "an owl hoots in the forest at midnight", "an eagle owl hoots",
          "a tawny owl hoots", "an owl goes twit-twoo", "a tawny owl is calling", "an owl calls twit-twoo",
          "a snowy owl hoots", "an owl screeches in the night", "a barn owl screeches", "an owl calls from the barn",
          "an owl goes hoot hoot", "an owl goes too-whit too-whoo", "a great grey owl hoots", "a little owl calls",
          "an owl hoots in the moonlight", "an owl hoots over the fields", "a screech owl trills", "a barn owl shrieks",
          "an owl hoots from the old barn", "an owl hoots in the garden at night", "an owlet calls",
          "owlets screech in the nest", "a tawny owl twit-twoos", "an owl hoots in the park after dark",
          "a wise old owl hoots", "an owl hoots deep in the woods", "an owl hoots in the pine trees",
          "an owl calls hoo-hoo", "a hoot owl is hooting", "an owl hoots three times",
          "an owl keeps calling in the dark", "an owl hoots in a spooky forest", "an owl hoots outside the window",
          "an owl hoots in the distance", "a snowy owl calls across the tundra"],
         ["a barn owl hoots at midnight", "an owl is calling in the woods", "a tawny owl hoots from a tree",
          "two tawny owls hoot in the night"]),
        (["an owl hooting", "the hooting of an owl", "a hooting owl", "an owl hooting at night", "a barn owl hooting",
          "the hoot of an owl", "an owl hooting in the woods", "an owl going hoo hoo", "a soft hoot",
          "owls hooting in the dark", "an eagle owl hooting", "an owl hooting from a tree", "a tawny owl hooting",
          "the twit-twoo of an owl", "a tawny owl calling", "an owl calling in the night", "an owl", "owls",
          "hoot hoot", "hoo hoo", "twit-twoo", "a screeching barn owl", "an owl screeching in the night",
          "a snowy owl hooting", "an owl going hoot hoot", "the too-whit too-whoo of an owl",
          "a great grey owl hooting", "a little owl calling", "an owl hooting in the moonlight", "a screech owl",
          "a shrieking barn owl", "an owl hooting in a garden at night", "an owlet calling",
          "owlets screeching in a nest", "a wise old owl hooting", "an owl hooting deep in the woods", "a hoot owl",
          "three hoots of an owl", "an owl hooting in a spooky forest", "an owl hooting outside the window", "hoot",
          "too-whit too-whoo", "a barn owl", "a tawny owl", "an owl calling hoo-hoo", "the hoot of a barn owl",
          "an owl hooting in the pine trees", "an owl hooting in the distance"],
         ["a barn owl calling in the night", "the hoot of a tawny owl", "an owl hooting softly in the dark",
          "a hooting barn owl"]),
    ),
    "pig": (
        (["a pig grunts", "a pig is oinking", "a pig keeps grunting", "a pig goes oink oink",
          "pigs are grunting in a sty", "a hog grunts", "a sow is grunting", "a pig oinks in the mud",
          "a pig snorts and grunts", "a fat pig oinks", "pigs oink at feeding time", "a hog is oinking in its pen",
          "a boar grunts", "swine are grunting", "a wild boar snorts", "swine oink in a barn", "a piglet squeals",
          "piglets are squealing in the barn", "a boar squeals", "a pig squeals loudly", "a piggy goes oink",
          "a piggy oinks in the mud", "a pig snuffles", "a pig snorts at the trough", "a hog grunts in the pigsty",
          "pigs squeal at feeding time", "a sow grunts to her piglets", "a pot-bellied pig grunts",
          "a big boar snorts in the woods", "a pig grunts happily in the straw", "a pig roots around and grunts",
          "piglets squeak and squeal", "a pig oinks on the farm", "a pig is snorting in its pen",
          "pigs grunt in the barnyard", "a pig grunts at the gate", "a hungry pig squeals for food", "a porker grunts",
          "a wild boar grunts in the forest", "a pig snuffles and oinks in the mud",
          "pigs jostle and squeal at the trough", "a pig oinks in the distance", "a piglet oinks for its mother",
          "a pig goes snort snort", "a hog squeals loudly"],
         ["a sow grunts in the mud", "piglets oink at feeding time", "a hog squeals in its pen",
          "a wild boar is grunting"]),
        (["a pig oinking", "the grunting of a pig", "a grunting pig", "pigs grunting in a sty", "the oink of a pig",
          "a hog grunting", "an oinking pig", "a sow grunting", "a pig going oink oink", "pigs oinking at feeding time",
          "a pig snorting and grunting", "a hog oinking in its pen", "a boar grunting", "grunting swine",
          "the snort of a wild boar", "swine oinking in a barn", "a pig", "pigs", "a piglet", "a hog", "oink",
          "oink oink", "a squealing piglet", "piglets squealing in a barn", "the squeal of a pig", "a piggy",
          "a piggy going oink oink", "a snuffling pig", "a pig snorting at the trough",
          "pigs squealing at feeding time", "a sow grunting to her piglets", "a pot-bellied pig grunting",
          "a wild boar grunting in a forest", "a pig grunting happily in the straw", "squeaking piglets",
          "a pig oinking on the farm", "a snorting hog", "pigs grunting in the barnyard", "a hungry pig squealing",
          "a grunting porker", "oink oink oink", "snort snort", "a sow", "a boar", "swine",
          "a pig snuffling in the mud", "the squeals of piglets", "pigs at the trough",
          "a pig oinking in the distance"],
         ["a piglet oinking", "a sow oinking in its pen", "the grunting of a hog", "swine grunting in the mud"]),
    ),
    "rooster": (
        (["a rooster crows", "a rooster is crowing", "a rooster calls out", "a rooster goes cock-a-doodle-doo",
          "a rooster crows at dawn", "a rooster crows at sunrise", "a rooster crows in the farmyard",
          "a rooster keeps crowing", "a rooster crows loudly", "a rooster crows from the fence",
          "a rooster wakes everyone up", "two roosters crow at each other", "a cockerel crows",
          "a cockerel is crowing at daybreak", "a young cockerel crows", "a cockerel calls cock-a-doodle-doo",
          "a cock crows", "a cock is crowing at dawn", "a farmyard cock crows at first light",
          "a proud rooster crows on the fence post", "a rooster crows cock-a-doodle-doo",
          "a cock crows cock-a-doodle-doo", "a rooster crows on the farm", "a rooster crows in the backyard",
          "a rooster crows from the roof of the barn", "a rooster crows over and over", "a bantam cockerel crows",
          "a bantam rooster is crowing", "a cockerel crows at the crack of dawn", "a rooster crows at first light",
          "a rooster crows in the village", "a cock crows in the distance", "a rooster lets out a loud crow",
          "a rooster crows on the dunghill", "a rooster announces the morning",
          "a farmyard rooster crows to wake the farmer", "a red rooster crows", "a cockerel crows in the garden",
          "a rooster crows early in the morning", "a rooster crows from the hen house", "a cock crows three times",
          "a rooster crows across the valley", "a young rooster tries to crow", "a cockerel keeps crowing",
          "a rooster crows in the distance"],
         ["a cock crows at sunrise", "a cockerel crows in the farmyard", "a young rooster is crowing",
          "a cock keeps crowing at daybreak"]),
        (["a rooster crowing", "the crow of a rooster", "a crowing rooster", "a rooster crowing at dawn",
          "a loud cock-a-doodle-doo", "a rooster going cock-a-doodle-doo", "a rooster crowing in the farmyard",
          "the crowing of a rooster", "a rooster crowing at sunrise", "a rooster's morning call", "roosters crowing",
          "a rooster crowing from the fence", "a cockerel crowing", "the crow of a cockerel",
          "a cockerel crowing at daybreak", "a cockerel's cock-a-doodle-doo", "a rooster", "a cockerel",
          "a cock crowing", "cock-a-doodle-doo", "a cock crowing at first light", "a young cock crowing",
          "a proud rooster crowing on a fence post", "the dawn crow of a cock", "a rooster crowing on a farm",
          "a rooster crowing in the backyard", "a rooster crowing on a barn roof", "a bantam cockerel crowing",
          "a bantam rooster", "a cockerel crowing at the crack of dawn", "a rooster crowing in the village",
          "a cock crowing in the distance", "a loud crow", "a rooster's crow", "the morning crow of a rooster",
          "a red rooster crowing", "a cockerel crowing in a garden", "a rooster crowing early in the morning",
          "a rooster crowing from the hen house", "a rooster crowing across the valley",
          "a young rooster trying to crow", "the cock-a-doodle-doo of a cockerel",
          "cock-a-doodle-doo cock-a-doodle-doo", "cockerels crowing", "a crowing cock",
          "a rooster crowing over and over"],
         ["a cockerel crowing at sunrise", "the crow of a cock", "a crowing cockerel",
          "a young cock going cock-a-doodle-doo"]),
    ),
    "sheep": (
        (["a sheep bleats", "a sheep is bleating", "a sheep baas", "a sheep goes baa", "a lamb bleats",
          "a lamb is baaing", "a flock of sheep bleats", "sheep are bleating on a hillside", "a sheep keeps baaing",
          "a lamb bleats in the field", "sheep baa in a pen", "a sheep bleats loudly", "a ewe bleats",
          "a ram is bleating", "a ewe baas on the moor", "a ram keeps baaing", "a lamb baas for its mother",
          "the flock is bleating in the field", "sheep baa on the hillside", "ewes and lambs are bleating",
          "a sheep goes baa baa", "a baa-lamb bleats", "a little lamb goes baa", "a lamb bleats for its mother",
          "a flock bleats on the hill", "a ewe calls to her lamb", "sheep bleat in the meadow",
          "a sheep baas on the farm", "sheep are baaing in the paddock", "a mountain sheep bleats",
          "a ram bleats at the gate", "a lost lamb bleats", "a newborn lamb is bleating", "sheep baa in the distance",
          "a sheep bleats on the fells", "lambs bleat in the spring", "a tup bleats",
          "a sheep bleats in the shearing shed", "a hungry lamb baas", "sheep bleat across the valley",
          "a sheep bleats in the barn", "a sheep bleats over and over", "a woolly sheep baas", "the sheep are baaing",
          "a ewe bleats for her lamb"],
         ["a ewe bleats in the field", "a lamb keeps bleating", "a flock of sheep baas on the moor",
          "a ram baas loudly"]),
        (["a sheep bleating", "the bleating of a sheep", "a bleating sheep", "a sheep going baa", "a lamb bleating",
          "a flock of sheep bleating", "the baa of a sheep", "a lamb baaing in a field", "sheep bleating on a hillside",
          "a bleating lamb", "a loud baa", "sheep baaing in a pen", "a ewe bleating", "the bleat of a ram",
          "a ewe baaing on the moor", "a bleating ram", "a sheep", "a lamb", "sheep", "baa", "baa baa",
          "a flock of sheep", "ewes and lambs bleating", "a lamb baaing for its mother", "a ram baaing by the gate",
          "a sheep going baa baa", "a baa-lamb", "a little lamb going baa", "a flock bleating on a hill",
          "a ewe calling to her lamb", "sheep bleating in a meadow", "a sheep baaing on the farm",
          "sheep baaing in the paddock", "a mountain sheep bleating", "a lost lamb bleating", "a newborn lamb",
          "sheep baaing in the distance", "lambs bleating in the spring", "a sheep bleating on the fells",
          "a hungry lamb baaing", "a sheep bleating in a shearing shed", "baa baa baa", "bleat", "a ewe", "a ram",
          "lambs", "the bleating of a flock", "a baaing sheep", "a woolly sheep"],
         ["a ewe baaing in a pen", "the bleat of a lamb", "a bleating ewe", "lambs bleating on a hillside"]),
    ),
    "rain": (
        (["rain falls", "it is raining", "rain is pouring down", "it's pouring with rain", "rain drums on a roof",
          "rain patters on the window", "heavy rain is falling", "it's bucketing down", "rain beats down on a tin roof",
          "rain pours onto the pavement", "raindrops patter on a tent", "a downpour soaks the garden",
          "a deluge is falling", "a cloudburst hits the town", "rain is pelting the windows",
          "a deluge lashes the rooftops", "it's drizzling", "a light drizzle is falling",
          "a shower of rain passes over", "a rainstorm batters the house", "rain spatters on an umbrella",
          "it's raining hard", "it's chucking it down", "it's pelting down", "it's spitting with rain",
          "rain is hammering on the roof", "rain patters on the leaves", "a rain shower passes",
          "a monsoon downpour is falling", "rain lashes against the glass", "rain drums on a car roof",
          "rain falls on a conservatory roof", "rain falls steadily all night", "heavy rain pounds the street",
          "rain falls softly on the garden", "rain is pattering on the skylight", "raindrops splash on the pavement",
          "rain sheets down", "rain falls in the forest", "a tropical downpour hits", "it's raining on the tent",
          "rain comes down in torrents", "rain pitter-patters on the window", "it's raining outside",
          "rain falls on the street at night"],
         ["heavy rain drums on the rooftops", "a downpour is pelting the tent", "light rain patters on an umbrella",
          "a drizzle is falling on the town"]),
        (["rain falling", "the patter of rain", "pouring rain", "a downpour", "heavy rain", "rain drumming on a roof",
          "the pitter-patter of raindrops", "rain on a tin roof", "rain pattering on a window", "a heavy downpour",
          "rain pouring onto a pavement", "raindrops on a tent", "a deluge", "a sudden cloudburst",
          "rain pelting the windows", "a deluge on the rooftops", "rain", "pitter-patter", "drizzle", "a light drizzle",
          "a rain shower", "a rainstorm", "rain spattering on an umbrella", "steady rain", "raindrops", "a rainy day",
          "torrential rain", "a tropical downpour", "rain hammering on a roof", "rain pattering on leaves", "a monsoon",
          "rain lashing against the glass", "rain drumming on a car roof", "rain on a conservatory roof",
          "steady rain all night", "heavy rain pounding the street", "soft rain falling on a garden",
          "rain on a skylight", "raindrops splashing on a pavement", "sheets of rain", "rain in the forest",
          "rain on a tent", "rain coming down in torrents", "pitter-patter pitter-patter", "a passing shower",
          "a rainfall", "spitting rain", "a cloudburst", "the drumming of rain", "rain falling on the street at night"],
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
          "a gentle breeze blows", "it's windy outside", "the wind is howling outside the window",
          "a gale is howling round the house", "a breeze is blowing through the grass",
          "the wind sighs through the pines", "the wind whistles down the chimney", "a strong gust blows",
          "the wind is gusting across the moor", "the wind blows across the beach", "a hurricane roars",
          "a desert wind blows", "an icy wind blows across the tundra", "the wind whooshes through the valley",
          "a breeze blows through the open window", "the wind buffets the tent", "a stiff wind blows on the hilltop",
          "a blizzard howls", "the wind rushes through the trees", "a gale is blowing at sea",
          "the wind howls through the night", "it's blowing a gale", "a gentle breeze is blowing in the meadow",
          "the wind wails around the rooftops", "a chilly breeze blows", "the wind howls in the distance"],
         ["a gale whistles through the trees", "a gentle wind blows", "a cold wind moans across the hills",
          "the wind roars around the house"]),
        (["wind blowing", "the howling of the wind", "gusts of wind", "a strong wind", "wind howling around a house",
          "the whistling of the wind", "a gusty wind", "a stiff breeze", "wind whistling through the trees",
          "a cold wind blowing across the hills", "the whoosh of the wind", "a howling wind", "a gale",
          "blustery winds", "a gale howling over the cliffs", "the roar of a gale", "wind", "whoosh", "a breeze",
          "a gentle breeze rustling the leaves", "the wind moaning around a chimney", "a gust of wind",
          "whistling wind", "a roaring storm wind", "windy weather", "a windy day", "the wind howling outside a window",
          "a breeze blowing through grass", "the sighing of the wind in the pines", "the wind whistling down a chimney",
          "a strong gust", "gusty winds on the moor", "the wind on a beach", "a hurricane", "a desert wind",
          "an icy wind", "the whoosh of wind through a valley", "a breeze through an open window",
          "wind buffeting a tent", "a blizzard howling", "the rush of wind through trees", "a gale at sea",
          "wind howling through the night", "whoosh whoosh", "a gust", "a chilly breeze", "the moan of a gale",
          "a windstorm", "the wind howling in the distance"],
         ["a gust of wind whistling through a gap", "a cold gale", "the moaning of the wind", "a gentle wind"]),
    ),
    "thunder": (
        (["thunder rumbles", "thunder is roaring", "thunder cracks", "thunder rolls across the sky",
          "thunder rumbles in the distance", "thunder crashes overhead", "a thunderclap shakes the house",
          "thunder growls far away", "thunder crackles and rumbles", "thunder rumbles over the hills",
          "thunder cracks overhead", "a thunderclap splits the sky", "thunder booms", "a peal of thunder rolls in",
          "thunder booms over the valley", "a loud peal of thunder echoes", "a thunderstorm rumbles overhead",
          "thunder grumbles far off", "there's a loud thunderclap", "thunder booms in the storm",
          "thunder rumbles overhead", "thunder goes boom", "thunder crashes and booms", "there's a rumble of thunder",
          "thunder rolls in the distance", "thunder echoes across the hills", "a thunderclap booms over the town",
          "thunder cracks like a whip", "thunder rumbles and rolls", "a thunderstorm is brewing",
          "thunder grumbles in the mountains", "thunder crashes over the city at night", "thunder shakes the windows",
          "a big thunderclap bangs overhead", "thunder booms across the plains", "thunder roars over the sea",
          "the sky rumbles", "thunder crackles overhead", "a summer thunderstorm rumbles", "thunder rumbles on and on",
          "a loud crash of thunder echoes", "thunder peals across the sky", "thunder rumbles low and long",
          "a thunderbolt crashes", "lightning flashes and thunder cracks"],
         ["thunder rolls over the valley", "a thunderclap crashes overhead", "thunder is rumbling far away",
          "a peal of thunder shakes the house"]),
        (["thunder rumbling", "a clap of thunder", "rolling thunder", "distant thunder", "a thunderclap",
          "the rumble of thunder", "a crack of thunder", "thunder crashing overhead", "thunder rolling across the sky",
          "a loud thunderclap", "thunder growling far away", "the crackle of thunder", "a peal of thunder",
          "the boom of thunder", "booming thunder", "a peal of thunder over the valley", "thunder", "boom",
          "a thunderstorm", "a rumble of thunder in the distance", "thunder grumbling far off", "a crash of thunder",
          "a rumbling thunderstorm", "thunder rumbling overhead", "thunder going boom", "crashing thunder",
          "thunder rolling in the distance", "thunder echoing across the hills", "a thunderclap booming over a town",
          "the crack of thunder", "a distant rumble of thunder", "thunder grumbling in the mountains",
          "thunder over the city at night", "a big thunderclap", "thunder booming across the plains",
          "the roar of thunder", "a rumbling sky", "a summer thunderstorm", "thunder rumbling on and on",
          "a loud crash of thunder", "thunder pealing across the sky", "a thunderbolt", "a rumble in the sky",
          "boom boom", "kaboom", "thunderclaps", "lightning and thunder"],
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
          "a police siren whoops", "an ambulance goes nee-naw", "a police car speeds past with sirens wailing",
          "the fire brigade races past with sirens on", "a squad car wails down the road",
          "a siren wails down the street at night", "sirens wail across the city", "a tornado siren wails",
          "a civil defence siren wails", "an ambulance wails through the traffic", "a police siren whoops and wails",
          "a cop car screams past", "a siren wails and fades away", "a siren blares in the distance",
          "a factory siren wails", "a paramedic's siren wails", "an emergency vehicle races past with sirens blaring",
          "sirens scream through the night", "a siren rises and falls", "a two-tone siren blares",
          "an american police siren wails", "a siren goes wee-oo wee-oo", "a siren whines",
          "a police car goes by with its siren wailing", "an ambulance siren goes nee-naw nee-naw"],
         ["an ambulance siren blares", "a fire truck's siren wails in the distance", "a police car goes wee-woo",
          "sirens are blaring through the city"]),
        (["a siren wailing", "the wail of a siren", "a blaring siren", "an ambulance siren", "a police siren",
          "an ambulance speeding by with its siren on", "a police car with its siren blaring",
          "sirens wailing through the city", "a siren going nee-naw", "an emergency siren",
          "a siren wailing in the distance", "the howl of a police siren", "a fire truck wailing down the street",
          "a cop car's siren", "the wail of a fire truck", "a cop car going wee-woo", "a siren", "sirens", "nee naw",
          "nee naw nee naw", "wee-woo wee-woo", "an air raid siren", "a fire truck's siren",
          "an ambulance racing past with sirens blaring", "a whooping police siren", "an ambulance going nee-naw",
          "a police car speeding past with sirens wailing", "the fire brigade racing past",
          "a squad car wailing down the road", "a siren wailing down the street at night",
          "sirens wailing across the city", "a tornado siren", "a civil defence siren",
          "an ambulance wailing through traffic", "a police siren whooping and wailing", "a cop car screaming past",
          "a siren wailing and fading away", "a siren blaring in the distance", "a factory siren",
          "a paramedic's siren", "an emergency vehicle with sirens blaring", "sirens screaming through the night",
          "a siren rising and falling", "a two-tone siren", "an american police siren", "wee-oo wee-oo", "an ambulance",
          "a police car", "the whoop of a siren"],
         ["a wailing siren", "the wail of an ambulance siren", "a police car going nee-naw",
          "a fire truck with its siren blaring"]),
    ),
    "car_horn": (
        (["a car horn honks", "a car horn is honking", "a driver honks the car horn", "a car honks",
          "a taxi honks its horn", "a driver leans on the horn", "a car goes honk honk", "an impatient driver honks",
          "horns are honking in traffic", "a van honks its horn", "a horn blares in a traffic jam",
          "a car beeps its horn", "a motorist toots the horn", "a car toots", "a bus toots its horn",
          "an angry motorist honks", "a driver hoots the horn", "a car hoots at a cyclist",
          "someone beeps the horn twice", "a truck blasts its horn", "horns blare in rush hour traffic",
          "a car goes beep beep", "a car beeps at a pedestrian", "a taxi driver honks impatiently",
          "a cab honks in the street", "a lorry blasts its horn", "a truck honks", "a motorist honks at a jaywalker",
          "a car toots twice", "a car horn blares", "someone honks the horn outside the house",
          "a driver honks to say hello", "a car honks in a car park", "a car honks in a parking lot",
          "horns honk in a traffic jam", "an angry driver blares the horn", "a van beeps twice", "a car horn goes parp",
          "a car goes toot toot", "a car horn honks down the street at night", "a minicab toots outside",
          "a school bus honks", "a car horn beeps in the distance", "a driver presses the horn",
          "a car honks at the lights"],
         ["a taxi toots its horn", "a driver beeps the horn twice", "an angry driver leans on the horn",
          "car horns are honking in traffic"]),
        (["a car horn honking", "the honk of a car horn", "a honking car horn", "a car honking",
          "a taxi honking its horn", "horns honking in traffic", "a driver leaning on the horn",
          "a car going honk honk", "a short honk", "the blare of a horn in a traffic jam",
          "an impatient driver honking", "a car beeping its horn", "a motorist tooting the horn",
          "the toot of a car horn", "a bus tooting", "an angry motorist honking", "a car horn", "a horn", "honk",
          "honk honk", "a hooting horn", "a beeping horn", "a truck blasting its horn",
          "horns blaring in rush hour traffic", "a car hooting at a cyclist", "two short honks",
          "a car going beep beep", "a car beeping at a pedestrian", "an impatient taxi driver honking",
          "a cab honking in the street", "a lorry blasting its horn", "a truck honking", "a car tooting twice",
          "a blaring car horn", "someone honking outside the house", "a car honking in a car park",
          "a car honking in a parking lot", "horns honking in a traffic jam", "a van beeping twice",
          "a car horn going parp", "a car going toot toot", "a car horn honking down the street at night",
          "a minicab tooting outside", "a school bus honking", "a car horn beeping in the distance", "parp parp",
          "toot toot", "honk honk honk", "a honk", "a toot", "a horn honking"],
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
          "a racing car engine screams", "a car engine starts up and idles", "a petrol lawnmower drones",
          "a generator hums in the yard", "a boat engine putters in the harbour", "an outboard motor putters",
          "a motorcycle engine rumbles", "a motorbike revs at the lights", "a van engine idles outside the house",
          "a sports car revs loudly", "a muscle car rumbles", "a pickup truck idles",
          "a diesel truck idles in the car park", "a bus engine rumbles at the depot", "an old banger splutters",
          "an engine sputters and starts", "a moped putters along", "a scooter engine whines",
          "a tractor engine idles on the farm", "an engine growls", "a motor chugs away", "a car goes vroom vroom",
          "a quad bike revs", "an engine drones in the garage", "a lorry's diesel engine throbs",
          "a car engine hums on the driveway"],
         ["a diesel lorry idles at the lights", "a truck engine is revving", "a motorbike roars to life",
          "a tractor idles in the driveway"]),
        (["an engine running", "the hum of an engine", "an idling engine", "a car engine idling",
          "a truck idling at the lights", "a motorbike revving", "the rumble of a diesel engine", "an engine revving",
          "a humming motor", "a bus idling at the stop", "the roar of an engine", "a motorbike idling in the driveway",
          "a rumbling lorry", "a chugging tractor", "an idling lorry", "the chug of a tractor engine", "an engine",
          "vroom", "vroom vroom", "a revving engine", "a truck engine roaring", "a tractor puttering across a field",
          "a diesel engine idling", "a revving motorbike", "a racing car engine", "a car engine starting up and idling",
          "a petrol lawnmower", "a lawnmower droning", "a generator humming", "a diesel generator",
          "a boat engine puttering in a harbour", "an outboard motor", "a motorcycle engine rumbling",
          "a motorbike revving at the lights", "a van idling outside the house", "a sports car revving",
          "a rumbling muscle car", "a pickup truck idling", "a bus engine rumbling at the depot",
          "an old banger spluttering", "a sputtering engine", "a moped puttering along", "a tractor idling on the farm",
          "a growling engine", "the drone of an engine in a garage", "the throb of a diesel engine",
          "a car going vroom vroom", "a quad bike revving", "brum brum", "vroom vroom vroom", "a motor",
          "a car engine"],
         ["a revving car engine", "the chug of a diesel tractor", "a motorbike roaring",
          "a lorry idling at the lights"]),
    ),
    "clock_ticking": (
        (["a clock ticks", "a clock is ticking", "a clock tick-tocks", "a clock goes tick tock",
          "a grandfather clock ticks in the hall", "a wall clock is ticking", "a clock ticks in a quiet room",
          "an old clock ticks away", "a kitchen clock keeps ticking", "the clock on the mantelpiece ticks",
          "a clock ticks steadily", "a clock ticks the seconds away", "a pocket watch ticks", "a wristwatch is ticking",
          "a pocket watch ticks in the silence", "a wristwatch ticks away", "a clock tick-tocks on the wall",
          "an antique clock ticks in the study", "a watch ticks", "the hands of a clock tick round",
          "a clock ticks on the wall", "a mantel clock ticks", "a carriage clock ticks on the shelf",
          "a grandfather clock tick-tocks in the hallway", "a longcase clock ticks",
          "an old pendulum clock ticks slowly", "a clock ticks in the kitchen at night",
          "a clock ticks in an empty room", "a stopwatch ticks", "a pocket watch tick-tocks",
          "a watch ticks on the bedside table", "a clock ticks loudly in the silence", "a clock ticks by the fireplace",
          "a kitchen clock tick-tocks", "the seconds tick by", "a clock's pendulum swings and ticks",
          "a clock ticks in the classroom", "an old clock tick-tocks in the hall", "a clock ticks away the minutes",
          "a clock ticks slowly in grandma's house", "a clock keeps ticking in the waiting room",
          "a travel clock ticks", "a clock ticks in the library", "a clock goes tick tick tick",
          "a clock ticks at midnight"],
         ["a grandfather clock ticks steadily", "a pocket watch is ticking", "a wall clock ticks in the silence",
          "an antique clock keeps ticking"]),
        (["a clock ticking", "the ticking of a clock", "a ticking clock", "the tick tock of a clock",
          "a grandfather clock ticking", "a wall clock ticking", "a clock ticking in a quiet room",
          "an old clock ticking away", "the steady tick of a clock", "a kitchen clock ticking",
          "a clock ticking on the mantelpiece", "the ticking of a grandfather clock", "a pocket watch ticking",
          "the ticking of a wristwatch", "a ticking pocket watch", "a wristwatch ticking in the silence", "a clock",
          "tick tock", "tick tock tick tock", "a watch ticking", "an antique clock ticking in a study",
          "the tick-tock of a wall clock", "a clock tick-tocking on the wall", "a mantel clock ticking",
          "a carriage clock ticking on a shelf", "a grandfather clock tick-tocking in the hallway", "a longcase clock",
          "an old pendulum clock ticking slowly", "a clock ticking in the kitchen at night",
          "a clock ticking in an empty room", "a stopwatch ticking", "a pocket watch tick-tocking",
          "a watch ticking on a bedside table", "a clock ticking loudly", "a clock ticking by the fireplace",
          "the seconds ticking by", "the swing and tick of a pendulum", "a clock ticking in a classroom",
          "a clock ticking away the minutes", "a clock ticking in grandma's house", "a clock ticking in a waiting room",
          "a ticking watch", "tick", "tick tick tick", "tick-tock", "a grandfather clock", "a pocket watch", "ticking"],
         ["a ticking wristwatch", "the tick tock of a grandfather clock", "an old wall clock ticking",
          "a clock ticking in the silence"]),
    ),
    "bell": (
        (["a bell rings", "a bell is ringing", "a bell chimes", "a church bell tolls", "a bell goes ding dong",
          "a church bell rings out", "a big bell tolls slowly", "a ship's bell rings", "a handbell is rung",
          "bells are chiming in a tower", "a bell tolls in the village", "someone strikes a bell", "a bell clangs",
          "a bell clangs in the belfry", "a steeple bell is clanging", "a bell rings out from the belfry",
          "a school bell rings", "church bells peal", "wedding bells are ringing", "a church bell tolls for a funeral",
          "a bell tolls the hour", "the bells of a cathedral ring out", "a temple bell rings",
          "a buddhist temple bell is struck", "a bell rings out across the valley",
          "a bell chimes in the village square", "a town crier rings his handbell", "a schoolteacher rings a handbell",
          "a ship's bell clangs", "a bell rings out from the steeple", "church bells ring on a sunday morning",
          "a monastery bell tolls", "a brass bell is struck", "a bell goes dong", "a bell goes ding",
          "a big bronze bell booms", "a bell tower chimes the hour", "a bell over a shop door rings",
          "a dinner bell rings", "a bell rings at the end of the school day", "a bell peals from the tower",
          "a small bell tinkles", "a bell tolls in the distance", "an old bell clangs in the tower",
          "a bell rings for evening prayers", "a bell rings in the square at noon"],
         ["a church bell chimes", "a school bell is ringing", "a temple bell chimes",
          "church bells are ringing in the village"]),
        (["a bell ringing", "the toll of a bell", "a chiming bell", "a church bell tolling", "the ding dong of a bell",
          "church bells ringing", "the chime of a bell", "a big bell tolling slowly", "a ship's bell",
          "a handbell ringing", "bells chiming in a tower", "a tolling bell", "a clanging bell", "the clang of a bell",
          "a bell clanging in the belfry", "a steeple bell ringing", "a bell", "church bells", "ding dong", "ding ding",
          "the chimes of a bell", "a school bell ringing", "the peal of church bells", "wedding bells",
          "wedding bells ringing", "a church bell tolling for a funeral", "a bell tolling the hour",
          "cathedral bells ringing out", "a temple bell", "a bell ringing out across the valley",
          "a bell chiming in a village square", "a town crier's handbell", "a schoolteacher ringing a handbell",
          "a ship's bell clanging", "a bell in a steeple", "church bells on a sunday morning",
          "a monastery bell tolling", "a brass bell", "dong", "ding", "ding dong ding dong", "a big bronze bell",
          "a bell tower chiming the hour", "a bell over a shop door", "a dinner bell", "the pealing of bells",
          "a tinkling bell", "a bell tolling in the distance", "bells"],
         ["a church bell chiming", "the ding dong of church bells", "a clanging school bell",
          "bells tolling in the village"]),
    ),
    "phone_ringing": (
        (["a phone rings", "a telephone is ringing", "the telephone keeps ringing", "a phone goes ring ring",
          "an old telephone rings", "a landline is ringing", "the phone rings in the office",
          "a telephone rings and nobody answers", "the phone is ringing off the hook", "a desk phone rings",
          "the phone rings in another room", "a telephone rings in the hallway", "a mobile is ringing",
          "a cell phone rings", "someone's mobile rings on the table", "a handset keeps ringing",
          "a mobile phone rings", "someone's ringtone goes off", "a phone buzzes and rings",
          "an old rotary phone rings", "a cell phone is ringing in a bag", "a mobile rings in someone's pocket",
          "a smartphone rings", "a landline rings in the kitchen", "the office phone rings", "a payphone rings",
          "a cordless phone rings", "a retro telephone rings", "a phone rings on the bedside table",
          "the house phone is ringing", "a phone rings late at night", "a switchboard phone rings",
          "a hotel phone rings", "a phone goes brring brring", "a telephone trills", "a phone rings and rings",
          "a phone starts ringing", "an old dial phone rings", "a phone rings in the next room", "my mobile is ringing",
          "the receptionist's phone rings", "someone's cellphone rings", "a phone rings in an empty house",
          "a phone rings in the distance", "a landline telephone rings in the hall", "a work phone rings on a desk"],
         ["a mobile phone keeps ringing", "a desk phone is ringing in the office",
          "a rotary phone rings in the hallway", "someone's ringtone goes off in another room"]),
        (["a phone ringing", "the ring of a telephone", "a ringing phone", "a telephone ringing in an office",
          "an old telephone ringing", "a landline ringing", "a phone going ring ring", "the ringing of a telephone",
          "a desk phone ringing", "a phone ringing in another room", "a telephone nobody answers",
          "a phone ringing off the hook", "a mobile ringing", "a ringing cell phone", "the ring of a mobile",
          "a handset ringing on the table", "a phone", "a telephone", "ring ring", "a ringtone",
          "a mobile phone ringing", "a ringtone going off", "an old rotary phone ringing",
          "a phone buzzing and ringing", "a cell phone ringing in a bag", "a mobile ringing in a pocket",
          "a smartphone ringing", "a landline ringing in the kitchen", "the office phone", "a payphone ringing",
          "a cordless phone ringing", "a retro telephone", "a phone ringing on a bedside table",
          "the house phone ringing", "a phone ringing late at night", "a hotel phone ringing", "brring brring",
          "a phone going brring brring", "a trilling telephone", "a phone that rings and rings", "an old dial phone",
          "a rotary phone", "a mobile", "a cellphone ringing", "a ringing landline", "the receptionist's phone ringing",
          "a phone ringing in an empty house", "a phone ringing in the distance"],
         ["a ringing telephone", "the ringtone of a mobile", "a landline ringing in the hallway",
          "an old phone going ring ring"]),
    ),
    "alarm_beeping": (
        (["an alarm beeps", "an alarm is beeping", "an alarm goes off", "an alarm goes beep beep beep",
          "a smoke alarm is beeping", "a wake-up alarm beeps", "a timer beeps", "a kitchen timer is beeping",
          "an alarm keeps beeping", "a digital alarm beeps in the bedroom", "an alarm beeps over and over",
          "the morning alarm goes off", "a smoke detector bleeps", "a detector is beeping", "an alarm bleeps",
          "a carbon monoxide detector beeps", "an alarm clock beeps", "an alarm clock is going off", "a timer goes off",
          "a security alarm beeps", "an oven timer beeps", "a digital watch alarm beeps", "a timer goes beep beep beep",
          "a microwave timer beeps", "an egg timer beeps", "a countdown timer beeps", "a bedside alarm beeps",
          "an alarm beeps at six in the morning", "an alarm beeps insistently",
          "an alarm beeps until someone switches it off", "a snooze alarm beeps again",
          "the alarm beeps in the bedroom at dawn", "a travel alarm beeps", "an alarm is bleeping",
          "a kitchen timer bleeps", "a timer beeps in the kitchen", "a wake-up alarm goes off at dawn",
          "the alarm beeps and beeps", "an electronic alarm beeps", "a battery alarm bleeps",
          "an alarm beeps in the distance", "a timer is beeping on the oven", "my alarm is going off",
          "an alarm goes beep beep", "a digital alarm beeps on the bedside table"],
         ["an alarm clock keeps beeping", "a smoke alarm bleeps", "a kitchen timer goes off",
          "a digital alarm is beeping over and over"]),
        (["an alarm beeping", "the beeping of an alarm", "a beeping alarm", "a smoke alarm beeping", "a wake-up alarm",
          "a timer beeping", "a beeping kitchen timer", "the beep beep beep of an alarm", "an alarm going off",
          "a digital alarm beeping in a bedroom", "the morning alarm", "a loud beeping", "a smoke detector bleeping",
          "a bleeping alarm", "the bleep of a detector", "a carbon monoxide detector beeping", "an alarm",
          "an alarm clock", "beep beep", "beep beep beep", "an alarm clock beeping", "an alarm clock going off",
          "a smoke alarm", "an oven timer beeping", "a security alarm beeping", "a digital watch alarm",
          "a digital watch alarm beeping", "a timer going beep beep beep", "a microwave timer beeping",
          "an egg timer beeping", "a countdown timer", "a bedside alarm beeping",
          "an alarm beeping at six in the morning", "an insistent beeping", "a snooze alarm", "a travel alarm beeping",
          "a bleeping kitchen timer", "a timer beeping in the kitchen", "a wake-up alarm going off at dawn",
          "an electronic alarm", "an electronic beeping", "beep", "beeping", "beep beep beep beep", "a kitchen timer",
          "a timer", "a beeping timer", "the beeps of an alarm", "an alarm beeping over and over",
          "an alarm beeping in the distance"],
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
          "someone knocks three times", "someone knocks on the wall", "someone knocks at the door",
          "someone knocks on a wooden table", "someone knocks twice", "a policeman knocks loudly on the door",
          "someone knocks on the bedroom door", "a guest knocks at the front door", "someone knocks softly on the door",
          "someone hammers on the door", "a delivery driver knocks", "there's a knocking at the back door",
          "someone knocks on the door at midnight", "knuckles tap on a wooden door", "someone knocks on the cabin door",
          "someone knocks on the office door", "someone is banging on the door",
          "someone knocks on a wooden door in the hallway", "a child knocks on the door", "someone raps three times",
          "someone knocks and waits", "someone pounds on the door", "a courier knocks on the door",
          "someone gives a knock on the door", "someone knocks on the door of the house",
          "someone knocks on the door again", "someone knocks on the door down the street at night"],
         ["a visitor knocks on the front door", "someone taps politely", "a neighbour bangs on the door",
          "someone is rapping on a wooden door"]),
        (["knocking on a door", "a knock at the door", "a knocking on the door", "knuckles rapping on a wooden door",
          "a loud knock", "someone knocking on the front door", "a polite knock", "a rap at the door",
          "someone knocking at a hotel room door", "repeated knocking", "a neighbour knocking",
          "the knock of the postman", "a bang on the door", "someone thumping on the door", "a visitor knocking",
          "banging at the door", "a knock", "knock knock", "a knock on the door", "tapping on a door", "three knocks",
          "a fist pounding on the door", "rapping on a door", "loud knocks", "a knock at the front door",
          "knocking at the back door", "a knock on a wooden table", "two knocks", "a soft knock on the door",
          "hammering on the door", "a knock on the bedroom door", "a guest knocking", "a knock at midnight",
          "knuckles on a wooden door", "a knock on the cabin door", "a knock on the office door", "banging on the door",
          "pounding on a door", "a child knocking on a door", "three raps", "a courier knocking", "knocking",
          "knock knock knock", "rat-a-tat-tat", "a sharp rap on the door", "a tap at the door", "a knock on wood",
          "door knocking"],
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
          "footsteps crunch on gravel", "someone tiptoes across the room", "boots clomp along a wooden floor",
          "someone walks along a corridor", "someone walks across a wooden floor", "a person walks upstairs",
          "someone walks down the stairs", "footsteps come closer", "footsteps fade away",
          "a man strides along the pavement", "someone walks through an empty hall", "someone walks in heavy boots",
          "someone is walking on a tiled floor", "someone walks on a creaky floorboard",
          "a person shuffles along in slippers", "someone trudges through the snow",
          "footsteps cross the floor upstairs", "someone walks down the street at night", "soldiers march in step",
          "a woman's heels click on the floor", "someone strolls along a path", "a person plods along",
          "a child walks across the room", "somebody walks through the kitchen", "someone walks along a gravel path",
          "a man is walking down the hall", "someone walks to the door", "footsteps echo in the distance"],
         ["someone walks along the pavement in high heels", "a person runs down the corridor",
          "someone stomps up the stairs", "footsteps crunch across the room"]),
        (["footsteps", "footsteps on a hard floor", "steps of a person walking", "someone walking",
          "footsteps in a hallway", "a person walking down a corridor", "high heels clicking on a pavement",
          "footsteps approaching", "slow footsteps on a wooden floor", "someone walking across a room",
          "echoing footsteps", "footsteps crossing an empty car park", "footfalls", "someone pacing up and down",
          "a slow tread on the stairs", "footfalls in a stone stairwell", "steps", "footsteps running",
          "someone running", "stomping feet", "footsteps on gravel", "boots on a wooden floor", "someone tiptoeing",
          "a person walking on a stone path", "footsteps coming closer", "footsteps fading away",
          "someone walking upstairs", "someone walking down the stairs", "a man striding along a pavement",
          "footsteps in an empty hall", "heavy boots walking", "footsteps on a tiled floor",
          "footsteps on creaky floorboards", "slippers shuffling", "someone trudging through snow",
          "footsteps overhead", "footsteps down the street at night", "soldiers marching", "heels clicking on a floor",
          "someone strolling along a path", "a person plodding along", "a child walking across a room",
          "footsteps on a gravel path", "walking", "a person walking", "tramping feet", "the tread of feet",
          "a footstep", "footsteps in the distance"],
         ["footsteps on the stairs", "someone running down a corridor", "slow footsteps in a stone stairwell",
          "a person stomping up the stairs"]),
    ),
    "water_dripping": (
        (["water drips", "water is dripping", "a tap is dripping", "a leaky tap drips", "water drips into a sink",
          "water drips from the ceiling", "drops of water fall into a bucket", "a tap goes drip drip drip",
          "water is dripping in a cave", "a pipe is dripping", "water drips slowly into a puddle",
          "the kitchen tap keeps dripping", "a faucet drips", "a leaky faucet is dripping", "water plops into a basin",
          "droplets plink into a pool", "water drips from a leak", "a leaking pipe drips",
          "drops of water plink into a sink", "the faucet goes drip drop", "a tap drips into a full sink",
          "water drips into a bucket in the attic", "drops of water fall into a puddle",
          "water drips in an underground cave", "water drips from a stalactite", "water drips off a leaf into a pond",
          "a leak drips into a saucepan", "the bathroom tap is dripping", "the shower head drips into the bath",
          "water drips in a cellar", "water drips into a washbasin", "droplets drip into a tank",
          "a drip falls every few seconds", "water is dripping in the sewer", "a faucet drips in the night",
          "water trickles and drips", "a drip goes plink plonk", "a tap drips plip plop",
          "water drips steadily into a bowl", "a kitchen faucet is dripping", "water plinks into a puddle",
          "droplets plop into a pool in a cave", "a roof leak drips into a pail", "an icicle drips into a puddle",
          "a tap drips in the distance"],
         ["a faucet is dripping into a sink", "water drips from a leaking pipe", "droplets drip into a bucket",
          "the tap drips slowly"]),
        (["water dripping", "drops of water dripping", "a dripping tap", "a leaky tap", "water dripping into a sink",
          "the drip drip drip of a tap", "water dripping from the ceiling", "drops falling into a bucket",
          "water dripping in a cave", "a dripping pipe", "the slow drip of water", "a tap dripping in the kitchen",
          "a dripping faucet", "a leaky faucet", "the plop of droplets in a basin", "droplets plinking into a pool",
          "a drip", "drip drop", "drip drip drip", "water drops", "a leak dripping", "a leaking pipe",
          "drops of water plinking into a sink", "a faucet going drip drop", "drips", "a tap dripping into a full sink",
          "a bucket catching drips", "drops of water falling into a puddle", "water dripping in an underground cave",
          "a dripping stalactite", "a leak dripping into a saucepan", "a dripping bathroom tap",
          "a shower head dripping into the bath", "water dripping in a cellar", "water dripping into a washbasin",
          "a drip every few seconds", "drips in a sewer", "a faucet dripping in the night", "plink plonk", "plip plop",
          "drip drip", "a steady drip", "water drops plinking into a puddle", "droplets", "a dripping kitchen faucet",
          "a roof leak dripping into a pail", "a melting icicle dripping", "dripping", "plop plop plop",
          "a tap dripping in the distance"],
         ["a dripping leak", "the drip drop of a faucet", "water dripping into a basin",
          "drops of water falling into a pool"]),
    ),
    "birds_chirping": (
        (["birds chirp", "birds are chirping", "birds sing", "a little bird tweets", "sparrows are chirping in a hedge",
          "songbirds sing in the morning", "birds tweet in the trees", "a robin sings in the garden",
          "birds are chirping outside the window", "small birds chirp in the park", "a blackbird sings from a rooftop",
          "birds chirp and tweet at sunrise", "finches are twittering", "a warbler is warbling",
          "finches warble in a bush", "the dawn chorus begins", "birds tweet and chirp", "sparrows chirp on a fence",
          "a songbird warbles", "birds are singing in the woods", "the birds twitter at dawn", "a bird sings",
          "a little birdie tweets", "a birdie goes tweet tweet", "a canary sings", "a budgie chirps",
          "a nightingale sings at night", "a thrush sings in the garden", "a wren trills", "larks sing over the fields",
          "a skylark sings", "a chaffinch chirps", "birds chirp in the backyard", "birds are singing in the morning",
          "a bird chirps outside the window", "birds chatter in the trees", "a songbird sings in the forest",
          "sparrows squabble and chirp", "birds sing in the spring", "birds chirrup in the hedgerow",
          "a cardinal sings", "a robin chirps on a branch", "little birds tweet in the bushes", "a goldfinch twitters",
          "a blackbird warbles at dusk", "birds chirp in the distance"],
         ["songbirds chirp in the garden", "sparrows are tweeting", "finches sing at dawn",
          "a robin sings on a fence"]),
        (["birds chirping", "the chirping of birds", "singing birds", "birdsong", "sparrows chirping in a hedge",
          "songbirds singing in the morning", "a robin singing", "birds tweeting in the trees",
          "the tweeting of little birds", "a blackbird singing on a rooftop", "birds chirping in a park",
          "chirping sparrows", "twittering finches", "the dawn chorus", "a warbler warbling",
          "finches twittering in a bush", "birds", "tweet tweet", "cheep cheep", "chirp chirp", "songbirds",
          "sparrows chirping on a fence", "birds singing in the woods", "the twittering of birds at dawn",
          "a songbird warbling", "a bird singing", "a little birdie tweeting", "a birdie", "a canary singing",
          "a chirping budgie", "a nightingale singing at night", "a thrush singing in a garden", "a trilling wren",
          "larks singing over the fields", "a skylark", "a chaffinch chirping", "birds chirping in a backyard",
          "a bird chirping outside the window", "birds chattering in the trees", "a songbird singing in a forest",
          "squabbling sparrows", "birds singing in the spring", "birds chirruping in a hedgerow", "a cardinal singing",
          "a robin chirping on a branch", "the song of a blackbird", "a goldfinch twittering", "tweet", "chirp",
          "chirrup", "bird calls", "twitter twitter", "birds chirping in the distance"],
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
          "the audience claps loudly", "everyone starts clapping", "an audience applauds loudly",
          "a crowd applauds a speaker", "the audience gives a round of applause", "people clap at a wedding",
          "students clap at a graduation", "a crowd claps after a speech",
          "the audience claps at the end of the concert", "a small crowd claps politely", "a huge crowd is clapping",
          "the fans applaud", "fans are clapping in the stadium", "the crowd erupts into applause",
          "people give a big round of applause", "the whole room applauds", "a classroom of children claps",
          "a crowd claps in time", "the audience is applauding wildly", "parents clap at the school play",
          "delegates applaud at a conference", "guests clap at a party", "a concert hall audience applauds",
          "the crowd claps for an encore", "people clap and clap", "a crowd claps in the distance"],
         ["spectators clap politely", "a concert crowd applauds", "the theatre audience bursts into applause",
          "everyone applauds at the end of a show"]),
        (["applause", "a crowd clapping", "a round of applause", "people clapping", "an audience applauding",
          "clapping hands", "a big hand from the audience", "applause at the end of a show",
          "a theatre audience clapping", "a room full of people clapping", "polite applause",
          "loud applause from a concert crowd", "an ovation", "a standing ovation", "spectators clapping",
          "applause from the spectators", "clapping", "clap clap", "an audience clapping loudly", "hands clapping",
          "a crowd cheering and clapping", "enthusiastic applause", "a slow clap", "people clapping along",
          "a loud round of applause", "an audience applauding a speaker", "people clapping at a wedding",
          "students clapping at a graduation", "clapping after a speech", "applause at the end of a concert",
          "a small crowd clapping politely", "a huge crowd clapping", "fans clapping in a stadium",
          "a crowd erupting into applause", "a big round of applause", "a whole room applauding",
          "children clapping in a classroom", "clapping in time", "wild applause", "parents clapping at a school play",
          "applause at a conference", "guests clapping at a party", "a concert hall audience applauding",
          "applause for an encore", "clap clap clap", "the claps of a crowd", "handclaps", "applause in the distance"],
         ["a crowd applauding", "an ovation from the audience", "loud clapping", "polite applause from spectators"]),
    ),
    "typing": (
        (["someone types on a keyboard", "a person is typing", "keys clack on a keyboard",
          "someone is typing on a laptop", "fingers tap away at a keyboard", "someone types fast on a computer",
          "a person types an email", "keys click on a mechanical keyboard", "someone is typing away in an office",
          "a writer types on a laptop", "someone hammers at the keys", "a keyboard clatters as someone types",
          "a typist is at work", "a typist hammers out a letter", "keystrokes clatter on a laptop",
          "a secretary types up notes", "someone types on a typewriter", "a typewriter clacks",
          "someone taps at a laptop keyboard", "keys rattle as someone types fast", "a programmer types code",
          "someone types a message on a computer", "someone types on a desktop keyboard",
          "an office worker types at a desk", "a journalist types up a story", "someone types rapidly",
          "a student types an essay", "someone is typing late at night", "a gamer hammers the keys",
          "someone taps away at the keys", "keys click as someone types", "an old typewriter clatters",
          "a novelist types on a typewriter", "someone types in a quiet library", "someone bashes out an email",
          "fingers clatter over the keys", "a coder types away", "someone types a password",
          "someone types in a busy office", "someone types slowly with two fingers", "keys clack as a typist works",
          "someone is typing on a computer keyboard", "someone types on a clicky keyboard", "a clerk types a report",
          "someone types in the next room"],
         ["a typist types on a typewriter", "someone types an email on a laptop",
          "keys clatter on a mechanical keyboard", "a secretary is typing away"]),
        (["typing on a keyboard", "the clicking of keyboard keys", "a clattering keyboard",
          "someone typing on a laptop", "fast typing", "the clack of keys", "a mechanical keyboard clicking",
          "someone typing in an office", "fingers tapping at a keyboard", "a person typing an email",
          "the tapping of computer keys", "busy typing on a computer", "a typist at work", "the keystrokes of a typist",
          "rapid keystrokes", "a secretary typing up notes", "typing", "clickety-clack", "a typewriter",
          "a typewriter clacking", "keyboard clicks", "someone typing fast", "a programmer typing code",
          "clicking keys", "someone typing a message", "a desktop keyboard", "an office worker typing at a desk",
          "a journalist typing up a story", "rapid typing", "a student typing an essay", "typing late at night",
          "a gamer hammering the keys", "tapping keys", "an old typewriter clattering", "a novelist at a typewriter",
          "typing in a quiet library", "fingers clattering over keys", "a coder typing", "typing a password",
          "typing in a busy office", "two-finger typing", "a clicky keyboard", "a computer keyboard",
          "clack clack clack", "tap tap tap on the keys", "click click click", "a keyboard", "keystrokes",
          "a clerk typing a report"],
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
    "have": Frame("do you have {x}?", "n"),
    "find": Frame("find me {x}", "n"),
    "could_find": Frame("could you find {x}?", "n"),
    "after": Frame("I'm after {x}", "n"),
    "what_about": Frame("what about {x}?", "n"),
    "okay": Frame("okay, {x}"),
    "can_we": Frame("can we get {x}?", "n"),
    "can_get": Frame("can I get {x}?", "n"),
    "wanna": Frame("I wanna hear {x}", "n"),
    "love": Frame("I'd love to hear {x}", "n"),
    "hey_play": Frame("hey, play {x}", "n"),
    "record": Frame("record {x} for me", "n"),
    "search": Frame("search for {x}", "n"),
    "for_game": Frame("I need {x} for a game", "n"),
    "sound_effect": Frame("I need a sound effect of {x}", "p"),
    "wonder": Frame("I wonder what {x} sounds like", "1"),
    "something_where": Frame("play something where {x}", "c"),
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
class Vocabulary:
    """One language's rich caption material: phrases per class, templates per kind and request frames, each with its
    test-only part (English: the ``RICH_*`` tables; other languages: ``star_kit_corpus.languages``)."""

    phrases: dict[str, tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]]
    templates: dict[str, dict[str, tuple[str, str]]]
    test_templates: frozenset[str]
    frames: dict[str, Frame]
    test_frames: frozenset[str]


RICH = Vocabulary(RICH_PHRASES, RICH_TEMPLATES, RICH_TEST_TEMPLATES, RICH_FRAMES, RICH_TEST_FRAMES)


@dataclass(frozen=True)
class Caption:
    """A caption with the ids of what made it: ``template``, one ``(class, form, index)`` per phrase, and ``frame``.

    ``frame`` is the rich vocabulary's request frame, empty for the templates vocabulary; a rich phrase index counts
    the training phrases of its list, then the test-only ones. ``language`` names the vocabulary of a rich caption.
    """

    text: str
    template: str
    phrases: tuple[tuple[str, str, int], ...]
    frame: str = ""
    language: str = "en"

    def has_test_only_part(self) -> bool:
        """True when the frame, the template or any phrase is reserved for the test splits."""
        if self.template == PARAPHRASE:
            return True
        if not self.frame:
            return self.template in TEST_TEMPLATES or any(
                i == len(PHRASES[cls][0 if form == "c" else 1]) - 1 for cls, form, i in self.phrases
            )
        vocab = vocabulary_of(self.language)
        return (
            self.frame in vocab.test_frames
            or self.template in vocab.test_templates
            or any(i >= len(vocab.phrases[cls][0 if form == "c" else 1][0]) for cls, form, i in self.phrases)
        )


def vocabulary_of(language: str) -> Vocabulary:
    """The rich caption material of ``language`` (English: ``RICH``; the others: ``star_kit_corpus.languages``)."""
    from star_kit_corpus.languages import vocabulary  # imports this module

    return vocabulary(language)


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
        return rich_caption(kind, classes, rng, test)
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
    return Caption(_capitalised(fmt.format(**values)), template, tuple(parts))


def rich_caption(
    kind: str, classes: tuple[str, ...], rng: np.random.Generator, test: bool, language: str = "en"
) -> Caption:
    """:func:`make_caption` for the rich vocabulary of ``language``: a frame, then a template it can wrap, then the
    phrases."""
    vocab = vocabulary_of(language)
    templates = {t: v for t, v in vocab.templates[kind].items() if test or t not in vocab.test_templates}
    frames = [
        f
        for f, fr in vocab.frames.items()
        if f != "bare"
        and kind in fr.kinds
        and (test or f not in vocab.test_frames)
        and any(fr.needs in tags for _, tags in templates.values())
    ]
    frame = "bare" if rng.random() < BARE_SHARE else frames[int(rng.integers(len(frames)))]
    needs = vocab.frames[frame].needs
    names = [t for t, (_, tags) in templates.items() if needs in tags]
    template = names[int(rng.integers(len(names)))]
    fmt = templates[template][0]
    values, parts = {}, []
    for k, cls in enumerate(classes):
        suffix = "" if kind == "single" else str(k + 1)
        for form, (train, held_out) in zip("cn", vocab.phrases[cls], strict=True):
            if "{" + form + suffix + "}" not in fmt:
                continue
            options = train + held_out
            ids = range(len(train), len(options)) if test else range(len(train))
            if needs == "1":
                ids = [i for i in ids if options[i].startswith(("a ", "an "))]
            i = ids[int(rng.integers(len(ids)))]
            values[form + suffix] = options[i]
            parts.append((cls, form, i))
    text = vocab.frames[frame].text.format(x=fmt.format(**values))
    return Caption(_capitalised(text), template, tuple(parts), frame, language)


def _capitalised(text: str) -> str:
    """``text`` with its first letter upper-case ("¿tienes ...?" -> "¿Tienes ...?")."""
    first = next((k for k, ch in enumerate(text) if ch.isalpha()), 0)
    return text[:first] + text[first : first + 1].upper() + text[first + 1 :]


def _split(ids: list[str], test_ids: frozenset[str]) -> dict[str, int]:
    return {"train": sum(i not in test_ids for i in ids), "test": sum(i in test_ids for i in ids)}


def vocabulary_counts(vocabulary: str, language: str = "en") -> dict:
    """Sizes of a vocabulary, each as ``{"train": n, "test": n}`` (test: the test-only ones).

    ``phrases``: class -> ``clauses``/``nouns``; ``templates``: kind; ``frames``: all (none for "templates"). Another
    ``language`` than English has only the rich vocabulary.
    """
    check_vocabulary(vocabulary)
    forms = ("clauses", "nouns")
    if vocabulary == "templates" and language == "en":
        return {
            "phrases": {
                cls: {f: {"train": len(o) - 1, "test": 1} for f, o in zip(forms, lists, strict=True)}
                for cls, lists in PHRASES.items()
            },
            "templates": {kind: _split(list(t), TEST_TEMPLATES) for kind, t in TEMPLATES.items()},
            "frames": {"train": 0, "test": 0},
        }
    vocab = vocabulary_of(language)
    return {
        "phrases": {
            cls: {f: {"train": len(tr), "test": len(te)} for f, (tr, te) in zip(forms, lists, strict=True)}
            for cls, lists in vocab.phrases.items()
        },
        "templates": {kind: _split(list(t), vocab.test_templates) for kind, t in vocab.templates.items()},
        "frames": _split(list(vocab.frames), vocab.test_frames),
    }
