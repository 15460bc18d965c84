/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_time.c: the struct timeval macros, evutil_gettimeofday, the
 * monotonic timers and evutil_date_rfc1123.
 */
#include <event2/util.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "vtest.h"

/*
 * Timer macros
 */

START_TEST(timeradd_carries)
{
    struct timeval a = {1, 700000}, b = {2, 400000}, r;

    evutil_timeradd(&a, &b, &r);
    ck_assert_int_eq(r.tv_sec, 4);
    ck_assert_int_eq(r.tv_usec, 100000);

    a.tv_sec = 0;
    a.tv_usec = 999999;
    b.tv_sec = 0;
    b.tv_usec = 1;
    evutil_timeradd(&a, &b, &r);
    ck_assert_int_eq(r.tv_sec, 1);
    ck_assert_int_eq(r.tv_usec, 0);

    /* The result may be one of the operands. */
    a.tv_sec = 5;
    a.tv_usec = 500000;
    evutil_timeradd(&a, &a, &a);
    ck_assert_int_eq(a.tv_sec, 11);
    ck_assert_int_eq(a.tv_usec, 0);
}
END_TEST

START_TEST(timersub_borrows)
{
    struct timeval a = {3, 100000}, b = {1, 400000}, r;

    evutil_timersub(&a, &b, &r);
    ck_assert_int_eq(r.tv_sec, 1);
    ck_assert_int_eq(r.tv_usec, 700000);

    evutil_timersub(&b, &a, &r);
    ck_assert_int_eq(r.tv_sec, -2);
    ck_assert_int_eq(r.tv_usec, 300000);

    evutil_timersub(&a, &a, &r);
    ck_assert_int_eq(r.tv_sec, 0);
    ck_assert_int_eq(r.tv_usec, 0);
}
END_TEST

START_TEST(timerclear_and_isset)
{
    struct timeval t = {7, 8};

    ck_assert_int_ne(evutil_timerisset(&t), 0);
    evutil_timerclear(&t);
    ck_assert_int_eq(t.tv_sec, 0);
    ck_assert_int_eq(t.tv_usec, 0);
    ck_assert_int_eq(evutil_timerisset(&t), 0);
    t.tv_usec = 1;
    ck_assert_int_ne(evutil_timerisset(&t), 0);
    t.tv_usec = 0;
    t.tv_sec = 1;
    ck_assert_int_ne(evutil_timerisset(&t), 0);
}
END_TEST

START_TEST(timercmp_operators)
{
    struct timeval a = {1, 500}, b = {1, 600}, c = {2, 0}, d = {1, 500};

    ck_assert_int_ne(evutil_timercmp(&a, &b, <), 0);
    ck_assert_int_ne(evutil_timercmp(&a, &c, <), 0);
    ck_assert_int_eq(evutil_timercmp(&c, &a, <), 0);
    ck_assert_int_ne(evutil_timercmp(&a, &d, <=), 0);
    ck_assert_int_ne(evutil_timercmp(&a, &d, ==), 0);
    ck_assert_int_eq(evutil_timercmp(&a, &b, ==), 0);
    ck_assert_int_ne(evutil_timercmp(&a, &d, >=), 0);
    ck_assert_int_ne(evutil_timercmp(&c, &b, >), 0);
    ck_assert_int_ne(evutil_timercmp(&b, &a, >), 0);
    ck_assert_int_eq(evutil_timercmp(&a, &d, >), 0);
}
END_TEST

START_TEST(gettimeofday_is_wall_clock)
{
    /* Bounds from CLOCK_REALTIME, not time(): glibc's time() reads the
     * coarse clock, which can lag the precise one by a tick and so be a
     * second behind a gettimeofday() taken just before it. */
    struct timeval tv;
    struct timespec before, after;

    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &before), 0);
    ck_assert_int_eq(evutil_gettimeofday(&tv, NULL), 0);
    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &after), 0);
    ck_assert_int_ge(tv.tv_sec, before.tv_sec);
    ck_assert_int_le(tv.tv_sec, after.tv_sec);
    ck_assert_int_ge(tv.tv_usec, 0);
    ck_assert_int_lt(tv.tv_usec, 1000000);
}
END_TEST

