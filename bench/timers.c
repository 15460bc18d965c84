/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * timers: the cost of timer operations through libevent's public API only,
 * so that the same source builds against Vigil and against Debian's
 * libevent: add, re-add (reschedule), delete and fire, for random, uniform
 * and common timeouts (event_base_init_common_timeout), with 1,000 and
 * 100,000 timers (timers-common.h describes the workload).  Prints one
 * line per measurement: the median nanoseconds per operation.
 *
 *   usage: timers [-n TIMERS] [-r REPS] [-m random|uniform|common]
 *
 * timers_floor.c does the same work on a plain binary min-heap: the floor.
 */
#include <event2/event.h>

#include "timers-common.h"

struct run {
    const struct timer_plan *plan;
    struct event_base *base;
    struct event *driver;
    struct event **ev;
    const struct timeval *common_long;
    const struct timeval *common_short;
    int job;         /* what the driver callback does next */
    int64_t elapsed; /* nanoseconds the driver callback's job took */
    long fired;
    long failures;
};

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;

    (void)fd;
    (void)what;
    r->fired++;
}

static BENCH_MEASURED void
phase_add(struct run *r)
{
    const struct timer_plan *p = r->plan;
    int i;

    if (p->mode == TIMER_COMMON) {
        for (i = 0; i < p->k; i++) {
            if (event_add(r->ev[i], r->common_long) != 0)
                r->failures++;
        }
    } else {
        for (i = 0; i < p->k; i++) {
            if (event_add(r->ev[i], &p->add[i]) != 0)
                r->failures++;
        }
    }
}

static BENCH_MEASURED void
phase_readd(struct run *r)
{
    const struct timer_plan *p = r->plan;
    int i;

    if (p->mode == TIMER_COMMON) {
        for (i = 0; i < p->k; i++) {
            if (event_add(r->ev[i], r->common_long) != 0)
                r->failures++;
        }
    } else {
        for (i = 0; i < p->k; i++) {
            if (event_add(r->ev[i], &p->readd[i]) != 0)
                r->failures++;
        }
    }
}

static BENCH_MEASURED void
phase_del(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        if (event_del(r->ev[i]) != 0)
            r->failures++;
    }
}

/* Adds the timers that will fire (not measured). */
static void
arm(struct run *r)
{
    const struct timer_plan *p = r->plan;
    int i;

    for (i = 0; i < p->k; i++) {
        const struct timeval *tv =
            p->mode == TIMER_COMMON ? r->common_short : &p->fire[i];

        if (event_add(r->ev[i], tv) != 0)
            r->failures++;
    }
}

/* Runs the loop until every expired timer has run. */
static BENCH_MEASURED void
phase_fire(struct run *r)
{
    int passes = 0;

    while (r->fired < r->plan->k) {
        /* 1 means no events are left: fine once all have run. */
        int rc = event_base_loop(r->base, EVLOOP_NONBLOCK);

        passes++;
        if (rc < 0 || (rc == 1 && r->fired < r->plan->k)) {
            r->failures++;
            break;
        }
    }
    if (passes > 2)
        fprintf(stderr, "note: the timers needed %d passes of the loop\n",
                passes);
}

static void
driver_cb(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    int64_t t0 = bench_now_ns();

    (void)fd;
    (void)what;
    switch (r->job) {
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
        arm(r);
        break;
    }
    r->elapsed = bench_now_ns() - t0;
}

/* Runs a job inside a callback, where the loop's time cache holds. */
static int64_t
in_callback(struct run *r, int job)
{
    r->job = job;
    r->elapsed = -1;
    event_active(r->driver, EV_TIMEOUT, 1);
    if (event_base_loop(r->base, EVLOOP_ONCE | EVLOOP_NONBLOCK) < 0 ||
        r->elapsed < 0)
        r->failures++;
    return r->elapsed;
}

/* timer_measure's jobs: each inside a callback. */
static int64_t
run_job(void *ctx, int job)
{
    struct run *r = ctx;

    if (job == TIMER_ARM)
        r->fired = 0;
    return in_callback(r, job);
}

static void
fire_job(void *ctx)
{
    phase_fire(ctx);
}

/* One size, one kind of timeout: all four operations, reps times. */
static int
run_plan(const struct timer_plan *p, int reps)
{
    struct run r;
    struct timeval dur;
    struct timer_driver d = {run_job, fire_job, NULL, NULL};
    int ret = -1;
    int i;

    memset(&r, 0, sizeof(r));
    r.plan = p;
    r.ev = bench_calloc((size_t)p->k, sizeof(*r.ev));
    r.base = event_base_new();
    if (r.base == NULL) {
        fprintf(stderr, "event_base_new failed\n");
        goto done;
    }
    timer_set_us(&dur, TIMER_LONG_US);
    r.common_long = event_base_init_common_timeout(r.base, &dur);
    timer_set_us(&dur, TIMER_SHORT_US);
    r.common_short = event_base_init_common_timeout(r.base, &dur);
    r.driver = event_new(r.base, -1, 0, driver_cb, &r);
    if (r.common_long == NULL || r.common_short == NULL || r.driver == NULL) {
        fprintf(stderr, "cannot set up the base\n");
        goto done;
    }
    for (i = 0; i < p->k; i++) {
        r.ev[i] = event_new(r.base, -1, 0, timer_cb, &r);
        if (r.ev[i] == NULL) {
            fprintf(stderr, "event_new failed\n");
            goto done;
        }
    }

    d.ctx = &r;
    d.failures = &r.failures;
    if (timer_measure(p, reps, &d) != 0)
        goto done;
    ret = 0;

done:
    for (i = 0; i < p->k; i++) {
        if (r.ev[i] != NULL)
            event_free(r.ev[i]);
    }
    if (r.driver != NULL)
        event_free(r.driver);
    if (r.base != NULL)
        event_base_free(r.base);
    free(r.ev);
    return ret;
}

int
main(int argc, char **argv)
{
    struct timer_opts o;

    timer_parse(argc, argv, &o);
    if (timer_run_all(&o, run_plan, 1) != 0)
        return 1;
    return 0;
}
