#!/usr/bin/env python3
"""keys_probe.py SOCKET SESSION OUT_FILE [MAX_KEYS] — press Enter (the
sale's confirm), then type letters into the terminal running in tmux
SESSION (server -L SOCKET) one at a time, each as soon as the previous one
is drawn, until the screen says the redeem is over
("Amount (yuan)") or MAX_KEYS (default 200) were typed. Each key is timed
from tmux being told to send it to tmux reporting the program's output
that draws it (tmux control mode: %output notifications, no polling), in
microseconds, one line per key appended to OUT_FILE. A key not drawn
within 10 s ends the run. Used by bench_keys.sh."""
import os, select, subprocess, sys, time

sock, sess, out = sys.argv[1], sys.argv[2], sys.argv[3]
max_keys = int(sys.argv[4]) if len(sys.argv) > 4 else 200
# a control client that does not change the window's size
p = subprocess.Popen(["tmux", "-L", sock, "-C", "attach", "-t", sess,
                      "-f", "ignore-size,read-only"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     bufsize=0)
buf = b""


def lines(timeout):
    """Control-mode lines read within timeout seconds."""
    global buf
    end = time.monotonic() + timeout
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line
        left = end - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([p.stdout], [], [], left)
        if not r:
            return
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            return
        buf += chunk


def unescape(b):
    """%output data: octal escapes for bytes < 32 and backslash."""
    o, i = bytearray(), 0
    while i < len(b):
        if b[i] == 0x5c and b[i+1:i+4].isdigit():
            o.append(int(b[i+1:i+4], 8)); i += 4
        else:
            o.append(b[i]); i += 1
    return bytes(o)


def screen():
    """The pane's text, through the control client."""
    p.stdin.write(b"capture-pane -p -t " + sess.encode() + b"\n")
    text, inside = [], False
    for line in lines(5):
        if line.startswith(b"%begin"):
            inside = True
        elif line.startswith(b"%end") or line.startswith(b"%error"):
            if inside:
                break
        elif inside:
            text.append(line)
    return b"\n".join(text)


for _ in lines(0.2):
    pass  # the attach's own chatter
# confirm the sale (Enter on the empty scan field), then type at once
p.stdin.write(b"send-keys -t " + sess.encode() + b" Enter\n")
samples = []
key = b"z"
for k in range(max_keys):
    if b"Amount (yuan)" in screen():
        break
    t0 = time.monotonic()
    p.stdin.write(b"send-keys -t " + sess.encode() + b" -l " + key + b"\n")
    seen = False
    for line in lines(10):
        if line.startswith(b"%output ") and \
                key in unescape(line.split(b" ", 2)[2]):
            samples.append(int((time.monotonic() - t0) * 1e6))
            seen = True
            break
    if not seen:
        break
with open(out, "a") as f:
    for s in samples:
        f.write("%d\n" % s)
p.stdin.close()
p.terminate()
p.wait()
