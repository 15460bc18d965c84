/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * timers-common.h: what timers.c (through libevent's API) and
 * timers_floor.c (its floor, a plain binary min-heap) share: the options,
 * the timeouts each run uses, the wait before timers fire and the report.
 *
 * The workload, for K timers (1,000 and 100,000 by default) and each kind
 * of timeout:
 *   add    K timers, none pending, are added;
 *   readd  the K pending timers are added again with a new timeout (a
 *          reschedule);
 *   del    the K pending timers are deleted;
 *   fire   K timers with short timeouts, all expired, run their callbacks
 *          in one pass of the loop (adding them is not measured).
 * Kinds of timeout:
 *   random   each timer its own, drawn from [1 s, 2 s) (fire: [0, 1 ms]);
 *   uniform  1.5 s for every timer, re-added with 2 s, later than every
 *            pending deadline, as when a timeout is pushed back after time
 *            has passed (fire: 1 ms);
 *   common   1.5 s, re-added with 1.5 s again (one queue), and 1 ms to
 *            fire, through event_base_init_common_timeout.
 * The add, readd and del work runs inside a callback, where the loop's time
 * cache holds, as for timers set by callbacks in real programs.  Each
 * figure is the median over the repetitions of nanoseconds per operation.
 */
#ifndef VIGIL_BENCH_TIMERS_COMMON_H
#define VIGIL_BENCH_TIMERS_COMMON_H

#include "bench-common.h"

#include <sys/time.h>
#include <unistd.h>

enum timer_mode {
    TIMER_RANDOM,
    TIMER_UNIFORM,
    TIMER_COMMON,
    TIMER_NMODES
};

enum timer_op {
    TIMER_ADD,
    TIMER_READD,
    TIMER_DEL,
    TIMER_FIRE,
    TIMER_NOPS
};

/* The uniform and common durations, in microseconds. */
#define TIMER_LONG_US 1500000
#define TIMER_LATER_US 2000000
#define TIMER_SHORT_US 1000

struct timer_opts {
    int sizes[2];
    int nsizes;
    int reps;     /* measured repetitions (one more warms up) */
    int modes[3]; /* which kinds of timeout run */
};

/* The timeouts of one run (one size, one kind). */
struct timer_plan {
    int k;
    enum timer_mode mode;
    struct timeval *add;
    struct timeval *readd;
    struct timeval *fire;
    int64_t max_fire_ns;
};

static inline const char *
timer_mode_name(enum timer_mode m)
{
    switch (m) {
    case TIMER_RANDOM:
        return "random";
    case TIMER_UNIFORM:
        return "uniform";
    case TIMER_COMMON:
        return "common";
    case TIMER_NMODES:
        break;
    }
    return "?";
}

static inline const char *
timer_op_name(enum timer_op op)
{
    switch (op) {
    case TIMER_ADD:
        return "add";
    case TIMER_READD:
        return "readd";
    case TIMER_DEL:
        return "del";
    case TIMER_FIRE:
        return "fire";
    case TIMER_NOPS:
        break;
    }
    return "?";
}

static inline void
timer_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [-n TIMERS] [-r REPS] [-m random|uniform|common]\n"
            "  -n TIMERS  one size instead of both 1000 and 100000\n"
            "  -r REPS    measured repetitions; the median is reported "
            "(default 11)\n"
            "  -m KIND    one kind of timeout instead of all three\n",
            prog);
}

static inline void
timer_parse(int argc, char **argv, struct timer_opts *o)
{
    int only_mode = -1;
    int c;
    int m;

    o->sizes[0] = 1000;
    o->sizes[1] = 100000;
    o->nsizes = 2;
    o->reps = 11;
    while ((c = getopt(argc, argv, "n:r:m:h")) != -1) {
        switch (c) {
        case 'n':
            o->sizes[0] = (int)bench_parse_long(optarg, "-n", 1, 10000000);
            o->nsizes = 1;
            break;
        case 'r':
            o->reps = (int)bench_parse_long(optarg, "-r", 1, 1000000);
            break;
        case 'm':
            for (m = 0; m < TIMER_NMODES; m++) {
                if (strcmp(optarg, timer_mode_name((enum timer_mode)m)) == 0)
                    only_mode = m;
            }
            if (only_mode < 0) {
                fprintf(stderr, "unknown kind of timeout '%s'\n", optarg);
                exit(2);
            }
            break;
        case 'h':
            timer_usage(argv[0]);
            exit(0);
        default:
            timer_usage(argv[0]);
            exit(2);
        }
    }
    if (optind != argc) {
        timer_usage(argv[0]);
        exit(2);
    }
    for (m = 0; m < TIMER_NMODES; m++)
        o->modes[m] = only_mode < 0 || only_mode == m;
}

static inline void
timer_set_us(struct timeval *tv, long us)
{
    tv->tv_sec = us / 1000000;
    tv->tv_usec = us % 1000000;
}

