"""The words of a proof that an explanation shows: a quote within Telegram's 200 characters,
centred on the words that hold the answer, and never cut before them.

A long quote keeps its opening words (the subject and verb that make it a sentence), then
"…", then the clause that holds the answer: «Khen thưởng cán bộ, công chức có thành tích … hoặc
có sáng kiến cải cách thủ tục hành chính», not «…hoặc có sáng kiến cải cách thủ tục hành
chính».
"""

from __future__ import annotations

import re

from retrieval.domain.naming import ELLIPSIS
from retrieval.domain.text import STOPWORDS, fold

_ITEM_MARK = re.compile(r"^(?:\d{1,2}\.|[a-zđ]\))\s+")
#: Words of a quote's opening kept before "…" (at most: fewer when a clause ends sooner).
HEAD_WORDS = 12
#: Matched words this far apart belong to two places of the quote, not one.
GAP = 4


def _key(word: str) -> str:
    return fold(word.strip(".,;:!?«»“”\"'()…").lower())


def _clause_end(word: str) -> bool:
    return word.endswith((",", ";", ":", "."))


#: Words that open a phrase: a cut just before one does not split a compound word.
PHRASE_OPENERS = frozenset(
    fold(w)
    for w in (
        "của với trong và hoặc để khi cho về theo tại từ đến nhưng mà thì là nên do ngoài"
    ).split()
)


def _phrase_end(words: list[str], h: int) -> bool:
    """Whether ``words[:h]`` ends a phrase (a clause mark, or a phrase opener follows)."""
    return _clause_end(words[h - 1]) or (h < len(words) and _key(words[h]) in PHRASE_OPENERS)


def anchor_span(words: list[str], anchor: str) -> tuple[int, int]:
    """Where in ``words`` the anchor is: its words in a row when they occur so, else the
    densest run of its content words; (0, 0) when none of them occurs."""
    wanted = [_key(w) for w in anchor.split() if _key(w)]
    keys = [_key(w) for w in words]
    n = len(wanted)
    for i in range(len(keys) - n + 1):
        if n and keys[i : i + n] == wanted:
            return i, i + n
    content = {w for w in wanted if w not in STOPWORDS}
    hits = [i for i, k in enumerate(keys) if k in content]
    if not hits:
        return 0, 0
    runs: list[list[int]] = [[hits[0]]]
    for i in hits[1:]:
        if i - runs[-1][-1] <= GAP:
            runs[-1].append(i)
        else:
            runs.append([i])
    best = max(runs, key=len)
    return best[0], best[-1] + 1


def _join(parts: list[list[str]], cut_end: bool) -> str:
    texts = [" ".join(p).strip(" ,;:") for p in parts if p]
    body = f" {ELLIPSIS} ".join(texts) if len(texts) > 1 else texts[0]
    return body + (ELLIPSIS if cut_end else "")


def excerpt(text: str, budget: int, anchor: str = "") -> str:
    """``text`` within ``budget`` characters, cut at phrase boundaries around ``anchor`` (the
    words that prove the answer), which is always shown whole when it fits: the beginning up
    to the anchor's clause; or the opening words, "…", and that clause; or the clause alone."""
    text = " ".join(_ITEM_MARK.sub("", text.strip()).split())
    if len(text) <= budget:
        return text
    words = text.split(" ")
    n = len(words)
    a0, a1 = anchor_span(words, anchor) if anchor else (0, 0)
    if a1 == 0:
        a0, a1 = 0, 1
    # the clause that holds the anchor: from the boundary before it, to the one after it
    start = max((i for i in range(1, a0 + 1) if _clause_end(words[i - 1])), default=0)
    end = next((i + 1 for i in range(a1 - 1, n) if _clause_end(words[i])), n)
    ends = sorted({a1, end, *(h for h in range(a1, n + 1) if _phrase_end(words, h))})

    def shown(head: int, lo: int, hi: int) -> str:
        lead = ELLIPSIS if lo > head and not head else ""
        return lead + _join([words[:head], words[lo:hi]] if head else [words[lo:hi]], hi < n)

    found: list[tuple[tuple[bool, int], str]] = []

    def consider(head: int, lo: int, hi: int) -> None:
        text = shown(head, lo, hi)
        if len(text) <= budget:  # the whole clause first, then the most shown (an opening
            found.append(((hi >= end, len(text) + (20 if head or not lo else 0)), text))

    # 1. from the beginning, past the anchor, to a phrase's end
    for hi in ends:
        consider(0, 0, hi)
    # 2. the opening words to a phrase's end, "…", then the anchor's clause (or the anchor)
    first = next((h for h in range(3, HEAD_WORDS + 1) if _phrase_end(words, h)), HEAD_WORDS)
    starts = [i for i in range(first + 1, a0 + 1) if _clause_end(words[i - 1])]
    for lo in [*starts, a0] if a0 > first else []:
        for hi in ends:
            for h in range(first, lo):
                if h == first or _phrase_end(words, h):
                    consider(h, lo, hi)
    # 3. the anchor's clause alone (or the anchor)
    for lo in {start, a0}:
        for hi in ends:
            consider(0, lo, hi)
    if found:
        return max(found)[1]
    # 4. not even the anchor fits: its first words
    hi = a1
    while hi > a0 + 1 and len(shown(0, a0, hi)) > budget:
        hi -= 1
    return shown(0, a0, hi)
