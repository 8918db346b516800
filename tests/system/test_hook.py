"""The hook (doc/daemon.md): `hook = /abs/path` runs for every event with
the event in its environment, directly (no shell), bounded in time and in
number, and reaped."""

import pathlib
import subprocess
import tempfile
import time

from calfsys import CALFD, EX_CONFIG, clean_env, routine_text, session_ini


def script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def env_lines(path):
    """The hook's records: one dict per run."""
    if not path.exists():
        return []
    runs = []
    for block in path.read_text().split("--\n"):
        if not block.strip():
            continue
        d = {}
        for line in block.splitlines():
            k, _, v = line.partition("=")
            d[k] = v
        runs.append(d)
    return runs


def wait_for(pred, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_hook_sees_every_event_with_its_fields(calf, tmp_path):
    out = tmp_path / "events"
    hook = script(tmp_path / "hook.sh",
                  f'printf "CALF_EVENT=%s\\nCALF_SESSION=%s\\nCALF_TITLE=%s\\n'
                  f'CALF_MESSAGE=%s\\nCALF_DUE_USEC=%s\\n--\\n" '
                  f'"$CALF_EVENT" "$CALF_SESSION" "$CALF_TITLE" '
                  f'"$CALF_MESSAGE" "$CALF_DUE_USEC" >> {out}\n'
                  'echo "hook ran for $CALF_EVENT"\n')
    d = calf.start(routine_text(
        session_ini("soak", duration="30m", title="Warm foot soak"),
        calfd={"hook": str(hook)}, probe=False))
    d.ctl_json("start", "soak")
    d.ctl_json("done", "soak")
    d.ctl_json("pause")
    d.ctl_json("resume")
    runs = wait_for(lambda: len(env_lines(out)) >= 4 and env_lines(out))
    kinds = sorted(r["CALF_EVENT"] for r in runs)
    assert kinds == ["done", "paused", "resumed", "started"], runs
    started = [r for r in runs if r["CALF_EVENT"] == "started"][0]
    assert started["CALF_SESSION"] == "soak"
    assert started["CALF_TITLE"] == "Warm foot soak"
    assert started["CALF_MESSAGE"].startswith("Warm foot soak started")
    assert int(started["CALF_DUE_USEC"]) > 1_500_000_000 * 1_000_000
    paused = [r for r in runs if r["CALF_EVENT"] == "paused"][0]
    assert paused["CALF_SESSION"] == ""
    # Its output reaches the log.
    wait_for(lambda: "hook: hook ran for done" in d.stderr())


def test_text_from_the_routine_never_becomes_a_command(calf, tmp_path):
    out = tmp_path / "message"
    short = pathlib.Path(tempfile.mkdtemp(prefix="calfh"))  # lines fit
    bad1, bad2 = short / "p1", short / "p2"
    hook = script(tmp_path / "hook.sh",
                  f'printf "%s\\n" "$CALF_MESSAGE" >> {out}\n')
    msg = f"Soak $(touch {bad1}) now `touch {bad2}` ; touch {bad1} |"
    d = calf.start(routine_text(
        session_ini("soak", duration="30m", title="T $(touch " +
                    str(bad1) + ")", finish=msg),
        calfd={"hook": str(hook), "hook-timeout": "5s"}, probe=False))
    d.ctl_json("start", "soak")
    wait_for(lambda: out.exists() and out.read_text())
    assert "$(touch" in out.read_text()
    time.sleep(0.3)
    assert not bad1.exists() and not bad2.exists()


def zombies_of(pid):
    """calfd's children that are zombies."""
    z = []
    for p in pathlib.Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] == "Z":
            z.append(int(p.name))
    return z


def test_a_hook_that_hangs_is_killed_with_its_group(calf, tmp_path):
    pids = tmp_path / "pids"
    hook = script(tmp_path / "hook.sh",
                  f'sleep 1000 &\necho $! >> {pids}\necho $$ >> {pids}\n'
                  'exec sleep 1000\n')
    d = calf.start(routine_text(
        session_ini("soak", duration="30m"),
        calfd={"hook": str(hook), "hook-timeout": "1s"}, probe=False))
    d.ctl_json("start", "soak")
    wait_for(lambda: pids.exists() and len(pids.read_text().split()) == 2)
    procs = [int(x) for x in pids.read_text().split()]
    wait_for(lambda: "killed with its process group" in d.stderr(), 15)

    def gone():
        for p in procs:
            try:
                st = pathlib.Path(f"/proc/{p}/stat").read_text()
            except OSError:
                continue
            if st.rsplit(")", 1)[1].split()[0] != "Z":
                return False
        return True
    wait_for(gone, 10)
    wait_for(lambda: zombies_of(d.pid) == [], 10)
    assert d.alive()


def test_hooks_are_capped_and_reaped(calf, tmp_path):
    hook = script(tmp_path / "hook.sh", "sleep 2\n")
    d = calf.start(routine_text(
        session_ini("soak", duration="30m"),
        calfd={"hook": str(hook)}, probe=False))
    for _ in range(3):
        d.ctl_json("start", "soak")
        d.ctl_json("stop", "soak")
    wait_for(lambda: "runs still going" in d.stderr())
    # All finish within their time and leave no zombie behind.
    time.sleep(2.5)
    wait_for(lambda: zombies_of(d.pid) == [], 10)
    assert d.alive()


def test_check_config_refuses_a_missing_or_plain_file(tmp_path):
    plain = tmp_path / "plain.sh"
    plain.write_text("#!/bin/sh\n")
    plain.chmod(0o644)
    for value, says in ((str(tmp_path / "nope"), "No such file"),
                        (str(plain), "not executable"),
                        ("relative.sh", "not an absolute path"),
                        (str(tmp_path), "not a regular file")):
        ini = tmp_path / "r.ini"
        ini.write_text(f"[calfd]\nhook = {value}\n\n[soak]\nduration = 5m\n")
        r = subprocess.run([str(CALFD), "--check-config", "-c", str(ini)],
                           capture_output=True, env=clean_env())
        assert r.returncode == EX_CONFIG, r
        err = r.stderr.decode() + r.stdout.decode()
        assert f"{ini}:2: `hook = {value}`" in err, err
        assert says in err, err
