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
#     in the error table of man/cbd-api.7, with its HTTP status.
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
