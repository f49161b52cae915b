#!/usr/bin/python3
# The manual pages against the code, so neither drifts from the other:
#   - every route of cbd/router.c has its own section ".Ss METHOD PATTERN"
#     in man/cbd-api.7, and every such section is a route that exists;
#   - every subcommand of cbd/main.c, and every action of each command group
#     (the cmd_action tables of cbd/cmd_*.c), appears as ".Cm NAME [ACTION]"
#     in man/cbd.8;
#   - every key of cbd/serve_config.c is an ".It Cm KEY" of man/cbd.conf.5,
#     a "--KEY" of `cbd serve --help` ($CB_BUILD/cbd, default build/) and an
#     option "Fl \-KEY" of man/cbd.8;
#   - every error code of common/vocab.h has a row ".It Li CODE Ta STATUS"
#     in the error table of man/cbd-api.7, with its HTTP status;
#   - every long option of the cbd/cmd_*.c option tables is a "Fl \-NAME" of
#     man/cbd.8, and an action that parses its own options (cbd report
#     completed) has each of them in its SYNOPSIS entry;
#   - every variable cbd reads with getenv() is an ".It Ev NAME" of the
#     ENVIRONMENT of man/cbd.8;
#   - the completion statuses each lifecycle state allows, and its default
#     (common/lifecycle.c), are the rows ".It Cm STATUS Ta STATES" of the
#     table in man/cbd.8;
#   - every attempt state of common/vocab.h is named in the "Attempt states"
#     of man/cbd.8 and in the Attempt object of man/cbd-api.7;
#   - every event type and reset reason of cbd/events.c is named in the
#     section of GET /api/v1/events, and every CSV column of cbd/report.c in
#     the section of GET /api/v1/reports/completed, of man/cbd-api.7.
# Run from the repository root (the build wrapper does); prints TAP.
import os
import re
import subprocess
import sys

ROOT = os.getcwd()
if not os.path.exists(os.path.join(ROOT, "cbd", "router.c")):
    ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("CB_BUILD") or os.path.join(ROOT, "build")

results = []


def check(ok, name, diag=None):
    results.append((bool(ok), name, diag))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def c_block(text, start_pattern):
    """The text between the "{" that follows start_pattern and its "};"."""
    m = re.search(start_pattern + r"\s*=\s*\{", text)
    if not m:
        return None
    end = text.find("};", m.end())
    return text[m.end():end] if end >= 0 else None


def man_lines(rel):
    return read(rel).splitlines()


# ---- routes ---------------------------------------------------------------

router = strip_c_comments(read("cbd/router.c"))
macros = dict(re.findall(r'#define\s+(\w+)\s+"([^"]*)"', router))
table = c_block(router, r"static const struct route router_table\[\]") or ""
routes = []
for m in re.finditer(r'\{\s*"([A-Z]+)"\s*,\s*((?:\w+\s+)?"[^"]*")\s*,', table):
    method, pat = m.group(1), m.group(2)
    parts = re.match(r'(?:(\w+)\s+)?"([^"]*)"', pat)
    prefix = macros.get(parts.group(1), None) if parts.group(1) else ""
    if prefix is None:
        check(False, "router.c: macro %s is known" % parts.group(1))
        continue
    routes.append((method, prefix + parts.group(2)))
check(len(routes) >= 10 and ("GET", "/healthz") in routes,
      "router.c: the route table was read (%d routes)" % len(routes))

api = man_lines("man/cbd-api.7")
headings = set()
for line in api:
    m = re.match(r'^\.Ss\s+"?([A-Z]+)\s+(/[^\s"]*)"?\s*$', line)
    if m:
        headings.add((m.group(1), m.group(2)))
for method, path in routes:
    check((method, path) in headings, "cbd-api.7 documents %s %s" % (method, path),
          'expected a line ".Ss %s %s"' % (method, path))
for method, path in sorted(headings - set(routes)):
    check(False, "cbd-api.7 documents only routes that exist: %s %s" % (method, path),
          "no such route in cbd/router.c")

# ---- error codes ------------------------------------------------------------

