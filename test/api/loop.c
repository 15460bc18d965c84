/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * loop.c: event_base_loop and its flags (EVLOOP_ONCE, EVLOOP_NONBLOCK,
 * EVLOOP_NO_EXIT_ON_EMPTY), event_base_dispatch, loopexit (with and
 * without a delay), loopbreak, loopcontinue, got_exit and got_break, the
 * re-entrancy guard, event_base_dump_events, event_base_foreach_event,
 * event_base_get_running_event, event_base_get_num_events and
 * event_base_get_max_events, event_base_active_by_fd.
 */
#include <event2/event.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

static long long
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int log_count[4];

static void
capture_log(int severity, const char *msg)
{
    (void)msg;
    if (severity >= 0 && severity < 4)
        log_count[severity]++;
}

/* Callbacks append their tag (the callback argument) here. */
static int order[256];
static int norder;
static short order_res[256];

static void
order_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    if (norder < 256) {
        order[norder] = (int)(long)arg;
        order_res[norder] = what;
    }
    norder++;
}

static void
noop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

static void
setup(void)
{
    norder = 0;
    memset(log_count, 0, sizeof(log_count));
}

START_TEST(empty_base_returns_1)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(event_base_loop(base, 0), 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 1);
    /* Not exiting on empty: a non-blocking pass finds nothing, returns 0. */
    ck_assert_int_eq(
        event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_NO_EXIT_ON_EMPTY), 0);
    ck_assert_int_eq(event_base_got_exit(base), 0);
    ck_assert_int_eq(event_base_got_break(base), 0);
    event_base_free(base);
}
END_TEST

static struct event_base *volatile alarm_base;

static void
alarm_handler(int sig)
{
    (void)sig;
    event_base_loopbreak(alarm_base);
}

START_TEST(no_exit_on_empty_keeps_running)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 5000};
    struct itimerval it, off;
    struct sigaction sa;
    struct event *t;
    long long start, elapsed;
    int rv;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, order_cb, (void *)1L);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);

    /* The only timer fires at 5 ms; after that the base is empty and the
     * loop must keep waiting.  A plain SIGALRM handler breaks it out
     * (repeatedly, every 20 ms, so that none can be missed). */
    alarm_base = base;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = alarm_handler;
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
    memset(&it, 0, sizeof(it));
    it.it_value.tv_usec = 60000;
    it.it_interval.tv_usec = 20000;
    memset(&off, 0, sizeof(off));
    start = now_us();
    ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    rv = event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
    elapsed = now_us() - start;
    ck_assert_int_eq(setitimer(ITIMER_REAL, &off, NULL), 0);

    ck_assert_int_eq(rv, 0);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(event_base_got_break(base), 1);
    ck_assert_int_ge(elapsed, 50000);
    ck_assert_int_lt(elapsed, 5000000);
    event_free(t);
    event_base_free(base);
}
END_TEST

START_TEST(once_returns_after_first_pass)
{
    struct event_base *base = event_base_new();
    struct timeval soon = {0, 10000}, later = {3, 0};
    struct event *a, *b;
    long long start;

    ck_assert_ptr_nonnull(base);
    a = evtimer_new(base, order_cb, (void *)1L);
    b = evtimer_new(base, order_cb, (void *)2L);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(evtimer_add(a, &soon), 0);
    ck_assert_int_eq(evtimer_add(b, &later), 0);
    start = now_us();
    /* Blocks until something happens, runs it, returns. */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_lt(now_us() - start, 2500000);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(order[0], 1);
    ck_assert_int_ne(evtimer_pending(b, NULL), 0);
    ck_assert_int_eq(evtimer_del(b), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 1);
    ck_assert_int_eq(norder, 1);
    event_free(a);
    event_free(b);
    event_base_free(base);
}
END_TEST

static struct event *chain_next;

static void
chain_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, arg);
    if (chain_next != NULL) {
        struct event *next = chain_next;

        chain_next = NULL;
        event_active(next, EV_WRITE, 0);
    }
}

