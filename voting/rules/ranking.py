"""Competition ranking ("1, 1, 3"): equal values share a rank and the next rank
skips, the declared tie rule of RULES.md instead of any storage order."""
from typing import Hashable, Mapping


def competition_ranks(values: Mapping[Hashable, object]) -> dict:
    """Rank each key by its value, highest first; rank = 1 + how many are higher."""
    ordered = sorted(values.values(), reverse=True)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in values.items()}


def group_sizes(values: Mapping[Hashable, object]) -> dict:
    """How many keys share each value: a tie group occupies that many places."""
    sizes = {}
    for value in values.values():
        sizes[value] = sizes.get(value, 0) + 1
    return sizes
