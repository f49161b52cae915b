/*
 * streams.c — opens N idle event streams (GET /api/v1/events) to a cbd on
 * loopback and reports what they cost the server: its resident memory
 * before and after (from /proc/PID/status), the difference per stream, and
 * how long one event takes to reach all of them. Run by
 * tests/bench/streams.sh, which starts the server and logs in.
 *
 *   streams HOST PORT PID STREAM_TOKEN SUPERVISOR_TOKEN [N]
 *
 * One process, non-blocking sockets and epoll; at most 256 connections are
 * being set up at a time (the listen backlog is 1024). Bounded: N is at most
 * 50,000 and every phase gives up after 60 s.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STREAMS_MAX 50000
#define STREAMS_SETUP 256
#define STREAMS_PHASE_S 60

enum conn_state { CONN_CONNECTING, CONN_WAIT_OK, CONN_IDLE, CONN_GOT_EVENT, CONN_DEAD };

struct conn {
    int fd;
    enum conn_state state;
    char tail[24]; /* last bytes seen, to match across reads */
    size_t tail_len;
};

static struct conn *conns;
static int nconns, epfd;
static struct sockaddr_in addr;
static char request[1024];
static size_t request_len;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static bool conn_open(struct conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        perror("socket");
        return false;
    }
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno != EINPROGRESS) {
        perror("connect");
        close(c->fd);
        return false;
    }
    c->state = CONN_CONNECTING;
    c->tail_len = 0;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    return true;
}

/* Looks for needle in what came in, across reads; true when found. */
static bool conn_scan(struct conn *c, const char *data, size_t n, const char *needle)
{
    char buf[24 + 4096];
    size_t len = 0;
    memcpy(buf, c->tail, c->tail_len);
    len = c->tail_len;
    size_t take = n > 4096 ? 4096 : n;
    memcpy(buf + len, data + n - take, take);
    len += take;
    bool found = memmem(buf, len, needle, strlen(needle)) != NULL;
    size_t keep = len < sizeof c->tail ? len : sizeof c->tail;
    memcpy(c->tail, buf + len - keep, keep);
    c->tail_len = keep;
    return found;
}

/* Handles readiness of one connection; returns its new state. */
static enum conn_state conn_event(struct conn *c, uint32_t events)
{
    if (c->state == CONN_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || send(c->fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len) {
            c->state = CONN_DEAD;
            return c->state;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->state = CONN_WAIT_OK;
        return c->state;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char data[16384];
        for (;;) {
            ssize_t n = recv(c->fd, data, sizeof data, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                c->state = CONN_DEAD;
                break;
            }
            if (n < 0)
                break;
            if (c->state == CONN_WAIT_OK && conn_scan(c, data, (size_t)n, ": ok "))
                c->state = CONN_IDLE;
            else if (c->state == CONN_IDLE && conn_scan(c, data, (size_t)n, "event: bp\n"))
                c->state = CONN_GOT_EVENT;
        }
    }
    return c->state;
}

/* Sends one request on a fresh blocking socket and returns the status. */
static int http_post(const char *path, const char *token)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        return -1;
    char req[1024];
    int len = snprintf(req, sizeof req,
                       "POST %s HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\n"
                       "Content-Length: 0\r\nConnection: close\r\n\r\n",
                       path, token);
    send(fd, req, (size_t)len, MSG_NOSIGNAL);
    char resp[256] = "";
    ssize_t n = recv(fd, resp, sizeof resp - 1, 0);
    close(fd);
    if (n < 12)
        return -1;
    return atoi(resp + 9);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: streams HOST PORT PID STREAM_TOKEN SUPERVISOR_TOKEN [N]\n");
        return 2;
    }
    int pid = atoi(argv[3]);
    const char *token = argv[4], *sup = argv[5];
    nconns = argc > 6 ? atoi(argv[6]) : 10000;
    if (nconns < 1 || nconns > STREAMS_MAX) {
        fprintf(stderr, "streams: N must be 1..%d\n", STREAMS_MAX);
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)nconns + 64) {
        fprintf(stderr, "streams: the descriptor limit (%lu) is below N + 64\n",
                (unsigned long)rl.rlim_cur);
        return 1;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "streams: HOST must be an IPv4 address\n");
        return 2;
    }
    request_len = (size_t)snprintf(request, sizeof request,
                                   "GET /api/v1/events HTTP/1.1\r\nHost: bench\r\n"
                                   "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n",
                                   token);
    conns = calloc((size_t)nconns, sizeof *conns);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event evs[512];

    usleep(300 * 1000);
    long rss0 = rss_kib(pid);
    printf("server RSS, idle:                 %8ld KiB\n", rss0);

    /* open them all, STREAMS_SETUP at a time */
    double t0 = now_s();
    int next = 0, setting_up = 0, idle = 0, dead = 0;
    while ((idle + dead < nconns) && now_s() - t0 < STREAMS_PHASE_S) {
        while (next < nconns && setting_up < STREAMS_SETUP) {
            if (!conn_open(&conns[next])) {
                conns[next].state = CONN_DEAD;
                dead++;
            } else {
                setting_up++;
            }
            next++;
        }
        int n = epoll_wait(epfd, evs, 512, 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            enum conn_state before = c->state;
            enum conn_state after = conn_event(c, evs[i].events);
            if (before == after)
                continue;
            if (after == CONN_IDLE || after == CONN_DEAD) {
                if (before == CONN_CONNECTING || before == CONN_WAIT_OK)
                    setting_up--;
                if (after == CONN_IDLE)
                    idle++;
                else {
                    dead++;
                    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    c->fd = -1;
                }
            }
        }
    }
    double open_s = now_s() - t0;
    printf("streams open:                     %8d of %d in %.2f s (%d failed)\n", idle, nconns,
           open_s, dead);
    if (idle == 0)
        return 1;

    /* let the server settle, then measure */
    sleep(1);
    long rss1 = rss_kib(pid);
    double per = (double)(rss1 - rss0) / idle;
    printf("server RSS, %6d idle streams:    %8ld KiB\n", idle, rss1);
    printf("per idle stream:                  %8.2f KiB (target <= 10 KiB) %s\n", per,
           per <= 10.0 ? "OK" : "OVER");

    /* one event to every stream */
    t0 = now_s();
    int status = http_post("/api/v1/bps/2/stop", sup);
    double posted = now_s() - t0;
    int got = 0;
    while (got < idle && now_s() - t0 < STREAMS_PHASE_S) {
        int n = epoll_wait(epfd, evs, 512, 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            enum conn_state before = c->state;
            if (conn_event(c, evs[i].events) == CONN_GOT_EVENT && before != CONN_GOT_EVENT)
                got++;
        }
    }
    double fan_s = now_s() - t0;
    printf("POST /bps/2/stop:                 %8d in %.1f ms\n", status, posted * 1000);
    printf("event reached all streams:        %8d of %d in %.1f ms (from the request)\n", got,
           idle, fan_s * 1000);
    printf("server RSS after the event:       %8ld KiB\n", rss_kib(pid));
    http_post("/api/v1/bps/2/start", sup);
    for (int i = 0; i < nconns; i++)
        if (conns[i].fd > 0)
            close(conns[i].fd);
    free(conns);
    close(epfd);
    return got == idle ? 0 : 1;
}
