"""The Debian package, unpacked: every file where it belongs, the programs
run from it, its units verify. `make check-deb` (part of `make check` when
debhelper and lintian are installed) builds the package and runs these with
CALF_DEB set to it; lintian has already passed by then."""
import gzip
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

DEB = os.environ.get("CALF_DEB")
pytestmark = pytest.mark.skipif(
    not DEB, reason="CALF_DEB is not set: run through `make check-deb`")

# Every file the package holds, and nothing else (directories aside).
FILES = {
    "usr/bin/calfd",
    "usr/bin/calfctl",
    "usr/lib/systemd/user/calfd.service",
    "usr/lib/systemd/user/calfd.socket",
    "usr/lib/systemd/system/calfd.service",
    "usr/lib/systemd/system/calfd.socket",
    "usr/lib/sysusers.d/calf.conf",
    "usr/share/man/man1/calfctl.1.gz",
    "usr/share/man/man5/routine.ini.5.gz",
    "usr/share/man/man8/calfd.8.gz",
    "usr/share/bash-completion/completions/calfctl",
    "usr/share/zsh/vendor-completions/_calfctl",
    "usr/share/fish/vendor_completions.d/calfctl.fish",
    "usr/share/applications/calf.desktop",
    "usr/share/doc/calf/examples/routine.ini",
    "usr/share/doc/calf/README.md.gz",
    "usr/share/doc/calf/README.Debian",
    "usr/share/doc/calf/PROTOCOL.md.gz",
    "usr/share/doc/calf/daemon.md.gz",
    "usr/share/doc/calf/history.md.gz",
    "usr/share/doc/calf/routine.md.gz",
    "usr/share/doc/calf/statusbars.md",
    "usr/share/doc/calf/changelog.gz",
    "usr/share/doc/calf/copyright",
    "usr/share/lintian/overrides/calf",
}

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    d = tmp_path_factory.mktemp("deb")
    subprocess.run(["dpkg-deb", "-x", DEB, str(d)], check=True)
    return d


