/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * timers_libuv: timers.c's workload (timers-common.h) on libuv's
 * uv_timer_t, for comparison.  add and readd are uv_timer_start (which
 * moves a pending timer); del is uv_timer_stop; fire runs the loop without
 * waiting.  libuv counts in milliseconds and has no common timeouts, so
 * the "common" kind is not run.  The timeouts are turned into milliseconds
 * before the measured work; libuv reads its cached loop time, as libevent
 * does inside a callback.
 */
#include <uv.h>

#include "timers-common.h"

struct run {
    const struct timer_plan *plan;
    uv_loop_t loop;
    uv_timer_t *tm;
    uint64_t *add;
    uint64_t *readd;
    uint64_t *fire;
    int fired;
    long failures;
};

static void
timer_cb(uv_timer_t *t)
{
    struct run *r = t->data;

    r->fired++;
}

static BENCH_MEASURED void
phase_add(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        if (uv_timer_start(&r->tm[i], timer_cb, r->add[i], 0) != 0)
            r->failures++;
    }
}

static BENCH_MEASURED void
phase_readd(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        if (uv_timer_start(&r->tm[i], timer_cb, r->readd[i], 0) != 0)
            r->failures++;
    }
}

static BENCH_MEASURED void
phase_del(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++)
        uv_timer_stop(&r->tm[i]);
}

static void
arm(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        if (uv_timer_start(&r->tm[i], timer_cb, r->fire[i], 0) != 0)
            r->failures++;
    }
}

static BENCH_MEASURED void
phase_fire(struct run *r)
{
    int passes = 0;

    while (r->fired < r->plan->k && passes < 1000) {
        uv_run(&r->loop, UV_RUN_NOWAIT);
        passes++;
    }
    if (r->fired < r->plan->k)
        r->failures++;
    if (passes > 2)
        fprintf(stderr, "note: the timers needed %d passes of the loop\n",
                passes);
}

static uint64_t
msec(const struct timeval *tv)
{
    return (uint64_t)tv->tv_sec * 1000 + (uint64_t)tv->tv_usec / 1000;
}

/* timer_measure's jobs, timed around the library calls. */
static int64_t
run_job(void *ctx, int job)
{
    struct run *r = ctx;
    int64_t t0 = bench_now_ns();

    switch (job) {
    case TIMER_ADD:
        phase_add(r);
        break;
    case TIMER_READD:
        phase_readd(r);
        break;
    case TIMER_DEL:
        phase_del(r);
        break;
    default:
        r->fired = 0;
        arm(r);
        break;
    }
    return bench_now_ns() - t0;
}

static void
fire_job(void *ctx)
{
    phase_fire(ctx);
}

static int
run_plan(const struct timer_plan *p, int reps)
{
    struct run r;
    struct timer_driver d = {run_job, fire_job, NULL, NULL};
    int i;

    memset(&r, 0, sizeof(r));
    r.plan = p;
    if (uv_loop_init(&r.loop) != 0) {
        fprintf(stderr, "uv_loop_init failed\n");
        return -1;
    }
    r.tm = bench_calloc((size_t)p->k, sizeof(*r.tm));
    r.add = bench_calloc((size_t)p->k, sizeof(uint64_t));
    r.readd = bench_calloc((size_t)p->k, sizeof(uint64_t));
    r.fire = bench_calloc((size_t)p->k, sizeof(uint64_t));
    for (i = 0; i < p->k; i++) {
        uv_timer_init(&r.loop, &r.tm[i]);
        r.tm[i].data = &r;
        r.add[i] = msec(&p->add[i]);
        r.readd[i] = msec(&p->readd[i]);
        r.fire[i] = msec(&p->fire[i]);
    }

    d.ctx = &r;
    d.failures = &r.failures;
    (void)timer_measure(p, reps, &d);
    for (i = 0; i < p->k; i++)
        uv_close((uv_handle_t *)&r.tm[i], NULL);
    uv_run(&r.loop, UV_RUN_NOWAIT);
    if (uv_loop_close(&r.loop) != 0)
        fprintf(stderr, "note: uv_loop_close failed\n");
    free(r.tm);
    free(r.add);
    free(r.readd);
    free(r.fire);
    return r.failures == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    struct timer_opts o;

    timer_parse(argc, argv, &o);
    if (timer_run_all(&o, run_plan, 0) != 0)
        return 1;
    return 0;
}
