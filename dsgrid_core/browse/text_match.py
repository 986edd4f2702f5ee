"""Search text matched the way an analyst expects: by words, word forms and prefixes.

A text is split into words on spaces, underscores, hyphens, dots (any character that is not a
letter or digit) and camelCase (``DemoCounties`` -> ``Demo``, ``Counties``). A word of the query
matches a word of a field when, ignoring case,

- they are the same word (``county`` / ``County``),
- or they share a stem (``county`` / ``Counties``, ``hospitals`` / ``Hospital``, ``heating`` /
  ``heat``: see :func:`stem`),
- or the query word, of two characters or more, starts the field's word (``hosp`` /
  ``Hospital``).

Every word of the query must match a word of some field (AND). Hits rank by how they match:
the whole query being the whole id or name first (exact, or the same words: ``demo counties`` /
``demo_counties``), then hits whose every query word is a whole word, then word forms, then
prefixes (a hit ranks by its weakest query word); then hits in an id or name before hits in a
description only; then by kind and id. Each hit says why it matched (:func:`explain`).

Pure: no registry, no I/O. ``Query.needles`` is what a store may prefilter candidates on: every
word matching a query word contains that word's :func:`needle`, so a hit's text contains them
all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

EXACT, WORD, STEM, PREFIX = 0, 1, 2, 3
MIN_PREFIX = 2  # a query word starts longer words from this many characters on
MIN_STEM = 3  # a stem keeps at least this many characters

# A word: an acronym before a capitalized word (HTTP of HTTPServer), or an optional capital
# and lowercase letters or digits (Demo, counties, co2), or capitals (DE); anything else
# (spaces, underscores, hyphens, dots, ...) separates words.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[^\W_A-Z]+|[A-Z]+")
_VOWELS = set("aeiouy")

# the field a hit's key names, shown to people
FIELD_LABELS = {
    "id": "id",
    "name": "name",
    "description": "description",
    "record_id": "id",
    "record_name": "name",
}
COMPONENT_FIELDS = ("id", "name", "description")
RECORD_FIELDS = ("record_id", "record_name")
TITLE_FIELDS = frozenset({"id", "name", "record_id", "record_name"})  # may match exactly


def words(text: str | None) -> list[str]:
    """The words of a text, as written: split on non-alphanumerics and camelCase."""
    return _WORD.findall(text or "")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A small English stemmer: the lowercased word without its inflection or a common
    derivational ending. Words sharing a stem are word forms of each other.

    - ``-ation``, ``-ate`` and their forms, when four letters or more are left:
      ``aggregation``, ``aggregated``, ``aggregates`` -> ``aggreg`` (``states`` keeps it);
    - else plurals: ``counties`` -> ``county``, ``boxes`` -> ``box``, ``hospitals`` ->
      ``hospital`` (not after ``ss``, ``us``, ``is``: ``class``, ``status``, ``analysis``);
    - then ``-ing`` and ``-ed``: ``heating``, ``heated`` -> ``heat`` (so *heating* is a word
      form of *heat*), ``buildings`` -> ``build``; a doubled last consonant is undone
      (``running`` -> ``run``, but ``billing`` -> ``bill``);
    - then a final ``e``: ``store``, ``stored``, ``storing`` -> ``stor``.

    A stem keeps at least three letters (``gas``, ``used`` stay whole), so short words only
    match whole or by prefix; words with digits are only lowercased. The stem always starts
    the word, except that ``-ies`` becomes ``y`` (see :func:`needle`).
    """
    w = word.lower()
    if not w.isalpha() or len(w) <= MIN_STEM:
        return w
    for suffix in ("ations", "ation", "ating", "ated", "ates", "ate"):
        if w.endswith(suffix) and len(w) - len(suffix) > MIN_STEM:
            return w[: -len(suffix)]
    if w.endswith("ies") and len(w) - 2 >= MIN_STEM:
        return w[:-3] + "y"
    if w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        if len(w) - 2 >= MIN_STEM:
            w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) - 1 >= MIN_STEM:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= MIN_STEM and _VOWELS & set(base):
            if len(base) > MIN_STEM and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running -> run (billing, missed, buzzed keep theirs)
            w = base
            break
    return w[:-1] if w.endswith("e") and len(w) - 1 >= MIN_STEM else w


def needle(query_word: str) -> str:
    """A lowercase text that every word matching ``query_word`` (whole, as a word form or by
    prefix) contains: its stem, less a final ``y`` (``counties`` and ``county`` share the
    stem ``county``, and ``count``)."""
    s = stem(query_word)
    return s[:-1] if s.endswith("y") and len(s) > 1 else s


@dataclass(frozen=True)
class Query:
    text: str  # the query, stripped
    words: tuple[str, ...]  # lowercased, without repeats, in order
    stems: tuple[str, ...]

    @property
    def needles(self) -> list[str]:
        """What a store may prefilter on: a candidate's text contains every one of these."""
        return list(dict.fromkeys(needle(w) for w in self.words))


def parse(text: str | None) -> Query | None:
    """The query of a search text; None when it holds no word (nothing can match)."""
    text = (text or "").strip()
    found = tuple(dict.fromkeys(w.lower() for w in words(text)))
    if not found:
        return None
    return Query(text, found, tuple(stem(w) for w in found))


def word_match(query_word: str, query_stem: str, word: str) -> int | None:
    """How a word of a field matches a query word (WORD, STEM, PREFIX), or None."""
    w = word.lower()
    if w == query_word:
        return WORD
    if stem(w) == query_stem:
        return STEM
    if len(query_word) >= MIN_PREFIX and w.startswith(query_word):
        return PREFIX
    return None


