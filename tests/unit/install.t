#!/usr/bin/python3
# `make install` and `make uninstall` (issue 7 "Install"): under DESTDIR the
# four programs, every man page, the systemd unit of cbd with its binary's
# real path and the hardening it promises, and the sysusers.d file; the unit
# passes `systemd-analyze verify` (where systemd-analyze exists) once
# installed under a PREFIX that exists; uninstall takes everything away.
import os, re, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Tap

t = Tap()
root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
build = os.environ.get("CB_BUILD", os.path.join(root, "build"))


def make(*args):
    # the sanitizer build is installed as it was built (SAN=1 keeps its flags)
    san = ["SAN=1"] if os.path.basename(build.rstrip("/")) == "asan" else []
    return subprocess.run(["make", "-s", "-C", root, "BUILD=" + build] + san + list(args),
                          capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    dest = os.path.join(tmp, "dest")
    r = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
    t.is_(r.returncode, 0, "make install DESTDIR=... PREFIX=/usr", )
    if r.returncode:
        t.diag(r.stdout + r.stderr)
    want = ["usr/bin/cbd", "usr/bin/cb-agent", "usr/bin/cb-supervisor", "usr/bin/cbd-sim",
            "usr/share/man/man1/cb-agent.1", "usr/share/man/man1/cb-supervisor.1",
            "usr/share/man/man1/cbd-sim.1", "usr/share/man/man5/cbd.conf.5",
            "usr/share/man/man7/cbd-api.7", "usr/share/man/man8/cbd.8",
            "usr/lib/systemd/system/cbd.service", "usr/lib/sysusers.d/cbd.conf"]
    for f in want:
        t.ok(os.path.isfile(os.path.join(dest, f)), "installed " + f)
    for f in want[:4]:
        p = os.path.join(dest, f)
        t.ok(os.path.isfile(p) and os.access(p, os.X_OK), f + " is executable")
    unit = open(os.path.join(dest, "usr/lib/systemd/system/cbd.service")).read()
    t.ok("@BINDIR@" not in unit, "the unit names the installed binary, not a placeholder")
    t.ok(re.search(r"^ExecStart=/usr/bin/cbd serve --db \$\{STATE_DIRECTORY\}/cbd\.db", unit, re.M),
         "ExecStart runs /usr/bin/cbd serve on the state directory's database")
    for line in ["User=cbd", "StateDirectory=cbd", "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=", "LimitNOFILE=65536",
                 "KillSignal=SIGTERM", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"]:
        t.ok(re.search("^" + re.escape(line) + "$", unit, re.M), "the unit says " + line)
    sysusers = open(os.path.join(dest, "usr/lib/sysusers.d/cbd.conf")).read()
    t.ok(re.search(r"^u cbd - .* /var/lib/cbd$", sysusers, re.M), "sysusers.d creates the user cbd")
    r = make("uninstall", "DESTDIR=" + dest, "PREFIX=/usr")
    t.is_(r.returncode, 0, "make uninstall")
    left = [f for f in want if os.path.exists(os.path.join(dest, f))]
    t.is_(left, [], "uninstall removed every installed file")

    # systemd's own check, with the binary where the unit says it is
    prefix = os.path.join(tmp, "prefix")
    r = make("install", "PREFIX=" + prefix)
    t.is_(r.returncode, 0, "make install PREFIX=" + prefix)
    analyze = subprocess.run(["sh", "-c", "command -v systemd-analyze"], capture_output=True, text=True)
    if analyze.returncode != 0:
        t.ok(True, "# SKIP systemd-analyze is not installed")
    else:
        v = subprocess.run(["systemd-analyze", "verify",
                            os.path.join(prefix, "lib/systemd/system/cbd.service")],
                           capture_output=True, text=True)
        # its man pages are not in the system's manual path: that is all it may say
        complaints = [l for l in (v.stdout + v.stderr).splitlines()
                      if l.strip() and not re.search(r"Command 'man .*' failed", l)]
        t.is_(complaints, [], "systemd-analyze verify finds nothing wrong with the unit")
t.done()
