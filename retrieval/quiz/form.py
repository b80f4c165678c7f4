"""The key must not be told from the form of the options: cut all or none, similar lengths.

A learner who knows nothing picks the only cut option, the only whole one, or the one much
longer than the rest: each of these is a giveaway.
"""

from __future__ import annotations

from retrieval.domain.naming import ELLIPSIS

#: The key may be at most this many times as long as the longest wrong option …
LONGEST_RATIO = 1.5
#: … unless every option is at least this long (long options all read as sentences).
LONG_OPTION = 60
#: Options this short (numbers, names, "Đúng"/"Sai") cannot give the key away by length.
SHORT_OPTION = 25


def is_cut(option: str) -> bool:
    return option.rstrip().endswith((ELLIPSIS, "..."))


def form_problems(options: list[str], correct: int) -> list[str]:
    """Why the key stands out by its form; empty when it does not."""
    if len(options) < 2:
        return []
    key = options[correct]
    others = [o for i, o in enumerate(options) if i != correct]
    out: list[str] = []
    cut = [is_cut(o) for o in options]
    if any(cut) and not all(cut):
        if cut[correct] and sum(cut) == 1:
            out.append("đáp án là phương án duy nhất bị cắt")
        elif not cut[correct] and sum(cut) == len(options) - 1:
            out.append("đáp án là phương án duy nhất không bị cắt")
        else:
            out.append("phương án bị cắt lẫn với phương án nguyên vẹn")
    longest_other = max(len(o) for o in others)
    all_long = min(len(o) for o in options) >= LONG_OPTION
    if len(key) > LONGEST_RATIO * longest_other and not all_long and len(key) > SHORT_OPTION:
        out.append(f"đáp án dài gấp {len(key) / longest_other:.1f} lần phương án dài nhất còn lại")
    return out


def similar_length(candidate: str, key: str) -> bool:
    """Whether a wrong option sits well beside the key: neither dwarfs the other."""
    a, b = len(candidate), len(key)
    if max(a, b) <= SHORT_OPTION:
        return True
    return max(a, b) <= LONGEST_RATIO * min(a, b)
