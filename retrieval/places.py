"""Capitals and seats of government that news writing puts for their countries.

"The Kremlin read Washington's gestures", "London and Paris sent warships": an article says
Russia, the UK and France as often as it says Moscow, London and Paris, and word-matching
search sees no link between them. A query naming such a place also searches for the country
it stands for (BM25 only: the embedding already places them close). One direction only, place
to country: nearly every question about this corpus names Russia, and adding "Moscow" and
"Kremlin" to all of them would favour whichever passages happen to use those words.
"""

from __future__ import annotations

import re

# Lower-case place -> the country words it stands for.
COUNTRY_OF = {
    "kremlin": "Russia Russian",
    "moscow": "Russia Russian",
    "washington": "US United States American",
    "white house": "US United States American",
    "pentagon": "US United States American",
    "london": "UK Britain British",
    "downing street": "UK Britain British",
    "paris": "France French",
    "elysee": "France French",
    "élysée": "France French",
    "berlin": "Germany German",
    "beijing": "China Chinese",
    "kyiv": "Ukraine Ukrainian",
    "kiev": "Ukraine Ukrainian",
    "brussels": "EU European Union",
    "tehran": "Iran Iranian",
    "pyongyang": "North Korea Korean",
    "tokyo": "Japan Japanese",
    "new delhi": "India Indian",
    "ankara": "Turkey Turkish",
    "warsaw": "Poland Polish",
    "minsk": "Belarus Belarusian",
}
_PLACE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, COUNTRY_OF), key=len, reverse=True))
                    + r")\b", re.I)


def with_countries(query: str) -> str:
    """The query followed by the country words of every place it names (once each)."""
    places = dict.fromkeys(match.lower() for match in _PLACE.findall(query))
    extra = [COUNTRY_OF[place] for place in places]
    return " ".join([query, *extra]) if extra else query
