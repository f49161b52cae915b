/*
 * main.c — cbd-sim: options and the loop. The loop moves every virtual
 * agent's transfers, the supervisor's and telephony's on, fires the timers
 * that are due, and sleeps 50 ms; it runs until its duration is over, or
 * until SIGINT / SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clientconf.h"
#include "sim.h"

static volatile sig_atomic_t sim_stop;

static void sim_on_signal(int sig)
{
    (void)sig;
    sim_stop = 1;
}

int64_t sim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sim_rand(struct sim *s, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int)(rand_r(&s->seed) % (unsigned)(hi - lo + 1));
}

void sim_log(struct sim *s, const char *fmt, ...)
{
    if (s->quiet)
        return;
    char when[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    printf("%s sim: ", when);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

void sim_timer_add(struct sim *s, int64_t in_ms, enum sim_timer_kind kind, int agent, int64_t id,
                   const char *status)
{
    if (s->n_timers >= SIM_MAX_TIMERS)
        return;
    struct sim_timer *t = &s->timers[s->n_timers++];
    t->due_ms = sim_now_ms() + in_ms;
    t->kind = kind;
    t->agent = agent;
    t->id = id;
    t->status = status;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cbd-sim [--server URL] [--agent LOGIN[:PASSWORD]]... [--supervisor LOGIN[:PASSWORD]]\n"
            "               [--service-token TOKEN] [--callbacks-per-min N] [--calls-per-min N]\n"
            "               [--duration SECONDS] [--seed N] [--quiet]\n"
            "       cbd-sim --help | --version\n"
            "\n"
            "Drives traffic through cbd's API: virtual agents that accept, dial and\n"
            "complete callbacks, callbacks scheduled as web requests would, inbound\n"
            "calls reported as telephony would.\n"
            "\n"
            "  -s, --server URL          the cbd server (default CB_SERVER or http://127.0.0.1:8080)\n"
            "  -a, --agent LOGIN[:PW]    a virtual agent (password default LOGIN-demo); repeatable\n"
            "  -S, --supervisor LOGIN[:PW]  who schedules the callbacks (default sup:sup-demo)\n"
            "  -t, --service-token TOKEN telephony's token (default CB_SERVICE_TOKEN); without\n"
            "                            it no calls are reported\n"
            "  -c, --callbacks-per-min N callbacks scheduled a minute (default 6; 0 none)\n"
            "  -i, --calls-per-min N     inbound calls a minute (default 2; 0 none)\n"
            "  -d, --duration SECONDS    stop after this long (default 0: until interrupted)\n"
            "      --seed N              the random seed (default: the time)\n"
            "  -q, --quiet               no log lines\n"
            "  -h, --help, -V, --version\n"
            "See cbd-sim(1).\n");
}

/* "login" or "login:password" into the two buffers. */
static bool sim_cred(const char *arg, char *login, size_t login_size, char *pw, size_t pw_size)
{
    const char *colon = strchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    if (n == 0 || n >= login_size)
        return false;
    memcpy(login, arg, n);
    login[n] = '\0';
    if (colon)
        snprintf(pw, pw_size, "%s", colon + 1);
    else
        snprintf(pw, pw_size, "%s-demo", login);
    return true;
}

