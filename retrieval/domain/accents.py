"""Put the accents back on a question typed without them, using the knowledge base's words.

Officials often type on phones without tone marks ("cai cach hanh chinh"). Lexical search
matches such text through the folded FTS column, but the dense model reads it poorly. The
knowledge base itself says which accented form each folded syllable pair stands for, and how
often; the question is restored with the pairs that the knowledge base uses most (falling back
to single syllables) before it is searched and embedded. Marks that were typed are kept, so a
question typed with some tone marks on a phone ("ngươi đưng đâu") is restored as well.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable

from retrieval.domain.text import SYLLABLE, fold, nfc

#: folded syllable or pair → (its most frequent accented form, how often that form occurs)
AccentForms = dict[str, tuple[str, int]]


def accent_forms(texts: Iterable[str]) -> AccentForms:
    """The most frequent accented form of every folded syllable and syllable pair."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        toks = [m.group(0) for m in SYLLABLE.finditer(nfc(text).lower())]
        for tok in toks:
            counts[(fold(tok), tok)] += 1
        for a, b in zip(toks, toks[1:], strict=False):
            counts[(f"{fold(a)} {fold(b)}", f"{a} {b}")] += 1
    best: dict[str, tuple[int, str]] = {}
    for (folded, accented), n in counts.items():
        if folded not in best or n > best[folded][0]:
            best[folded] = (n, accented)
    return {folded: (accented, n) for folded, (n, accented) in best.items()}


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _marks(syllable: str) -> tuple[list[tuple[str, frozenset[str]]], frozenset[str]]:
    """Per letter its base and its vowel marks (breve, circumflex, horn, đ's stroke); and the
    syllable's tone marks, wherever they sit (old and new spellings place them differently)."""
    letters: list[tuple[str, frozenset[str]]] = []
    tones: set[str] = set()
    for ch in syllable.lower():
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], set(decomposed[1:])
        tones |= marks & _TONES
        if base == "đ":
            base, marks = "d", {"stroke"}
        letters.append((base, frozenset(marks - _TONES)))
    return letters, frozenset(tones)


def compatible(typed: str, form: str) -> bool:
    """Whether ``form`` could be what was meant by ``typed`` with some marks left out
    ("ngươi" → "người", "dung" → "đúng"), never by changing a mark that was typed."""
    if len(typed) != len(form) or fold(typed) != fold(form):
        return False
    (t_letters, t_tones), (f_letters, f_tones) = _marks(typed), _marks(form)
    return t_tones <= f_tones and all(
        tb == fb and tm <= fm for (tb, tm), (fb, fm) in zip(t_letters, f_letters, strict=True)
    )


#: Vietnamese prose carries a tone mark on most syllables; a question where this share of
#: syllables has one was typed with tones, and its unmarked syllables are level-toned words
#: ("ở đâu", not "ở đầu").
TYPED_WITH_TONES = 0.3


def _toned(syllable: str) -> bool:
    """Whether ``syllable`` carries a tone mark: ``_marks(syllable)[1]`` without taking it
    apart letter by letter (asked of every syllable of every question)."""
    return not _TONES.isdisjoint(unicodedata.normalize("NFD", syllable))


def _tone_share(words: list[str]) -> float:
    letters = [w for w in words if any(c.isalpha() for c in w) and not w.isupper()]
    if not letters:
        return 0.0
    toned = sum(_toned(w) for w in letters)
    return toned / len(letters)


def typed_with_tones(text: str) -> bool:
    """Whether ``text`` was typed with its tone marks (see ``TYPED_WITH_TONES``)."""
    return _tone_share([m.group(0) for m in SYLLABLE.finditer(text)]) >= TYPED_WITH_TONES


def restore_accents(text: str, forms: AccentForms) -> str:
    """``text`` with the marks left out put back from the knowledge base's own words. Of the
    ways to read a question as pairs and single syllables, the one whose pairs the knowledge
    base uses most wins. Marks that were typed are kept: only a form that adds marks is
    taken. Abbreviations in capitals, numbers and words the knowledge base lacks stay as
    typed."""
    matches = list(SYLLABLE.finditer(text))
    words = [m.group(0) for m in matches]
    if _tone_share(words) >= TYPED_WITH_TONES:
        return text  # typed with its tone marks: a syllable without one is meant that way

    def usable(word: str) -> bool:
        return not (word.isupper() and len(word) > 1) and not any(c.isdigit() for c in word)

    def single(i: int) -> str | None:
        found = forms.get(fold(words[i])) if usable(words[i]) else None
        return found[0] if found and compatible(words[i], found[0]) else None

    def pair(i: int) -> tuple[str, str, int] | None:
        if i + 1 >= len(words) or text[matches[i].end() : matches[i + 1].start()].strip():
            return None
        if not (usable(words[i]) and usable(words[i + 1])):
            return None
        found = forms.get(f"{fold(words[i])} {fold(words[i + 1])}")
        if not found:
            return None
        first, second = found[0].split(" ")
        if compatible(words[i], first) and compatible(words[i + 1], second):
            return first, second, found[1]
        return None

    # best[i]: (score, choices) for words[:i]; a pair scores how often the base uses it.
    best: list[tuple[float, list[tuple[int, str]]]] = [(0.0, [])]
    for i in range(len(words)):
        score, chosen = best[i]
        one = single(i)
        options = [(score, [*chosen, (i, one)] if one else chosen)]
        if i >= 1 and (two := pair(i - 1)):
            prev_score, prev = best[i - 1]
            options.append((prev_score + math.log1p(two[2]), [*prev, (i - 1, two[0]), (i, two[1])]))
        best.append(max(options, key=lambda o: o[0]))
    out = list(text)
    for i, form in sorted(best[-1][1], reverse=True):
        m = matches[i]
        out[m.start() : m.end()] = _case_like(words[i], form)
    return "".join(out)


def _case_like(typed: str, form: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return form.upper()
    if typed[:1].isupper():
        return form[:1].upper() + form[1:]
    return form