START_TEST(once_runs_callbacks_activated_during_pass)
{
    struct event_base *base = event_base_new();
    struct event *a, *b;

    ck_assert_ptr_nonnull(base);
    a = event_new(base, -1, 0, chain_cb, (void *)1L);
    b = event_new(base, -1, 0, chain_cb, (void *)2L);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    chain_next = b;
    event_active(a, EV_READ, 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(norder, 2);
    ck_assert_int_eq(order[0], 1);
    ck_assert_int_eq(order[1], 2);
    ck_assert_int_eq(order_res[1], EV_WRITE);
    event_free(a);
    event_free(b);
    event_base_free(base);
}
END_TEST

START_TEST(nonblock_does_not_wait)
{
    struct event_base *base = event_base_new();
    struct timeval later = {5, 0};
    struct event *t, *r;
    long long start;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    t = evtimer_new(base, order_cb, (void *)1L);
    r = event_new(base, sp[0], EV_READ, order_cb, (void *)2L);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(evtimer_add(t, &later), 0);
    ck_assert_int_eq(event_add(r, NULL), 0);
    start = now_us();
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_lt(now_us() - start, 1000000);
    ck_assert_int_eq(norder, 0);

    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(order[0], 2);
    ck_assert_int_lt(now_us() - start, 1000000);
    event_free(t);
    event_free(r);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

static int self_left;

static void
self_activate_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, (void *)3L);
    if (--self_left > 0)
        event_active(arg, 0, 0);
}

START_TEST(nonblock_runs_until_nothing_is_active)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];
    char c;

    /* libevent 2.1.12: EVLOOP_NONBLOCK alone keeps looping while passes
     * find work; only EVLOOP_ONCE stops after a single pass. */
    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, self_activate_cb, event_self_cbarg());
    ck_assert_ptr_nonnull(ev);
    self_left = 5;
    event_active(ev, 0, 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1);
    ck_assert_int_eq(norder, 5);
    event_free(ev);

    /* A level-triggered persistent read: once per call with ONCE. */
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ev = event_new(base, sp[0], EV_READ | EV_PERSIST, order_cb, (void *)4L);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    norder = 0;
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 2);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(norder, 3);
    ck_assert_int_eq((int)read(sp[0], &c, 1), 1);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 3);
    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

/* The first callback to run stops the loop the way stop_how says. */
static int stop_how; /* 1 loopexit(NULL), 2 loopbreak */
static struct event_base *stop_base;

static void
stopper_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, arg);
    if (norder == 1) {
        if (stop_how == 1)
            ck_assert_int_eq(event_base_loopexit(stop_base, NULL), 0);
        else
            ck_assert_int_eq(event_base_loopbreak(stop_base), 0);
    }
}

static struct event_base *
three_active(struct event *ev[3])
{
    struct event_base *base = event_base_new();
    long i;

    ck_assert_ptr_nonnull(base);
    stop_base = base;
    for (i = 0; i < 3; i++) {
        ev[i] = event_new(base, -1, 0, stopper_cb, (void *)i);
        ck_assert_ptr_nonnull(ev[i]);
        event_active(ev[i], 0, 0);
    }
    return base;
}

START_TEST(loopexit_finishes_the_pass)
{
    struct event *ev[3];
    struct event_base *base;
    int i;

    stop_how = 1;
    base = three_active(ev);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_eq(norder, 3);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    ck_assert_int_eq(event_base_got_break(base), 0);
    /* The next loop starts afresh. */
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(event_base_got_exit(base), 0);
    for (i = 0; i < 3; i++)
        event_free(ev[i]);
    event_base_free(base);
}
END_TEST

START_TEST(loopbreak_stops_after_current_callback)
{
    struct event *ev[3];
    struct event_base *base;
    int i;

    stop_how = 2;
    base = three_active(ev);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(event_base_got_break(base), 1);
    ck_assert_int_eq(event_base_got_exit(base), 0);
    /* The others are still active and run next time. */
    ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE),
                     2);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(norder, 3);
    ck_assert_int_eq(event_base_got_break(base), 0);
    for (i = 0; i < 3; i++)
        event_free(ev[i]);
    event_base_free(base);
}
END_TEST