static bool sim_number(const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    static struct sim sim;
    struct sim *s = &sim;
    static const struct option opts[] = {
        {"server", required_argument, NULL, 's'},
        {"agent", required_argument, NULL, 'a'},
        {"supervisor", required_argument, NULL, 'S'},
        {"service-token", required_argument, NULL, 't'},
        {"callbacks-per-min", required_argument, NULL, 'c'},
        {"calls-per-min", required_argument, NULL, 'i'},
        {"duration", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *env = getenv("CB_SERVER");
    snprintf(s->server, sizeof s->server, "%s", env && env[0] ? env : "http://127.0.0.1:8080");
    env = getenv("CB_SERVICE_TOKEN");
    snprintf(s->service_token, sizeof s->service_token, "%s", env ? env : "");
    snprintf(s->sup_login, sizeof s->sup_login, "sup");
    snprintf(s->sup_password, sizeof s->sup_password, "sup-demo");
    s->callbacks_per_min = 6;
    s->calls_per_min = 2;
    s->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "s:a:S:t:c:i:d:qhV", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            snprintf(s->server, sizeof s->server, "%s", optarg);
            break;
        case 'a':
            if (s->n_agents >= SIM_MAX_AGENTS) {
                fprintf(stderr, "cbd-sim: --agent: at most %d agents\n", SIM_MAX_AGENTS);
                return 2;
            }
            if (!sim_cred(optarg, s->agents[s->n_agents].login, sizeof s->agents[0].login,
                          s->agents[s->n_agents].password, sizeof s->agents[0].password)) {
                fprintf(stderr, "cbd-sim: --agent '%s': expected LOGIN or LOGIN:PASSWORD\n", optarg);
                return 2;
            }
            s->n_agents++;
            break;
        case 'S':
            if (!sim_cred(optarg, s->sup_login, sizeof s->sup_login, s->sup_password, sizeof s->sup_password)) {
                fprintf(stderr, "cbd-sim: --supervisor '%s': expected LOGIN or LOGIN:PASSWORD\n", optarg);
                return 2;
            }
            break;
        case 't':
            snprintf(s->service_token, sizeof s->service_token, "%s", optarg);
            break;
        case 'c':
        case 'i':
            if (!sim_number(optarg, 0, 6000, &v)) {
                fprintf(stderr, "cbd-sim: --%s: a number from 0 to 6000\n",
                        c == 'c' ? "callbacks-per-min" : "calls-per-min");
                return 2;
            }
            *(c == 'c' ? &s->callbacks_per_min : &s->calls_per_min) = v;
            break;
        case 'd':
            if (!sim_number(optarg, 0, 31536000, &v)) {
                fprintf(stderr, "cbd-sim: --duration: seconds from 0 to 31536000\n");
                return 2;
            }
            s->duration_s = (int)v;
            break;
        case 'r':
            if (!sim_number(optarg, 0, 4294967295.0, &v)) {
                fprintf(stderr, "cbd-sim: --seed: a whole number from 0 to 4294967295\n");
                return 2;
            }
            s->seed = (unsigned)v;
            break;
        case 'q':
            s->quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("cbd-sim %s\n", CB_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "cbd-sim: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    const char *why;
    if (!clientconf_server_ok(s->server, &why)) {
        fprintf(stderr, "cbd-sim: --server '%s': %s\n", s->server, why);
        return 2;
    }
    signal(SIGINT, sim_on_signal);
    signal(SIGTERM, sim_on_signal);
    signal(SIGPIPE, SIG_IGN);
    sim_log(s, "driving %s with %d virtual agent%s, %.1f callbacks and %.1f calls a minute", s->server,
            s->n_agents, s->n_agents == 1 ? "" : "s", s->callbacks_per_min, s->service_token[0] ? s->calls_per_min : 0.0);
    for (int i = 0; i < s->n_agents; i++)
        agent_start(s, i);
    traffic_start(s);
    int64_t end = s->duration_s ? sim_now_ms() + (int64_t)s->duration_s * 1000 : 0;
    while (!sim_stop && (end == 0 || sim_now_ms() < end)) {
        for (int i = 0; i < s->n_agents; i++)
            agent_tick(s, i);
        traffic_tick(s);
        int64_t now = sim_now_ms();
        for (int i = 0; i < s->n_timers;) {
            if (s->timers[i].due_ms <= now) {
                struct sim_timer t = s->timers[i];
                s->timers[i] = s->timers[--s->n_timers];
                if (t.kind == TIMER_CALL_END)
                    traffic_fire(s, &t);
                else
                    agent_fire(s, &t);
            } else {
                i++;
            }
        }
        usleep(50000);
    }
    sim_log(s, "stopping: %ld callbacks scheduled, %ld completed, %ld calls", s->created, s->completed, s->calls);
    for (int i = 0; i < s->n_agents; i++) {
        struct sim_agent *ag = &s->agents[i];
        if (ag->s.logged_in) {
            /* log out so what it holds goes back at once */
            session_logout(&ag->s, NULL, NULL, 0);
            int64_t until = sim_now_ms() + 2000;
            while (httpc_pending(ag->s.http) > 0 && sim_now_ms() < until) {
                httpc_run(ag->s.http);
                usleep(10000);
            }
        }
        session_free(&ag->s);
    }
    httpc_free(s->service);
    return 0;
}
