/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * timers_libev: timers.c's workload (timers-common.h) on libev's ev_timer,
 * for comparison.  add is ev_timer_set plus ev_timer_start; readd sets a
 * new repeat and calls ev_timer_again, libev's way to move a pending timer;
 * del is ev_timer_stop; fire runs the loop without waiting.  libev has no
 * common timeouts, so the "common" kind is not run.  The timeouts are
 * turned into ev_tstamp before the measured work; libev reads its cached
 * loop time, as libevent does inside a callback.
 */
#include <ev.h>

#include "timers-common.h"

struct run {
    const struct timer_plan *plan;
    struct ev_loop *loop;
    ev_timer *tm;
    double *add;
    double *readd;
    double *fire;
    int fired;
    long failures;
};

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct run *r = w->data;

    (void)loop;
    (void)revents;
    r->fired++;
}

static BENCH_MEASURED void
phase_add(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        ev_timer_set(&r->tm[i], r->add[i], 0.);
        ev_timer_start(r->loop, &r->tm[i]);
    }
}

static BENCH_MEASURED void
phase_readd(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        r->tm[i].repeat = r->readd[i];
        ev_timer_again(r->loop, &r->tm[i]);
    }
}

static BENCH_MEASURED void
phase_del(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++)
        ev_timer_stop(r->loop, &r->tm[i]);
}

static void
arm(struct run *r)
{
    int i;

    for (i = 0; i < r->plan->k; i++) {
        ev_timer_set(&r->tm[i], r->fire[i], 0.);
        ev_timer_start(r->loop, &r->tm[i]);
    }
}

static BENCH_MEASURED void
phase_fire(struct run *r)
{
    int passes = 0;

    while (r->fired < r->plan->k && passes < 1000) {
        ev_run(r->loop, EVRUN_NOWAIT);
        passes++;
    }
    if (r->fired < r->plan->k)
        r->failures++;
    if (passes > 2)
        fprintf(stderr, "note: the timers needed %d passes of the loop\n",
                passes);
}

static double
seconds(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
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
    r.loop = ev_loop_new(EVBACKEND_EPOLL);
    if (r.loop == NULL) {
        fprintf(stderr, "ev_loop_new failed\n");
        return -1;
    }
    r.tm = bench_calloc((size_t)p->k, sizeof(*r.tm));
    r.add = bench_calloc((size_t)p->k, sizeof(double));
    r.readd = bench_calloc((size_t)p->k, sizeof(double));
    r.fire = bench_calloc((size_t)p->k, sizeof(double));
    for (i = 0; i < p->k; i++) {
        ev_timer_init(&r.tm[i], timer_cb, 0., 0.);
        r.tm[i].data = &r;
        r.add[i] = seconds(&p->add[i]);
        r.readd[i] = seconds(&p->readd[i]);
        r.fire[i] = seconds(&p->fire[i]);
    }

    d.ctx = &r;
    d.failures = &r.failures;
    (void)timer_measure(p, reps, &d);
    ev_loop_destroy(r.loop);
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
