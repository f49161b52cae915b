"""notifytest — the pieces of cb-agent's desktop-notification test
(tests/e2e/agent_notify.t), after ../shared/TESTING.md §1 and §2:

  - private_bus(): runs the test script again inside `dbus-run-session` on a
    bus config of its own, with no <standard_session_servicedirs/>, so
    nothing is ever auto-started behind the test's back;
  - Desktop: Xvfb on a free display and dunst with a dunstrc of the test's
    own: a rule script logs every notification dunst receives (app name,
    urgency, summary, body, timeout), and its dmenu is a script that picks
    the context-menu line the test asks for (what `dunstctl context`
    "clicks");
  - Tmux: a private tmux server (tmux -S, -f /dev/null) as the terminal,
    with bounded polls of the screen;
  - Reaper: every process started here is stopped at the end, also when
    the test fails, raises, or is sent SIGTERM / SIGINT / SIGHUP.

Only Debian packages of `scripts/deps.sh test` are used: dbus (dbus-daemon,
dbus-run-session, dbus-send, dbus-monitor), xvfb, dunst (dunst, dunstctl),
tmux.
"""

import atexit
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("CB_BUILD") or os.path.join(ROOT, "build")
AGENT = os.path.join(BUILD, "cb-agent")

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <servicedir>%(services)s</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

INNER = "NOTIFYTEST_INNER_DIR"


def skip_all(why):
    print("1..0 # SKIP %s" % why, flush=True)
    sys.exit(0)


def private_bus():
    """Call first thing. Outside: runs this script again inside
    dbus-run-session on a private bus, passes its output and exit status
    on, and removes the temporary folder (never returns). Inside: returns
    that folder."""
    inner = os.environ.get(INNER)
    if inner:
        with open(os.path.join(inner, "inner.pid"), "w") as f:
            f.write(str(os.getpid()))
        return inner
    for prog in ("dbus-run-session", "dbus-daemon", "dbus-send", "dbus-monitor", "Xvfb", "dunst",
                 "dunstctl", "tmux"):
        if shutil.which(prog) is None:
            skip_all("%s is not installed (scripts/deps.sh test)" % prog)
    tmp = tempfile.mkdtemp(prefix="cbnotify.")
    services = os.path.join(tmp, "services")  # empty: nothing to activate
    os.mkdir(services)
    conf = os.path.join(tmp, "bus.conf")
    with open(conf, "w") as f:
        f.write(BUS_CONF % {"services": services})
    # the bus daemon's own complaints (fd limits) go to a file, not the TAP stream
    daemon = os.path.join(tmp, "dbus-daemon.sh")
    with open(daemon, "w") as f:
        f.write("#!/bin/sh\nexec dbus-daemon \"$@\" 2>>%s\n"
                % shlex.quote(os.path.join(tmp, "dbus-daemon.log")))
    os.chmod(daemon, 0o755)
    env = dict(os.environ)
    env[INNER] = tmp
    for k in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(k, None)
    # a private XDG_RUNTIME_DIR: GIO must not find a user bus in $XDG_RUNTIME_DIR/bus
    env["XDG_RUNTIME_DIR"] = os.path.join(tmp, "run")
    os.mkdir(env["XDG_RUNTIME_DIR"], 0o700)
    sys.stdout.flush()
    # its own process group: a signal goes on to the inner test, which
    # stops what it started; the folder goes once it has finished
    child = subprocess.Popen(["dbus-run-session", "--config-file=" + conf,
                              "--dbus-daemon=" + daemon, "--",
                              sys.executable, os.path.abspath(sys.argv[0])] + sys.argv[1:],
                             env=env, start_new_session=True)

    def forward(signum, frame):
        try:
            with open(os.path.join(tmp, "inner.pid")) as f:
                os.kill(int(f.read()), signum)
        except (OSError, ValueError):
            try:  # not started yet: the whole group
                os.killpg(child.pid, signum)
            except OSError:
                pass
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    rc = child.wait()
    shutil.rmtree(tmp, True)
    sys.exit(rc if rc >= 0 else 128 - rc)


