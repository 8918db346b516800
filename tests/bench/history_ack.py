"""What durable-before-acknowledged costs: N start/done pairs from C
clients at once against a calfd whose history folder is on the disk under
test, each reply read before the next request. Prints the time per
acknowledged action and the reply's median and 99th percentile.

    CALF_BUILD=build python3 tests/bench/history_ack.py [N] [C] [FOLDER]

FOLDER (default: a new folder under the system's temporary folder) holds
calfd's state and history; put it on tmpfs to see the cost without the
disk, which is the cost of the worker thread and the held reply alone.
"""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = pathlib.Path(os.environ.get("CALF_BUILD", "build")).resolve()


def client(sock, k, n, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    f = s.makefile("rwb")
    for _ in range(n):
        for cmd in ("start", "done"):
            t = time.perf_counter()
            f.write(json.dumps({"command": [cmd, f"s{k}"]}).encode() + b"\n")
            f.flush()
            line = f.readline()
            out.append(time.perf_counter() - t)
            if b'"success"' not in line:
                raise SystemExit(f"refused: {line!r}")
    s.close()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    c = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    base = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else
                        tempfile.mkdtemp(prefix="calf-bench-"))
    work = base / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "r.ini").write_text("".join(f"[s{k}]\nduration = 1h\n"
                                        for k in range(c)))
    sock = str(work / "s")
    env = dict(os.environ, TZ="UTC")
    p = subprocess.Popen([str(BUILD / "calfd"), "-c", str(work / "r.ini"),
                          "-s", sock, "--state-dir", str(work / "st")],
                         env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        out = []
        t0 = time.perf_counter()
        ts = [threading.Thread(target=client, args=(sock, k, n // c, out))
              for k in range(c)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        el = time.perf_counter() - t0
    finally:
        p.terminate()
        p.wait()
    out.sort()
    print(f"{len(out)} acknowledged actions from {c} clients in {el:.2f}s: "
          f"{el / len(out) * 1000:.2f} ms each; reply median "
          f"{out[len(out) // 2] * 1000:.2f} ms, 99th percentile "
          f"{out[int(len(out) * .99)] * 1000:.2f} ms")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
