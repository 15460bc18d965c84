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
    long count;
    long writes_left;
    long failures;
} g;

static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    int i = (int)(w - g.io);
    char ch;

    (void)revents;
    if (read(w->fd, &ch, 1) != 1)
        g.failures++;
    g.count++;
    if (g.writes_left > 0) {
        int next = i + 1 == g.o.n ? 0 : i + 1;

        g.writes_left--;
        if (write(g.wfd[next], "e", 1) != 1)
            g.failures++;
    }
    if (g.o.timeouts)
        ev_timer_again(loop, &g.tm[i]);
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    g.failures++; /* Never expected. */
}

static BENCH_MEASURED void
run_round(void)
{
    long target = (long)g.o.a + g.o.w;
    int i;

    if (g.o.del_readd) {
        for (i = 0; i < g.o.n; i++) {
            ev_io_stop(g.loop, &g.io[i]);
            ev_io_start(g.loop, &g.io[i]);
        }
    }
    g.count = 0;
    g.writes_left = g.o.w;
    g.failures += chain_start(&g.o, g.wfd);
    while (g.count < target)
        ev_run(g.loop, EVRUN_ONCE);
}

int
main(int argc, char **argv)
{
    double *samples;
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
    samples = bench_calloc((size_t)g.o.rounds, sizeof(*samples));
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

    run_round(); /* Warms up. */
    for (i = 0; i < g.o.rounds; i++) {
        int64_t t0 = bench_now_ns();

        run_round();
        samples[i] = (double)(bench_now_ns() - t0) / 1000.0 /
                     (double)((long)g.o.a + g.o.w);
    }
    if (g.failures != 0) {
        fprintf(stderr, "%ld failed operations\n", g.failures);
        goto done;
    }
    chain_report(&g.o, samples);
    ret = 0;

done:
    chain_close(&g.o, g.rfd, g.wfd);
    free(samples);
    free(g.io);
    free(g.tm);
    free(g.rfd);
    free(g.wfd);
    return ret;
}
