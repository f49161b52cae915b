#!/usr/bin/python3
# The admin commands (cbd user, team, bp, token, dnc) run on the database of
# a serving cbd, and what they do is checked through its API: new users log
# in, passwords change, disabled users are shut out, teams and BPs appear
# with their settings, a service token reports calls, the do-not-call
# import is all or nothing. Bad input: exit 2 for a wrong command line, 1
# for what cannot be done, a message naming the problem, nothing changed.
# Every change is audited with no user.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, cbd

V1 = "/api/v1"
t = Tap()
with Server(t) as s:
    sup = s.login("sup")
    DB = s.db

    def run(*args, stdin=None):
        return cbd(*[a if a != "DB" else DB for a in args], input=stdin)

    def fails(args, status, message, what, stdin=None):
        r = run(*args, stdin=stdin)
        t.ok(r.returncode == status and message in r.stderr,
             "%s: exit %d, '%s'" % (what, status, message), "exit %d, stderr %r" % (r.returncode, r.stderr))

    def login(user, password):
        return s.post(V1 + "/login", body={"user": user, "password": password})

    def admin_audit():
        r = s.get(V1 + "/audit?action=admin&limit=500", sup)
        return [(a["action"], a["target"], a["user"]) for a in r.json["audit"]]

    # -- cbd user ---------------------------------------------------------------
    r = run("user", "add", "--db", "DB", "erin", "--name", "Erin Example", "--role", "agent",
            "--team", "Support Team", "--can-schedule", "--password-stdin", stdin="erin-secret-1\n")
    t.is_((r.returncode, r.stdout.startswith("added agent erin (id ")), (0, True), "user add: exit 0", )
    r = login("erin", "erin-secret-1")
    t.is_(r.status, 200, "erin logs in with her password")
    erin = r.json["token"]
    me = s.get(V1 + "/me", erin).json
    t.is_((me["name"], me["role"], me["can_schedule"], [x["name"] for x in me["teams"]]),
          ("Erin Example", "agent", True, ["Support Team"]), "erin: name, role, may schedule, team")
    t.ok("erin" in [m["login"] for m in s.get(V1 + "/teams", sup).json["teams"][1]["members"]],
         "erin is in Support Team")
    r = run("user", "add", "--db=" + DB, "--role=supervisor", "--name=Frank Flores", "frank", "--password-stdin",
            stdin="frank-secret\r\n")
    t.is_(r.returncode, 0, "user add with --opt=value forms, options after the login")
    t.is_(login("frank", "frank-secret").json["user"]["role"], "supervisor", "frank is a supervisor (CRLF stripped)")

    r = run("user", "list", "--db", "DB")
    lines = r.stdout.splitlines()
    t.is_(r.returncode, 0, "user list: exit 0")
    t.ok(lines[0].split() == ["LOGIN", "NAME", "ROLE", "TEAMS", "CAN_SCHEDULE", "PRESENCE", "DISABLED"],
         "user list: a header", lines[:1])
    row = [l for l in lines if l.startswith("erin ")]
    t.ok(row and row[0].split() == ["erin", "Erin", "Example", "agent", "Support", "Team", "yes", "not_ready", "no"],
         "user list: erin's row", row)
    t.ok(any(l.startswith("telephony ") and " service " in l for l in lines), "the service user is listed")
    t.is_(lines[0].index("NAME"), lines[1].index(lines[1].split()[1]), "columns line up")

    r = run("user", "passwd", "--db", "DB", "erin", "--password-stdin", stdin="erin-secret-2\n")
    t.is_((r.returncode, r.stdout.strip()), (0, "password of erin changed; their sessions are ended"), "user passwd")
    t.is_(login("erin", "erin-secret-2").status, 200, "the new password works")
    t.is_(login("erin", "erin-secret-1").status, 401, "the old one does not")
    t.is_(s.get(V1 + "/me", erin).status, 401, "a new password ends her sessions")
    erin = login("erin", "erin-secret-2").json["token"]

    t.is_(run("user", "set", "--db", "DB", "erin", "--disabled", "yes").returncode, 0, "user set --disabled yes")
    t.is_(login("erin", "erin-secret-2").status, 401, "a disabled user cannot log in")
    t.is_(s.get(V1 + "/me", erin).status, 401, "and her token stops working")
    t.ok(" yes" in [l for l in run("user", "list", "--db", "DB").stdout.splitlines() if l.startswith("erin ")][0][-4:],
         "user list shows her disabled")
    r = run("user", "set", "--db", "DB", "erin", "--disabled", "no", "--name", "Erin E.", "--can-schedule", "no",
            "--add-team", "Sales Team", "--remove-team", "Support Team")
    t.is_(r.returncode, 0, "user set: several changes at once")
    erin = login("erin", "erin-secret-2").json["token"]
    me = s.get(V1 + "/me", erin).json
    t.is_((me["name"], me["can_schedule"], [x["name"] for x in me["teams"]]), ("Erin E.", False, ["Sales Team"]),
          "enabled again, renamed, may not schedule, moved to Sales Team")
    t.is_(run("user", "set", "--db", "DB", "erin", "--role", "supervisor").returncode, 0, "user set --role")
    t.is_(s.get(V1 + "/me", erin).json["role"], "supervisor", "erin is a supervisor now")

    users_before = run("user", "list", "--db", "DB").stdout
    fails(("user", "add", "--db", "DB", "alice", "--name", "A", "--role", "agent", "--password-stdin"), 1,
          "cbd user add: login 'alice' exists", "an existing login", stdin="whatever-pw\n")
    fails(("user", "add", "--db", "DB", "Gina", "--name", "G", "--role", "agent", "--password-stdin"), 2,
          "login 'Gina'", "a login with capitals", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "g" * 64, "--name", "G", "--role", "agent", "--password-stdin"), 2,
          "login '", "a login of 64 characters", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "boss", "--password-stdin"), 2,
          "--role 'boss'", "an unknown role", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "service", "--password-stdin"), 2,
          "--role 'service'", "role service", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "gina", "--role", "agent", "--password-stdin"), 2,
          "--name NAME is required", "no --name", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "gina", "--name", "", "--role", "agent", "--password-stdin"), 2,
          "--name: must not be empty", "an empty name", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "agent", "--team", "Nights",
           "--password-stdin"), 1, "team 'Nights' does not exist", "an unknown team", stdin="gina-secret\n")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "agent", "--password-stdin"), 1,
          "shorter than 8", "a short password", stdin="short\n")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "agent", "--password-stdin"), 1,
          "no password on standard input", "no password at all", stdin="")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "agent"), 2,
          "--password-stdin", "stdin not a terminal and no --password-stdin", stdin="gina-secret\n")
    fails(("user", "add", "gina", "--name", "G", "--role", "agent", "--password-stdin"), 2,
          "--db PATH is required", "no --db", stdin="gina-secret\n")
    fails(("user", "add", "--db", os.path.join(s.tmp, "nope.db"), "gina", "--name", "G", "--role", "agent",
           "--password-stdin"), 1, "cannot open database", "a database that does not exist", stdin="gina-secret\n")
    t.ok(not os.path.exists(os.path.join(s.tmp, "nope.db")), "... and it is not created")
    fails(("user", "add", "--db", "DB", "gina", "--name", "G", "--role", "agent", "--colour", "red"), 2,
          "unknown option '--colour'", "an unknown option")
    fails(("user", "add", "--db", "DB", "gina", "hank", "--name", "G", "--role", "agent"), 2,
          "one LOGIN", "two logins")
    fails(("user", "passwd", "--db", "DB", "nobody", "--password-stdin"), 1, "no user 'nobody'",
          "passwd of no such user", stdin="whatever-pw\n")
    fails(("user", "passwd", "--db", "DB", "telephony", "--password-stdin"), 1, "service user",
          "passwd of a service user", stdin="whatever-pw\n")
    fails(("user", "set", "--db", "DB", "nobody", "--name", "N"), 1, "no user 'nobody'", "set of no such user")
    fails(("user", "set", "--db", "DB", "alice"), 2, "nothing to change", "set with nothing to change")
    fails(("user", "set", "--db", "DB", "alice", "--can-schedule", "maybe"), 2, "yes or no", "--can-schedule maybe")
    fails(("user", "set", "--db", "DB", "alice", "--remove-team", "Support Team"), 1, "not in team",
          "removing from a team she is not in")
    fails(("user", "frobnicate", "--db", "DB"), 2, "unknown action 'frobnicate'", "an unknown action")
    fails(("user",), 2, "which action", "no action")
    t.is_(run("user", "list", "--db", "DB").stdout, users_before, "no refused command changed a user")
    t.is_(login("alice", "alice-demo").status, 200, "alice's password untouched")
    r = run("user", "add", "--help")
    t.ok(r.returncode == 0 and "--password-stdin" in r.stdout and "usage:" in r.stdout, "user add --help")
    r = run("user", "--help")
    t.ok(r.returncode == 0 and all(a in r.stdout for a in ("add", "passwd", "list", "set")), "user --help")

    # -- cbd team / cbd bp --------------------------------------------------------
    r = run("team", "add", "--db", "DB", "Night Team", "--bp", "Support")
    t.is_((r.returncode, r.stdout.startswith("added team Night Team (id ")), (0, True), "team add")
    r = run("bp", "add", "--db", "DB", "Billing", "--tz", "Europe/Paris", "--routing", "team",
            "--team", "Night Team")
    t.is_(r.returncode, 0, "bp add")
    b = s.get(V1 + "/bps/Billing", sup).json
    t.is_((b["tz"], b["routing"], [x["name"] for x in b["teams"]], b["version"]),
          ("Europe/Paris", ["team"], ["Night Team"], 1), "Billing: zone, routing, team")
    t.is_((b["timing"]["preview_s"], b["timing"]["max_attempts"], b["timing"]["schedule"]["mon"]),
          (0, 3, ["08:00-18:00"]), "Billing: the default timing")
    night = [x for x in s.get(V1 + "/teams", sup).json["teams"] if x["name"] == "Night Team"][0]
    t.is_(sorted(x["name"] for x in night["bps"]), ["Billing", "Support"], "Night Team serves Support and Billing")
    t.is_(run("team", "member", "--db", "DB", "Night Team", "add", "carol").returncode, 0, "team member add")
    t.is_(run("team", "member", "--db", "DB", "Night Team", "add", "carol").stdout.strip(),
          "carol is already in Night Team", "adding twice says so")
    t.is_(run("team", "member", "--db", "DB", "Night Team", "add", "dave").returncode, 0, "dave too")
    t.is_(run("team", "member", "--db", "DB", "Night Team", "remove", "dave").returncode, 0, "team member remove")
    night = [x for x in s.get(V1 + "/teams", sup).json["teams"] if x["name"] == "Night Team"][0]
    t.is_([m["login"] for m in night["members"]], ["carol"], "Night Team: carol")

    r = run("bp", "set", "--db", "DB", "Billing", "--timing", '{"preview_s": 5, "schedule": {"sat": ["10:00-14:00"]}}',
            "--add-team", "Support Team")
    t.is_(r.returncode, 0, "bp set --timing --add-team")
    b = s.get(V1 + "/bps/Billing", sup).json
    t.is_((b["version"], b["timing"]["preview_s"], b["timing"]["schedule"]["sat"], b["timing"]["schedule"]["mon"],
           b["timing"]["max_attempts"]), (2, 5, ["10:00-14:00"], ["08:00-18:00"], 3),
          "only what --timing names changed; version 2")
    t.is_(sorted(x["name"] for x in b["teams"]), ["Night Team", "Support Team"], "Support Team added")
    t.is_(run("bp", "set", "--db", "DB", str(b["id"]), "--tz", "Europe/Berlin", "--routing", "agent,team").returncode,
          0, "bp set by id: zone and routing")
    b = s.get(V1 + "/bps/Billing", sup).json
    t.is_((b["tz"], b["routing"], b["version"]), ("Europe/Berlin", ["agent", "team"], 3), "changed")
    r = run("bp", "list", "--db", "DB")
    t.ok(r.returncode == 0 and any(l.split()[:3] == [str(b["id"]), "Billing", "Europe/Berlin"]
                                   for l in r.stdout.splitlines()), "bp list shows Billing", r.stdout)

    fails(("team", "add", "--db", "DB", "Night Team"), 1, "team 'Night Team' exists", "a team that exists")
    fails(("team", "add", "--db", "DB", "Day Team", "--bp", "Nope"), 1, "business process 'Nope' does not exist",
          "a team for an unknown BP")
    fails(("team", "add", "--db", "DB", "42"), 2, "only digits", "a team named by digits")
    fails(("team", "member", "--db", "DB", "Night Team", "kick", "carol"), 2, "expected add or remove", "a bad verb")
    fails(("team", "member", "--db", "DB", "Night Team", "remove", "dave"), 1, "dave is not in team",
          "removing a non-member")
    fails(("team", "member", "--db", "DB", "Nope", "add", "dave"), 1, "team 'Nope' does not exist", "unknown team")
    fails(("team", "member", "--db", "DB", "Night Team", "add", "zed"), 1, "no user 'zed'", "unknown user")
    fails(("bp", "add", "--db", "DB", "Billing", "--tz", "UTC"), 1, "business process 'Billing' exists",
          "a BP that exists")
    fails(("bp", "add", "--db", "DB", "Mars", "--tz", "Mars/Olympus"), 2, "unknown time zone", "an unknown zone")
    fails(("bp", "add", "--db", "DB", "Mars", "--tz", "right/UTC"), 2, "unknown time zone", "a right/ zone")
    fails(("bp", "add", "--db", "DB", "Mars"), 2, "--tz ZONE is required", "no zone")
    fails(("bp", "add", "--db", "DB", "Mars", "--tz", "UTC", "--routing", "robot"), 2, "--routing", "bad routing")
    fails(("bp", "add", "--db", "DB", "Mars", "--tz", "UTC", "--team", "Nope"), 1, "team 'Nope' does not exist",
          "a BP with an unknown team")
    fails(("bp", "set", "--db", "DB", "Billing", "--timing", '{"preview_s": -1}'), 2, "preview_s",
          "timing out of range")
    fails(("bp", "set", "--db", "DB", "Billing", "--timing", '{"colour": 1}'), 2, "colour", "timing unknown member")
    fails(("bp", "set", "--db", "DB", "Billing", "--timing", '{"preview_s": '), 2, "--timing", "timing not JSON")
    fails(("bp", "set", "--db", "DB", "Nope", "--tz", "UTC"), 1, "business process 'Nope' does not exist",
          "set of an unknown BP")
    fails(("bp", "set", "--db", "DB", "Billing", "--team", "Night Team"), 2, "unknown option", "--team on set")
    b2 = s.get(V1 + "/bps/Billing", sup).json
    t.is_(b2, b, "the refused bp commands changed nothing")
    t.ok(s.get(V1 + "/bps/Mars", sup).status == 404, "no BP Mars")

    # -- cbd token --------------------------------------------------------------------
    r = run("token", "add", "--db", "DB", "--service", "pbx")
    token = r.stdout.strip().split()[-1]
    t.ok(r.returncode == 0 and "added service user pbx" in r.stdout and len(token) == 43,
         "token add: a new service user and its token", r.stdout)
    r = s.post(V1 + "/interactions", token, {"direction": "inbound", "number": "+12125550142", "bp": "Billing"})
    t.is_(r.status, 201, "the token reports a call")
    t.is_(s.get(V1 + "/me/history", token).status, 403, "and is no agent")
    r = run("token", "add", "--db", "DB", "--service", "pbx")
    t.ok(r.returncode == 0 and "added service user" not in r.stdout, "a second token for pbx")
    t.is_(s.post(V1 + "/interactions", r.stdout.split()[-1], {"direction": "outbound", "number": "+12125550143"}).status,
          201, "both tokens work")
    fails(("token", "add", "--db", "DB", "--service", "alice"), 1, "not a service user", "a token for an agent")
    fails(("token", "add", "--db", "DB"), 2, "--service NAME is required", "no --service")
    fails(("token", "add", "--db", "DB", "--service", "PBX!"), 2, "service 'PBX!'", "a bad service name")
    t.is_(run("user", "set", "--db", "DB", "pbx", "--disabled", "yes").returncode, 0, "disabling pbx")
    t.is_(s.post(V1 + "/interactions", token, {"direction": "outbound", "number": "+12125550144"}).status, 401,
          "... stops its tokens")

    # -- cbd dnc ----------------------------------------------------------------------
    def dnc():
        return [d["number"] for d in s.get(V1 + "/dnc?limit=500", sup).json["dnc"]]

    bad = os.path.join(s.tmp, "bad.txt")
    with open(bad, "w") as f:
        f.write("# numbers from the old system\n+1 212 555 0160\n\n+1 212 555 0161  # evening only\n"
                "call me maybe\n+44 20 7946 0162\n+1 212\n")
    r = run("dnc", "import", "--db", "DB", bad)
    t.is_(r.returncode, 1, "dnc import with bad lines: exit 1")
    t.ok(bad + ":5:" in r.stderr and bad + ":7:" in r.stderr and ":2:" not in r.stderr and "nothing imported" in r.stderr,
         "each bad line named by its number", r.stderr)
    t.is_(dnc(), [], "nothing imported")
    good = os.path.join(s.tmp, "good.txt")
    with open(good, "w") as f:
        f.write("# numbers\n+1 212 555 0160\n+1 (212) 555-0161 # evening only\n\n+44 20 7946 0162\n"
                "+12125550160\n   \n+1 212 555 0163\r\n")
    r = run("dnc", "add", "--db", "DB", "+1 212 555 0163", "--note", "asked by phone")
    t.is_((r.returncode, r.stdout.strip()), (0, "added +12125550163 to the do-not-call list"), "dnc add")
    r = run("dnc", "import", "--db", "DB", good)
    t.is_((r.returncode, r.stdout.strip()), (0, "imported 3 numbers; skipped 2 duplicates"),
          "dnc import: three new, two duplicates counted")
    t.is_(dnc(), ["+12125550160", "+12125550161", "+12125550163", "+442079460162"], "the list over the API")
    e = s.get(V1 + "/dnc?q=%2B12125550163", sup).json["dnc"][0]
    t.is_((e["note"], e["added_by"]), ("asked by phone", None), "added by an admin command: added_by null")
    r = run("dnc", "list", "--db", "DB")
    t.ok(r.returncode == 0 and r.stdout.splitlines()[0].split() == ["NUMBER", "ADDED_AT", "ADDED_BY", "NOTE"]
         and len(r.stdout.splitlines()) == 5, "dnc list: header and four rows", r.stdout)
    t.is_(run("dnc", "remove", "--db", "DB", "+44 20 7946 0162").returncode, 0, "dnc remove")
    fails(("dnc", "remove", "--db", "DB", "+442079460162"), 1, "not on the do-not-call list", "removing it twice")
    fails(("dnc", "add", "--db", "DB", "+1 212 555 0160"), 1, "already on the do-not-call list", "adding a listed one")
    fails(("dnc", "add", "--db", "DB", "212 555 0164"), 2, "number '212 555 0164'", "a number without +")
    fails(("dnc", "add", "--db", "DB", "+12125550164", "--note", "x" * 201), 2, "--note", "a note too long")
    fails(("dnc", "import", "--db", "DB", os.path.join(s.tmp, "missing.txt")), 1, "missing.txt", "a missing file")
    r = run("dnc", "import", "--db", "DB", "-", stdin="+1 212 555 0165\n+1 212 555 0160\n")
    t.is_((r.returncode, r.stdout.strip()), (0, "imported 1 number; skipped 1 duplicate"), "import from stdin")
    t.is_(dnc(), ["+12125550160", "+12125550161", "+12125550163", "+12125550165"], "the list now")

    # -- audit ------------------------------------------------------------------------
    rows = admin_audit()
    t.ok(all(user is None for _, _, user in rows), "admin changes are audited with no user")
    actions = [a for a, _, _ in reversed(rows)]
    want = ["admin.user.add", "admin.user.add", "admin.user.passwd", "admin.user.set", "admin.user.set",
            "admin.user.set", "admin.team.add", "admin.bp.add", "admin.team.member.add",
            "admin.team.member.add", "admin.team.member.remove", "admin.bp.set", "admin.bp.set",
            "admin.token.add", "admin.token.add", "admin.user.set", "admin.dnc.add", "admin.dnc.import",
            "admin.dnc.remove", "admin.dnc.import"]
    t.is_(actions, want, "one entry per change, none for refusals")
    r = s.get(V1 + "/audit?action=admin.user.set&limit=1", sup).json["audit"][0]
    t.is_((r["target"].startswith("user:"), r["before"]["disabled"], r["after"]["disabled"]), (True, False, True),
          "user set: the user before and after")
    r = s.get(V1 + "/audit?action=admin.dnc.import&limit=1", sup).json["audit"][0]
    t.is_((r["after"]["imported"], r["after"]["skipped"]), (1, 1), "dnc import: counts")
t.done()
