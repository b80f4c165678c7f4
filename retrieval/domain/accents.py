"""Put the accents back on a question typed without them, using the knowledge base's words.

Officials often type on phones without tone marks ("cai cach hanh chinh"). Lexical search
matches such text through the folded FTS column, but the dense model reads it poorly. The
knowledge base itself says which accented form each folded syllable pair stands for, so the
question is restored pair by pair (falling back to single syllables) before it is embedded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from retrieval.domain.text import SYLLABLE, fold, nfc


def accent_forms(texts: Iterable[str]) -> dict[str, str]:
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
    return {folded: accented for folded, (_, accented) in best.items()}


def restore_accents(text: str, forms: dict[str, str]) -> str:
    """``text`` with each unaccented syllable replaced by the knowledge base's accented form.
    Syllables that already carry accents, and words the knowledge base lacks, stay as typed."""
    matches = list(SYLLABLE.finditer(text))
    out = list(text)
    i = 0
    replaced: list[tuple[int, int, str]] = []
    while i < len(matches):
        m = matches[i]
        word = m.group(0)
        if fold(word) != word.lower():
            i += 1
            continue
        if i + 1 < len(matches):
            nxt = matches[i + 1]
            pair = forms.get(f"{fold(word)} {fold(nxt.group(0))}")
            gap = text[m.end() : nxt.start()]
            if pair and gap.strip() == "" and fold(nxt.group(0)) == nxt.group(0).lower():
                first, second = pair.split(" ")
                replaced.append((m.start(), m.end(), _case_like(word, first)))
                replaced.append((nxt.start(), nxt.end(), _case_like(nxt.group(0), second)))
                i += 2
                continue
        single = forms.get(fold(word))
        if single:
            replaced.append((m.start(), m.end(), _case_like(word, single)))
        i += 1
    for start, end, new in reversed(replaced):
        out[start:end] = new
    return "".join(out)


def _case_like(typed: str, form: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return form.upper()
    if typed[:1].isupper():
        return form[:1].upper() + form[1:]
    return form
