#!/usr/bin/env python3
"""fault_steps.py -- every-step fault loops for quan's money paths (issue 17).

The way SQLite tests itself: run one money path with a fault at step N of
its store I/O, for N = 1, 2, ... until the path completes without reaching
step N; after each fault restart (age what a crash left open, `quan sync
--once` against the simulator, which recovers and settles) and check:

  sent    every request the simulator's ledger holds for this round's
          coupons is recorded as sent in the till as the faulted process
          left it (outbox attempts > unreached: a send that may have
          landed) -- "sent" was committed before it left;
  once    no idempotency key used twice (till: use and return keys, outbox
          request numbers; simulator: no coupon used more than returned + 1,
          each use under the till's own key);
  agree   after sync the simulator's ledger and the till agree: a coupon
          used (net of returns) at the simulator is confirmed in the till,
          one returned or never used is not, nothing is pending, unknown or
          in conflict;
  kept    a grant the faulted command reported (exit 0, JSON) is in the
          store after recovery;
  journal `quan journal verify` passes (it runs integrity_check first).

A step is one write or fsync of the database, its WAL or journal, counted
by the fault VFS (tests/store/faultvfs.c, LD_PRELOAD: the quan binary is
the one that ships). Loops per path: ioerr (every step fails once with
SQLITE_IOERR), full (every write from step N on fails with SQLITE_FULL: a
disk that stays full) and exit (_exit at step N, a crash). Prints the steps
of each path and how many were run.

Usage: fault_steps.py PATH...   (redeem settle void return recover import)
Env: QUAN, QUAN_FAULTVFS; FAULT_STRIDE (1: every step; a sanitizer build
runs every STRIDE-th step from 1, and always the last), FAULT_KINDS
(default "ioerr full exit"), FAULT_JOBS (rounds at once, 2),
FAULT_DELAY_MS (an I/O error or _exit first waits this long at its step,
50: a request posted before its "sent" is durable leaves meanwhile), FAULT_KEEP=1 keeps
the work dir.
"""
import concurrent.futures
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

QUAN = os.environ["QUAN"]
VFS = os.environ["QUAN_FAULTVFS"]
STRIDE = max(1, int(os.environ.get("FAULT_STRIDE", "1")))
KINDS = os.environ.get("FAULT_KINDS", "ioerr full exit").split()
DELAY_MS = int(os.environ.get("FAULT_DELAY_MS", "50"))
JOBS = max(1, int(os.environ.get("FAULT_JOBS", "2")))
EXIT_CODE = 86  # faultvfs.c QUAN_FAULT_EXIT_CODE
# in memory when there is a tmpfs: the loops count fsyncs, they do not
# need them to wait for a disk (a third of a run's time on a shared disk)
W = tempfile.mkdtemp(prefix="quan-faults-", dir="/dev/shm" if os.access(
    "/dev/shm", os.W_OK) else None)
SIM = os.path.join(W, "sim")
simproc = None


class Fail(Exception):
    pass


def run(args, conf, data, env=None, stdin=None, check=False):
    e = dict(os.environ)
    e.update({"QUAN_CONFIG": conf, "QUAN_DATA": data})
    e.pop("LD_PRELOAD", None)
    if env:
        e.update(env)
    p = subprocess.run([QUAN] + args, env=e, input=stdin, capture_output=True,
                       text=True, timeout=120)
    if check and p.returncode != 0:
        raise Fail("quan %s: exit %d: %s %s" % (" ".join(args), p.returncode,
                                                p.stdout, p.stderr))
    return p


def start_sim():
    global simproc
    out = open(os.path.join(W, "sim.out"), "w")
    simproc = subprocess.Popen([QUAN, "sim", "serve", SIM, "--listen",
                                "127.0.0.1:0", "--seed", "17"], stdout=out,
                               stderr=open(os.path.join(W, "sim.err"), "a"))
    for _ in range(200):
        if "listening" in open(os.path.join(W, "sim.out")).read():
            return
        time.sleep(0.05)
    raise Fail("the simulator did not start")


