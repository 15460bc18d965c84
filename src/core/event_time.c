/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_time.c: the base's clock.  The monotonic clock, coarse when it
 * ticks at least every millisecond and no precision was asked for, read
 * once per loop iteration into a cache (vg_base_now() and
 * vg_update_time_cache() in event-internal.h); wall-clock times add an
 * offset refreshed every few seconds.
 */
#include "event-internal.h"

#include <sys/time.h>
#include <time.h>

/* How often the wall-clock offset used by gettimeofday_cached and
 * event_pending is refreshed. */
#define CLOCK_DIFF_REFRESH_USEC ((vg_usec_t)5 * 1000000)

static vg_usec_t
read_clock(struct event_base *base)
{
    struct timespec ts;

    if (clock_gettime(base->clock, &ts) != 0)
        vg_log_errx(VG_ERR_ABORT, "clock_gettime failed");
    return (vg_usec_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
refresh_clock_diff(struct event_base *base, vg_usec_t now)
{
    struct timeval wall;

    gettimeofday(&wall, NULL);
    vg_usec_to_tv(vg_tv_to_usec(&wall) - now, &base->tv_clock_diff);
    if (base->tv_clock_diff.tv_usec < 0) {
        base->tv_clock_diff.tv_usec += 1000000;
        base->tv_clock_diff.tv_sec -= 1;
    }
    base->last_clock_diff_update = now;
}

vg_usec_t
vg_base_now_slow(struct event_base *base)
{
    vg_usec_t now = read_clock(base);

    if (now - base->last_clock_diff_update > CLOCK_DIFF_REFRESH_USEC)
        refresh_clock_diff(base, now);
    return now;
}

static void
choose_clock(struct event_base *base)
{
#ifdef CLOCK_MONOTONIC_COARSE
    struct timespec res;

    /* The coarse clock costs less to read; use it when it still ticks at
     * least every millisecond and the program did not ask for precision. */
    if (!(base->flags & EVENT_BASE_FLAG_PRECISE_TIMER) &&
        clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && res.tv_sec == 0 &&
        res.tv_nsec <= 1000000) {
        base->clock = CLOCK_MONOTONIC_COARSE;
        return;
    }
#endif
    base->clock = CLOCK_MONOTONIC;
}

void
vg_base_init_clock(struct event_base *base)
{
    choose_clock(base);
    refresh_clock_diff(base, read_clock(base));
}

int
event_base_gettimeofday_cached(struct event_base *base, struct timeval *tv)
{
    vg_usec_t cache = 0, diff = 0;

    if (base == NULL)
        base = vg_current_base;
    if (tv == NULL)
        return -1;
    if (base != NULL) {
        BASE_LOCK(base);
        cache = base->tv_cache;
        diff = vg_tv_to_usec(&base->tv_clock_diff);
        BASE_UNLOCK(base);
    }
    if (cache == 0)
        return gettimeofday(tv, NULL);
    vg_usec_to_tv(cache + diff, tv);
    return 0;
}

int
event_base_update_cache_time(struct event_base *base)
{
    if (base == NULL)
        base = vg_current_base;
    if (base == NULL)
        return -1;
    BASE_LOCK(base);
    if (base->running_loop)
        vg_update_time_cache(base);
    BASE_UNLOCK(base);
    return 0;
}

int
event_gettime_monotonic(struct event_base *base, struct timeval *tp)
{
    if (base == NULL || tp == NULL)
        return -1;
    BASE_LOCK(base);
    vg_usec_to_tv(vg_base_now(base), tp);
    BASE_UNLOCK(base);
    return 0;
}
