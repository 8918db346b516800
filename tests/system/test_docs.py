"""The manuals tell the truth: every option and command that `--help`
prints is in the man page, every one the man page lists is in `--help`, the
pages format without a warning, and routine.ini(5) is made from
doc/routine.md, so the two cannot disagree."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from calfsys import BUILD, CALFCTL, CALFD

ROOT = Path(__file__).resolve().parents[2]


def help_text(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 0, r.stderr
    return r.stdout


def help_options(text):
    """Every --long option named anywhere in the help."""
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))


def help_commands(text):
    """The first word of each line under "Commands:"."""
    m = re.search(r"^Commands:\n((?:  .*\n)+)", text, re.M)
    assert m, "no Commands: section in the help"
    return {ln.split()[0] for ln in m.group(1).splitlines()
            if ln.startswith("  ") and not ln.startswith("   ")}


def man_options(page):
    """Every --long option the page defines in an item list."""
    text = page.read_text()
    return set("--" + o for o in
               re.findall(r"^\.It .*?Fl \\-([a-z][a-z0-9-]*)", text, re.M)) | \
        set("--" + o for o in
            re.findall(r"^\.It .*?, Fl \\-([a-z][a-z0-9-]*)", text, re.M))


def man_mentions(page):
    text = page.read_text()
    return set("--" + o for o in re.findall(r"\\-\\-?([a-z][a-z0-9-]*)",
                                               text)) | \
        set("--" + o for o in re.findall(r"Fl \\-([a-z][a-z0-9-]*)", text))


def man_commands(page):
    return set(re.findall(r"^\.It Cm ([a-z][a-z-]*)", page.read_text(),
                          re.M))


@pytest.mark.parametrize("binary,page", [
    (CALFD, ROOT / "daemon" / "calfd.8"),
    (CALFCTL, ROOT / "ctl" / "calfctl.1"),
], ids=["calfd", "calfctl"])
def test_every_option_in_help_is_in_the_man_page_and_back(binary, page):
    helped = help_options(help_text(binary))
    assert helped, "no options found in --help"
    missing = helped - man_mentions(page)
    assert not missing, f"in --help but not in {page.name}: {missing}"
    extra = man_options(page) - helped
    assert not extra, f"in {page.name} but not in --help: {extra}"


def test_every_calfctl_command_in_help_is_in_the_man_page_and_back():
    helped = help_commands(help_text(CALFCTL))
    paged = man_commands(ROOT / "ctl" / "calfctl.1")
    assert "status" in helped and "status" in paged
    assert not helped - paged, f"not in calfctl.1: {helped - paged}"
    assert not paged - helped, f"not in calfctl --help: {paged - helped}"


def groff_warnings(page):
    r = subprocess.run(["groff", "-mandoc", "-Tutf8", "-ww", "-z",
                        str(page)], capture_output=True, text=True,
                       timeout=30)
    return r.returncode, r.stderr


@pytest.mark.parametrize("page", ["ctl/calfctl.1", "daemon/calfd.8"])
def test_man_pages_format_without_warnings(page):
    rc, err = groff_warnings(ROOT / page)
    assert rc == 0 and err == "", err


def test_routine_page_is_made_from_the_reference(tmp_path):
    built = Path(BUILD) / "doc" / "routine.ini.5"
    assert built.exists(), "make all builds routine.ini.5"
    src = (ROOT / "doc" / "routine.md").read_text()
    fresh = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "md2man.py"), "routine.ini",
         "5", "x", "x"], input=src, capture_output=True, text=True,
        timeout=30)
    assert fresh.returncode == 0, fresh.stderr
    page = built.read_text()
    # Every key of the reference's tables is an item of the page.
    keys = re.findall(r"^\| `([a-z-]+)` \|", src, re.M)
    assert "duration" in keys and "quiet" in keys
    for k in keys:
        assert re.search(rf"^\\fB{re.escape(k)}\\fR$", page, re.M), k
    # The built page is today's reference, not an older one.
    strip = re.compile(r"^\.TH .*$", re.M)
    assert strip.sub("", page) == strip.sub("", fresh.stdout)
    rc, err = groff_warnings(built)
    assert rc == 0 and err == "", err


def test_md2man_refuses_what_it_does_not_understand():
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "md2man.py"), "x", "5", "x",
         "x"], input="# t\n\n1. a numbered list\n", capture_output=True,
        text=True, timeout=30)
    assert r.returncode != 0 and "not understood" in r.stderr


def test_man_renders_routine_page():
    built = Path(BUILD) / "doc" / "routine.ini.5"
    r = subprocess.run(["man", "-l", str(built)], capture_output=True,
                       text=True, timeout=30,
                       env=dict(os.environ, MANPAGER="cat", PAGER="cat",
                                MANWIDTH="80"))
    if r.returncode != 0 and "not found" in r.stderr:
        pytest.skip("man is not installed")
    assert r.returncode == 0, r.stderr
    assert "ROUTINE.INI(5)" in r.stdout and "duration" in r.stdout


@pytest.mark.parametrize("args", [["--bogus"], ["stray"], ["-c"]],
                         ids=["unknown-option", "stray-argument",
                              "missing-value"])
def test_a_calfd_usage_error_is_one_line_and_a_pointer(args):
    r = subprocess.run([CALFD] + args, capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 64
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[1] == "calfd: see 'calfd --help'"
    assert "usage:" not in r.stderr
