/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * pipe_chain: the classic event-loop benchmark, through libevent's public
 * API only, so that the same source builds against Vigil and against
 * Debian's libevent.  N descriptor pairs each carry a read event; a round
 * writes one byte into A of them and every read callback passes a byte on
 * to the next pair until the round's W writes are spent (chain-common.h
 * describes the workload and the variants).  Prints the median, over the
 * rounds, of the time per event in microseconds.
 *
 *   usage: pipe_chain [-n PAIRS] [-a ACTIVE] [-w WRITES] [-r ROUNDS]
 *                     [-d] [-t] [-p] [-T TIMERS]
 *
 * pipe_chain_epoll.c does the same work on raw epoll: the floor.
 */
#include <event2/event.h>

#include "chain-common.h"

#include <stdint.h>

static struct {
    struct chain_opts o;
    struct event_base *base;
    struct event **ev;
    struct event **idle; /* -T: timers that never come due */
    int *rfd;
    int *wfd;
    struct timeval timeout;
    struct chain_round r;
} g;

/* The timeout an event is added with: none, or the -t one. */
static const struct timeval *
chain_timeout(void)
{
    return g.o.timeouts ? &g.timeout : NULL;
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
    int i = (int)(intptr_t)arg;

    if (what & EV_TIMEOUT) {
        /* Never expected: the timeout is far beyond any round. */
        g.r.failures++;
        return;
    }
    chain_relay(&g.o, fd, g.wfd, i, &g.r);
    if (g.o.timeouts && event_add(g.ev[i], &g.timeout) != 0)
        g.r.failures++;
}

/* One round: its cost is what the benchmark measures. */
static BENCH_MEASURED void
run_round(void)
{
    int i;

    if (g.o.del_readd) {
        for (i = 0; i < g.o.n; i++) {
            if (event_del(g.ev[i]) != 0 ||
                event_add(g.ev[i], chain_timeout()) != 0)
                g.r.failures++;
        }
    }
    chain_start(&g.o, g.wfd, &g.r);
    while (chain_running(&g.o, &g.r)) {
        /* 1 means no events are left, which cannot be while bytes are. */
        if (event_base_loop(g.base, EVLOOP_ONCE) != 0) {
            fprintf(stderr, "event_base_loop failed or had no events\n");
            g.r.failures++;
            break;
        }
    }
}

int
main(int argc, char **argv)
{
    short what;
    int ret = 1;
    int opened = 0;
    int i;

    chain_parse(argc, argv, &g.o);
    g.timeout.tv_sec = CHAIN_TIMEOUT_SECONDS;
    g.timeout.tv_usec = 0;
    g.rfd = bench_calloc((size_t)g.o.n, sizeof(*g.rfd));
    g.wfd = bench_calloc((size_t)g.o.n, sizeof(*g.wfd));
    g.ev = bench_calloc((size_t)g.o.n, sizeof(*g.ev));
    if (chain_open(&g.o, g.rfd, g.wfd) != 0)
        goto done;
    opened = 1;
    g.base = event_base_new();
    if (g.base == NULL) {
        fprintf(stderr, "event_base_new failed\n");
        goto done;
    }
    /* With -t an event is one-shot and its callback adds it again. */
    what = g.o.timeouts ? EV_READ : EV_READ | EV_PERSIST;
    for (i = 0; i < g.o.n; i++) {
        g.ev[i] =
            event_new(g.base, g.rfd[i], what, read_cb, (void *)(intptr_t)i);
        if (g.ev[i] == NULL || event_add(g.ev[i], chain_timeout()) != 0) {
            fprintf(stderr, "cannot set up event %d\n", i);
            goto done;
        }
    }

    /* The scale check: many timers pending, spread over an hour or more
     * from now, so that none comes due while the program runs. */
    if (g.o.idle > 0)
        g.idle = bench_calloc((size_t)g.o.idle, sizeof(*g.idle));
    for (i = 0; i < g.o.idle; i++) {
        struct timeval far = {3600 + i % 3600, (i * 7919) % 1000000};

        g.idle[i] = evtimer_new(g.base, read_cb, (void *)(intptr_t)-1);
        if (g.idle[i] == NULL || evtimer_add(g.idle[i], &far) != 0) {
            fprintf(stderr, "cannot set up idle timer %d\n", i);
            goto done;
        }
    }

    if (chain_measure(&g.o, run_round, &g.r) == 0)
        ret = 0;

done:
    for (i = 0; i < g.o.n; i++) {
        if (g.ev[i] != NULL)
            event_free(g.ev[i]);
    }
    for (i = 0; g.idle != NULL && i < g.o.idle; i++) {
        if (g.idle[i] != NULL)
            event_free(g.idle[i]);
    }
    free(g.idle);
    if (g.base != NULL)
        event_base_free(g.base);
    if (opened)
        chain_close(&g.o, g.rfd, g.wfd);
    free(g.ev);
    free(g.rfd);
    free(g.wfd);
    return ret;
}