class Reaper:
    """Stops what the test started, in reverse order, exactly once, at exit
    and on SIGTERM / SIGINT / SIGHUP."""

    def __init__(self):
        self.jobs = []
        atexit.register(self.run)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._signal)

    def _signal(self, signum, frame):
        self.run()
        os._exit(128 + signum)

    def add(self, fn):
        self.jobs.append(fn)
        return fn

    def run(self):
        while self.jobs:
            fn = self.jobs.pop()
            try:
                fn()
            except Exception:
                pass


REAPER = Reaper()


def stop_process(p, grace=3.0):
    """SIGTERM (SIGCONT first: it may be stopped), then SIGKILL."""
    if p.poll() is not None:
        return p.returncode
    try:
        p.send_signal(signal.SIGCONT)
        p.terminate()
        return p.wait(grace)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()


def wait_until(pred, timeout=5.0, interval=0.03):
    """Calls pred() until it returns something true or timeout passes;
    returns its last value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(interval)


def bus_call(dest, path, method, *args, timeout_ms=2000):
    """dbus-send --print-reply on the session bus; returns CompletedProcess."""
    return subprocess.run(["dbus-send", "--session", "--print-reply",
                           "--reply-timeout=%d" % timeout_ms, "--dest=" + dest, path, method]
                          + list(args), capture_output=True, text=True,
                          timeout=timeout_ms / 1000 + 5)


def name_has_owner(name):
    r = bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", "string:" + name)
    return r.returncode == 0 and "boolean true" in r.stdout


def activatable_names():
    """The names the bus would start on demand (a sorted list)."""
    r = bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.ListActivatableNames")
    return sorted(re.findall(r'string "([^"]*)"', r.stdout)) if r.returncode == 0 else None


LOG_SH = """#!/bin/sh
# dunst rule script: one record per notification, fields tab-separated,
# records ended by RS (0x1e) since a body may hold new lines
printf '%%s\\t%%s\\t%%s\\t%%s\\t%%s\\036' "$DUNST_APP_NAME" "$DUNST_URGENCY" "$DUNST_SUMMARY" \\
    "$DUNST_BODY" "$DUNST_TIMEOUT" >> %(log)s
"""

PICK_SH = """#!/bin/sh
# dunst's dmenu: keep the menu offered, print the line ending in "WANT]"
# (context-menu lines look like "#Accept (SUMMARY) [ID,accept]")
# (kept by way of a rename, so that the test never reads half of it)
cat > %(menu)s.part
want=$(cat %(want)s)
grep -m1 -F -- "$want]" %(menu)s.part
mv %(menu)s.part %(menu)s
"""

DUNSTRC = """[global]
    dmenu = %(pick)s
    always_run_script = true
    show_indicators = false
[log_all]
    appname = "*"
    script = %(log)s
