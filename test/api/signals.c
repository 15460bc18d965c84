/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * signals.c: signal events: the evsignal_* macros, several signals at
 * once, a signal raised several times, EV_PERSIST, a signal that comes
 * while the loop is blocked, event_base_active_by_signal, the warning for
 * signals on a second base, and the previous handler coming back when the
 * last signal event goes.
 */
#include <event2/event.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtest.h"

struct rec {
    int calls;
    short res;
    evutil_socket_t fd;
};

static struct rec rec_a, rec_b, rec_c;

static void
record_cb(evutil_socket_t fd, short what, void *arg)
{
    struct rec *r = arg;

    r->calls++;
    r->res = what;
    r->fd = fd;
}

static int log_count[4];

static void
capture_log(int severity, const char *msg)
{
    (void)msg;
    if (severity >= 0 && severity < 4)
        log_count[severity]++;
}

static void
setup(void)
{
    memset(&rec_a, 0, sizeof(rec_a));
    memset(&rec_b, 0, sizeof(rec_b));
    memset(&rec_c, 0, sizeof(rec_c));
    memset(log_count, 0, sizeof(log_count));
}

static void
my_handler(int sig)
{
    (void)sig;
}

typedef void (*handler_fn)(int);

static handler_fn
handler_of(int sig)
{
    struct sigaction sa;

    ck_assert_int_eq(sigaction(sig, NULL, &sa), 0);
    return sa.sa_handler;
}

START_TEST(signal_event_fires)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(evsignal_initialized(ev), 1);
    ck_assert_int_eq(event_get_signal(ev), SIGUSR1);
    ck_assert_int_eq(event_get_events(ev), EV_SIGNAL | EV_PERSIST);
    ck_assert_int_eq(evsignal_pending(ev, NULL), 0);
    ck_assert_int_eq(evsignal_add(ev, NULL), 0);
    ck_assert_int_eq(evsignal_pending(ev, NULL), EV_SIGNAL);
    /* Whatever the library adds for itself to catch signals is not
     * counted. */
    ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED),
                     1);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_SIGNAL);
    ck_assert_int_eq((int)rec_a.fd, SIGUSR1);
    ck_assert_int_eq(evsignal_del(ev), 0);
    ck_assert_int_eq(evsignal_pending(ev, NULL), 0);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(evsignal_assign_on_caller_memory)
{
    struct event_base *base = event_base_new();
    struct event *ev = calloc(1, event_get_struct_event_size());

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(evsignal_initialized(ev), 0);
    ck_assert_int_eq(evsignal_assign(ev, base, SIGUSR2, record_cb, &rec_a), 0);
    ck_assert_int_eq(evsignal_initialized(ev), 1);
    ck_assert_int_eq(event_get_signal(ev), SIGUSR2);
    ck_assert_int_eq(evsignal_add(ev, NULL), 0);
    ck_assert_int_eq(raise(SIGUSR2), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq((int)rec_a.fd, SIGUSR2);
    ck_assert_int_eq(evsignal_del(ev), 0);
    free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(several_signals_at_once)
{
    struct event_base *base = event_base_new();
    struct event *a, *b, *c;

    ck_assert_ptr_nonnull(base);
    a = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    b = evsignal_new(base, SIGUSR2, record_cb, &rec_b);
    c = evsignal_new(base, SIGHUP, record_cb, &rec_c);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(evsignal_add(a, NULL), 0);
    ck_assert_int_eq(evsignal_add(b, NULL), 0);
    ck_assert_int_eq(evsignal_add(c, NULL), 0);
    ck_assert_int_eq(raise(SIGHUP), 0);
    ck_assert_int_eq(raise(SIGUSR2), 0);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_c.calls, 1);
    ck_assert_int_eq((int)rec_a.fd, SIGUSR1);
    ck_assert_int_eq((int)rec_b.fd, SIGUSR2);
    ck_assert_int_eq((int)rec_c.fd, SIGHUP);
    event_free(a);
    event_free(b);
    event_free(c);
    event_base_free(base);
}
END_TEST

START_TEST(raised_three_times_runs_three_times)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    /* Each delivery between two passes is one callback. */
    ck_assert_ptr_nonnull(base);
    ev = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(evsignal_add(ev, NULL), 0);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 3);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(persistent_and_one_shot_signals)
{
    struct event_base *base = event_base_new();
    struct event *persist, *once;

    ck_assert_ptr_nonnull(base);
    persist = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    once = event_new(base, SIGUSR2, EV_SIGNAL, record_cb, &rec_b);
    ck_assert_ptr_nonnull(persist);
    ck_assert_ptr_nonnull(once);
    ck_assert_int_eq(evsignal_add(persist, NULL), 0);
    ck_assert_int_eq(event_add(once, NULL), 0);

    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(raise(SIGUSR2), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(evsignal_pending(persist, NULL), EV_SIGNAL);
    ck_assert_int_eq(evsignal_pending(once, NULL), 0);
    /* The one-shot event is gone: SIGUSR2 has its default action back. */
    ck_assert_ptr_eq((void *)handler_of(SIGUSR2), (void *)SIG_DFL);

    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 2);
    event_free(persist);
    event_free(once);
    event_base_free(base);
}
END_TEST