def stop_sim():
    global simproc
    if simproc is not None:
        simproc.terminate()
        try:
            simproc.wait(10)
        except subprocess.TimeoutExpired:
            simproc.kill()
            simproc.wait()
        simproc = None


class World:
    """The simulator (one per run), two configs and a till template."""

    def __init__(self):
        subprocess.run([QUAN, "sim", "init", SIM], check=True,
                       capture_output=True)
        subprocess.run([QUAN, "sim", "seed", SIM], check=True,
                       capture_output=True)
        start_sim()
        self.live = os.path.join(SIM, "quan.conf")
        with open(self.live, "a") as f:
            f.write("\n[offline]\ndefault_policy = offline_ok\n"
                    "max_coupon_fen = 1000000\nmax_per_hour = 1000000\n"
                    "max_exposure_fen = 1000000000\n")
        # WeChat unreachable (connection refused): decided offline
        self.dead = os.path.join(SIM, "dead.conf")
        with open(self.live) as f, open(self.dead, "w") as g:
            for line in f:
                if line.startswith("base_url"):
                    line = "base_url = https://127.0.0.1:9\n"
                g.write(line)
        self.tmpl = os.path.join(W, "template")
        self.codes = []
        self.used = 0
        self.lock = threading.Lock()

    def template(self, ncodes):
        d = self.tmpl
        for k in ("stocks", "cards"):
            run(["import", k, os.path.join(SIM, "import", k + ".json")],
                self.live, d, check=True)
        run(["import", "codes", os.path.join(SIM, "import", "codes.csv")],
            self.live, d, check=True)
        run(["staff", "add", "1001", "--role", "cashier", "--pin", "1234"],
            self.live, d, check=True)
        run(["staff", "add", "9001", "--role", "manager", "--pin", "9999"],
            self.live, d, check=True)
        p = run(["bench", "sync", "--mint", str(ncodes)], self.live, d,
                check=True)
        self.codes = p.stdout.split()
        if len(self.codes) != ncodes:
            raise Fail("minted %d of %d codes" % (len(self.codes), ncodes))

    def mint(self, n):
        """At least n unused codes in the template (between batches)."""
        if self.used + n > len(self.codes):
            p = run(["bench", "sync", "--mint", str(n + 50)], self.live,
                    self.tmpl, check=True)
            new = p.stdout.split()
            self.codes += new
            self.per_txn(new[0])

    def per_txn(self, code):
        """Each mint is a new stock: two of its coupons in one sale."""
        q = sqlite3.connect(os.path.join(self.tmpl, "quan.db"))
        stock = q.execute("SELECT target FROM codes WHERE code = ?",
                          (code,)).fetchone()[0]
        q.close()
        for conf in (self.live, self.dead):
            with open(conf, "a") as f:
                f.write('\n[stock "%s"]\nper_txn = 2\n' % stock)
        return stock

    def take(self, n):
        with self.lock:
            if self.used + n > len(self.codes):
                raise Fail("out of minted codes")
            c = self.codes[self.used:self.used + n]
            self.used += n
        return c

    def fresh(self, name):
        d = os.path.join(W, name)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(self.tmpl, d)
        return d


def simdb():
    q = sqlite3.connect("file:%s/sim.db?mode=ro" % SIM, uri=True, timeout=10)
    return q


def ledger(codes):
    q = simdb()
    marks = ",".join("?" * len(codes))
    rows = q.execute("SELECT kind, code, request_no FROM ledger WHERE code "
                     "IN (%s) ORDER BY id" % marks, codes).fetchall()
    q.close()
    return rows


