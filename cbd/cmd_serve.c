/*
 * cmd_serve.c — `cbd serve`: reads the settings, opens the store, starts
 * the engine, the worker pool and the HTTP server, prints the
 * "cbd listening on URL" line, and waits for SIGTERM or SIGINT to shut down
 * gracefully (stop accepting, finish requests in flight, commit what is
 * queued, close the store).
 */
#include "cmd.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "dispatch.h"
#include "events.h"
#include "stats.h"
#include "engine.h"
#include "http.h"
#include "log.h"
#include "serve_config.h"
#include "worker.h"

static void cmd_serve_usage(FILE *out)
{
    fprintf(out, "usage: cbd serve --db PATH [--config FILE] [options]\n\n"
                 "Every option is also a key of the config file (key = value).\n\n");
    fprintf(out, "  %-26s %s\n", "--config FILE", "read settings from FILE first");
    serve_config_usage(out);
}

/* Reads --config first, then every other flag, so flags win. */
static int cmd_serve_args(int argc, char **argv, struct serve_config *cfg)
{
    char err[512];
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cmd_serve_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--config") == 0 || strncmp(argv[i], "--config=", 9) == 0) {
            const char *path = argv[i][8] == '=' ? argv[i] + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (path == NULL) {
                fprintf(stderr, "cbd serve: --config needs a file\n");
                return 2;
            }
            if (!serve_config_file(cfg, path, err, sizeof err)) {
                fprintf(stderr, "cbd serve: %s\n", err);
                return 2;
            }
        }
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--config=", 9) == 0)
            continue;
        if (strncmp(argv[i], "--", 2) != 0) {
            fprintf(stderr, "cbd serve: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
        char key[64];
        const char *eq = strchr(argv[i], '=');
        const char *value;
        snprintf(key, sizeof key, "%.*s", (int)(eq ? eq - argv[i] - 2 : (long)strlen(argv[i] + 2)),
                 argv[i] + 2);
        if (eq)
            value = eq + 1;
        else if (serve_config_is_flag(key))
            value = "true";
        else if (i + 1 < argc)
            value = argv[++i];
        else {
            fprintf(stderr, "cbd serve: --%s needs a value\n", key);
            return 2;
        }
        if (!serve_config_set(cfg, key, value, err, sizeof err)) {
            fprintf(stderr, "cbd serve: %s\n", err);
            return 2;
        }
    }
    if (cfg->db == NULL) {
        fprintf(stderr, "cbd serve: --db PATH is required\n");
        return 2;
    }
    return -1;
}

static struct dispatch_config dispatch_config;

/* On the engine thread, before the first batch: the figures and the
 * dispatcher's memory from the store. */
static void cmd_serve_engine_start(struct store *writer)
{
    if (!stats_start(writer, clock_now()))
        log_error("could not load the figures of the current shifts");
    if (!dispatch_start(writer, &dispatch_config))
        log_error("could not load the dispatcher's state from the store");
}

/* A command that changed memory was rolled back: memory and figures are
 * rebuilt from the store as the rollback left it. */
static void cmd_serve_memory_undo(struct store *writer)
{
    dispatch_memory_undo(writer);
    stats_start(writer, clock_now());
}

int cmd_serve(int argc, char **argv)
{
    struct serve_config cfg;
    serve_config_defaults(&cfg);
    int status = cmd_serve_args(argc, argv, &cfg);
    if (status >= 0) {
        serve_config_clear(&cfg);
        return status;
    }
    log_set_level(cfg.log_level);
    if (!auth_init()) {
        log_error("libsodium failed to initialise");
        serve_config_clear(&cfg);
        return 1;
    }
    if (cfg.test_clock) {
        clock_enable_test();
        log_warn("test clock enabled: time can be moved forward over the API");
    }

    /* Signals are taken by sigwait below; every thread started from here on
     * inherits the blocked mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    struct store *writer = store_open(cfg.db, STORE_WRITER, false, err, sizeof err);
    if (writer == NULL) {
        log_error("%s", err);
        serve_config_clear(&cfg);
        return 1;
    }
    store_set_durability(writer, cfg.durability);
    char boot[32] = "0";
    store_meta_get(writer, "boot", boot, sizeof boot);
    snprintf(boot, sizeof boot, "%lld", atoll(boot) + 1);
    store_meta_set(writer, "boot", boot);
    store_readers_init(cfg.db);
    events_init(atoll(boot), (unsigned)cfg.event_ring);
    dispatch_config.grace_s = cfg.grace_s;
    static const struct engine_hooks hooks = {cmd_serve_engine_start, dispatch_tick,
                                              dispatch_next_deadline, dispatch_after_batch,
                                              dispatch_memory_mark, cmd_serve_memory_undo,
                                              dispatch_outside_change};
    engine_start_hooks(writer, &hooks);
    worker_start((unsigned)cfg.workers);

    struct http_config hc = {cfg.listen, cfg.tls_cert, cfg.tls_key, (unsigned)cfg.threads};
    char url[300];
    if (!http_start(&hc, url, sizeof url, err, sizeof err)) {
        log_error("%s", err);
        worker_stop();
        engine_stop();
        serve_config_clear(&cfg);
        return 1;
    }
    printf("cbd listening on %s\n", url);
    fflush(stdout);
    log_info("serving %s on %s (boot %s, durability %s)", cfg.db, url, boot,
             cfg.durability == STORE_DURABILITY_FULL ? "full" : "normal");

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    events_shutdown();
    http_stop(10000);
    worker_stop();
    engine_stop();
    log_info("stopped");
    serve_config_clear(&cfg);
    return 0;
}
