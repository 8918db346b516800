"""A real desktop: Xvfb, GNOME's notification-daemon (it draws the action
buttons), ImageMagick's `import` for a screenshot, tesseract to read it and
xdotool to click. calfd prompts, the bubble shows the title and Start,
Snooze and Skip, and a click on Snooze snoozes the session.

With $CALF_SCREENSHOT set, the screenshot is copied there
(scripts/screenshots.sh makes doc/notification.png this way)."""

import os
import shutil
import subprocess
import time

import pytest

from calfsys import future, hms, routine_text, session_ini
from dbusfix import PrivateBus, wait_for
from test_notify import SOAK, notify_env, status_of

DAEMON = "/usr/lib/notification-daemon/notification-daemon"
TOOLS = ("Xvfb", "import", "convert", "xdotool", "tesseract")
SCALE = 3       # tesseract reads the small button labels when enlarged


def need_desktop():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if not os.access(DAEMON, os.X_OK):
        missing.append(DAEMON)
    if missing:
        pytest.skip("needs " + ", ".join(missing) + " (scripts/deps.sh: "
                    "xvfb imagemagick xdotool tesseract-ocr "
                    "notification-daemon)")


@pytest.fixture
def xvfb(tmp_path):
    need_desktop()
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "800x600x24",
         "-nolisten", "tcp"], pass_fds=(w,), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    assert num, "Xvfb gave no display"
    yield f":{num}"
    proc.terminate()
    proc.wait(timeout=10)


def words(png, tmp_path):
    """The words tesseract reads on the screen: (text, x, y) with the
    centre of each word in screen pixels."""
    big = tmp_path / "big.png"
    subprocess.run(["convert", str(png), "-resize", f"{SCALE * 100}%",
                    "-colorspace", "Gray", str(big)], check=True)
    out = subprocess.run(["tesseract", str(big), "-", "tsv"], check=True,
                         capture_output=True).stdout.decode()
    found = []
    for line in out.splitlines()[1:]:
        f = line.split("\t")
        if len(f) == 12 and f[11].strip():
            x, y, w, h = (int(v) for v in f[6:10])
            found.append((f[11].strip(), (x + w / 2) / SCALE,
                          (y + h / 2) / SCALE))
    return found


def test_real_bubble_shows_buttons_and_snooze_snoozes(calf, tmp_path, xvfb):
    bus = PrivateBus(tmp_path)
    env = dict(os.environ, DISPLAY=xvfb,
               DBUS_SESSION_BUS_ADDRESS=bus.address)
    nd = subprocess.Popen([DAEMON], env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: bus.has("org.freedesktop.Notifications"), 20,
                 "notification-daemon on the bus")
        t = future(3)
        # No probe session: this notification-daemon under Xvfb without
        # a window manager leaves its first bubble up even when closed,
        # so the first bubble must be the prompt.
        d = calf.start(routine_text(session_ini("soak", at=hms(t), **SOAK),
                                    probe=False), env=notify_env(bus))
        wait_for(lambda: status_of(d, "soak") == "due", 15, "the prompt")
        shot = tmp_path / "notification.png"

        def seen():
            subprocess.run(["import", "-display", xvfb, "-window", "root",
                            str(shot)], check=True)
            ws = words(shot, tmp_path)
            texts = [x[0] for x in ws]
            if all(k in texts for k in ("Warm", "soak", "Start", "Snooze",
                                        "Skip")):
                return ws
            return None
        ws = wait_for(seen, 20, "the bubble with its buttons on screen")
        if os.environ.get("CALF_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["CALF_SCREENSHOT"])
        _, x, y = [v for v in ws if v[0] == "Snooze"][0]
        subprocess.run(["xdotool", "mousemove", str(int(x)), str(int(y)),
                        "click", "1"], env=env, check=True)
        wait_for(lambda: status_of(d, "soak") == "snoozed", 10,
                 "the click on Snooze")
        assert "snoozed soak" in d.stderr()
    finally:
        nd.terminate()
        nd.wait(timeout=10)
        bus.stop()