START_TEST(signal_event_with_timeout)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 20000};
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, SIGUSR1, EV_SIGNAL, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, &tv), 0);
    ck_assert_int_eq(event_pending(ev, EV_SIGNAL | EV_TIMEOUT, NULL),
                     EV_SIGNAL | EV_TIMEOUT);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);
    ck_assert_int_eq((int)rec_a.fd, SIGUSR1);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(previous_handler_restored)
{
    struct event_base *base = event_base_new();
    struct event *a2 = calloc(1, event_get_struct_event_size());
    struct sigaction sa;
    struct event *a, *b;

    ck_assert_ptr_nonnull(base);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = my_handler;
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    sa.sa_handler = SIG_IGN;
    ck_assert_int_eq(sigaction(SIGUSR2, &sa, NULL), 0);

    a = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    ck_assert_ptr_nonnull(a2);
    ck_assert_int_eq(evsignal_assign(a2, base, SIGUSR1, record_cb, &rec_b), 0);
    b = evsignal_new(base, SIGUSR2, record_cb, &rec_c);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(evsignal_add(a, NULL), 0);
    ck_assert_int_eq(evsignal_add(a2, NULL), 0);
    ck_assert_int_eq(evsignal_add(b, NULL), 0);
    ck_assert_ptr_ne((void *)handler_of(SIGUSR1), (void *)my_handler);
    ck_assert_ptr_ne((void *)handler_of(SIGUSR2), (void *)SIG_IGN);

    /* Both events see the signal. */
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(raise(SIGUSR2), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_c.calls, 1);

    /* One of two gone: the signal is still caught. */
    ck_assert_int_eq(evsignal_del(a), 0);
    ck_assert_ptr_ne((void *)handler_of(SIGUSR1), (void *)my_handler);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_b.calls, 2);

    /* The last one gone: the old handler is back. */
    ck_assert_int_eq(evsignal_del(a2), 0);
    ck_assert_ptr_eq((void *)handler_of(SIGUSR1), (void *)my_handler);
    ck_assert_int_eq(evsignal_del(b), 0);
    ck_assert_ptr_eq((void *)handler_of(SIGUSR2), (void *)SIG_IGN);

    /* Adding again takes over again; freeing the base gives it back. */
    ck_assert_int_eq(evsignal_add(a, NULL), 0);
    ck_assert_ptr_ne((void *)handler_of(SIGUSR1), (void *)my_handler);
    event_free(a);
    ck_assert_ptr_eq((void *)handler_of(SIGUSR1), (void *)my_handler);
    event_free(b);
    ck_assert_int_eq(evsignal_add(a2, NULL), 0);
    ck_assert_ptr_ne((void *)handler_of(SIGUSR1), (void *)my_handler);
    event_base_free(base);
    ck_assert_ptr_eq((void *)handler_of(SIGUSR1), (void *)my_handler);
    /* The base is gone; a2 is only memory now. */
    free(a2);
}
END_TEST

static int wake_fd = -1;

static void
wake_child_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    ck_assert_int_eq((int)write(wake_fd, "k", 1), 1);
}

/* ThreadSanitizer holds back a signal that arrives outside an intercepted
 * blocking call until the next call that delivers it, and its select()
 * is not one: under TSan a loop blocked in select() would never see the
 * signal.  A sanitizer artefact, not Vigil's or libevent's: under TSan
 * only, the loop wakes every 50 ms until the signal has run. */
#if defined(__SANITIZE_THREAD__)
#define VT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VT_TSAN 1
#endif
#endif

#ifdef VT_TSAN
static void
tsan_nudge_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *self = arg;
    struct timeval tv = {0, 50000};

    (void)fd;
    (void)what;
    if (rec_a.calls == 0)
        ck_assert_int_eq(evtimer_add(self, &tv), 0);
}
#endif

START_TEST(signal_while_loop_blocks)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 10000};
    struct event *sig, *t;
    int p[2], status = 0;
    pid_t child;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(pipe(p), 0);
    sig = event_new(base, SIGUSR1, EV_SIGNAL, record_cb, &rec_a);
    t = evtimer_new(base, wake_child_cb, NULL);
    ck_assert_ptr_nonnull(sig);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(event_add(sig, NULL), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        /* Waits for the parent's loop to be running, then signals it. */
        char c;

        close(p[1]);
        if (read(p[0], &c, 1) != 1)
            _exit(2);
        if (kill(getppid(), SIGUSR1) != 0)
            _exit(3);
        _exit(0);
    }
    close(p[0]);
    wake_fd = p[1];
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
#ifdef VT_TSAN
    struct event *nudge = evtimer_new(base, tsan_nudge_cb, event_self_cbarg());
    ck_assert_ptr_nonnull(nudge);
    ck_assert_int_eq(evtimer_add(nudge, &tv), 0);