vocab = read("common/vocab.h")
errors = re.findall(r'X\(\s*ERR_\w+\s*,\s*"([a-z_]+)"\s*,\s*(\d+)\s*,', vocab)
check(len(errors) >= 10, "vocab.h: the error codes were read (%d)" % len(errors))
for code, status in errors:
    row = re.compile(r"^\.It\s+Li\s+%s\s+Ta\s+%s\s+Ta\b" % (re.escape(code), status))
    check(any(row.match(line) for line in api),
          "cbd-api.7 lists error %s with status %s" % (code, status),
          'expected a row ".It Li %s Ta %s Ta ..."' % (code, status))

# ---- subcommands and actions --------------------------------------------------

cbd8 = man_lines("man/cbd.8")


def cm_line(words):
    pat = re.compile(r"^\.Cm\s+%s(\s|$)" % r"\s+".join(re.escape(w) for w in words))
    return any(pat.match(line) for line in cbd8)


main_c = strip_c_comments(read("cbd/main.c"))
cmds = re.findall(r'\{\s*"([a-z-]+)"\s*,\s*cmd_\w+\s*,', c_block(main_c, r"main_cmds\[\]") or "")
check(len(cmds) >= 2 and "serve" in cmds, "main.c: the command table was read (%d)" % len(cmds))
for name in cmds:
    check(cm_line([name]), "cbd.8 documents cbd %s" % name,
          'expected a line ".Cm %s ..." in the SYNOPSIS' % name)

groups = 0
for fn in sorted(os.listdir(os.path.join(ROOT, "cbd"))):
    if not (fn.startswith("cmd_") and fn.endswith(".c")):
        continue
    src = strip_c_comments(read(os.path.join("cbd", fn)))
    for group, tname in re.findall(r'cmd_dispatch\(\s*"([a-z-]+)"\s*,\s*(\w+)\s*,', src):
        block = c_block(src, r"struct cmd_action\s+%s\[\]" % re.escape(tname)) or ""
        actions = re.findall(r'\{\s*"([a-z-]+)"\s*,\s*\w+\s*,', block)
        groups += 1
        check(actions, "%s: the actions of cbd %s were read" % (fn, group))
        for action in actions:
            check(cm_line([group, action]), "cbd.8 documents cbd %s %s" % (group, action),
                  'expected a line ".Cm %s %s" in the SYNOPSIS' % (group, action))
check(groups >= 1, "cmd_*.c: the command groups were read (%d)" % groups)

# ---- configuration keys ---------------------------------------------------------

conf_c = strip_c_comments(read("cbd/serve_config.c"))
keys = re.findall(r'\{\s*"([a-z0-9-]+)"\s*,\s*(?:NULL|")',
                  c_block(conf_c, r"static const struct serve_key serve_keys\[\]") or "")
check(len(keys) >= 3 and "db" in keys, "serve_config.c: the keys were read (%d)" % len(keys))

