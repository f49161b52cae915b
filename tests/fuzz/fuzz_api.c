/*
 * fuzz_api.c — every route of cbd, through the real HTTP stack.
 *
 * Once per process the fuzzer builds a demo database, starts the store
 * readers, the events ring, the engine with its dispatcher and figures, the
 * worker pool and libmicrohttpd on a loopback port,
 * and logs in as a supervisor and as an agent. Each input is then one
 * request sent over a socket:
 *
 *   byte 0          who asks: bit 0 agent / supervisor, bit 1 no token
 *   line 1          "METHOD /path?query"
 *   rest            the body
 *
 * so the route table, query-string parsing and every route's body parser
 * see arbitrary bytes. The server must answer every request with a status
 * line (no crash, no hang, no sanitizer report) and stay alive.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "demo.h"
#include "dispatch.h"
#include "engine.h"
#include "events.h"
#include "stats.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "worker.h"

static int fuzz_port;
static char fuzz_sup[64], fuzz_agent[64];

/* Sends a raw request; returns the status (0 when no answer came). */
static int fuzz_send(const char *req, size_t len, char *reply, size_t reply_size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)fuzz_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return 0;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < reply_size && (n = recv(fd, reply + got, reply_size - 1 - got, 0)) > 0)
        got += (size_t)n;
    reply[got] = '\0';
    close(fd);
    int status = 0;
    if (sscanf(reply, "HTTP/1.1 %d", &status) != 1)
        status = 0;
    return status;
}

static void fuzz_login(const char *user, char *token)
{
    char body[128], req[512], reply[4096];
    int blen = snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s-demo\"}", user, user);
    int len = snprintf(req, sizeof req,
                       "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                       "Connection: close\r\n\r\n%s",
                       blen, body);
    if (fuzz_send(req, (size_t)len, reply, sizeof reply) != 200 || !strstr(reply, "\"token\":\"")) {
        fprintf(stderr, "fuzz_api: login %s failed:\n%s\n", user, reply);
        abort();
    }
    snprintf(token, 64, "%.43s", strstr(reply, "\"token\":\"") + 9);
}

/* The engine as cbd serve runs it: figures and dispatcher loaded first. */
static void fuzz_engine_start(struct store *w)
{
    static const struct dispatch_config cfg = {.grace_s = 3600};
    stats_start(w, clock_now());
    dispatch_start(w, &cfg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_LEVEL_ERROR);
    auth_init();
    char dir[] = "/tmp/fuzz_api.XXXXXX", path[64], err[512];
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof path, "%s/cb.db", dir);
    struct store *w = store_open(path, STORE_WRITER, true, err, sizeof err);
    int saved = dup(1);
    freopen("/dev/null", "w", stdout); /* the demo prints its token */
    if (w == NULL || !store_begin(w) || !demo_create(w, err, sizeof err) || !store_commit(w)) {
        fprintf(stderr, "fuzz_api: %s\n", err);
        abort();
    }
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    store_set_durability(w, STORE_DURABILITY_NORMAL);
    store_readers_init(path);
    events_init(1, 4096);
    static const struct engine_hooks hooks = {fuzz_engine_start, dispatch_tick,
                                              dispatch_next_deadline, dispatch_after_batch,
                                              dispatch_memory_mark, dispatch_memory_undo};
    engine_start_hooks(w, &hooks);
    worker_start(1);
    struct http_config hc = {"127.0.0.1:0", NULL, NULL, 2};
    char url[128];
    if (!http_start(&hc, url, sizeof url, err, sizeof err)) {
        fprintf(stderr, "fuzz_api: %s\n", err);
        abort();
    }
    fuzz_port = atoi(strrchr(url, ':') + 1);
    fuzz_login("sup", fuzz_sup);
    fuzz_login("alice", fuzz_agent);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 70000)
        return 0;
    unsigned who = data[0];
    const char *line = (const char *)data + 1;
    size_t rest = size - 1;
    const char *nl = memchr(line, '\n', rest);
    size_t line_len = nl ? (size_t)(nl - line) : rest;
    const char *body = nl ? nl + 1 : line + rest;
    size_t body_len = nl ? rest - line_len - 1 : 0;
    /* the request line must be one line of printable text to be a request
     * at all; libmicrohttpd's own parser is not what is fuzzed here */
    for (size_t i = 0; i < line_len; i++)
        if (line[i] < 0x21 && line[i] != ' ')
            return 0;
    const char *sp = memchr(line, ' ', line_len);
    if (sp == NULL || sp == line)
        return 0;
    char *req = malloc(line_len + body_len + 256);
    int n = snprintf(req, line_len + 256, "%.*s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n",
                     (int)line_len, line);
    if (!(who & 2))
        n += snprintf(req + n, 128, "Authorization: Bearer %s\r\n",
                      (who & 1) ? fuzz_agent : fuzz_sup);
    n += snprintf(req + n, 64, "Content-Length: %zu\r\n\r\n", body_len);
    memcpy(req + n, body, body_len);
    static char reply[1 << 20];
    int status = fuzz_send(req, (size_t)n + body_len, reply, sizeof reply);
    free(req);
    if (status == 0) {
        /* libmicrohttpd may drop a request it has no memory for (a header
         * section beyond the 8 KiB per-connection pool) without a reply;
         * that is fine as long as the server is still there */
        static const char probe[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        char small[4096];
        if (fuzz_send(probe, sizeof probe - 1, small, sizeof small) == 200)
            status = -1;
    }
    if (status == 500 || status == 0) {
        fprintf(stderr, "fuzz_api: status %d for %.*s\n%.2000s\n", status, (int)line_len, line,
                reply);
        abort();
    }
    return 0;
}
