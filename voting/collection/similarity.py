"""Fuzzy matching of short Chinese texts: Dice similarity of character bigrams.

Chinese has no spaces between words, so words are not the unit: two proposals about
"幼儿园" share the bigrams 幼儿 and 儿园 however the rest is phrased. Latin letters and
digits are kept as whole words. Pure Python, no dictionary, no dependency.
"""
import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]+")

# Bigrams so common in proposals that they say nothing about the subject.
STOP_BIGRAMS = frozenset({"建议", "希望", "问题", "解决", "我们", "一个", "进行", "没有", "群众", "居民",
                          "政府", "相关", "部门", "能够", "目前", "现在", "已经", "非常", "需要"})


def bigrams(text: str) -> set[str]:
    """The set of character bigrams of `text` (single characters for one-character runs)."""
    normal = unicodedata.normalize("NFKC", text or "").lower()
    grams: set[str] = set()
    for run in _WORD.findall(normal):
        if run.isascii():
            grams.add(run)
        elif len(run) == 1:
            grams.add(run)
        else:
            grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams - STOP_BIGRAMS


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(text_a: str, text_b: str) -> float:
    return dice(bigrams(text_a), bigrams(text_b))


def rank(query: str, candidates, key, *, threshold: float = 0.25, limit: int = 5) -> list[tuple[float, object]]:
    """The `limit` best of `candidates` by similarity of `key(candidate)` to `query`,
    best first, those below `threshold` left out."""
    wanted = bigrams(query)
    if not wanted:
        return []
    scored = []
    for candidate in candidates:
        score = dice(wanted, bigrams(key(candidate)))
        if score >= threshold:
            scored.append((score, candidate))
    scored.sort(key=lambda pair: -pair[0])
    return scored[:limit]
