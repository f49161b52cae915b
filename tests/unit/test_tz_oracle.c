/*
 * test_tz_oracle.c — the time zone module against an independent oracle,
 * CPython's zoneinfo reading the same tz database (tests/unit/tz_oracle.py,
 * run here through /usr/bin/python3 with cwd = the repository root).
 *
 * The script prints cases with its expected answers (see its docstring):
 * the canonical zone list, ≥ 10,000 random local and UTC times over every
 * zone (a share of them next to a transition, years 1970–2100), and every
 * change of offset or DST flag in 2026–2027 in 30 zones with the instants
 * and local times around it. One TAP line per group; each mismatch is a
 * diagnostic (at most 50). TZ_ORACLE_SEED=N reruns with a given seed,
 * TZ_ORACLE_CASES=N changes the number of random cases.
 */
#include "civil.h"
#include "tap.h"
#include "tz.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/unit/tz_oracle.py"
#define MAX_DIAG 50
#define MAX_FIELDS 16

struct group {
    int cases;
    int bad;
};

static int diag_budget = MAX_DIAG;

static void mismatch(struct group *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mismatch(struct group *g, const char *fmt, ...)
{
    g->bad++;
    if (diag_budget-- <= 0)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tap_diag("%s", buf);
}

static const char *result_name(enum tz_result r)
{
    return r == TZ_OK ? "OK" : r == TZ_AMBIGUOUS ? "AMB" : r == TZ_GAP ? "GAP" : "RANGE";
}

static const struct tz_zone *zone_or_complain(struct group *g, const char *name)
{
    const char *why = NULL;
    const struct tz_zone *z = tz_find(name, &why);
    if (z == NULL)
        mismatch(g, "%s: %s", name, why);
    return z;
}

/* L group zone Y M D h m s R T */
static void check_local(struct group *g, char **f)
{
    g->cases++;
    const struct tz_zone *z = zone_or_complain(g, f[2]);
    if (z == NULL)
        return;
    struct civil_time ct = {atoi(f[3]), atoi(f[4]), atoi(f[5]), atoi(f[6]), atoi(f[7]), atoi(f[8])};
    char why[256] = "";
    int64_t t = 0;
    enum tz_result r = tz_local_to_utc(z, &ct, &t, why, sizeof why);
    const char *want = f[9];
    bool ok = strcmp(result_name(r), want) == 0;
    if (ok && r != TZ_GAP)
        ok = t == strtoll(f[10], NULL, 10);
    if (ok && r == TZ_GAP)
        ok = strstr(why, "does not exist in") != NULL;
    if (!ok)
        mismatch(g, "%s %04d-%02d-%02d %02d:%02d:%02d: zoneinfo %s %s, tz %s %lld %s", f[2],
                 ct.year, ct.month, ct.day, ct.hour, ct.minute, ct.second, want, f[10],
                 result_name(r), r == TZ_GAP ? 0LL : (long long)t, why);
}

/* U group zone T Y M D h m s off dst abbr */
static void check_utc(struct group *g, char **f)
{
    g->cases++;
    const struct tz_zone *z = zone_or_complain(g, f[2]);
    if (z == NULL)
        return;
    int64_t t = strtoll(f[3], NULL, 10);
    struct civil_time ct;
    struct tz_info info;
    tz_utc_to_local(z, t, &ct, &info);
    if (ct.year != atoi(f[4]) || ct.month != atoi(f[5]) || ct.day != atoi(f[6]) ||
        ct.hour != atoi(f[7]) || ct.minute != atoi(f[8]) || ct.second != atoi(f[9]) ||
        info.utc_offset != atoi(f[10]) || info.is_dst != (atoi(f[11]) != 0) ||
        strcmp(info.abbr, f[12]) != 0)
        mismatch(g,
                 "%s at %lld: zoneinfo %s-%s-%s %s:%s:%s off %s dst %s %s, "
                 "tz %04d-%02d-%02d %02d:%02d:%02d off %d dst %d %s",
                 f[2], (long long)t, f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12],
                 ct.year, ct.month, ct.day, ct.hour, ct.minute, ct.second, info.utc_offset,
                 info.is_dst, info.abbr);
}