START_TEST(loopexit_with_delay)
{
    struct event_base *base = event_base_new();
    struct timeval delay = {0, 100000}, tick = {0, 10000};
    struct event *ticker;
    long long start, elapsed;

    ck_assert_ptr_nonnull(base);
    ticker = event_new(base, -1, EV_PERSIST, order_cb, (void *)1L);
    ck_assert_ptr_nonnull(ticker);
    ck_assert_int_eq(event_add(ticker, &tick), 0);
    start = now_us();
    ck_assert_int_eq(event_base_loopexit(base, &delay), 0);
    ck_assert_int_eq(event_base_got_exit(base), 0);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    elapsed = now_us() - start;
    ck_assert_int_ge(elapsed, 90000);
    ck_assert_int_lt(elapsed, 5000000);
    ck_assert_int_ge(norder, 3);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    ck_assert_int_eq(event_base_got_break(base), 0);
    event_free(ticker);

    /* The pending exit alone keeps an otherwise empty loop running. */
    start = now_us();
    ck_assert_int_eq(event_base_loopexit(base, &delay), 0);
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_ge(now_us() - start, 90000);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    event_base_free(base);
}
END_TEST

START_TEST(loopexit_before_loop)
{
    struct event_base *base = event_base_new();
    struct timeval later = {5, 0};
    struct event *t, *a;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, order_cb, (void *)1L);
    a = event_new(base, -1, 0, order_cb, (void *)2L);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(evtimer_add(t, &later), 0);
    event_active(a, 0, 0);
    /* The exit is scheduled: not yet seen by got_exit. */
    ck_assert_int_eq(event_base_loopexit(base, NULL), 0);
    ck_assert_int_eq(event_base_got_exit(base), 0);
    /* The next loop runs what is active, then exits. */
    ck_assert_int_eq(event_base_dispatch(base), 0);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(order[0], 2);
    ck_assert_int_ne(evtimer_pending(t, NULL), 0);
    /* And it was used up. */
    ck_assert_int_eq(evtimer_del(t), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(event_base_got_exit(base), 0);
    event_free(t);
    event_free(a);
    event_base_free(base);
}
END_TEST

START_TEST(loopbreak_before_loop_is_forgotten)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 5000};
    struct event *t;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, order_cb, (void *)1L);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(event_base_loopbreak(base), 0);
    ck_assert_int_eq(event_base_got_break(base), 1);
    /* Entering the loop clears the flag: the loop runs normally. */
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(event_base_got_break(base), 0);
    event_free(t);
    event_base_free(base);
}
END_TEST

/* loopcontinue: A writes to a socket watched by high-priority R, then
 * (maybe) asks the loop to continue.  With it, R runs before B. */
static int sock_to_wake = -1;
static int do_continue;
static struct event_base *continue_base;

static void
continue_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, arg);
    if ((long)arg == 1) {
        ck_assert_int_eq((int)write(sock_to_wake, "x", 1), 1);
        if (do_continue)
            ck_assert_int_eq(event_base_loopcontinue(continue_base), 0);
    }
}

static void
run_continue_case(int with_continue, const int *expect)
{
    struct event_base *base = event_base_new();
    struct event *a, *b, *r;
    int sp[2];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 2), 0);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    continue_base = base;
    sock_to_wake = sp[1];
    do_continue = with_continue;
    norder = 0;
    a = event_new(base, -1, 0, continue_cb, (void *)1L);
    b = event_new(base, -1, 0, continue_cb, (void *)2L);
    r = event_new(base, sp[0], EV_READ, continue_cb, (void *)3L);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(event_priority_set(a, 1), 0);
    ck_assert_int_eq(event_priority_set(b, 1), 0);
    ck_assert_int_eq(event_priority_set(r, 0), 0);
    ck_assert_int_eq(event_add(r, NULL), 0);
    event_active(a, 0, 0);
    event_active(b, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(norder, 3);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(order[i], expect[i]);
    event_free(a);
    event_free(b);
    event_free(r);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}

START_TEST(loopcontinue_polls_again)
{
    static const int without[] = {1, 2, 3};
    static const int with[] = {1, 3, 2};
    struct event_base *base;

    run_continue_case(0, without);
    run_continue_case(1, with);

    /* Outside a loop it does nothing harmful. */
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_loopcontinue(base), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    event_base_free(base);
}
END_TEST

static int reentrant_rv;

static void
reentrant_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    reentrant_rv = event_base_loop(arg, EVLOOP_NONBLOCK);
}

START_TEST(reentrant_loop_refused)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    event_set_log_callback(capture_log);
    ev = event_new(base, -1, 0, reentrant_cb, base);
    ck_assert_ptr_nonnull(ev);
    event_active(ev, 0, 0);
    reentrant_rv = 99;
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(reentrant_rv, -1);
    ck_assert_int_ge(log_count[EVENT_LOG_WARN], 1);
    event_free(ev);
    event_base_free(base);
}
END_TEST