/*
 * Monotonic timers
 */

/* Reads timer until its value changes (the clock ticks), within a few
 * seconds; returns the two readings. */
static void
read_until_tick(struct evutil_monotonic_timer *timer, struct timeval *first,
                struct timeval *second)
{
    time_t give_up = time(NULL) + 5;

    ck_assert_int_eq(evutil_gettime_monotonic(timer, first), 0);
    do {
        ck_assert_int_eq(evutil_gettime_monotonic(timer, second), 0);
        ck_assert_int_ge(evutil_timercmp(second, first, >=), 1);
    } while (evutil_timercmp(second, first, ==) && time(NULL) < give_up);
    ck_assert_int_ne(evutil_timercmp(second, first, >), 0);
}

static void
check_timer_flags(int flags)
{
    struct evutil_monotonic_timer *timer = evutil_monotonic_timer_new();
    struct timeval a, b, prev;

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evutil_configure_monotonic_time(timer, flags), 0);
    read_until_tick(timer, &a, &b);
    ck_assert_int_ge(b.tv_usec, 0);
    ck_assert_int_lt(b.tv_usec, 1000000);

    /* Many readings never go backwards. */
    prev = b;
    for (int i = 0; i < 10000; i++) {
        struct timeval now;

        ck_assert_int_eq(evutil_gettime_monotonic(timer, &now), 0);
        ck_assert_int_ne(evutil_timercmp(&now, &prev, >=), 0);
        prev = now;
    }
    evutil_monotonic_timer_free(timer);
}

START_TEST(monotonic_default)
{
    check_timer_flags(0);
}
END_TEST

START_TEST(monotonic_precise)
{
    check_timer_flags(EV_MONOT_PRECISE);
}
END_TEST

START_TEST(monotonic_fallback)
{
    check_timer_flags(EV_MONOT_FALLBACK);
    check_timer_flags(EV_MONOT_FALLBACK | EV_MONOT_PRECISE);
}
END_TEST

START_TEST(monotonic_measures_elapsed_time)
{
    struct evutil_monotonic_timer *timer = evutil_monotonic_timer_new();
    struct timespec nap = {0, 50 * 1000 * 1000};
    struct timeval a, b, diff;
    long ms;

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evutil_configure_monotonic_time(timer, EV_MONOT_PRECISE),
                     0);
    ck_assert_int_eq(evutil_gettime_monotonic(timer, &a), 0);
    /* Measuring a clock needs time to pass; no callback can signal it. */
    while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
        continue;
    ck_assert_int_eq(evutil_gettime_monotonic(timer, &b), 0);
    evutil_timersub(&b, &a, &diff);
    ms = (long)diff.tv_sec * 1000 + diff.tv_usec / 1000;
    ck_assert_int_ge(ms, 45);
    ck_assert_int_lt(ms, 5000);
    evutil_monotonic_timer_free(timer);
}
END_TEST

START_TEST(monotonic_reconfigure)
{
    struct evutil_monotonic_timer *timer = evutil_monotonic_timer_new();
    struct timeval tv;

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evutil_configure_monotonic_time(timer, EV_MONOT_PRECISE),
                     0);
    ck_assert_int_eq(evutil_configure_monotonic_time(timer, 0), 0);
    ck_assert_int_eq(evutil_configure_monotonic_time(timer, EV_MONOT_FALLBACK),
                     0);
    ck_assert_int_eq(evutil_gettime_monotonic(timer, &tv), 0);
    evutil_monotonic_timer_free(timer);
}
END_TEST