struct transition {
    int64_t t;
    int off, dst;
};

/* Compares zoneinfo's changes in 2026–2027 with tz_next_transition's. */
static void check_transitions(struct group *g, const char *name, const struct transition *want,
                              size_t nwant)
{
    g->cases++;
    const struct tz_zone *z = zone_or_complain(g, name);
    if (z == NULL)
        return;
    int64_t t = civil_days_from_date(2026, 1, 1) * 86400 - 1; /* a change at 00:00 counts */
    int64_t end = civil_days_from_date(2028, 1, 1) * 86400;
    size_t i = 0;
    int64_t next;
    while (tz_next_transition(z, t, &next) && next < end) {
        struct civil_time ct;
        struct tz_info info;
        tz_utc_to_local(z, next, &ct, &info);
        if (i >= nwant || want[i].t != next || want[i].off != info.utc_offset ||
            want[i].dst != info.is_dst) {
            mismatch(g, "%s transition %zu: zoneinfo %lld off %d dst %d, tz %lld off %d dst %d",
                     name, i, i < nwant ? (long long)want[i].t : -1LL, i < nwant ? want[i].off : 0,
                     i < nwant ? want[i].dst : 0, (long long)next, info.utc_offset, info.is_dst);
            return;
        }
        i++;
        t = next;
    }
    if (i != nwant)
        mismatch(g, "%s: zoneinfo has %zu transitions in 2026-2027, tz %zu", name, nwant, i);
}

static int split(char *line, char **f)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \n", &save); tok && n < MAX_FIELDS;
         tok = strtok_r(NULL, " \n", &save))
        f[n++] = tok;
    return n;
}

/* The script, found from the cwd (the repository root) or, failing that,
 * above the test binary. The caller frees the result. */