/* Reads the next line of f into line (without its newline), skipping
 * the base's own internal events, which libevent lists too but whose fds
 * differ between implementations.  Returns 0 at the end. */
static int
next_dump_line(FILE *f, char *line, size_t n)
{
    size_t len;

    do {
        if (fgets(line, (int)n, f) == NULL)
            return 0;
        len = strlen(line);
        ck_assert_int_gt((int)len, 0);
        ck_assert_int_eq(line[len - 1], '\n');
        line[len - 1] = '\0';
    } while (strstr(line, " Internal") != NULL);
    return 1;
}

/* Checks "<prefix> Timeout=<sec>.<usec>" with a wall-clock time about ten
 * seconds from now. */
static void
check_timeout_line(const char *line, const char *prefix)
{
    size_t plen = strlen(prefix);
    long sec, now = (long)time(NULL);
    int usec, used = 0;

    ck_assert_int_eq(strncmp(line, prefix, plen), 0);
    ck_assert_int_eq(
        sscanf(line + plen, " Timeout=%ld.%6d%n", &sec, &usec, &used), 2);
    ck_assert_int_eq((int)strlen(line + plen), used);
    ck_assert_int_eq(line[plen + used - 7], '.');
    ck_assert_int_ge(sec, now + 8);
    ck_assert_int_le(sec, now + 11);
}

/* Issue 13: event_base_dump_events prints libevent's two sections,
 * "Inserted events:" and "Active events:", in libevent's line format and
 * order (tools parse it): fd events by fd, then signals, then pure
 * timers; the active section lists added events first, then those that
 * are only active. */