/* Draws the timeouts of a run; the same ones in every program. */
static inline void
timer_plan_make(struct timer_plan *p, int k, enum timer_mode mode)
{
    uint64_t seed = UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)k;
    int i;

    p->k = k;
    p->mode = mode;
    p->add = bench_calloc((size_t)k, sizeof(*p->add));
    p->readd = bench_calloc((size_t)k, sizeof(*p->readd));
    p->fire = bench_calloc((size_t)k, sizeof(*p->fire));
    p->max_fire_ns = 0;
    for (i = 0; i < k; i++) {
        long fire_us;

        if (mode == TIMER_RANDOM) {
            timer_set_us(&p->add[i],
                         1000000 + (long)(bench_random(&seed) % 1000000));
            timer_set_us(&p->readd[i],
                         1000000 + (long)(bench_random(&seed) % 1000000));
            fire_us = (long)(bench_random(&seed) % (TIMER_SHORT_US + 1));
        } else {
            /* The common runs use common timeouts of the same durations,
             * re-added into their own queue. */
            timer_set_us(&p->add[i], TIMER_LONG_US);
            timer_set_us(&p->readd[i], mode == TIMER_UNIFORM ? TIMER_LATER_US
                                                             : TIMER_LONG_US);
            fire_us = TIMER_SHORT_US;
        }
        timer_set_us(&p->fire[i], fire_us);
        if (fire_us * 1000 > p->max_fire_ns)
            p->max_fire_ns = (int64_t)fire_us * 1000;
    }
}

static inline void
timer_plan_free(struct timer_plan *p)
{
    free(p->add);
    free(p->readd);
    free(p->fire);
}

/*
 * Waits, after the fire timers were added (by armed_at_ns on
 * bench_now_ns()), until every one of them is due on any monotonic clock a
 * loop may use, the coarse one included, so that one pass of the loop
 * finds them all due.  Sleeps while the time is far off, then spins, so
 * that the CPU is awake when the measured work starts.
 */
static inline void
timer_wait_expired(const struct timer_plan *p, int64_t armed_at_ns)
{
    int64_t due = armed_at_ns + p->max_fire_ns;

    bench_sleep_until(due - 1000000);
    while (bench_coarse_ns() < due || bench_now_ns() < due + 200000)
        continue;
}

/* Prints one report line from per-repetition ns/op samples (sorts them). */
static inline void
timer_report(const struct timer_plan *p, enum timer_op op, double *samples,
             int reps)
{
    printf("timers n=%d timeout=%s op=%s ns_per_op=%.2f\n", p->k,
           timer_mode_name(p->mode), timer_op_name(op),
           bench_median(samples, (size_t)reps));
    fflush(stdout);
}

/* The job that arms every timer to fire, after the three timed ones. */
#define TIMER_ARM TIMER_NOPS

/*
 * What one program's repetitions are made of.  run() does one job
 * (TIMER_ADD, TIMER_READD, TIMER_DEL, or TIMER_ARM after resetting the
 * fired count) and returns its nanoseconds; fire() runs the loop until the
 * armed timers have fired.  failures is the program's failure count.
 */
struct timer_driver {
    int64_t (*run)(void *ctx, int job);
    void (*fire)(void *ctx);
    void *ctx;
    const long *failures;
};

/* Runs one plan: a warm-up, then reps measured repetitions of add,
 * re-add, delete and fire; reports each operation's median.  0, or -1
 * after a failed operation. */
static inline int
timer_measure(const struct timer_plan *p, int reps,
              const struct timer_driver *d)
{
    double *samples[TIMER_NOPS];
    int ret = 0;
    int rep;
    int i;

    for (i = 0; i < TIMER_NOPS; i++)
        samples[i] = bench_calloc((size_t)reps, sizeof(double));
    /* Repetition 0 warms up and is not reported. */
    for (rep = 0; rep <= reps; rep++) {
        double ops = (double)p->k;
        int64_t add = d->run(d->ctx, TIMER_ADD);
        int64_t readd = d->run(d->ctx, TIMER_READD);
        int64_t del = d->run(d->ctx, TIMER_DEL);
        int64_t t0;

        d->run(d->ctx, TIMER_ARM);
        timer_wait_expired(p, bench_now_ns());
        t0 = bench_now_ns();
        d->fire(d->ctx);
        if (rep > 0) {
            samples[TIMER_ADD][rep - 1] = (double)add / ops;
            samples[TIMER_READD][rep - 1] = (double)readd / ops;
            samples[TIMER_DEL][rep - 1] = (double)del / ops;
            samples[TIMER_FIRE][rep - 1] = (double)(bench_now_ns() - t0) / ops;
        }
        if (*d->failures != 0) {
            fprintf(stderr, "%ld failed operations\n", *d->failures);
            ret = -1;
            break;
        }
    }
    for (i = 0; ret == 0 && i < TIMER_NOPS; i++)
        timer_report(p, (enum timer_op)i, samples[i], reps);
    for (i = 0; i < TIMER_NOPS; i++)
        free(samples[i]);
    return ret;
}

/*
 * Runs each size and kind of timeout the options ask for through the
 * program's run_plan, stopping at the first that fails; a port with no
 * common timeouts skips that kind.  Returns 0, or -1.
 */
static inline int
timer_run_all(const struct timer_opts *o,
              int (*run_plan)(const struct timer_plan *, int), int has_common)
{
    int s;
    int m;

    for (s = 0; s < o->nsizes; s++) {
        for (m = 0; m < TIMER_NMODES; m++) {
            struct timer_plan p;
            int rc;

            if (!o->modes[m] || (m == TIMER_COMMON && !has_common))
                continue;
            timer_plan_make(&p, o->sizes[s], (enum timer_mode)m);
            rc = run_plan(&p, o->reps);
            timer_plan_free(&p);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

#endif /* VIGIL_BENCH_TIMERS_COMMON_H */