def check_sent(data, codes):
    """Every request the simulator applied is recorded as sent."""
    q = sqlite3.connect(os.path.join(data, "quan.db"), timeout=10)
    bad = []
    for kind, code, rn in ledger(codes):
        if kind == "card_consume":
            r = q.execute("SELECT max(o.attempts - o.unreached) FROM "
                          "outbox o JOIN "
                          "redemptions r ON r.id = o.red_id WHERE "
                          "r.code = ? AND o.op IN ('consume','use')",
                          (code,)).fetchone()
        else:
            r = q.execute("SELECT attempts - unreached FROM outbox WHERE "
                          "request_no = ?", (rn,)).fetchone()
        if r is None or r[0] is None or r[0] < 1:
            bad.append("%s %s %s: at the simulator, the till has %s" %
                       (kind, code, rn, "no row" if r is None else
                        "%s sends that may have landed" % r[0]))
    q.close()
    if bad:
        raise Fail("sent: a request left before it was recorded as sent: " +
                   "; ".join(bad[:3]))


def age(data):
    q = sqlite3.connect(os.path.join(data, "quan.db"), timeout=10)
    q.execute("UPDATE txns SET opened_at = opened_at - 600 WHERE "
              "state = 'open'")
    q.commit()
    q.close()


def restart(w, data):
    age(data)
    for _ in range(5):
        p = run(["sync", "--once", "--timeout", "20"], w.live, data)
        if p.returncode == 0:
            return
    raise Fail("sync --once did not settle: exit %d %s" %
               (p.returncode, p.stderr.strip()[-300:]))


def check_after(w, data, codes, reported):
    q = sqlite3.connect(os.path.join(data, "quan.db"), timeout=10)
    dup = q.execute(
        "SELECT k, count(*) FROM (SELECT idem_key AS k FROM redemptions "
        "WHERE idem_key IS NOT NULL UNION ALL SELECT return_key FROM "
        "redemptions WHERE return_key IS NOT NULL) GROUP BY k HAVING "
        "count(*) > 1").fetchall()
    dup += q.execute("SELECT request_no, count(*) FROM outbox GROUP BY 1 "
                     "HAVING count(*) > 1").fetchall()
    if dup:
        raise Fail("once: idempotency key used twice in the till: %s" % dup)
    left = q.execute("SELECT count(*) FROM outbox WHERE state IN "
                     "('pending','unknown')").fetchone()[0]
    if left:
        raise Fail("agree: %d outbox rows left after sync" % left)
    uses, rets = {}, {}
    for kind, code, rn in ledger(codes):
        if kind in ("use", "card_consume"):
            uses.setdefault(code, []).append(rn)
        elif kind == "return":
            rets[code] = rets.get(code, 0) + 1
    bad = []
    for c in codes:
        rows = q.execute("SELECT state, idem_key, discount_fen FROM "
                         "redemptions WHERE code = ? ORDER BY id",
                         (c,)).fetchall()
        u = uses.get(c, [])
        net = len(u) - rets.get(c, 0)
        conf = [r for r in rows if r[0] == "confirmed"]
        odd = [r for r in rows if r[0] not in ("confirmed", "rejected",
                                               "returned")]
        keys = {r[1] for r in rows if r[1]}
        if net not in (0, 1) or net != len(conf) or odd:
            bad.append("%s: simulator used %d returned %d, till %s" %
                       (c, len(u), rets.get(c, 0), rows))
        for rn in u:
            if rn is not None and rn not in keys:
                bad.append("%s: used at the simulator under %s, not a key "
                           "of the till (%s)" % (c, rn, rows))
    for c, disc in reported:
        r = q.execute("SELECT state, discount_fen FROM redemptions WHERE "
                      "code = ? AND state = 'confirmed'", (c,)).fetchone()
        if r is None or r[1] != disc:
            bad.append("kept: %s reported granted (%d fen), store has %s" %
                       (c, disc, q.execute("SELECT state, discount_fen FROM "
                                           "redemptions WHERE code = ?",
                                           (c,)).fetchall()))
    q.close()
    if bad:
        raise Fail("agree/once: " + "; ".join(bad[:3]))
    p = run(["journal", "verify"], w.live, data)
    if p.returncode != 0:
        raise Fail("journal verify: %s %s" % (p.stdout, p.stderr))