START_TEST(dump_events_in_libevent_format)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    struct event *io, *rd, *sig, *t, *a;
    char line[256], want[256];
    FILE *f;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 4), 0);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    io = event_new(base, sp[0],
                   EV_READ | EV_WRITE | EV_CLOSED | EV_PERSIST | EV_ET, noop_cb,
                   NULL);
    rd = event_new(base, sp[1], EV_READ, noop_cb, NULL);
    sig = evsignal_new(base, SIGUSR2, noop_cb, NULL);
    t = evtimer_new(base, noop_cb, NULL);
    a = event_new(base, -1, 0, noop_cb, NULL);
    ck_assert_ptr_nonnull(io);
    ck_assert_ptr_nonnull(rd);
    ck_assert_ptr_nonnull(sig);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(event_add(io, &tv), 0);
    ck_assert_int_eq(event_add(rd, NULL), 0);
    ck_assert_int_eq(event_add(sig, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(event_priority_set(a, 2), 0);
    event_active(a, EV_READ | EV_TIMEOUT, 1);
    event_active(rd, EV_WRITE, 1);

    f = tmpfile();
    ck_assert_ptr_nonnull(f);
    event_base_dump_events(base, f);
    rewind(f);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    ck_assert_str_eq(line, "Inserted events:");
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    snprintf(want, sizeof(want), "  %p [fd  %d] Read Write EOF Persist ET",
             (void *)io, sp[0]);
    check_timeout_line(line, want);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    snprintf(want, sizeof(want), "  %p [fd  %d] Read", (void *)rd, sp[1]);
    ck_assert_str_eq(line, want);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    snprintf(want, sizeof(want), "  %p [sig %d] Signal Persist", (void *)sig,
             SIGUSR2);
    ck_assert_str_eq(line, want);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    snprintf(want, sizeof(want), "  %p [fd  -1]", (void *)t);
    check_timeout_line(line, want);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    ck_assert_str_eq(line, "Active events:");
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    snprintf(want, sizeof(want), "  %p [fd  %d, priority=%d] Write active",
             (void *)rd, sp[1], event_get_priority(rd));
    ck_assert_str_eq(line, want);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 1);
    snprintf(want, sizeof(want),
             "  %p [fd  -1, priority=2] Read Timeout active", (void *)a);
    ck_assert_str_eq(line, want);
    ck_assert_int_eq(next_dump_line(f, line, sizeof(line)), 0);
    fclose(f);

    event_free(io);
    event_free(rd);
    event_free(sig);
    event_free(t);
    event_free(a);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

struct walk {
    int seen;
    int ours;
    int stop_after;
    const struct event_base *base;
};

static int
walk_cb(const struct event_base *base, const struct event *ev, void *arg)
{
    struct walk *w = arg;

    ck_assert_ptr_eq(base, w->base);
    w->seen++;
    if (event_get_callback(ev) == noop_cb)
        w->ours++;
    if (w->stop_after > 0 && w->seen >= w->stop_after)
        return 7;
    return 0;
}

START_TEST(foreach_event_visits_added_and_active)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    struct event *r, *w, *t, *a, *idle;
    struct walk walk;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    memset(&walk, 0, sizeof(walk));
    walk.base = base;
    ck_assert_int_eq(event_base_foreach_event(base, walk_cb, &walk), 0);
    ck_assert_int_eq(walk.ours, 0);

    r = event_new(base, sp[0], EV_READ, noop_cb, NULL);
    w = event_new(base, sp[0], EV_WRITE | EV_PERSIST, noop_cb, NULL);
    t = evtimer_new(base, noop_cb, NULL);
    a = event_new(base, -1, 0, noop_cb, NULL);
    idle = event_new(base, sp[1], EV_READ, noop_cb, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(idle);
    ck_assert_int_eq(event_add(r, &tv), 0);
    ck_assert_int_eq(event_add(w, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    event_active(a, 0, 0);

    /* Added or active, each once; the never-added one is not seen. */
    memset(&walk, 0, sizeof(walk));
    walk.base = base;
    ck_assert_int_eq(event_base_foreach_event(base, walk_cb, &walk), 0);
    ck_assert_int_eq(walk.ours, 4);

    /* A non-zero return stops the walk and is handed back. */
    memset(&walk, 0, sizeof(walk));
    walk.base = base;
    walk.stop_after = 1;
    ck_assert_int_eq(event_base_foreach_event(base, walk_cb, &walk), 7);
    ck_assert_int_eq(walk.seen, 1);

    event_free(r);
    event_free(w);
    event_free(t);
    event_free(a);
    event_free(idle);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

static struct event *seen_running[4];
static int nseen_running;

static void
running_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    if (nseen_running < 4)
        seen_running[nseen_running] =
            event_base_get_running_event((struct event_base *)arg);
    nseen_running++;
}

START_TEST(running_event_inside_callback)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    struct event *a, *t;

    ck_assert_ptr_nonnull(base);
#ifndef VIGIL_ORACLE
    /* Undefined by the documentation; libevent 2.1.12 crashes here.
     * Vigil answers NULL. */
    ck_assert_ptr_null(event_base_get_running_event(base));
#endif
    a = event_new(base, -1, 0, running_cb, base);
    t = evtimer_new(base, running_cb, base);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(t);
    nseen_running = 0;
    event_active(a, 0, 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(nseen_running, 2);
    ck_assert_ptr_eq(seen_running[0], a);
    ck_assert_ptr_eq(seen_running[1], t);
#ifndef VIGIL_ORACLE
    ck_assert_ptr_null(event_base_get_running_event(base));
#endif
    event_free(a);
    event_free(t);
    event_base_free(base);
}
END_TEST

static int
count(struct event_base *base, unsigned flags)
{
    return event_base_get_num_events(base, flags);
}

START_TEST(num_events_by_kind)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    struct event *r, *w, *t, *rt, *a;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ACTIVE), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_VIRTUAL), 0);

    r = event_new(base, sp[0], EV_READ | EV_PERSIST, noop_cb, NULL);
    w = event_new(base, sp[0], EV_WRITE | EV_PERSIST, noop_cb, NULL);
    t = evtimer_new(base, noop_cb, NULL);
    rt = event_new(base, sp[1], EV_READ, noop_cb, NULL);
    a = event_new(base, -1, 0, noop_cb, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(rt);
    ck_assert_ptr_nonnull(a);

    ck_assert_int_eq(event_add(r, NULL), 0);
    ck_assert_int_eq(event_add(w, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 3);
    /* libevent 2.1.12 counts an I/O event with a timeout twice (once
     * for the fd, once for the timeout). */
    ck_assert_int_eq(event_add(rt, &tv), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 5);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ACTIVE), 0);

    /* Activation counts in ACTIVE, and again in ADDED. */
    event_active(a, 0, 0);
    event_active(r, EV_READ, 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ACTIVE), 2);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 7);
    ck_assert_int_eq(
        count(base, EVENT_BASE_COUNT_ADDED | EVENT_BASE_COUNT_ACTIVE), 9);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED |
                                     EVENT_BASE_COUNT_ACTIVE |
                                     EVENT_BASE_COUNT_VIRTUAL),
                     9);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_VIRTUAL), 0);

    /* After a pass nothing is active; the persistent ones stay added
     * (w is writable, so it ran too). */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ACTIVE), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 5);

    ck_assert_int_eq(event_del(r), 0);
    ck_assert_int_eq(event_del(w), 0);
    ck_assert_int_eq(event_del(t), 0);
    ck_assert_int_eq(event_del(rt), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 0);

    event_free(r);
    event_free(w);
    event_free(t);
    event_free(rt);
    event_free(a);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

