#!/usr/bin/python3
# The first ten minutes (issue 7): `scripts/demo.sh` as `make demo` runs it,
# here without a terminal (it then waits for the session to end instead of
# attaching). Checks: the four titled panes come up (supervisor, alice in
# Sales, carol in Support, the log); the figures move on their own (cbd-sim's
# virtual agents complete callbacks: the supervisor pane's Support Proc goes
# up and matches GET /stats); the human Support agent receives a real offer,
# accepts, connects and completes it as Handled, and the server agrees;
# leaving the session stops cbd and cbd-sim; running the demo again works.
# Only for the normal build (the demo builds and runs build/).
import json, os, re, signal, subprocess, sys, time, urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Tap, wait_for

t = Tap()
root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
build = os.environ.get("CB_BUILD", os.path.join(root, "build"))
if os.path.basename(build.rstrip("/")) != "build":
    print("1..0 # SKIP the demo runs the normal build only")
    sys.exit(0)
demo_dir = os.path.join(root, "build", "demo")


def T(*args):
    return subprocess.run(["tmux", "-L", "cbd-demo"] + list(args), capture_output=True, text=True)


def pane(session, i):
    return T("capture-pane", "-p", "-t", "%s:0.%d" % (session, i)).stdout


def api(url, path, token=None, body=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else None,
                                 method="POST" if body is not None else "GET")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def start():
    env = dict(os.environ, CBD_DEMO_RATE="60")
    env.pop("TMUX", None)
    p = subprocess.Popen(["sh", os.path.join(root, "scripts", "demo.sh")], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                         start_new_session=True)
    session = "demo-%d" % p.pid
    ok = wait_for(lambda: T("has-session", "-t", session).returncode == 0 and
                  len(T("list-panes", "-t", session).stdout.splitlines()) == 4, 60)
    return p, session, ok


def pids():
    out = {}
    for name in ("cbd", "sim"):
        try:
            out[name] = int(open(os.path.join(demo_dir, name + ".pid")).read())
        except (OSError, ValueError):
            out[name] = None
    return out


def alive(pid):
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


proc, session, ok = start()
try:
    t.ok(ok, "the demo brings up one tmux session with four panes")
    want_titles = ["Supervisor — sup (cb-supervisor)", "Agent — alice, Sales (cb-agent)",
                   "Agent — carol, Support (cb-agent)", "cbd and cbd-sim log"]

    def titles_now():
        return T("list-panes", "-t", session, "-F", "#{pane_title}").stdout.splitlines()
    wait_for(lambda: titles_now() == want_titles, 10)
    titles = titles_now()
    t.is_(titles, want_titles, "each pane is titled")
    url = None
    wait_for(lambda: os.path.exists(os.path.join(demo_dir, "cbd.out")) and
             "listening" in open(os.path.join(demo_dir, "cbd.out")).read(), 10)
    m = re.search(r"cbd listening on (\S+)", open(os.path.join(demo_dir, "cbd.out")).read())
    url = m.group(1) if m else None
    t.ok(url, "cbd is listening", diag=open(os.path.join(demo_dir, "cbd.out")).read())
    t.ok(wait_for(lambda: "● live" in pane(session, 0) and "Support" in pane(session, 0), 15),
         "the supervisor pane is logged in and live", diag=pane(session, 0))
    t.ok(wait_for(lambda: "connected" in pane(session, 1) and "Alice" in pane(session, 1), 15),
         "alice's console is logged in", diag=pane(session, 1))
    t.ok(wait_for(lambda: "connected" in pane(session, 2) and "Carol" in pane(session, 2), 15),
         "carol's console is logged in", diag=pane(session, 2))
    t.ok(wait_for(lambda: "sim:" in pane(session, 3), 15), "the log pane shows cbd-sim at work",
         diag=pane(session, 3))

    sup = api(url, "/api/v1/login", body={"user": "sup", "password": "sup-demo"})["token"]

    def support_proc():
        rows = api(url, "/api/v1/stats", sup)["stats"]
        return next(r["proc"] for r in rows if r["bp"] == "Support")

    moved = wait_for(lambda: support_proc() > 0, 75)
    t.ok(moved, "the figures move: virtual agents complete Support callbacks on their own")

    def screen_proc():
        for line in pane(session, 0).splitlines():
            if line.startswith("Support"):
                nums = re.findall(r"\s(\d+)\s", line + " ")
                return int(nums[0]) if nums else None
        return None
    t.ok(wait_for(lambda: screen_proc() == support_proc(), 10),
         "the supervisor pane shows Support's Proc as GET /stats has it",
         diag="screen %r, server %r\n%s" % (screen_proc(), support_proc(), pane(session, 0)))

    # the human Support agent: Ready, an offer among the virtual agents'
    T("send-keys", "-t", "%s:0.2" % session, "r")
    offered = wait_for(lambda: "OFFERED" in pane(session, 2), 90)
    t.ok(offered, "carol, the human Support agent, receives an offer", diag=pane(session, 2))
    m = re.search(r"OFFERED — callback (\d+)", pane(session, 2))
    cid = int(m.group(1)) if m else 0
    T("send-keys", "-t", "%s:0.2" % session, "r")  # Not Ready after this one
    T("send-keys", "-t", "%s:0.2" % session, "a")
    t.ok(wait_for(lambda: "DIALING" in pane(session, 2), 10), "accepted: dialing", diag=pane(session, 2))
    T("send-keys", "-t", "%s:0.2" % session, "c")
    t.ok(wait_for(lambda: "HANDLING" in pane(session, 2), 10), "connected: handling", diag=pane(session, 2))
    T("send-keys", "-t", "%s:0.2" % session, "e")
    t.ok(wait_for(lambda: "Complete the callback" in pane(session, 2), 10), "the completion dialog")
    T("send-keys", "-t", "%s:0.2" % session, "Enter")

    def ended():
        cb = api(url, "/api/v1/callbacks/%d" % cid, sup)
        return cb["end_state"] == "handled" and cb["history"][-1]["agent"] == "carol"
    t.ok(cid and wait_for(ended, 10), "the server has callback %d Handled by carol" % cid)
    t.diag("the demo's panes:\n" + "\n".join("--- %s ---\n%s" % (titles[i] if i < len(titles) else i,
                                                                   pane(session, i)) for i in range(4)))

    # leaving the session stops everything it started
    p = pids()
    t.ok(alive(p["cbd"]) and alive(p["sim"]), "cbd and cbd-sim run while the session does")
    T("kill-session", "-t", session)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    t.ok(proc.poll() is not None, "the demo command returns when the session ends")
    t.ok(wait_for(lambda: not alive(p["cbd"]) and not alive(p["sim"]), 10),
         "leaving stopped cbd and cbd-sim")

    # and again
    proc, session, ok = start()
    t.ok(ok, "running the demo a second time works")
    t.ok(wait_for(lambda: "● live" in pane(session, 0), 15), "its supervisor is live again")
finally:
    T("kill-session", "-t", session)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    for pid in pids().values():
        if alive(pid):
            os.kill(pid, signal.SIGTERM)
t.done()
