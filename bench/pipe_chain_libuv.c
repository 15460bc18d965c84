/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * pipe_chain_libuv: pipe_chain.c's workload (chain-common.h) on libuv, for
 * comparison.  Each pair has a uv_poll_t handle; -d stops and starts every
 * handle before each round; -t gives each pair a repeating uv_timer_t that
 * its read callback restarts with uv_timer_again.
 */
#include <uv.h>

#include "chain-common.h"

static struct {
    struct chain_opts o;
    uv_loop_t *loop;
    uv_poll_t *io;
    uv_timer_t *tm;
    int *rfd;
    int *wfd;
    struct chain_round r;
} g;

static void
read_cb(uv_poll_t *h, int status, int events)
{
    int i = (int)(h - g.io);

    (void)events;
    if (status < 0)
        g.r.failures++;
    chain_relay(&g.o, g.rfd[i], g.wfd, i, &g.r);
    if (g.o.timeouts && uv_timer_again(&g.tm[i]) != 0)
        g.r.failures++;
}

static void
timeout_cb(uv_timer_t *t)
{
    (void)t;
    g.r.failures++; /* Never expected. */
}

static BENCH_MEASURED void
run_round(void)
{
    int i;

    if (g.o.del_readd) {
        for (i = 0; i < g.o.n; i++) {
            if (uv_poll_stop(&g.io[i]) != 0 ||
                uv_poll_start(&g.io[i], UV_READABLE, read_cb) != 0)
                g.r.failures++;
        }
    }
    chain_start(&g.o, g.wfd, &g.r);
    while (chain_running(&g.o, &g.r))
        uv_run(g.loop, UV_RUN_ONCE);
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
    g.loop = uv_default_loop();
    for (i = 0; i < g.o.n; i++) {
        if (uv_poll_init(g.loop, &g.io[i], g.rfd[i]) != 0 ||
            uv_poll_start(&g.io[i], UV_READABLE, read_cb) != 0) {
            fprintf(stderr, "cannot set up handle %d\n", i);
            goto done;
        }
        if (g.o.timeouts &&
            (uv_timer_init(g.loop, &g.tm[i]) != 0 ||
             uv_timer_start(&g.tm[i], timeout_cb, CHAIN_TIMEOUT_SECONDS * 1000,
                            CHAIN_TIMEOUT_SECONDS * 1000) != 0)) {
            fprintf(stderr, "cannot set up timer %d\n", i);
            goto done;
        }
    }

    if (chain_measure(&g.o, run_round, &g.r) == 0)
        ret = 0;

done:
    /* The handles are never closed: the process ends here. */
    chain_close(&g.o, g.rfd, g.wfd);
    free(g.io);
    free(g.tm);
    free(g.rfd);
    free(g.wfd);
    return ret;
}