"""


class Desktop:
    """Xvfb plus dunst on the session bus of the test."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "desktop")
        os.makedirs(os.path.join(self.dir, "config", "dunst"))
        self.log = os.path.join(self.dir, "notifications.log")
        self.menu = os.path.join(self.dir, "menu.txt")
        self.want = os.path.join(self.dir, "want.txt")
        self.log_sh = os.path.join(self.dir, "log.sh")
        self.pick_sh = os.path.join(self.dir, "pick.sh")
        q = {k: shlex.quote(v) for k, v in (("log", self.log), ("menu", self.menu),
                                            ("want", self.want))}
        with open(self.log_sh, "w") as f:
            f.write(LOG_SH % q)
        with open(self.pick_sh, "w") as f:
            f.write(PICK_SH % q)
        os.chmod(self.log_sh, 0o755)
        os.chmod(self.pick_sh, 0o755)
        with open(os.path.join(self.dir, "config", "dunst", "dunstrc"), "w") as f:
            f.write(DUNSTRC % {"pick": self.pick_sh, "log": self.log_sh})
        self.xvfb = self.dunst = None
        self.display = None

    def start(self, timeout=10.0):
        """Starts Xvfb (-displayfd) and dunst; waits until dunst owns
        org.freedesktop.Notifications. Returns self."""
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(w,), stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "xvfb.log"), "wb"))
        REAPER.add(lambda p=self.xvfb: stop_process(p))
        os.close(w)
        got = b""
        end = time.monotonic() + timeout
        while not got.endswith(b"\n") and time.monotonic() < end:
            ready, _, _ = select.select([r], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                break
            chunk = os.read(r, 64)
            if not chunk:
                break
            got += chunk
        os.close(r)
        if not got.strip().isdigit():
            raise RuntimeError("Xvfb gave no display: %r" % got)
        self.display = ":" + got.decode().strip()
        os.environ["DISPLAY"] = self.display
        env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(self.dir, "config"))
        self.dunst = subprocess.Popen(["dunst"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(self.dir, "dunst.log"), "wb"))
        REAPER.add(lambda p=self.dunst: stop_process(p))
        if not wait_until(lambda: self.dunst.poll() is not None
                          or name_has_owner("org.freedesktop.Notifications"), timeout):
            raise RuntimeError("dunst did not take org.freedesktop.Notifications")
        if self.dunst.poll() is not None:
            raise RuntimeError("dunst exited: %s" % self.dunst_log())
        return self

    def dunst_log(self):
        try:
            with open(os.path.join(self.dir, "dunst.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def received(self):
        """What dunst received so far: a list of dicts appname, urgency,
        summary, body, timeout."""
        try:
            with open(self.log, "rb") as f:
                raw = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        out = []
        for rec in raw.split("\x1e")[:-1]:  # the last piece is unfinished (or empty)
            parts = rec.split("\t")
            parts += [""] * (5 - len(parts))
            # a body with a tab would split: glue the middle back
            if len(parts) > 5:
                parts = parts[:3] + ["\t".join(parts[3:-1]), parts[-1]]
            out.append(dict(zip(("appname", "urgency", "summary", "body", "timeout"), parts)))
        return out

    def dunstctl(self, *args, timeout=5):
        return subprocess.run(["dunstctl"] + list(args), capture_output=True, text=True,
                              timeout=timeout)

    def displayed(self):
        """How many notifications dunst shows now, or None."""
        r = self.dunstctl("count", "displayed")
        return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip().isdigit() else None

    def click(self, action):
        """Opens dunst's context menu (`dunstctl context`) and picks the
        action whose key is `action` ("accept"); returns the menu dunst
        offered (its lines)."""
        for p in (self.menu,):
            try:
                os.unlink(p)
            except OSError:
                pass
        with open(self.want, "w") as f:
            f.write("," + action)
        self.dunstctl("context")
        wait_until(lambda: os.path.exists(self.menu), 3)
        try:
            with open(self.menu, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def freeze(self):
        """SIGSTOP dunst: it keeps org.freedesktop.Notifications and never
        answers (a notification server that hangs)."""
        self.dunst.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.dunst.send_signal(signal.SIGCONT)


class Tmux:
    """A private tmux server: sessions 80x24 running one program each;
    panes stay after the program exits (remain-on-exit) so its status can
    be read."""

    def __init__(self, tmp):
        self.sock = os.path.join(tmp, "tmux.sock")
        self.env = dict(os.environ, LC_ALL="C.UTF-8")
        self.env.pop("TMUX", None)
        self.started = False
        self.status_files = {}

    def run(self, *args, check=False):
        r = subprocess.run(["tmux", "-u", "-S", self.sock] + list(args), capture_output=True,
                           text=True, timeout=10, env=self.env)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr))
        return r

    def new(self, name, argv, env, x=80, y=24):
        """Starts argv in a new session `name` with exactly env (env -i):
        nothing of the test's own environment leaks in."""
        # The exit status goes to a file by way of sh: tmux (Debian's, built
        # with libutempter) runs `utempter del` when a pane's pty closes with
        # SIGCHLD set to SIG_DFL meanwhile, so a program's SIGCHLD arriving in
        # that moment is lost and #{pane_dead_status} stays empty for good.
        status = os.path.join(os.path.dirname(self.sock), "status-" + name)
        cmd = "env -i " + " ".join(shlex.quote("%s=%s" % kv) for kv in sorted(env.items()))
        cmd += " " + " ".join(shlex.quote(a) for a in argv)
        cmd += "; echo $? > " + shlex.quote(status)
        self.status_files[name] = status
        if not self.started:
            REAPER.add(self.kill)
            self.started = True
            self.run("-f", "/dev/null", "start-server", ";", "set", "-g", "remain-on-exit", "on",
                     ";", "set", "-g", "exit-empty", "off", ";",
                     "new-session", "-d", "-s", name, "-x", str(x), "-y", str(y), cmd, check=True)
        else:
            self.run("new-session", "-d", "-s", name, "-x", str(x), "-y", str(y), cmd, check=True)

    def screen(self, name):
        """The screen as a list of lines (trailing blanks kept off)."""
        r = self.run("capture-pane", "-p", "-t", name)
        return r.stdout.split("\n")[:-1] if r.stdout.endswith("\n") else r.stdout.split("\n")

    def text(self, name):
        return "\n".join(self.screen(name))

    def wait_for(self, name, pattern, timeout=5.0):
        """Polls the screen until the regex pattern (or a function of the
        lines) matches; returns (matched, lines)."""
        last = [[]]

        def look():
            last[0] = self.screen(name)
            if callable(pattern):
                return pattern(last[0])
            return re.search(pattern, "\n".join(last[0]), re.M)
        m = wait_until(look, timeout, 0.02)
        return bool(m), last[0]

    def keys(self, name, *keys):
        self.run("send-keys", "-t", name, *keys)

    def literal(self, name, text):
        self.run("send-keys", "-t", name, "-l", text)

    def dead(self, name):
        """(dead, exit status) of the program started in session name;
        the status is None until known (128+N: killed by signal N)."""
        r = self.run("display", "-p", "-t", name, "#{pane_dead}")
        dead = r.stdout.strip() == "1" or r.returncode != 0
        try:
            with open(self.status_files.get(name, "/nonexistent")) as f:
                text = f.read().strip()
            st = int(text) if text.isdigit() else None
        except OSError:
            st = None
        return (dead, st)

    def wait_dead(self, name, timeout=5.0):
        """Waits until the program has exited and its status is known;
        returns dead() (its last value)."""
        last = [None]

        def look():
            last[0] = self.dead(name)
            return last[0][0] and last[0][1] is not None
        wait_until(look, timeout)
        return last[0]

    def kill_session(self, name):
        self.run("kill-session", "-t", name)

    def kill(self):
        if self.started:
            self.run("kill-server")
            self.started = False


def agent_env(tmp, name, bus=True, extra=None):
    """The environment cb-agent runs with in its pane: a terminal, UTF-8,
    its own HOME and config folder, and the session bus and display only
    when bus is true. Sanitizer reports go to files (see sanitizer_reports)."""
    home = os.path.join(tmp, "home-" + name)
    run = os.path.join(tmp, "run-" + name)
    for d in (home, run):
        os.makedirs(d, mode=0o700, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_RUNTIME_DIR": run,
        "TERM": "tmux-256color",
        "ESCDELAY": "25",
        "LC_ALL": "C.UTF-8",
    }
    if bus:
        for k in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY"):
            if os.environ.get(k):
                env[k] = os.environ[k]
    prefix = os.path.join(tmp, "sanitizer-" + name)
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        v = os.environ.get(k, "")
        env[k] = (v + ":" if v else "") + "log_path=" + prefix
    if extra:
        env.update(extra)
    return env


def sanitizer_reports(tmp, name):
    """The text of sanitizer reports cb-agent `name` wrote (empty: none)."""
    out = []
    for f in sorted(os.listdir(tmp)):
        if f.startswith("sanitizer-" + name + "."):
            with open(os.path.join(tmp, f), "rb") as fh:
                out.append(fh.read().decode("utf-8", "replace"))
    return "\n".join(out)