def granted(stdout):
    """(code, discount) of the coupons a redeem reported as granted."""
    try:
        d = json.loads(stdout)
    except ValueError:
        return []
    return [(c["code"], c["discount_fen"]) for c in d.get("coupons", [])
            if c.get("state") in ("confirmed", "accepted_offline")
            and c.get("discount_fen", 0) > 0]


def faulted(args, conf, data, kind, n, stdin=None, on=None):
    """Run one quan command with the fault VFS; (process, fired, steps)."""
    rep = os.path.join(data, "fault.rep")
    if os.path.exists(rep):
        os.unlink(rep)
    env = {"LD_PRELOAD": VFS, "QUAN_FAULT_AT": str(n),
           "QUAN_FAULT_REPORT": rep,
           "QUAN_FAULT_DO": kind if kind != "count" else "ioerr",
           "QUAN_FAULT_ON": on or ("write" if kind == "full" else "step"),
           "QUAN_FAULT_PERSIST": "1" if kind == "full" else "0",
           "QUAN_FAULT_DELAY_MS": str(DELAY_MS if kind != "full" else 0),
           # ASan wants its runtime first; the shim is preloaded before it
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") +
           ":verify_asan_link_order=0"}
    if kind == "count":
        env["QUAN_FAULT_AT"] = "0"
    p = run(args, conf, data, env=env, stdin=stdin)
    fired, steps = False, None
    if os.path.exists(rep):
        for line in open(rep):
            f = line.split()
            if f[0] == "fired":
                fired = True
            elif f[0] == "steps":
                steps = int(f[1])
    if p.returncode not in (0, 1, 3, 4, EXIT_CODE) or \
            (p.returncode == EXIT_CODE) != (fired and kind == "exit"):
        raise Fail("quan %s: exit %d under %s at step %d: %s" %
                   (" ".join(args), p.returncode, kind, n, p.stderr[-400:]))
    return p, fired, steps


# ---- the paths --------------------------------------------------------------
# Each takes fresh codes, prepares the data dir (unfaulted) and returns a
# Round: the codes it touches, the command to fault, and whether that
# command reports grants (JSON) that must survive.

class Round:
    def __init__(self, codes, args, conf, stdin=None, reports=False,
                 after=None):
        self.codes, self.args, self.conf = codes, args, conf
        self.stdin, self.reports, self.after = stdin, reports, after


def txn_of(out):
    return str(json.loads(out)["txn"])


def path_redeem(w, data):
    """quan redeem online: the sale's commit, "sent", the answer, the
    decision (both commits of the exactly-once design)."""
    codes = w.take(1)
    return Round(codes, ["redeem", "--json", "--amount", "100"] + codes,
                 w.live, reports=True)


def path_settle(w, data):
    """quan sync --once: the pump commits "sent", then posts; the answers
    (confirmed) are applied. Two coupons redeemed offline before."""
    codes = w.take(2)
    run(["redeem", "--json", "--amount", "100"] + codes, w.dead, data,
        check=True)
    return Round(codes, ["sync", "--once", "--timeout", "20"], w.live)


def path_void(w, data):
    """quan void --by a manager of a confirmed sale: return_pending, the
    return queued (sent by the restart's sync)."""
    codes = w.take(1)
    p = run(["redeem", "--json", "--amount", "100"] + codes, w.live, data,
            check=True)

    def after(v):
        """A void the manager was told succeeded is kept: returned."""
        if v.returncode != 0:
            return
        q = sqlite3.connect(os.path.join(data, "quan.db"))
        st = q.execute("SELECT state FROM redemptions WHERE code = ?",
                       codes).fetchall()
        q.close()
        if st != [("returned",)]:
            raise Fail("kept: quan void said voided, the coupon is %s" % st)
    return Round(codes, ["void", "--by", "9001", "--reason", "fault loop",
                         txn_of(p.stdout)], w.live, stdin="9999\n",
                 after=after)