#endif
    /* The timer wakes the child; the loop then blocks with only the
     * signal event left, until the child's signal arrives. */
    ck_assert_int_eq(event_base_dispatch(base), 1);
#ifdef VT_TSAN
    event_free(nudge);
#endif
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_SIGNAL);
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_int_eq(WIFEXITED(status), 1);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    close(p[1]);
    event_free(sig);
    event_free(t);
    event_base_free(base);
}
END_TEST

START_TEST(active_by_signal)
{
    struct event_base *base = event_base_new();
    struct event *a, *a2, *other, *idle;

    ck_assert_ptr_nonnull(base);
    a = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    a2 = evsignal_new(base, SIGUSR1, record_cb, &rec_a);
    other = evsignal_new(base, SIGUSR2, record_cb, &rec_b);
    idle = evsignal_new(base, SIGHUP, record_cb, &rec_c);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(a2);
    ck_assert_ptr_nonnull(other);
    ck_assert_ptr_nonnull(idle);
    ck_assert_int_eq(evsignal_add(a, NULL), 0);
    ck_assert_int_eq(evsignal_add(a2, NULL), 0);
    ck_assert_int_eq(evsignal_add(other, NULL), 0);
    /* Only pending events with that signal run; nothing is raised. */
    event_base_active_by_signal(base, SIGUSR1);
    event_base_active_by_signal(base, SIGHUP);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(rec_a.calls, 2);
    ck_assert_int_eq(rec_a.res, EV_SIGNAL);
    ck_assert_int_eq((int)rec_a.fd, SIGUSR1);
    ck_assert_int_eq(rec_b.calls, 0);
    ck_assert_int_eq(rec_c.calls, 0);
    event_free(a);
    event_free(a2);
    event_free(other);
    event_free(idle);
    event_base_free(base);
}
END_TEST

START_TEST(signals_on_two_bases_warn)
{
    struct event_base *one = event_base_new();
    struct event_base *two = event_base_new();
    struct event *a, *b;

    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    event_set_log_callback(capture_log);
    a = evsignal_new(one, SIGUSR1, record_cb, &rec_a);
    b = evsignal_new(two, SIGUSR2, record_cb, &rec_b);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(evsignal_add(a, NULL), 0);
    ck_assert_int_eq(log_count[EVENT_LOG_WARN], 0);
    /* Only one base at a time can have signals: the second one is
     * accepted, with a warning. */
    ck_assert_int_eq(evsignal_add(b, NULL), 0);
    ck_assert_int_ge(log_count[EVENT_LOG_WARN], 1);
    event_free(a);
    event_free(b);
    event_base_free(one);
    event_base_free(two);
}
END_TEST

START_TEST(signals_mixed_with_io_and_timers)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 5000};
    struct event *sig, *io, *t;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    sig = event_new(base, SIGUSR1, EV_SIGNAL, record_cb, &rec_a);
    io = event_new(base, sp[0], EV_READ, record_cb, &rec_b);
    t = evtimer_new(base, record_cb, &rec_c);
    ck_assert_ptr_nonnull(sig);
    ck_assert_ptr_nonnull(io);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(event_add(sig, NULL), 0);
    ck_assert_int_eq(event_add(io, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_SIGNAL);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_READ);
    ck_assert_int_eq(rec_c.calls, 1);
    ck_assert_int_eq(rec_c.res, EV_TIMEOUT);
    event_free(sig);
    event_free(io);
    event_free(t);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("signals");
    TCase *tc = vt_tcase("signals", 10);
    TCase *handlers = vt_tcase("handlers", 10);

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_checked_fixture(handlers, setup, NULL);

    tcase_add_test(tc, signal_event_fires);
    tcase_add_test(tc, evsignal_assign_on_caller_memory);
    tcase_add_test(tc, several_signals_at_once);
    tcase_add_test(tc, raised_three_times_runs_three_times);
    tcase_add_test(tc, persistent_and_one_shot_signals);
    tcase_add_test(tc, signal_event_with_timeout);
    tcase_add_test(tc, signal_while_loop_blocks);
    tcase_add_test(tc, active_by_signal);
    tcase_add_test(tc, signals_mixed_with_io_and_timers);
    suite_add_tcase(s, tc);

    tcase_add_test(handlers, previous_handler_restored);
    tcase_add_test(handlers, signals_on_two_bases_warn);
    suite_add_tcase(s, handlers);
    return vt_run(s);
}
