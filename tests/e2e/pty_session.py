#!/usr/bin/env python3
"""pty_session.py GRR TRACE XDG_DATA_HOME KEYS... - runs `GRR replay --quiet
TRACE` on a pseudo-terminal, types each KEYS argument (Python escapes:
\\t, \\n, \\x1b) after the previous one's output settled, and prints what
the terminal showed, without carriage returns and terminal escapes."""
import os
import pty
import re
import select
import sys
import time


def main():
    grr, trace, xdg = sys.argv[1:4]
    keys = [k.encode().decode("unicode_escape") for k in sys.argv[4:]]
    env = dict(os.environ, XDG_DATA_HOME=xdg, TERM="xterm", HOME=xdg)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(grr, [grr, "replay", "--quiet", trace], env)
    out = bytearray()

    def settle(quiet=0.4, limit=20.0):
        end = time.time() + limit
        last = time.time()
        while time.time() < end and time.time() - last < quiet:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return False
                if not data:
                    return False
                out.extend(data)
                last = time.time()
        return True

    settle(quiet=1.0)
    for k in keys:
        os.write(fd, k.encode())
        if not settle():
            break
    deadline = time.time() + 10
    while time.time() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        settle(quiet=0.2, limit=0.5)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    text = out.decode(errors="replace").replace("\r", "")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    text = re.sub(r"\x1b[=>]", "", text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