def path_return(w, data):
    """quan sync --once sending the return of a voided sale."""
    codes = w.take(1)
    p = run(["redeem", "--json", "--amount", "100"] + codes, w.live, data,
            check=True)
    run(["void", "--by", "9001", "--reason", "fault loop", txn_of(p.stdout)],
        w.live, data, stdin="9999\n", check=True)
    return Round(codes, ["sync", "--once", "--timeout", "20"], w.live)


def path_recover(w, data):
    """quan sync --once recovering a redeem cut off between its commits
    (its use sent, no decision): the txn voided, the use resent under its
    key and returned."""
    codes = w.take(1)
    _, fired, _ = faulted(["redeem", "--json", "--amount", "100"] + codes,
                          w.live, data, "exit", w.recover_at)
    if not fired:
        raise Fail("recover setup: the redeem was not cut off")
    age(data)
    return Round(codes, ["sync", "--once", "--timeout", "20"], w.live)


def path_import(w, data):
    """quan import codes: 300 new codes and one already used (it must stay
    used); a cut import is finished by the next one."""
    codes = [w.import_used]  # redeemed once in the template
    f = os.path.join(data, "import.csv")
    tag = os.path.basename(data)
    new = ["QF%s%04d" % (tag, i) for i in range(300)]
    with open(f, "w") as g:
        for c in new + codes:
            g.write("%s,merchant,%s\n" % (c, w.stock))

    def count_new():
        q = sqlite3.connect(os.path.join(data, "quan.db"))
        n = q.execute("SELECT count(*) FROM codes WHERE code LIKE 'QF%'"
                      ).fetchone()[0]
        q.close()
        return n

    def after(cut):
        if cut.returncode == 0 and count_new() != len(new):
            raise Fail("kept: import said done, %d of %d codes stored" %
                       (count_new(), len(new)))
        p = run(["import", "codes", f], w.live, data)
        if p.returncode != 0:
            raise Fail("import rerun: %s" % p.stderr)
        n = count_new()
        if n != len(new):
            raise Fail("import: %d of %d codes after the rerun" %
                       (n, len(new)))
        st = run(["check", "--json", "--amount", "100", codes[0]], w.live,
                 data)
        if "already_used" not in st.stdout:
            raise Fail("import: the used code %s is usable again: %s" %
                       (codes[0], st.stdout))
    return Round(codes, ["import", "codes", f], w.live, after=after)


PATHS = {"redeem": path_redeem, "settle": path_settle, "void": path_void,
         "return": path_return, "recover": path_recover,
         "import": path_import}


def one(w, name, kind, n, tag):
    """One faulted run at step n, the restart and every check."""
    data = w.fresh(tag)
    r = PATHS[name](w, data)
    p, fired, _ = faulted(r.args, r.conf, data, kind, n, r.stdin)
    check_sent(data, r.codes)
    restart(w, data)
    kept = granted(p.stdout) if r.reports and p.returncode in (0, 3, 4) \
        else []
    check_after(w, data, r.codes, kept)
    if r.after:
        r.after(p)
    shutil.rmtree(data, ignore_errors=True)
    return fired


def count(w, name, kind):
    """Steps of one run of the path that `kind` acts on."""
    data = w.fresh("count")
    r = PATHS[name](w, data)
    _, _, steps = faulted(r.args, r.conf, data, "count", 0, r.stdin,
                          on="write" if kind == "full" else "step")
    if steps is None:
        raise Fail("%s: the fault VFS is not loaded (no step count)" % name)
    return steps