@dataclass(frozen=True)
class Match:
    rank: int  # EXACT, WORD, STEM or PREFIX: the hit's weakest query word
    in_title: bool  # matched in an id or name (not in a description only)
    matched: list[dict[str, Any]]  # why: {"field", "words", "how"} per field and query word


def _how(rank: int, query_word: str) -> str:
    if rank == WORD:
        return f"whole word '{query_word}'"
    if rank == STEM:
        return f"word form of '{query_word}'"
    return f"starts with '{query_word}'"


def match(query: Query, fields: dict[str, str | None]) -> Match | None:
    """How a hit's fields (key -> text, in the order to explain them) match the query; None
    when some query word matches no word of any field."""
    split = {key: words(value) for key, value in fields.items()}
    lowered = query.text.lower()
    exact = [
        key
        for key, value in fields.items()
        if key in TITLE_FIELDS
        and value
        and (value.lower() == lowered or tuple(w.lower() for w in split[key]) == query.words)
    ]
    best_rank: dict[str, int] = {}  # query word -> its best rank over the fields
    found: dict[tuple[str, str], tuple[int, list[str]]] = {}  # (field, query word) -> how
    for q, s in zip(query.words, query.stems, strict=True):
        for key, field_words in split.items():
            rank, hits = None, []
            for word in field_words:
                r = word_match(q, s, word)
                if r is None or (rank is not None and r > rank):
                    continue
                if rank is None or r < rank:
                    rank, hits = r, []
                if word not in hits:
                    hits.append(word)
            if rank is not None:
                found[(key, q)] = (rank, hits)
                best_rank[q] = min(rank, best_rank.get(q, rank))
        if q not in best_rank and not exact:
            return None
    matched = [{"field": key, "words": [fields[key]], "how": "exact match"} for key in exact]
    for key in fields:
        if key in exact:
            continue
        for q in query.words:
            if (key, q) in found:
                rank, hits = found[(key, q)]
                matched.append({"field": key, "words": hits, "how": _how(rank, q)})
    rank = EXACT if exact else max(best_rank.values())
    in_title = bool(exact) or any(key in TITLE_FIELDS for key, _ in found)
    return Match(rank, in_title, matched)


@lru_cache(maxsize=65536)
def _lower_words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in words(text))


class _Scorer:
    """The rank of many hits against one query, fast: a field's words are split once per
    text (cached), and each distinct word is compared with the query words once."""

    def __init__(self, query: Query):
        self.query = query
        self.lowered = query.text.lower()
        self.pairs = tuple(zip(query.words, query.stems, strict=True))
        self.seen: dict[str, tuple[int | None, ...]] = {}

    def _ranks(self, word: str) -> tuple[int | None, ...]:
        found = self.seen.get(word)
        if found is None:
            found = self.seen[word] = tuple(word_match(q, s, word) for q, s in self.pairs)
        return found

    def score(self, fields: Iterable[tuple[str, str | None]]) -> tuple[int, bool] | None:
        """(rank, in an id or name) of a hit's fields, or None when it does not match."""
        best: list[int | None] = [None] * len(self.pairs)
        in_title = False
        for key, value in fields:
            if not value:
                continue
            lowered = _lower_words(value)
            title = key in TITLE_FIELDS
            if title and (value.lower() == self.lowered or lowered == self.query.words):
                return EXACT, True
            for word in lowered:
                for i, rank in enumerate(self._ranks(word)):
                    if rank is not None:
                        in_title = in_title or title
                        if best[i] is None or rank < best[i]:
                            best[i] = rank
        if None in best:
            return None
        return max(best), in_title  # type: ignore[type-var]


def _ranked(query, hits, fields, sort_key, limit):
    scorer = _Scorer(query)
    scored = []
    for position, hit in enumerate(hits):
        found = scorer.score((key, hit.get(key)) for key in fields)
        if found is not None:
            scored.append((sort_key(found, hit, position), position))
    scored.sort()
    out = []
    for _, position in scored[:limit]:
        hit = hits[position]
        explained = match(query, {key: hit.get(key) for key in fields})
        out.append({**hit, "matched": explained.matched if explained else []})
    return out


def rank_components(
    query: Query, hits: Sequence[dict[str, Any]], limit: int | None = None
) -> list[dict[str, Any]]:
    """The component hits (kind, id, name, description, ...) that match, best first (at most
    ``limit``), each with its ``matched`` explanation added."""
    return _ranked(
        query,
        hits,
        COMPONENT_FIELDS,
        lambda found, hit, _: (found[0], not found[1], hit["kind"], hit["id"]),
        limit,
    )


def rank_records(
    query: Query, hits: Sequence[dict[str, Any]], limit: int | None = None
) -> list[dict[str, Any]]:
    """The dimension record hits (record_id, record_name, dimension_id, ...) that match, best
    first (ties: by dimension, then in the order given, a dimension's record order; at most
    ``limit``), each with its ``matched`` explanation added."""
    return _ranked(
        query,
        hits,
        RECORD_FIELDS,
        lambda found, hit, position: (found[0], hit["dimension_id"], position),
        limit,
    )


def explain(matched: Iterable[dict[str, Any]]) -> str:
    """One line for people: ``name: Counties (word form of 'county'); id: ...``."""
    return "; ".join(
        f"{FIELD_LABELS.get(m['field'], m['field'])}: {', '.join(m['words'])} ({m['how']})"
        for m in matched
    )
