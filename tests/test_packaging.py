"""The package as users get it: honest content keys, and a wheel that works on its own."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

REPORT = SAMPLE.stem
TABLES = ("sections", "cases", "claims", "blocks", "tables")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "REPORTPIPE_KILL_AT", "REPORTPIPE_LEXICON")}
    return {**env, **extra}


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """The package (its files, the schemas resolved from their link) copied to a folder of its own."""
    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "pipeline", copy / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _cli(copy: Path, cwd: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=_env(PYTHONPATH=str(copy)))


def _status(copy: Path, cwd: Path) -> str:
    r = _cli(copy, cwd, "status", cwd / "raw" / SAMPLE.name, "--out", cwd / "out")
    assert r.returncode == 0, r.stderr
    (line,) = [ln for ln in r.stdout.splitlines() if ln.startswith(REPORT + "\t")]
    return line


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_status_says_which_part_of_the_key_changed(package_copy, tmp_path):
    source = tmp_path / "raw" / SAMPLE.name  # a copy the test can edit in place
    source.parent.mkdir()
    shutil.copy(SAMPLE, source)

    def run(*extra):
        r = _cli(package_copy, tmp_path, "run", source, "--out", tmp_path / "out", "--runner", "inline",
                 "--no-isolation", "--quiet", *extra)
        assert r.returncode == 0, r.stdout + r.stderr

    run()
    assert "\tup_to_date\t" in _status(package_copy, tmp_path)
    # A module at the edge (the review page) does not change what is extracted.
    _edit(package_copy / "pipeline" / "review.py", '"""A review page', '"""A review page (edited)')
    assert "\tup_to_date\t" in _status(package_copy, tmp_path)
    # A rule: the threshold for pairing a quantity with its unit, or any line of an extraction module.
    claims = package_copy / "pipeline" / "claims.py"
    claims.write_text(claims.read_text(encoding="utf-8") + "\n_A_NEW_RULE = ('万千瓦时',)\n", encoding="utf-8")
    line = _status(package_copy, tmp_path)
    assert "\tchanged\t" in line and "the code changed" in line, line
    run()
    assert "\tup_to_date\t" in _status(package_copy, tmp_path)
    # The vocabulary: a word added to a word list shipped in the package...
    _edit(package_copy / "pipeline" / "lexicon" / "units.toml", "[units]\n", '[units]\n"标准台" = "count"\n')
    line = _status(package_copy, tmp_path)
    assert "\tchanged\t" in line and "the vocabulary changed" in line and "code" not in line, line
    run()
    assert "\tup_to_date\t" in _status(package_copy, tmp_path)
    # ... or in the user's own word lists.
    mine = tmp_path / "my-lexicon"
    mine.mkdir()
    (mine / "units.toml").write_text('[units]\n"工日" = "duration"\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "status", str(source), "--out", str(tmp_path / "out")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env=_env(PYTHONPATH=str(package_copy), REPORTPIPE_LEXICON=str(mine)))
    assert "\tchanged\t" in r.stdout and "the vocabulary changed" in r.stdout, r.stdout + r.stderr
    # The contracts.
    _edit(package_copy / "pipeline" / "schemas" / "claims.json", '"fields"', '"x-note": "edited", "fields"')
    line = _status(package_copy, tmp_path)
    assert "\tchanged\t" in line and "the schemas changed" in line and "code" not in line, line
    run()
    # The settings that change what is read.
    run("--max-bytes", "20000000")
    line = _status(package_copy, tmp_path)
    assert "\tchanged\t" in line and "the settings changed" in line, line
    # And the input itself, with another part at once.
    run()
    with open(source, "a", encoding="utf-8") as fh:
        fh.write("\n新增一段。\n")
    claims.write_text(claims.read_text(encoding="utf-8") + "\n_ANOTHER_RULE = 1\n", encoding="utf-8")
    r = _cli(package_copy, tmp_path, "status", source, "--out", tmp_path / "out")
    assert "the input's bytes and the code changed" in r.stdout, r.stdout + r.stderr


@pytest.mark.wheel
def test_the_wheel_alone_processes_the_sample_from_another_folder(tmp_path):
    """Build the wheel from a clean copy of the sources, install it without the checkout into a
    fresh virtual environment (its dependencies from this environment's site-packages), and run
    the installed command from an unrelated folder."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "flows.py"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("pipeline", "schemas"):
        shutil.copytree(ROOT / folder, src / folder, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(src)],
                       capture_output=True, text=True, timeout=600, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = dist.glob("reportpipe-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps",
                        str(wheel)], capture_output=True, text=True, timeout=600, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    # The dependencies, not the checkout: a plain path entry runs no .pth file of this environment,
    # so its editable install of reportpipe stays out.
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    (Path(site) / "dependencies.pth").write_text(deps + "\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(py), "-c", "import pipeline, flows; print(pipeline.__file__, flows.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, env=_env())
    assert where.stdout.startswith(site) and str(ROOT) not in where.stdout, where.stdout + where.stderr
    r = subprocess.run([str(venv / "bin" / "reportpipe"), "run", str(SAMPLE), "--out", "out", "--runner", "inline"],
                       cwd=elsewhere, capture_output=True, text=True, timeout=600, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 processed, 0 up to date, 0 failed" in r.stdout
    folder = elsewhere / "out" / REPORT
    for table in TABLES:
        got = (folder / f"{table}.csv").read_text(encoding="utf-8")
        assert got == (ROOT / "tests" / "golden" / REPORT / f"{table}.csv").read_text(encoding="utf-8"), table
    assert (folder / "datapackage.json").exists() and (folder / "claims.parquet").exists()
    r = subprocess.run([str(venv / "bin" / "reportpipe"), "review", str(folder)], cwd=elsewhere,
                       capture_output=True, text=True, timeout=300, env=_env())
    assert r.returncode == 0 and "mark.claim" in (folder / "review.html").read_text(encoding="utf-8"), r.stderr