def find_recover_at(w):
    """The last step of a redeem at which its use is sent, not decided."""
    total = count(w, "redeem", "exit")
    for n in range(total, 0, -1):
        data = w.fresh("find")
        codes = w.take(1)
        faulted(["redeem", "--json", "--amount", "100"] + codes, w.live,
                data, "exit", n)
        q = sqlite3.connect(os.path.join(data, "quan.db"))
        r = q.execute("SELECT t.state, o.attempts FROM txns t JOIN "
                      "redemptions r ON r.txn_id = t.id JOIN outbox o ON "
                      "o.red_id = r.id WHERE r.code = ?", codes).fetchone()
        q.close()
        if r is not None and r[0] == "open" and r[1] > 0:
            return n
    raise Fail("no step of a redeem leaves its use sent and undecided")


def loop(w, name, kind):
    """Fault every step (every STRIDE-th, and the last) in JOBS parallel
    rounds, then one past the end until a run completes unfaulted."""
    steps = count(w, name, kind)
    ns = list(range(1, steps + 1, STRIDE))
    if ns[-1] != steps:
        ns.append(steps)
    w.mint(3 * (len(ns) + 2))
    fired = 0
    with concurrent.futures.ThreadPoolExecutor(JOBS) as ex:
        futs = {ex.submit(one, w, name, kind, n, "%s-%s-%d" % (name, kind,
                          n)): n for n in ns}
        for f in concurrent.futures.as_completed(futs):
            try:
                fired += f.result()
            except Fail as e:
                for g in futs:
                    g.cancel()
                raise Fail("%s, %s at step %d: %s" % (name, kind, futs[f],
                                                      e))
    # a run's steps vary a little with timing (answers applied together or
    # one by one): a round past its run's end completed unfaulted, which is
    # checked all the same
    n = steps + 1
    while True:  # one past the end (a run may take a step more)
        w.mint(10)
        try:
            f = one(w, name, kind, n, "%s-%s-end" % (name, kind))
        except Fail as e:
            raise Fail("%s, %s at step %d: %s" % (name, kind, n, e))
        if not f:
            return len(ns) + n - steps, fired + n - steps - 1, n - 1
        n += 1


def main():
    names = sys.argv[1:] or list(PATHS)
    for n in names:
        if n not in PATHS:
            raise Fail("no path %s (paths: %s)" % (n, " ".join(PATHS)))
    t0 = time.time()
    w = World()
    w.template(200)
    w.stock = w.per_txn(w.codes[0])
    if "recover" in names:
        w.recover_at = find_recover_at(w)
    if "import" in names:
        w.import_used = w.take(1)[0]
        run(["redeem", "--json", "--amount", "100", w.import_used], w.live,
            w.tmpl, check=True)
    total_runs = 0
    for name in names:
        t1 = time.time()
        line = []
        for kind in KINDS:
            runs, hit, last = loop(w, name, kind)
            line.append("%s %d runs (%d faulted) to step %d" % (
                kind, runs, hit, last))
            total_runs += runs
        print("%-7s %s; %.0f s" % (name, ", ".join(line), time.time() - t1),
              flush=True)
    print("ok: %d faulted runs, %d paths, every %s covered, then a run to "
          "the end unfaulted; %.0f s" % (
              total_runs, len(names), "step" if STRIDE == 1 else
              "%dth step from 1 and the last" % STRIDE, time.time() - t0))


if __name__ == "__main__":
    rc = 0
    # a timeout (ctest's SIGTERM) still stops the simulator
    # (the rounds' thread pool would finish its queue on sys.exit)
    def term(*_):
        stop_sim()
        os._exit(1)
    signal.signal(signal.SIGTERM, term)
    try:
        main()
    except Fail as e:
        print("FAIL: %s" % e, file=sys.stderr)
        rc = 1
    finally:
        stop_sim()
        if rc == 0 and os.environ.get("FAULT_KEEP") != "1":
            shutil.rmtree(W, ignore_errors=True)
        else:
            print("work dir kept: %s" % W, file=sys.stderr)
    sys.exit(rc)
