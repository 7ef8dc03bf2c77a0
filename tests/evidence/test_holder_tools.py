"""The holder tools wheel (holder-tools/pyproject.toml): built from dataip.evidence without
Django, installed into a fresh virtual environment without network, its ``dataip-fingerprint``
writes the manifest that ``dataip fingerprint`` writes for the same folder."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "bin" / "uv"
DATAIP = Path(sys.executable).with_name("dataip")


def run(*command: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tools on our own test folder
        [str(part) for part in command], capture_output=True, text=True, check=check
    )


def closure(names: list[str]) -> set[str]:
    """The distributions ``names`` need, as installed here (extras and markers honoured)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def provide_from_here(venv: Path, wheel: Path, folder: Path) -> None:
    """Make the wheel's declared dependencies (and theirs), and nothing else, importable in
    ``venv``, from this environment: links in ``folder`` and a .pth file."""
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(info).decode().splitlines()
    wanted = [
        Requirement(line.split(":", 1)[1]).name
        for line in lines
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ] + ["blake3"]
    folder.mkdir()
    for name in closure(wanted):
        dist = metadata.distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if ".." not in str(f)}
        for top in tops:
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (folder / top).exists():
                (folder / top).symlink_to(source)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "holder-deps.pth").write_text(f"{folder}\n", encoding="utf-8")


def test_the_wheel_installs_offline_and_fingerprints_like_the_cli(tmp_path: Path) -> None:
    if not UV.exists():
        pytest.fail(f"{UV} is missing: run make messages (it installs uv)")
    built = run(
        UV, "build", "--wheel", "--offline", "--out-dir", tmp_path / "dist", ROOT / "holder-tools"
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("dataip_holder_tools-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        sources = [archive.read(n).decode() for n in names if n.endswith(".py")]
        entry_points = archive.read(
            next(n for n in names if n.endswith("entry_points.txt"))
        ).decode()
    assert "dataip/evidence/fingerprint.py" in names
    assert not any(n.startswith(("dataip/web/", "dataip/registry/")) for n in names)
    assert not any("import django" in s or "from django" in s for s in sources)
    assert "dataip-fingerprint = dataip.evidence.cli:fingerprint_main" in entry_points

    venv = tmp_path / "venv"
    run(UV, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    offline = run(
        UV, "pip", "install", "--offline", "--python", python, f"{wheel}[blake3]", check=False
    )
    if offline.returncode != 0:
        # uv's cache holds the dependencies' files but not the index pages an offline
        # resolution needs: install the wheel alone and lend it its dependencies from here.
        run(UV, "pip", "install", "--offline", "--no-deps", "--python", python, wheel)
        provide_from_here(venv, wheel, tmp_path / "deps")
    assert run(python, "-c", "import django", check=False).returncode != 0

    data = tmp_path / "数据 集"
    (data / "sub dir").mkdir(parents=True)
    (data / "说明.txt").write_text("说明\n", encoding="utf-8")
    (data / "cafe\u0301.csv").write_bytes(b"a,b\n")
    (data / "sub dir" / "empty").write_bytes(b"")
    ours = run(
        venv / "bin" / "dataip-fingerprint",
        data,
        "--blake3",
        "--out",
        tmp_path / "wheel.json",
        "--sums",
        tmp_path / "wheel.sums",
    )
    assert "deposit root" in ours.stdout
    run(
        DATAIP,
        "fingerprint",
        data,
        "--blake3",
        "--out",
        tmp_path / "cli.json",
        "--sums",
        tmp_path / "cli.sums",
    )
    from_wheel = json.loads((tmp_path / "wheel.json").read_bytes())
    from_cli = json.loads((tmp_path / "cli.json").read_bytes())
    assert from_wheel.pop("created").endswith("Z")
    from_cli.pop("created")
    assert from_wheel == from_cli
    assert [r["path"] for r in from_wheel["records"]] == [
        "数据 集/café.csv",
        "数据 集/sub dir/empty",
        "数据 集/说明.txt",
    ]
    assert (tmp_path / "wheel.sums").read_bytes() == (tmp_path / "cli.sums").read_bytes()