START_TEST(monotonic_new_timer_is_readable)
{
    /* libevent answers a reading before any configuration; Vigil
     * configures a new timer with the default clock. */
    struct evutil_monotonic_timer *timer = evutil_monotonic_timer_new();
    struct timeval tv;

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evutil_gettime_monotonic(timer, &tv), 0);
    evutil_monotonic_timer_free(timer);
    evutil_monotonic_timer_free(NULL);
}
END_TEST

START_TEST(monotonic_unknown_flags)
{
    struct evutil_monotonic_timer *timer = evutil_monotonic_timer_new();
    int r;

    ck_assert_ptr_nonnull(timer);
    r = evutil_configure_monotonic_time(timer, 0x70);
#ifndef VIGIL_ORACLE
    /* Deliberate difference: libevent 2.1.12 ignores unknown flags and
     * returns 0; Vigil refuses them, so a typo cannot silently pick a
     * clock. */
    ck_assert_int_eq(r, -1);
    ck_assert_int_eq(errno, EINVAL);
#endif
    (void)r;
    evutil_monotonic_timer_free(timer);
}
END_TEST

/*
 * evutil_date_rfc1123
 */

static struct tm
make_tm(int year, int mon, int mday, int hour, int min, int sec, int wday)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    tm.tm_wday = wday;
    return tm;
}

START_TEST(date_known_value)
{
    char buf[64];
    struct tm tm = make_tm(1994, 10, 6, 8, 49, 37, 0);

    ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 29);
    ck_assert_str_eq(buf, "Sun, 06 Nov 1994 08:49:37 GMT");

    tm = make_tm(2000, 0, 1, 0, 0, 0, 6);
    ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 29);
    ck_assert_str_eq(buf, "Sat, 01 Jan 2000 00:00:00 GMT");

    tm = make_tm(2038, 0, 19, 3, 14, 8, 2);
    ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 29);
    ck_assert_str_eq(buf, "Tue, 19 Jan 2038 03:14:08 GMT");

    tm = make_tm(9999, 11, 31, 23, 59, 60, 5);
    ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 29);
    ck_assert_str_eq(buf, "Fri, 31 Dec 9999 23:59:60 GMT");

    tm = make_tm(10000, 0, 1, 0, 0, 0, 6);
    ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 30);
    ck_assert_str_eq(buf, "Sat, 01 Jan 10000 00:00:00 GMT");
}
END_TEST

START_TEST(date_every_month_and_day)
{
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
    char buf[64], want[64];

    for (int m = 0; m < 12; m++) {
        struct tm tm = make_tm(2021, m, 15, 12, 0, 0, m % 7);

        ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 29);
        (void)snprintf(want, sizeof(want), "%s, 15 %s 2021 12:00:00 GMT",
                       days[m % 7], months[m]);
        ck_assert_str_eq(buf, want);
    }
}
END_TEST

START_TEST(date_now)
{
    char buf[64], want[64];
    time_t before = time(NULL), after, t;
    struct tm tm;
    struct timespec now;

    ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), NULL), 29);
    /* time() reads the coarse clock, which may trail the precise one the
     * library may have used: take the later bound from CLOCK_REALTIME.
     * The date must name one of the seconds between the bounds (more than
     * two when the process was kept off the CPU in between). */
    ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &now), 0);
    after = now.tv_sec;
    for (t = before; t <= after; t++) {
        ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
        /* strftime's names are the C locale's, which are RFC 1123's. */
        ck_assert_uint_gt(
            strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm), 0);
        if (strcmp(buf, want) == 0)
            break;
    }
    ck_assert_msg(t <= after, "date '%s' is not between the bounds", buf);
}
END_TEST