static char *script_path(void)
{
    if (access(SCRIPT, R_OK) == 0)
        return xstrdup(SCRIPT);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    for (char *slash = strrchr(exe, '/'); slash; slash = strrchr(exe, '/')) {
        *slash = '\0';
        char *p = xasprintf("%s/%s", exe, SCRIPT);
        if (access(p, R_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

int main(void)
{
    char *script = script_path();
    if (access(PYTHON, X_OK) != 0 || script == NULL) {
        printf("1..0 # SKIP needs %s and %s\n", PYTHON, SCRIPT);
        free(script);
        return 0;
    }
    const char *env_seed = getenv("TZ_ORACLE_SEED");
    const char *env_cases = getenv("TZ_ORACLE_CASES");
    unsigned long seed = env_seed && *env_seed
                             ? strtoul(env_seed, NULL, 10)
                             : ((unsigned long)time(NULL) ^ (unsigned long)getpid() << 16) % 1000000000ul;
    long ncases = env_cases && *env_cases ? strtol(env_cases, NULL, 10) : 10000;
    tap_diag("seed %lu (rerun with TZ_ORACLE_SEED=%lu), %ld random cases", seed, seed, ncases);

    /* Both sides read the same database. */
    const char *tzdir = getenv("TZDIR");
    char *cmd = xasprintf("PYTHONTZPATH='%s' %s %s %lu %ld", tzdir && *tzdir ? tzdir : "/usr/share/zoneinfo",
                          PYTHON, script, seed, ncases);
    FILE *p = popen(cmd, "r");
    if (p == NULL) {
        tap_ok(false, "run %s", cmd);
        free(cmd);
        free(script);
        return tap_done();
    }

    struct group names = {0}, rand_local = {0}, rand_utc = {0}, trans = {0}, trans_local = {0},
                 trans_utc = {0};
    char **py_names = NULL;
    size_t npy = 0, cap = 0, ntrans_want = 0, cap_trans = 0;
    struct transition *want = NULL;
    int lines = 0;
    bool skipped = false;
    char *line = NULL;
    size_t line_cap = 0;
    while (getline(&line, &line_cap, p) > 0) {
        char *f[MAX_FIELDS];
        int n = split(line, f);
        lines++;
        if (n == 0)
            continue;
        if (strcmp(f[0], "SKIP") == 0) {
            skipped = true;
        } else if (strcmp(f[0], "N") == 0 && n == 2) {
            if (npy == cap)
                py_names = xrealloc(py_names, (cap = cap ? 2 * cap : 512) * sizeof *py_names);
            py_names[npy++] = xstrdup(f[1]);
        } else if (strcmp(f[0], "E") == 0) {
            mismatch(&names, "zoneinfo: %s", line + 2);
        } else if (strcmp(f[0], "L") == 0 && n == 11) {
            check_local(strcmp(f[1], "random") == 0 ? &rand_local : &trans_local, f);
        } else if (strcmp(f[0], "U") == 0 && n == 13) {
            check_utc(strcmp(f[1], "random") == 0 ? &rand_utc : &trans_utc, f);
        } else if (strcmp(f[0], "T") == 0 && n == 5) {
            if (ntrans_want == cap_trans)
                want = xrealloc(want, (cap_trans = cap_trans ? 2 * cap_trans : 64) * sizeof *want);
            want[ntrans_want++] = (struct transition){strtoll(f[2], NULL, 10), atoi(f[3]), atoi(f[4])};
        } else if (strcmp(f[0], "X") == 0 && n == 2) {
            check_transitions(&trans, f[1], want, ntrans_want);
            ntrans_want = 0;
        } else {
            mismatch(&names, "unexpected line from the oracle: %s", f[0]);
        }
    }
    free(line);
    int status = pclose(p);
    if (skipped) {
        printf("1..0 # SKIP Python has no zoneinfo\n");
        return 0;
    }
    tap_ok(status == 0 && lines > 0, "the oracle ran (%d lines, exit status %d)", lines, status);

    size_t n = 0;
    const char *const *ours = tz_zone_names(&n);
    for (size_t i = 0, j = 0; i < n || j < npy;) {
        int c = i == n ? 1 : j == npy ? -1 : strcmp(ours[i], py_names[j]);
        if (c < 0)
            mismatch(&names, "tz_zone_names has %s, the oracle has not", ours[i++]);
        else if (c > 0)
            mismatch(&names, "the oracle has %s, tz_zone_names has not", py_names[j++]);
        else
            i++, j++;
    }
    tap_ok(names.bad == 0 && n == npy && n > 300,
           "tz_zone_names and the oracle agree on %zu canonical zones", n);
    tap_ok(rand_local.bad == 0 && rand_local.cases >= ncases,
           "%d random local times over all zones agree with zoneinfo (%d differ)", rand_local.cases,
           rand_local.bad);
    tap_ok(rand_utc.bad == 0 && rand_utc.cases >= ncases,
           "%d random instants over all zones agree with zoneinfo (%d differ)", rand_utc.cases,
           rand_utc.bad);
    tap_ok(trans.bad == 0 && trans.cases >= 30,
           "tz_next_transition finds zoneinfo's 2026-2027 transitions in %d zones (%d differ)",
           trans.cases, trans.bad);
    tap_ok(trans_local.bad == 0 && trans_local.cases > 300,
           "%d local times at the edges and middles of 2026-2027 gaps and folds agree (%d differ)",
           trans_local.cases, trans_local.bad);
    tap_ok(trans_utc.bad == 0 && trans_utc.cases > 300,
           "%d instants around 2026-2027 transitions agree (%d differ)", trans_utc.cases,
           trans_utc.bad);
    if (diag_budget < 0)
        tap_diag("... %d more mismatches not shown", -diag_budget);

    for (size_t i = 0; i < npy; i++)
        free(py_names[i]);
    free(py_names);
    free(want);
    free(cmd);
    free(script);
    return tap_done();
}
