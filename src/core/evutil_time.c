/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_time.c: monotonic timers and RFC 1123 dates.
 */
#include <event2/util.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "evutil-internal.h"
#include "mm-internal.h"

/* A coarse clock is used by default only if it ticks at least this often. */
#define COARSE_MAX_RESOLUTION_NS 1000000L

#define MONOT_ALL_FLAGS (EV_MONOT_PRECISE | EV_MONOT_FALLBACK)

/* Whether clock can be read, and if res_limit_ns is positive, whether it
 * ticks at least that often. */
static int
clock_usable(clockid_t clock, long res_limit_ns)
{
    struct timespec ts;
    int ok = 0;

    if (clock_gettime(clock, &ts) < 0)
        goto done;
    if (res_limit_ns > 0) {
        if (clock_getres(clock, &ts) < 0 || ts.tv_sec != 0 ||
            ts.tv_nsec > res_limit_ns)
            goto done;
    }
    ok = 1;
done:
    return ok;
}

int
evutil_configure_monotonic_time(struct evutil_monotonic_timer *timer, int flags)
{
    int rv = -1;

    /* Unknown flags are refused rather than silently ignored. */
    if (timer == NULL || (flags & ~MONOT_ALL_FLAGS) != 0) {
        errno = EINVAL;
        goto done;
    }
    memset(timer, 0, sizeof(*timer));
    timer->flags = flags;
    timer->clock = (clockid_t)-1;
    if (flags & EV_MONOT_FALLBACK) {
        /* The wall clock, kept from going backwards. */
    } else if (!(flags & EV_MONOT_PRECISE) &&
               clock_usable(CLOCK_MONOTONIC_COARSE, COARSE_MAX_RESOLUTION_NS)) {
        timer->clock = CLOCK_MONOTONIC_COARSE;
    } else if (clock_usable(CLOCK_MONOTONIC, 0)) {
        timer->clock = CLOCK_MONOTONIC;
    }
    rv = 0;
done:
    return rv;
}

int
evutil_gettime_monotonic(struct evutil_monotonic_timer *timer,
                         struct timeval *tp)
{
    struct timespec ts;
    struct timeval now;
    int rv = -1;

    if (timer == NULL || tp == NULL) {
        errno = EINVAL;
        goto done;
    }
    if (timer->clock != (clockid_t)-1) {
        if (clock_gettime(timer->clock, &ts) < 0)
            goto done;
        tp->tv_sec = ts.tv_sec;
        tp->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
        rv = 0;
        goto done;
    }
    if (gettimeofday(&now, NULL) < 0)
        goto done;
    if (evutil_timercmp(&now, &timer->last_wall, <)) {
        /* The wall clock went back: add the step to the adjustment, so
         * that this reading equals the previous one. */
        struct timeval step;

        evutil_timersub(&timer->last_wall, &now, &step);
        evutil_timeradd(&timer->adjust, &step, &timer->adjust);
    }
    timer->last_wall = now;
    evutil_timeradd(&now, &timer->adjust, tp);
    rv = 0;
done:
    return rv;
}

struct evutil_monotonic_timer *
evutil_monotonic_timer_new(void)
{
    struct evutil_monotonic_timer *timer;

    timer = vg_mm_calloc(1, sizeof(*timer));
    /* A new timer is usable at once with the default clock. */
    if (timer != NULL)
        (void)evutil_configure_monotonic_time(timer, 0);
    return timer;
}

void
evutil_monotonic_timer_free(struct evutil_monotonic_timer *timer)
{
    vg_mm_free(timer);
}

int
evutil_date_rfc1123(char *date, const size_t datelen, const struct tm *tm)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                    "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
    struct tm now;
    long long year;
    int rv = -1;

    if (tm == NULL) {
        time_t t = time(NULL);

        if (gmtime_r(&t, &now) == NULL)
            goto fail;
        tm = &now;
    }
    /* Every field is checked before it is used: the names are looked up
     * in tables, and a date with a 99th hour is no date. */
    year = (long long)tm->tm_year + 1900;
    if (tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_mon < 0 ||
        tm->tm_mon > 11 || tm->tm_mday < 1 || tm->tm_mday > 31 ||
        tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 ||
        tm->tm_min > 59 || tm->tm_sec < 0 || tm->tm_sec > 60 || year < 0) {
        errno = EINVAL;
        goto fail;
    }
    rv = evutil_snprintf(date, datelen, "%s, %02d %s %04lld %02d:%02d:%02d GMT",
                         days[tm->tm_wday], tm->tm_mday, months[tm->tm_mon],
                         year, tm->tm_hour, tm->tm_min, tm->tm_sec);
    goto done;
fail:
    if (date != NULL && datelen > 0)
        date[0] = '\0';
done:
    return rv;
}