def field(name):
    return subprocess.run(["dpkg-deb", "-f", DEB, name], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_every_file_where_it_belongs(unpacked):
    found = {str(p.relative_to(unpacked)) for p in unpacked.rglob("*")
             if not p.is_dir()}
    assert found == FILES, (
        f"not expected: {sorted(found - FILES)}; missing: {sorted(FILES - found)}")
    assert not (unpacked / "lib").exists(), "units belong in /usr/lib"


def test_modes_and_owners():
    """Programs 0755, everything else 0644, all root's."""
    listing = subprocess.run(["dpkg-deb", "-c", DEB], check=True,
                             capture_output=True, text=True).stdout
    for line in listing.splitlines():
        mode, owner, _size, _day, _time, name = line.split(None, 5)
        assert owner == "root/root", line
        if mode.startswith("d"):
            assert mode == "drwxr-xr-x", line
        elif name.startswith("./usr/bin/"):
            assert mode == "-rwxr-xr-x", line
        else:
            assert mode == "-rw-r--r--", line


def test_etc_calf_is_left_empty_for_the_administrator(unpacked):
    etc = unpacked / "etc" / "calf"
    assert etc.is_dir() and list(etc.iterdir()) == []
    # and nothing of calf's is a conffile an upgrade would ask about
    conffiles = subprocess.run(["dpkg-deb", "--ctrl-tarfile", DEB],
                               check=True, capture_output=True).stdout
    assert b"conffiles" not in conffiles


def test_the_unpacked_calfd_accepts_the_shipped_routine(unpacked):
    calfd = unpacked / "usr/bin/calfd"
    ini = unpacked / "usr/share/doc/calf/examples/routine.ini"
    r = subprocess.run([str(calfd), "--check-config", "-c", str(ini)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r
    # ...and it is the routine calfd has built in.
    assert ini.read_text() == (ROOT / "config/routine.ini").read_text()
    # the check can fail: a broken copy is refused with its line
    bad = unpacked.parent / "bad.ini"
    bad.write_text(ini.read_text() + "\n[broken\n")
    r = subprocess.run([str(calfd), "--check-config", "-c", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "bad.ini:" in r.stderr, r


def test_the_unpacked_programs_say_their_version(unpacked):
    version = (ROOT / "VERSION").read_text().strip()
    assert field("Version") == version
    for prog in ("calfd", "calfctl"):
        r = subprocess.run([str(unpacked / "usr/bin" / prog), "--version"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and version in r.stdout, r


def test_depends_are_exactly_what_calf_needs():
    deps = {d.split()[0] for d in field("Depends").split(", ")}
    assert deps == {"procps", "init-system-helpers", "libc6",
                    "libevent-2.1-7", "libinih1", "libjson-c5",
                    "libsystemd0"}, deps
    assert field("Recommends") == "" and field("Pre-Depends") == ""


def test_units_run_the_installed_calfd(unpacked):
    for kind in ("user", "system"):
        text = (unpacked / f"usr/lib/systemd/{kind}/calfd.service").read_text()
        assert "ExecStart=/usr/bin/calfd\n" in text, kind
        assert "@" not in text.replace("@system-service", "").replace(
            "@privileged", "").replace("@resources", ""), kind
    sock = (unpacked / "usr/lib/systemd/system/calfd.socket").read_text()
    assert "/usr/lib/sysusers.d/calf.conf" in sock


def test_no_unit_is_enabled_or_started_on_installation():
    """--no-enable: the maintainer scripts only re-enable what a person had
    enabled before (was-enabled), and deb-systemd-invoke starts only enabled
    units."""
    ctrl = subprocess.run(["dpkg-deb", "--info", DEB, "postinst"], check=True,
                          capture_output=True, text=True).stdout
    lines = [l.strip() for l in ctrl.splitlines()
             if l.strip() and not l.strip().startswith("#")]
    for i, line in enumerate(lines):
        if "deb-systemd-helper" in line and " enable " in line:
            assert "was-enabled" in lines[i - 1], (i, line)
    assert ctrl.count("was-enabled") == 4


verify_needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare"),
    reason="needs root: the unpacked calfd is laid over /usr/bin in a "
           "private mount namespace for systemd-analyze verify")


def verify(unpacked, tmp_path, unit, user, manpath):
    # A short runtime folder: other packages' user units put sockets in it,
    # and pytest's folders are too long for a socket's path.
    with tempfile.TemporaryDirectory(prefix="calf-rt-", dir="/tmp") as run:
        return verify_in(unpacked, unit, user, manpath, run)


def verify_in(unpacked, unit, user, manpath, run):
    script = ('mount -t overlay calf-deb -o "lowerdir=$1:/usr/bin" /usr/bin '
              '&& shift && exec systemd-analyze "$@"')
    args = ["unshare", "-m", "--propagation", "private", "sh", "-c", script,
            "sh", str(unpacked / "usr/bin")]
    args += (["--user"] if user else []) + ["verify", str(unit)]
    env = dict(os.environ, XDG_RUNTIME_DIR=str(run), SYSTEMD_PAGER="",
               SYSTEMD_COLORS="0", MANPATH=str(manpath))
    return subprocess.run(args, capture_output=True, text=True, env=env,
                          timeout=120)


@verify_needs_root
@pytest.mark.parametrize("kind", ["user", "system"])
@pytest.mark.parametrize("unit", ["calfd.service", "calfd.socket"])
def test_systemd_analyze_verify_accepts_the_unpacked_units(
        unpacked, tmp_path, kind, unit):
    """With /usr/bin/calfd the unpacked one, and man pages looked up in the
    package: verify checks both exist and prints nothing."""
    path = unpacked / "usr/lib/systemd" / kind / unit
    r = verify(unpacked, tmp_path, path, kind == "user",
               unpacked / "usr/share/man")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), r
    # The check can fail: without the package's man pages, it says so.
    empty = tmp_path / "noman"
    (empty / "man1").mkdir(parents=True)
    r = verify(unpacked, tmp_path, path, kind == "user", empty)
    assert r.returncode != 0 and "man calfd(8)" in r.stderr, r


def test_man_pages_render_without_warnings(unpacked):
    if not shutil.which("man"):
        pytest.skip("man is not installed")
    for page in ("man1/calfctl.1.gz", "man5/routine.ini.5.gz",
                 "man8/calfd.8.gz"):
        path = unpacked / "usr/share/man" / page
        assert gzip.decompress(path.read_bytes()).startswith(b".")
        r = subprocess.run(["man", "--warnings", "-l", str(path)],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="",
                                    PAGER="cat", MANPAGER="cat"))
        assert r.returncode == 0 and r.stderr == "" and len(r.stdout) > 1000, (page, r)


def test_desktop_entry_validates(unpacked):
    tool = shutil.which("desktop-file-validate")
    if not tool:
        pytest.skip("desktop-file-validate (desktop-file-utils) is not installed")
    r = subprocess.run([tool, str(unpacked / "usr/share/applications/calf.desktop")],
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, ""), r
