"""The model rebuild reports its steps and leaves a folder every user can read."""

from __future__ import annotations

import os
import stat

from retrieval.embedding.model_build import BUILD_STEPS, build_default_model


def test_rebuild_reports_progress_and_is_readable_by_all(tmp_path) -> None:
    steps: list[tuple[int, int]] = []
    old = os.umask(0o077)  # a builder whose files are private by default
    try:
        target = build_default_model(
            tmp_path / "models" / "e5", progress=lambda *s: steps.append(s)
        )
    finally:
        os.umask(old)
    total = len(BUILD_STEPS)
    assert steps == [(i, total) for i in range(total + 1)]
    assert (target / "model.safetensors").stat().st_size > 100_000_000
    for path in [target, *target.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), f"{path}: {oct(mode)}"
    again: list[tuple[int, int]] = []
    build_default_model(target, progress=lambda *s: again.append(s))
    assert again == []  # already complete: nothing done, nothing reported
