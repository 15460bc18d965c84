/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bench-common.h: helpers every benchmark program shares, so that a program
 * and its floor measure and report in the same way: the clock, medians,
 * option parsing, the file-descriptor limit and a deterministic random
 * number generator.  Header-only; every function is static inline.
 */
#ifndef VIGIL_BENCH_COMMON_H
#define VIGIL_BENCH_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/*
 * Marks a function whose cost is measured: it stays out of line under its
 * own name, so that callgrind reports its inclusive cost (bench/run
 * --callgrind looks the name up).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_MEASURED __attribute__((noinline, noclone))
#elif defined(__GNUC__)
#define BENCH_MEASURED __attribute__((noinline))
#else
#define BENCH_MEASURED
#endif

/* Nanoseconds on the monotonic clock: the benchmarks' own stopwatch. */
static inline int64_t
bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Nanoseconds on the coarse monotonic clock, the cheap one. */
static inline int64_t
bench_coarse_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The resolution of the coarse clock, in nanoseconds. */
static inline int64_t
bench_coarse_resolution_ns(void)
{
    struct timespec ts;

    if (clock_getres(CLOCK_MONOTONIC_COARSE, &ts) != 0)
        return 10000000;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps until bench_now_ns() reaches the given time. */
static inline void
bench_sleep_until(int64_t when_ns)
{
    int64_t now;

    while ((now = bench_now_ns()) < when_ns) {
        struct timespec ts;
        int64_t left = when_ns - now;

        ts.tv_sec = (time_t)(left / 1000000000);
        ts.tv_nsec = (long)(left % 1000000000);
        nanosleep(&ts, NULL);
    }
}

static inline int
bench_compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The median of n samples (n > 0); sorts them in place. */
static inline double
bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), bench_compare_doubles);
    if (n % 2 == 1)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Parses a decimal option value in [min, max], or exits with a message. */
static inline long
bench_parse_long(const char *s, const char *what, long min, long max)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "bad value for %s: '%s' (want %ld to %ld)\n", what, s,
                min, max);
        exit(2);
    }
    return v;
}

/* Allocates an array of n elements of the given size, or exits. */
static inline void *
bench_calloc(size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

    if (p == NULL) {
        fprintf(stderr, "out of memory (%zu x %zu bytes)\n", n, size);
        exit(1);
    }
    return p;
}

/*
 * Raises the soft limit on open files to at least need (and the hard limit
 * too, when the process may).  Returns 0, or -1 with a message.
 */
static inline int
bench_raise_nofile(rlim_t need)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        perror("getrlimit(RLIMIT_NOFILE)");
        return -1;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        rl.rlim_max = need;
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "cannot raise the open-file limit to %lu: %s\n",
                (unsigned long)need, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * A small deterministic generator (xorshift64*), so that a program and its
 * floor draw the same timeouts.
 */
static inline uint64_t
bench_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

#endif /* VIGIL_BENCH_COMMON_H */