/* Issue 13: libevent accepts an I/O event with fd -1.  It counts as
 * added (twice with a timeout: once for the fd, once for the timeout),
 * can time out, keeps the loop from exiting while added, and is visited
 * by no event_base_foreach_event walk, since it is on no fd's list. */
static void
record_res_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    *(short *)arg = what;
}

START_TEST(io_event_without_fd)
{
    struct event_base *base = event_base_new();
    struct timeval soon = {0, 20 * 1000}, later = {10, 0};
    struct event *rt, *w;
    struct walk wk;
    short res = 0;

    ck_assert_ptr_nonnull(base);
    rt = event_new(base, -1, EV_READ, record_res_cb, &res);
    w = event_new(base, -1, EV_WRITE | EV_PERSIST, noop_cb, NULL);
    ck_assert_ptr_nonnull(rt);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(event_add(rt, &later), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 2);
    ck_assert_int_eq(event_pending(rt, EV_READ | EV_TIMEOUT, NULL),
                     EV_READ | EV_TIMEOUT);
    ck_assert_int_eq(event_add(w, NULL), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 3);
    ck_assert_int_eq(event_pending(w, EV_WRITE, NULL), EV_WRITE);
    memset(&wk, 0, sizeof(wk));
    wk.base = base;
    ck_assert_int_eq(event_base_foreach_event(base, walk_cb, &wk), 0);
    ck_assert_int_eq(wk.seen, 0);

    /* The timeout still works. */
    ck_assert_int_eq(event_add(rt, &soon), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 3);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(res, EV_TIMEOUT);
    ck_assert_int_eq(event_pending(rt, EV_READ | EV_TIMEOUT, NULL), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 1);
    /* w keeps the loop from exiting, though it can never run. */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(event_del(w), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1);

    event_free(rt);
    event_free(w);
    event_base_free(base);
}
END_TEST

START_TEST(max_events_and_clear)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    struct event *ev[4];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_get_max_events(base, EVENT_BASE_COUNT_ADDED, 0),
                     0);
    for (i = 0; i < 4; i++) {
        ev[i] = evtimer_new(base, noop_cb, NULL);
        ck_assert_ptr_nonnull(ev[i]);
        ck_assert_int_eq(evtimer_add(ev[i], &tv), 0);
    }
    event_active(ev[0], 0, 0);
    event_active(ev[1], 0, 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 6);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(event_del(ev[i]), 0);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ADDED), 0);

    /* The high-water marks remain... */
    ck_assert_int_eq(event_base_get_max_events(base, EVENT_BASE_COUNT_ADDED, 0),
                     6);
    ck_assert_int_eq(
        event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, 0), 2);
    ck_assert_int_eq(
        event_base_get_max_events(base, EVENT_BASE_COUNT_VIRTUAL, 0), 0);
    ck_assert_int_eq(
        event_base_get_max_events(
            base, EVENT_BASE_COUNT_ADDED | EVENT_BASE_COUNT_ACTIVE, 0),
        8);
    /* ...until cleared: the call reports the old mark, then the mark
     * drops to the current count. */
    ck_assert_int_eq(event_base_get_max_events(base, EVENT_BASE_COUNT_ADDED, 1),
                     6);
    ck_assert_int_eq(event_base_get_max_events(base, EVENT_BASE_COUNT_ADDED, 0),
                     0);
    ck_assert_int_eq(
        event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, 0), 2);
    ck_assert_int_eq(
        event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, 1), 2);
    ck_assert_int_eq(
        event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, 0), 0);

    ck_assert_int_eq(evtimer_add(ev[2], &tv), 0);
    ck_assert_int_eq(event_base_get_max_events(base, EVENT_BASE_COUNT_ADDED, 0),
                     1);
    for (i = 0; i < 4; i++)
        event_free(ev[i]);
    event_base_free(base);
}
END_TEST

