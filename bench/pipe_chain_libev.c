/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * pipe_chain_libev: pipe_chain.c's workload (chain-common.h) on libev, for
 * comparison.  Each pair has an ev_io watcher; -d stops and starts every
 * watcher before each round; -t gives each pair an ev_timer that its read
 * callback restarts (libev's idiom for an inactivity timeout).
 */
#include <ev.h>

#include "chain-common.h"

static struct {
    struct chain_opts o;
    struct ev_loop *loop;
    ev_io *io;
    ev_timer *tm;
    int *rfd;
    int *wfd;
    struct chain_round r;
} g;

static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    int i = (int)(w - g.io);

    (void)revents;
    chain_relay(&g.o, w->fd, g.wfd, i, &g.r);
    if (g.o.timeouts)
        ev_timer_again(loop, &g.tm[i]);
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    g.r.failures++; /* Never expected. */
}

static BENCH_MEASURED void
run_round(void)
{
    int i;

    if (g.o.del_readd) {
        for (i = 0; i < g.o.n; i++) {
            ev_io_stop(g.loop, &g.io[i]);
            ev_io_start(g.loop, &g.io[i]);
        }
    }
    chain_start(&g.o, g.wfd, &g.r);
    while (chain_running(&g.o, &g.r))
        ev_run(g.loop, EVRUN_ONCE);
}

int
main(int argc, char **argv)
{
    int ret = 1;
    int i;

    chain_parse(argc, argv, &g.o);
    if (g.o.idle > 0) {
        fprintf(stderr, "-T: not in this port\n");
        return 2;
    }
    g.rfd = bench_calloc((size_t)g.o.n, sizeof(*g.rfd));
    g.wfd = bench_calloc((size_t)g.o.n, sizeof(*g.wfd));
    g.io = bench_calloc((size_t)g.o.n, sizeof(*g.io));
    g.tm = bench_calloc((size_t)g.o.n, sizeof(*g.tm));
    if (chain_open(&g.o, g.rfd, g.wfd) != 0)
        return 1;
    g.loop = ev_default_loop(EVBACKEND_EPOLL);
    if (g.loop == NULL) {
        fprintf(stderr, "ev_default_loop failed\n");
        goto done;
    }
    for (i = 0; i < g.o.n; i++) {
        ev_io_init(&g.io[i], read_cb, g.rfd[i], EV_READ);
        ev_io_start(g.loop, &g.io[i]);
        if (g.o.timeouts) {
            ev_timer_init(&g.tm[i], timeout_cb, 0.,
                          (ev_tstamp)CHAIN_TIMEOUT_SECONDS);
            ev_timer_again(g.loop, &g.tm[i]);
        }
    }

    if (chain_measure(&g.o, run_round, &g.r) == 0)
        ret = 0;

done:
    chain_close(&g.o, g.rfd, g.wfd);
    free(g.io);
    free(g.tm);
    free(g.rfd);
    free(g.wfd);
    return ret;
}