conf5 = man_lines("man/cbd.conf.5")
cbd = os.path.join(BUILD, "cbd")
try:
    proc = subprocess.run([cbd, "serve", "--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=30)
    help_text = proc.stdout.decode("utf-8", "replace")
    check(proc.returncode == 0, "cbd serve --help exits 0", help_text[-300:])
except (OSError, subprocess.TimeoutExpired) as e:
    help_text = ""
    check(False, "cbd serve --help runs", "%s: %s" % (cbd, e))

for key in keys:
    item = re.compile(r"^\.It\s+Cm\s+%s(\s|$)" % re.escape(key))
    check(any(item.match(line) for line in conf5), "cbd.conf.5 documents key %s" % key,
          'expected a line ".It Cm %s ..."' % key)
    check(re.search(r"(^|\s)--%s(\s|$)" % re.escape(key), help_text, re.M),
          "cbd serve --help lists --%s" % key)
    flag = re.compile(r"\bFl \\-%s(\s|$)" % re.escape(key))
    check(any(flag.search(line) for line in cbd8), "cbd.8 documents option --%s" % key,
          'expected "Fl \\-%s"' % key)

# ---- options of the administration commands -------------------------------------

def c_function(text, name):
    """The body of the C function `name` (from its "{" to the matching "}")."""
    m = re.search(r"\b%s\s*\([^;{]*\)\s*\{" % re.escape(name), text)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end():i]


def long_options(text):
    names = []
    for block in re.findall(r"struct (?:option|cmd_opt)\s+\w+\s*\[\]\s*=\s*\{(.*?)\};", text, re.S):
        names += [n for n in re.findall(r'\{\s*"([a-z0-9-]+)"\s*,', block) if n != "help"]
    return names


def synopsis_entry(words):
    """The SYNOPSIS lines of `cbd WORDS ...`: from ".Cm WORDS" to the next ".Nm"."""
    out, inside = [], False
    head = re.compile(r"^\.Cm\s+%s(\s|$)" % r"\s+".join(re.escape(w) for w in words))
    for line in cbd8:
        if line.startswith(".Sh ") and inside:
            break
        if inside and line.startswith(".Nm"):
            break
        if head.match(line):
            inside = True
        if inside:
            out.append(line)
    return "\n".join(out)


nopts = 0
for fn in sorted(os.listdir(os.path.join(ROOT, "cbd"))):
    if not (fn.startswith("cmd_") and fn.endswith(".c")):
        continue
    src = strip_c_comments(read(os.path.join("cbd", fn)))
    for name in sorted(set(long_options(src))):
        nopts += 1
        flag = re.compile(r"\bFl \\-%s(\s|=|$)" % re.escape(name))
        check(any(flag.search(line) for line in cbd8),
              "cbd.8 documents option --%s (%s)" % (name, fn), 'expected "Fl \\-%s"' % name)
    for group, tname in re.findall(r'cmd_dispatch\(\s*"([a-z-]+)"\s*,\s*(\w+)\s*,', src):
        block = c_block(src, r"struct cmd_action\s+%s\[\]" % re.escape(tname)) or ""
        for action, func in re.findall(r'\{\s*"([a-z-]+)"\s*,\s*(\w+)\s*,', block):
            own = long_options(c_function(src, func) or "")
            if not own:
                continue
            entry = synopsis_entry([group, action])
            for name in own:
                check(re.search(r"\bFl \\-%s(\s|$)" % re.escape(name), entry),
                      "cbd.8 SYNOPSIS: cbd %s %s takes --%s" % (group, action, name),
                      'expected "Op Fl \\-%s ..." after ".Cm %s %s"' % (name, group, action))
check(nopts >= 5, "cmd_*.c: the long options were read (%d)" % nopts)

# ---- environment ------------------------------------------------------------------

envs = set()
for d in ("cbd", "common"):
    for fn in sorted(os.listdir(os.path.join(ROOT, d))):
        if fn.endswith(".c"):
            envs.update(re.findall(r'getenv\(\s*"([A-Z_][A-Z0-9_]*)"\s*\)',
                                   strip_c_comments(read(os.path.join(d, fn)))))
check(len(envs) >= 1, "cbd/, common/: the environment variables were read (%d)" % len(envs))
for name in sorted(envs):
    check(any(re.match(r"^\.It\s+Ev\s+%s(\s|$)" % re.escape(name), line) for line in cbd8),
          "cbd.8 ENVIRONMENT documents %s" % name, 'expected a line ".It Ev %s"' % name)

# ---- completion statuses per state --------------------------------------------------

lifecycle = strip_c_comments(read("common/lifecycle.c"))
STATE_WORDS = {"LC_DIALING": "Dialing", "LC_TIMED_OUT": "Dialing timed out",
               "LC_HANDLING": "Handling"}
status_wire = dict(re.findall(r'X\(\s*(STATUS_\w+)\s*,\s*"([a-z_]+)"', vocab))
allowed = {}  # status wire -> {state word}
for state, event in re.findall(r"\{\s*(LC_\w+)\s*,\s*LC_EV_COMPLETE_(\w+)\s*,", lifecycle):
    wire = status_wire.get("STATUS_" + event)
    check(wire is not None and state in STATE_WORDS,
          "lifecycle.c: completion %s in %s is known" % (event, state))
    if wire and state in STATE_WORDS:
        allowed.setdefault(wire, set()).add(STATE_WORDS[state])
defaults = {}  # status wire -> {state word where it is the default}
dblock = c_block(lifecycle, r"\}\s*lifecycle_defaults\[\]") or ""
for state, status in re.findall(r"\{\s*(LC_\w+)\s*,\s*(STATUS_\w+)\s*\}", dblock):
    defaults.setdefault(status_wire.get(status), set()).add(STATE_WORDS.get(state, state))
check(len(allowed) == len(status_wire) and len(defaults) >= 3,
      "lifecycle.c: the completion statuses (%d) and defaults (%d) were read"
      % (len(allowed), len(defaults)))
for wire in sorted(status_wire.values()):
    rows = [m.group(1) for m in (re.match(r"^\.It\s+Cm\s+%s\s+Ta\s+(.*?)\s*$" % re.escape(wire),
                                          line) for line in cbd8) if m]
    if not rows:
        check(False, "cbd.8 completion table has a row for %s" % wire,
              'expected ".It Cm %s Ta STATES"' % wire)
        continue
    got, got_default = set(), set()
    for cell in rows[0].split(","):
        cell = cell.strip()
        if cell.endswith("(default)"):
            cell = cell[: -len("(default)")].strip()
            got_default.add(cell)
        got.add(cell)
    want = allowed.get(wire, set())
    check(got == want, "cbd.8 completion table: %s is allowed in %s" % (wire, ", ".join(sorted(want))),
          "the row says: %s" % rows[0])
    check(got_default == defaults.get(wire, set()),
          "cbd.8 completion table: %s is the default in %s"
          % (wire, ", ".join(sorted(defaults.get(wire, set()))) or "no state"),
          "the row says: %s" % rows[0])

# ---- attempt states -------------------------------------------------------------------


def section(lines, heading):
    """The lines from the heading line to the next .Sh or .Ss."""
    out, inside = [], False
    for line in lines:
        if inside and (line.startswith(".Sh ") or line.startswith(".Ss ")):
            break
        if line.rstrip() == heading:
            inside = True
        if inside:
            out.append(line)
    return "\n".join(out)


attempts = re.findall(r'X\(\s*ATTEMPT_\w+\s*,\s*"([a-z_]+)"', vocab)
check(len(attempts) >= 10, "vocab.h: the attempt states were read (%d)" % len(attempts))
where = [("cbd.8", section(cbd8, ".Ss Attempt states")),
         ("cbd-api.7", section(api, ".Ss Attempt"))]
for page, text in where:
    check(text, "%s has its section of attempt states" % page)
    for name in attempts:
        check(re.search(r"\bCm\b[^\n]*\b%s\b" % re.escape(name), text),
              "%s names the attempt state %s" % (page, name))

# ---- events and the report's CSV --------------------------------------------------------

events_c = strip_c_comments(read("cbd/events.c"))
etypes = re.findall(r'\[EVENT_\w+\]\s*=\s*"([a-z_]+)"', events_c) + ["reset"]
reasons = [r for r in re.findall(r'\[EVENTS_RESET_\w+\]\s*=\s*"([a-z_]*)"', events_c) if r]
check(len(etypes) >= 6 and len(reasons) >= 4,
      "events.c: the event types (%d) and reset reasons (%d) were read"
      % (len(etypes), len(reasons)))
ev_text = section(api, ".Ss GET /api/v1/events")
for name in etypes:
    check(re.search(r"^\.It\s+Cm\s+%s\s*$" % re.escape(name), ev_text, re.M),
          "cbd-api.7 GET /api/v1/events lists the event %s" % name,
          'expected ".It Cm %s"' % name)
for name in reasons:
    check(re.search(r"^\.It\s+Cm\s+%s\s*$" % re.escape(name), ev_text, re.M),
          "cbd-api.7 GET /api/v1/events lists the reset reason %s" % name,
          'expected ".It Cm %s"' % name)

report_c = strip_c_comments(read("cbd/report.c"))
m = re.search(r"void report_csv_header\(.*?\{(.*?)\n\}", report_c, re.S)
header = "".join(re.findall(r'"([^"]*)"', m.group(1) if m else "")).replace("\\r\\n", "")
columns = [c for c in header.split(",") if c]
check(len(columns) >= 10, "report.c: the CSV columns were read (%d)" % len(columns))
rep_text = section(api, ".Ss GET /api/v1/reports/completed")
for name in columns:
    check(re.search(r"^\.Li\b[^\n]*\b%s\b" % re.escape(name), rep_text, re.M),
          "cbd-api.7 GET /api/v1/reports/completed lists the CSV column %s" % name,
          'expected "%s" on a ".Li" line' % name)


# ---- cb-agent: every key of the key table and every option in cb-agent(1) ----

agent_man = read("man/cb-agent.1")
keys_text = section(agent_man.splitlines(), ".Sh KEYS")
input_c = strip_c_comments(read("agent-tui/input.c"))
table = re.search(r"input_table\[\] = \{(.*?)\n\};", input_c, re.S)
keys = re.findall(r"^\s*\{'(.{1,2})', false,", table.group(1) if table else "", re.M)
check(len(keys) >= 15, "input.c: the key table was read (%d)" % len(keys))
for k in keys:
    name = {"\\r": "Enter", "?": "\\&?"}.get(k, k)
    check(re.search(r"^\.It\b.*\bIc %s(\s|$)" % re.escape(name), keys_text, re.M),
          "cb-agent.1 KEYS lists the key %s" % name, 'expected ".It Ic %s"' % name)
agent_main = read("common/client/console.c")
agent_opts = re.findall(r'\{"([a-z-]+)", (?:no|required)_argument', agent_main)
check(len(agent_opts) >= 4, "console.c: the consoles' options were read (%d)" % len(agent_opts))
for longopt in agent_opts:
    check(re.search(r"^\.It Fl \\-%s\b" % re.escape(longopt), agent_man, re.M),
          "cb-agent.1 documents --%s" % longopt)
    check("--" + longopt in subprocess.run([os.path.join(os.environ.get("CB_BUILD", "build"), "cb-agent"), "--help"],
                                           capture_output=True, text=True).stdout,
          "cb-agent --help mentions --%s" % longopt)


# ---- cb-supervisor: every option in cb-supervisor(1) and --help ----

sup_man = read("man/cb-supervisor.1")
sup_main = read("common/client/console.c")
for longopt in re.findall(r'\{"([a-z-]+)", (?:no|required)_argument', sup_main):
    check(re.search(r"^\.It Fl \\-%s\b" % re.escape(longopt), sup_man, re.M),
          "cb-supervisor.1 documents --%s" % longopt)
    check("--" + longopt in subprocess.run([os.path.join(os.environ.get("CB_BUILD", "build"), "cb-supervisor"), "--help"],
                                           capture_output=True, text=True).stdout,
          "cb-supervisor --help mentions --%s" % longopt)
# every key named in the help view is in the KEYS section
sup_keys = section(sup_man.splitlines(), ".Sh KEYS")
prompt_c = read("supervisor-tui/prompt.c")
help_text = "".join(re.findall(r'^\s*"(.*?)\\n"', prompt_c, re.M))
for k in ["<", ">", "m", "w", "l", "Q", "P", "e", "f", "x", "/", "a", "d", "I"]:
    check(k in help_text, "the help view of cb-supervisor names the key %s" % k)
    check(re.search(r"^\.It\b.*\bIc %s(\s|,|$)" % re.escape(k if k not in "<>" else k), sup_keys, re.M),
          "cb-supervisor.1 KEYS lists the key %s" % k)

# ---- TAP ------------------------------------------------------------------------

print("1..%d" % len(results))
failed = 0
for i, (ok, name, diag) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok:
        failed += 1
        if diag:
            for line in str(diag).splitlines():
                print("# " + line)
sys.exit(1 if failed else 0)
