"""Shell completion for calfctl, run in the real shells: bash through
bash-completion's own entry points, fish through `complete -C`, zsh for
its syntax. Session names come from the running calfd, else from the
routine `calfd --check-config` reads."""

import os
import pathlib
import shutil
import subprocess

import pytest

from calfsys import BUILD, ROOT, clean_env, routine_text, session_ini

COMP = ROOT / "ctl" / "completion"
BASH_COMPLETION = pathlib.Path("/usr/share/bash-completion/bash_completion")
ROUTINE = routine_text(session_ini("soak", at="07:00", duration="10m"),
                       session_ini("stretch", duration="5m"), probe=False)


def env(**extra):
    e = clean_env(**extra)
    e["PATH"] = f"{BUILD}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return e


def bash_complete(line, **extra):
    """What bash offers after `line` (a Tab at its end)."""
    if not BASH_COMPLETION.exists():
        pytest.skip("bash-completion is not installed")
    script = f"""
        source {BASH_COMPLETION}
        source {COMP / 'calfctl.bash'}
        COMP_LINE=$1
        COMP_POINT=${{#COMP_LINE}}
        read -ra COMP_WORDS <<<"$COMP_LINE"
        [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
        $(complete -p calfctl | sed 's/.*-F \\([^ ]*\\) .*/\\1/') calfctl \\
            "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    p = subprocess.run(["bash", "-c", script, "bash", line],
                       capture_output=True, text=True, env=env(**extra),
                       timeout=30)
    assert p.returncode == 0, p.stderr
    return sorted(x for x in p.stdout.splitlines() if x)


def test_bash_completes_commands_and_options():
    assert bash_complete("calfctl st") == ["start", "stats", "status",
                                           "stop"]
    assert "show" in bash_complete("calfctl ")
    assert "help" in bash_complete("calfctl ")
    assert bash_complete("calfctl --for") == ["--format"]
    assert bash_complete("calfctl status --format ") == ["i3blocks",
                                                         "waybar"]
    assert bash_complete("calfctl pause ") == ["until"]
    assert bash_complete("calfctl help sn") == ["snooze"]


def test_bash_completes_history_stats_and_cramp():
    assert bash_complete("calfctl history --") == sorted(
        ["--days", "--session", "--csv", "--socket", "--json", "--help",
         "--version", "--format", "--reconnect"])
    assert "--session" not in bash_complete("calfctl stats --")
    assert "--days" in bash_complete("calfctl stats --")
    assert bash_complete("calfctl cramp --l") == ["--leg"]
    assert bash_complete("calfctl cramp --leg ") == ["both", "left",
                                                     "right"]
    assert bash_complete("calfctl cramp ") == ["result", "test"]
    assert bash_complete("calfctl cramp result ") == ["not-relieved",
                                                      "relieved"]
    assert bash_complete("calfctl cramp --leg left --note x ") == []
    assert bash_complete("calfctl history --days ") == []


def test_bash_completes_sessions_after_history_session(calf):
    d = calf.start(ROUTINE)
    assert bash_complete(f"calfctl -s {d.sock} history --session s") == [
        "soak", "stretch"]


def test_bash_completes_session_names_from_calfd(calf):
    d = calf.start(ROUTINE)
    assert bash_complete(f"calfctl -s {d.sock} start ") == ["soak",
                                                            "stretch"]
    assert bash_complete(f"calfctl -s {d.sock} show s") == ["soak",
                                                            "stretch"]
    assert bash_complete(f"calfctl -s {d.sock} done so") == ["soak"]
    assert bash_complete(f"calfctl -s {d.sock} start soak ") == []


def test_bash_falls_back_to_the_routine_without_calfd(tmp_path):
    r = tmp_path / "routine.ini"
    r.write_text(ROUTINE)
    got = bash_complete("calfctl -s /nonexistent/calfd.sock start ",
                        CALFD_CONFIG=str(r))
    assert got == ["soak", "stretch"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish not installed")
def test_fish_completes(calf):
    d = calf.start(ROUTINE)
    script = (f"source {COMP / 'calfctl.fish'}; complete -C 'calfctl st'; "
              f"echo ---; complete -C 'calfctl -s {d.sock} start '; "
              f"echo ---; complete -C 'calfctl '; "
              f"echo ---; complete -C 'calfctl cramp --leg '; "
              f"echo ---; complete -C 'calfctl cramp result '")
    p = subprocess.run(["fish", "--no-config", "-c", script],
                       capture_output=True, text=True, env=env(), timeout=30)
    assert p.returncode == 0, p.stderr
    cmds, names, every, legs, results = p.stdout.split("---\n")
    assert [ln.split("\t")[0] for ln in cmds.splitlines()] == \
        ["start", "stats", "status", "stop"]
    assert names.split() == ["soak", "stretch"]
    # A usage too long for one help line still gets its description.
    about = dict(ln.split("\t", 1) for ln in every.splitlines())
    assert about["cramp"].startswith("log a cramp")
    assert about["pause"].startswith("hold prompts")
    assert [ln.split("\t")[0] for ln in legs.splitlines()] == \
        ["both", "left", "right"]
    assert [ln.split("\t")[0] for ln in results.splitlines()] == \
        ["not-relieved", "relieved"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh not installed")
def test_zsh_completion_parses():
    p = subprocess.run(["zsh", "-n", str(COMP / "_calfctl")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr


def test_make_install_puts_them_where_the_shells_look(tmp_path):
    dest = tmp_path / "root"
    p = subprocess.run(["make", "-C", str(ROOT), "-o", "all", f"BUILD={BUILD}",
                        f"DESTDIR={dest}", "PREFIX=/usr", "install"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    share = dest / "usr/share"
    for f in ("bash-completion/completions/calfctl",
              "zsh/vendor-completions/_calfctl",
              "fish/vendor_completions.d/calfctl.fish"):
        assert (share / f).is_file(), f
    p = subprocess.run(["make", "-C", str(ROOT), "-o", "all", f"BUILD={BUILD}",
                        f"DESTDIR={dest}", "PREFIX=/usr", "uninstall"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert not [f for f in dest.rglob("*") if f.is_file()]