START_TEST(active_by_fd)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    struct event *r, *w, *rt, *idle, *other;
    int sp[2], sq[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq(vt_socketpair(sq), 0);
    /* Nothing is really ready for reading; the write side would be, so
     * the write event is added only after the passes that check reads. */
    r = event_new(base, sp[0], EV_READ | EV_PERSIST, order_cb, (void *)1L);
    w = event_new(base, sp[0], EV_WRITE | EV_PERSIST, order_cb, (void *)2L);
    rt = event_new(base, sp[0], EV_READ, order_cb, (void *)3L);
    idle = event_new(base, sp[0], EV_READ, order_cb, (void *)4L);
    other = event_new(base, sq[0], EV_READ, order_cb, (void *)5L);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(rt);
    ck_assert_ptr_nonnull(idle);
    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(event_add(r, NULL), 0);
    ck_assert_int_eq(event_add(rt, &tv), 0);
    ck_assert_int_eq(event_add(other, NULL), 0);

    /* EV_READ: the pending read events on that fd, nothing else. */
    event_base_active_by_fd(base, sp[0], EV_READ);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ACTIVE), 2);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 2);
    ck_assert_int_ne(order[0], order[1]);
    ck_assert_int_eq(order[0] + order[1], 1 + 3);
    ck_assert_int_eq(order_res[0], EV_READ);
    ck_assert_int_eq(order_res[1], EV_READ);
    /* rt was not persistent. */
    ck_assert_int_eq(event_pending(rt, EV_READ | EV_TIMEOUT, NULL), 0);
    ck_assert_int_ne(event_pending(r, EV_READ, NULL), 0);

    /* EV_TIMEOUT: the events on that fd that have a timeout. */
    norder = 0;
    ck_assert_int_eq(event_add(rt, &tv), 0);
    event_base_active_by_fd(base, sp[0], EV_TIMEOUT);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(order[0], 3);
    ck_assert_int_eq(order_res[0], EV_TIMEOUT);

    /* EV_WRITE: only write events. */
    norder = 0;
    ck_assert_int_eq(event_add(w, NULL), 0);
    event_base_active_by_fd(base, sp[0], EV_WRITE);
    ck_assert_int_eq(count(base, EVENT_BASE_COUNT_ACTIVE), 1);
    ck_assert_int_eq(event_del(w), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(norder, 0);

    event_free(r);
    event_free(w);
    event_free(rt);
    event_free(idle);
    event_free(other);
    close(sp[0]);
    close(sp[1]);
    close(sq[0]);
    close(sq[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("loop");
    TCase *flags = vt_tcase("flags", 10);
    TCase *stop = vt_tcase("stopping", 10);
    TCase *intro = vt_tcase("introspection", 10);

    tcase_add_checked_fixture(flags, setup, NULL);
    tcase_add_checked_fixture(stop, setup, NULL);
    tcase_add_checked_fixture(intro, setup, NULL);

    tcase_add_test(flags, empty_base_returns_1);
    tcase_add_test(flags, no_exit_on_empty_keeps_running);
    tcase_add_test(flags, once_returns_after_first_pass);
    tcase_add_test(flags, once_runs_callbacks_activated_during_pass);
    tcase_add_test(flags, nonblock_does_not_wait);
    tcase_add_test(flags, nonblock_runs_until_nothing_is_active);
    suite_add_tcase(s, flags);

    tcase_add_test(stop, loopexit_finishes_the_pass);
    tcase_add_test(stop, loopbreak_stops_after_current_callback);
    tcase_add_test(stop, loopexit_with_delay);
    tcase_add_test(stop, loopexit_before_loop);
    tcase_add_test(stop, loopbreak_before_loop_is_forgotten);
    tcase_add_test(stop, loopcontinue_polls_again);
    tcase_add_test(stop, reentrant_loop_refused);
    suite_add_tcase(s, stop);

    tcase_add_test(intro, dump_events_in_libevent_format);
    tcase_add_test(intro, foreach_event_visits_added_and_active);
    tcase_add_test(intro, running_event_inside_callback);
    tcase_add_test(intro, num_events_by_kind);
    tcase_add_test(intro, max_events_and_clear);
    tcase_add_test(intro, io_event_without_fd);
    tcase_add_test(intro, active_by_fd);
    suite_add_tcase(s, intro);
    return vt_run(s);
}