START_TEST(date_truncates)
{
    char buf[64];
    struct tm tm = make_tm(1994, 10, 6, 8, 49, 37, 0);

    memset(buf, '#', sizeof(buf));
    ck_assert_int_eq(evutil_date_rfc1123(buf, 10, &tm), 29);
    ck_assert_str_eq(buf, "Sun, 06 N");
    ck_assert_int_eq(buf[10], '#');

    memset(buf, '#', sizeof(buf));
    ck_assert_int_eq(evutil_date_rfc1123(buf, 1, &tm), 29);
    ck_assert_int_eq(buf[0], '\0');
    ck_assert_int_eq(buf[1], '#');

    /* A buffer of exactly the length plus its NUL is enough. */
    ck_assert_int_eq(evutil_date_rfc1123(buf, 30, &tm), 29);
    ck_assert_str_eq(buf, "Sun, 06 Nov 1994 08:49:37 GMT");

    /* With no room at all nothing is written and 0 is returned, as
     * evutil_snprintf() does. */
    memset(buf, '#', sizeof(buf));
    ck_assert_int_eq(evutil_date_rfc1123(buf, 0, &tm), 0);
    ck_assert_int_eq(buf[0], '#');
}
END_TEST

START_TEST(date_rejects_bad_fields)
{
#ifndef VIGIL_ORACLE
    /* Deliberate difference: libevent 2.1.12 uses tm_wday and tm_mon as
     * array indexes without checking them (reading out of bounds) and
     * prints the other fields whatever they hold.  Vigil returns -1 and
     * an empty string for a field out of range. */
    static const int bad[][7] = {
        {1994, 12, 6, 8, 49, 37, 0},  {1994, -1, 6, 8, 49, 37, 0},
        {1994, 10, 6, 8, 49, 37, 7},  {1994, 10, 6, 8, 49, 37, -1},
        {1994, 10, 0, 8, 49, 37, 0},  {1994, 10, 32, 8, 49, 37, 0},
        {1994, 10, 6, 24, 49, 37, 0}, {1994, 10, 6, -1, 49, 37, 0},
        {1994, 10, 6, 8, 60, 37, 0},  {1994, 10, 6, 8, -5, 37, 0},
        {1994, 10, 6, 8, 49, 61, 0},  {1994, 10, 6, 8, 49, -1, 0},
        {-1, 10, 6, 8, 49, 37, 0},
    };
    char buf[64];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tm tm = make_tm(bad[i][0], bad[i][1], bad[i][2], bad[i][3],
                               bad[i][4], bad[i][5], bad[i][6]);

        memset(buf, '#', sizeof(buf));
        ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), -1);
        ck_assert_int_eq(buf[0], '\0');
    }
    /* Four-digit years, as RFC 1123 asks (libevent pads with spaces). */
    {
        struct tm tm = make_tm(999, 0, 1, 0, 0, 0, 0);

        ck_assert_int_eq(evutil_date_rfc1123(buf, sizeof(buf), &tm), 29);
        ck_assert_str_eq(buf, "Sun, 01 Jan 0999 00:00:00 GMT");
    }
#endif
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("evutil_time");
    TCase *tc;

    tc = vt_tcase("macros", 10);
    tcase_add_test(tc, timeradd_carries);
    tcase_add_test(tc, timersub_borrows);
    tcase_add_test(tc, timerclear_and_isset);
    tcase_add_test(tc, timercmp_operators);
    tcase_add_test(tc, gettimeofday_is_wall_clock);
    suite_add_tcase(s, tc);

    tc = vt_tcase("monotonic", 15);
    tcase_add_test(tc, monotonic_default);
    tcase_add_test(tc, monotonic_precise);
    tcase_add_test(tc, monotonic_fallback);
    tcase_add_test(tc, monotonic_measures_elapsed_time);
    tcase_add_test(tc, monotonic_reconfigure);
    tcase_add_test(tc, monotonic_new_timer_is_readable);
    tcase_add_test(tc, monotonic_unknown_flags);
    suite_add_tcase(s, tc);

    tc = vt_tcase("date", 10);
    tcase_add_test(tc, date_known_value);
    tcase_add_test(tc, date_every_month_and_day);
    tcase_add_test(tc, date_now);
    tcase_add_test(tc, date_truncates);
    tcase_add_test(tc, date_rejects_bad_fields);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
