"""The field's vocabulary, read from ``knowledge/vocabulary.yaml``: abbreviations, synonyms,
renamed agencies, English terms and place names.

One table serves lexical search, the dense model, the choice of excerpts and the decision to
refuse, so that "KSTTHC", "chồng chéo" or "What are the lessons…" mean the same thing to all
of them. Keeping it as data lets an administrator extend it without touching code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.domain.errors import DocumentError
from retrieval.domain.text import fold, nfc

#: Abbreviations this short are matched only as typed ("TT" is a circular, "tt" is not).
_CASE_SENSITIVE_UNDER = 4


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old: str
    new: str
    since: dt.date | None = None


#: How many expanded texts a vocabulary remembers (a few MB).
EXPANSIONS_KEPT = 20_000


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    abbreviations: dict[str, str] = Field(default_factory=dict)
    synonyms: list[list[str]] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)
    english: dict[str, str] = Field(default_factory=dict)
    places: list[str] = Field(default_factory=list)

    # -- abbreviations ------------------------------------------------------------------------
    @cached_property
    def _abbreviation_patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """Whole tokens only, never inside a document number such as 76/NQ-CP; long
        abbreviations in any case (people type "cchc"), short ones as written."""

        def pattern(keys: list[str], flags: int) -> re.Pattern[str] | None:
            if not keys:
                return None
            ordered = sorted(keys, key=len, reverse=True)
            body = "|".join(re.escape(k) for k in ordered)
            return re.compile(rf"(?<![\w/&.-])({body})(?![\w/&-])", flags)

        long = [k for k in self.abbreviations if len(k) >= _CASE_SENSITIVE_UNDER]
        short = [k for k in self.abbreviations if len(k) < _CASE_SENSITIVE_UNDER]
        return pattern(long, re.IGNORECASE), pattern(short, 0)

    @cached_property
    def _by_upper(self) -> dict[str, str]:
        return {k.upper(): v for k, v in self.abbreviations.items()}

    @cached_property
    def _expansions(self) -> dict[tuple[str, bool], str]:
        return {}

    def expand(self, text: str, keep: bool = True) -> str:
        """'CCHC' → 'cải cách hành chính (CCHC)': the abbreviation stays for exact matches
        (with ``keep`` false, it goes: the words a question is about, not how it was typed).
        Remembered: the same passages are read for question after question."""
        cache = self._expansions
        if (done := cache.get((text, keep))) is not None:
            return done
        if len(cache) >= EXPANSIONS_KEPT:
            cache.clear()
        cache[(text, keep)] = expanded = self._expand(text, keep)
        return expanded

    def _expand(self, text: str, keep: bool) -> str:
        long, short = self._abbreviation_patterns

        def spelled(full: str, abbreviation: str) -> str:
            return f"{full} ({abbreviation})" if keep else full

        if long is not None:
            text = long.sub(lambda m: spelled(self._by_upper[m.group(1).upper()], m.group(1)), text)
        if short is not None:
            text = short.sub(lambda m: spelled(self.abbreviations[m.group(1)], m.group(1)), text)
        return text

    def abbreviation_hash(self) -> str:
        """Changes when an expansion changes: what the dense model reads of a passage."""
        items = sorted(self.abbreviations.items())
        return hashlib.sha256(repr(items).encode()).hexdigest()[:12]

    # -- synonyms -------------------------------------------------------------------------------
    @cached_property
    def _synonym_index(self) -> list[tuple[str, re.Pattern[str], list[str]]]:
        """(phrase folded, the phrase as a whole word, its other forms) of every phrase."""
        out = []
        for group in self.synonyms:
            for phrase in group:
                folded = fold(phrase)
                pattern = re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")
                out.append((folded, pattern, [p for p in group if fold(p) != folded]))
        return out

    def synonyms_in(self, text: str) -> dict[str, list[str]]:
        """Each phrase of ``text`` that the table knows (folded), with its other forms."""
        folded = fold(nfc(text))
        out: dict[str, list[str]] = {}
        for phrase, pattern, others in self._synonym_index:
            # a substring test first: most phrases are not in the text at all
            if phrase in folded and (m := pattern.search(folded)):
                found = out.setdefault(m.group(0), [])
                found += [o for o in others if fold(o) not in folded and o not in found]
        return {phrase: others for phrase, others in out.items() if others}

    def alternatives(self, text: str) -> list[str]:
        """Other ways of saying the phrases that ``text`` uses ("chồng chéo" → "trùng lắp")."""
        seen: dict[str, None] = {}
        for others in self.synonyms_in(text).values():
            for other in others:
                seen.setdefault(other, None)
        return list(seen)

    # -- English --------------------------------------------------------------------------------
    @cached_property
    def _english_pattern(self) -> re.Pattern[str] | None:
        if not self.english:
            return None
        ordered = sorted(self.english, key=len, reverse=True)
        return re.compile(r"\b(" + "|".join(re.escape(k) for k in ordered) + r")\b", re.I)

    def english_terms(self, text: str) -> list[str]:
        """The Vietnamese for the English terms of ``text``, longest phrases first."""
        if self._english_pattern is None:
            return []
        found: dict[str, None] = {}
        for m in self._english_pattern.finditer(text):
            found.setdefault(self.english[m.group(1).lower()], None)
        return list(found)

    # -- places and agencies --------------------------------------------------------------------
    @cached_property
    def _place_patterns(self) -> list[tuple[str, str, re.Pattern[str]]]:
        return [
            (place, fold(place), re.compile(rf"(?<!\w){re.escape(fold(place))}(?!\w)"))
            for place in self.places
        ]

    def places_in(self, text: str) -> list[str]:
        """The provinces and cities named in ``text`` (accents optional)."""
        folded = fold(nfc(text))
        return [
            place
            for place, name, pattern in self._place_patterns
            if name in folded and pattern.search(folded)
        ]

    def renamed(self, text: str) -> list[Agency]:
        """Agencies and provinces named in ``text`` that have been renamed or merged since."""
        folded = fold(nfc(text))
        return [a for a in self.agencies if fold(a.old) in folded]


def load_vocabulary(path: Path) -> Vocabulary:
    """The vocabulary file; an empty vocabulary when there is none."""
    if not path.is_file():
        return Vocabulary()
    try:
        data = yaml.safe_load(nfc(path.read_text(encoding="utf-8"))) or {}
        return Vocabulary.model_validate(data)
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise DocumentError("vocabulary_invalid", origin=str(path)) from exc
