"""Golden config tests: `calfd --check-config -c FILE` over the catalogue in
tests/configs. Each bad file names, on its first line ("; expect: 3,5"),
exactly the lines that must be reported; good files must pass."""

import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
from calfsys import CALFD  # $CALF_BUILD or the build folder
BAD = sorted((ROOT / "tests/configs/bad").glob("*.ini"))
GOOD = sorted((ROOT / "tests/configs/good").glob("*.ini")) + [
    ROOT / "config/routine.ini"]
EX_CONFIG = 78


def check_config(path, extra_env=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("CALFD_CONFIG", "XDG_CONFIG_HOME")}
    env["HOME"] = "/nonexistent"
    env.update(extra_env or {})
    args = [str(CALFD), "--check-config"]
    if path is not None:
        args += ["-c", str(path)]
    return subprocess.run(args, capture_output=True, timeout=30, env=env)


def expected_lines(path):
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    m = re.fullmatch(r"; expect: ([0-9, ]+)", first.strip())
    assert m, f"{path.name}: first line must be '; expect: LINE[,LINE]'"
    return sorted({int(x) for x in m.group(1).split(",")})


def test_catalogue_is_not_empty():
    assert len(BAD) >= 20 and len(GOOD) >= 3


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_config(path):
    r = check_config(path)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == EX_CONFIG, err
    want = expected_lines(path)
    for line in want:
        assert f"{path}:{line}:" in err, err
    # Exactly the expected lines, so one mistake does not cascade.
    got = sorted({int(m) for m in
                  re.findall(re.escape(str(path)) + r":(\d+):", err)})
    assert got == want, err


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_config(path):
    r = check_config(path)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert r.stdout.strip(), "expected one line per session on stdout"


def test_missing_file_says_cannot_open(tmp_path):
    path = tmp_path / "nope.ini"
    r = check_config(path)
    assert r.returncode == EX_CONFIG
    assert f"{path}: cannot open:" in r.stderr.decode()


def test_calfd_config_env_is_used_even_if_missing(tmp_path):
    path = tmp_path / "missing.ini"
    r = check_config(None, {"CALFD_CONFIG": str(path)})
    assert r.returncode == EX_CONFIG
    assert f"{path}: cannot open:" in r.stderr.decode()


def test_xdg_config_home_is_found(tmp_path):
    d = tmp_path / "calf"
    d.mkdir()
    (d / "routine.ini").write_text("[only-one]\nduration = 5m\n")
    r = check_config(None, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr.decode()
    assert "only-one" in r.stdout.decode()


@pytest.mark.skipif(os.path.exists("/etc/calf/routine.ini"),
                    reason="a system-wide routine is installed")
def test_builtin_routine_when_no_file():
    r = check_config(None)
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    for name in ("ankle-circles", "foot-soak", "cramp-check"):
        assert name in out
