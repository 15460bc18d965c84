/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * fork.c: event_reinit.  A base with I/O, timer and signal events is
 * forked; the child reinitializes it, and then parent and child each use
 * I/O, timers and signals on their own.  The child reports through its
 * exit status (0 when everything it expected happened).
 */
#include <event2/event.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtest.h"

/* What one process saw. */
static int seen_io, seen_other_io, seen_timer, seen_signal, seen_new_timer;
static struct event_base *the_base;

static void
maybe_done(void)
{
    if (seen_io > 0 && seen_timer > 0 && seen_signal > 0 && seen_new_timer > 0)
        event_base_loopbreak(the_base);
}

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
    char buf[16];

    (void)what;
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    if (arg != NULL)
        seen_io++;
    else
        seen_other_io++;
    maybe_done();
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    if (arg != NULL)
        seen_new_timer++;
    else
        seen_timer++;
    maybe_done();
}

static void
signal_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    seen_signal++;
    maybe_done();
}

static void
give_up_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    event_base_loopbreak(the_base);
}

/* Runs the loop until every kind of event was seen, or 5 s passed. */
static int
run_until_all_seen(struct event_base *base)
{
    struct timeval limit = {5, 0}, soon = {0, 10000};
    struct event *give_up = evtimer_new(base, give_up_cb, NULL);
    struct event *fresh = evtimer_new(base, timer_cb, (void *)1L);
    int rv;

    if (give_up == NULL || fresh == NULL)
        return -1;
    if (evtimer_add(give_up, &limit) != 0 || evtimer_add(fresh, &soon) != 0)
        return -1;
    rv = event_base_dispatch(base);
    event_free(give_up);
    event_free(fresh);
    return rv;
}

START_TEST(reinit_after_fork)
{
    struct timeval tv = {0, 30000};
    struct event *ev_parent, *ev_child, *timer, *sig;
    int p[2], c[2], go[2], status = 0;
    pid_t child;

    the_base = event_base_new();
    ck_assert_ptr_nonnull(the_base);
    ck_assert_int_eq(vt_socketpair(p), 0);
    ck_assert_int_eq(vt_socketpair(c), 0);
    ck_assert_int_eq(pipe(go), 0);
    /* Registered before the fork; a non-NULL argument marks "mine". */
    ev_parent = event_new(the_base, p[0], EV_READ | EV_PERSIST, io_cb, p);
    ev_child = event_new(the_base, c[0], EV_READ | EV_PERSIST, io_cb, c);
    timer = evtimer_new(the_base, timer_cb, NULL);
    sig = evsignal_new(the_base, SIGUSR1, signal_cb, NULL);
    ck_assert_ptr_nonnull(ev_parent);
    ck_assert_ptr_nonnull(ev_child);
    ck_assert_ptr_nonnull(timer);
    ck_assert_ptr_nonnull(sig);
    ck_assert_int_eq(event_add(ev_parent, NULL), 0);
    ck_assert_int_eq(event_add(ev_child, NULL), 0);
    ck_assert_int_eq(evtimer_add(timer, &tv), 0);
    ck_assert_int_eq(evsignal_add(sig, NULL), 0);

    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        int code = 0;
        char g;

        close(go[1]);
        if (event_reinit(the_base) != 0)
            _exit(100);
        if (event_del(ev_parent) != 0)
            _exit(101);
        /* Wait until the parent has let go of the child's socket. */
        if (read(go[0], &g, 1) != 1)
            _exit(102);
        if (write(c[1], "c", 1) != 1 || raise(SIGUSR1) != 0)
            _exit(103);
        if (run_until_all_seen(the_base) != 0)
            code |= 64;
        if (seen_io == 0)
            code |= 1;
        if (seen_timer != 1)
            code |= 2;
        if (seen_signal == 0)
            code |= 4;
        if (seen_new_timer == 0)
            code |= 8;
        if (seen_other_io != 0)
            code |= 16;
        _exit(code);
    }

    close(go[0]);
    ck_assert_int_eq(event_del(ev_child), 0);
    ck_assert_int_eq((int)write(go[1], "g", 1), 1);
    ck_assert_int_eq((int)write(p[1], "p", 1), 1);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(run_until_all_seen(the_base), 0);
    ck_assert_int_ge(seen_io, 1);
    ck_assert_int_eq(seen_timer, 1);
    ck_assert_int_ge(seen_signal, 1);
    ck_assert_int_ge(seen_new_timer, 1);
    ck_assert_int_eq(seen_other_io, 0);

    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_int_eq(WIFEXITED(status), 1);
    ck_assert_int_eq(WEXITSTATUS(status), 0);

    event_free(ev_parent);
    event_free(ev_child);
    event_free(timer);
    event_free(sig);
    event_base_free(the_base);
    close(p[0]);
    close(p[1]);
    close(c[0]);
    close(c[1]);
    close(go[1]);
}
END_TEST

START_TEST(reinit_in_child_then_new_events)
{
    int sp[2], status = 0;
    pid_t child;

    /* A base with nothing in it yet, forked; the child reinitializes it
     * and adds everything afresh. */
    the_base = event_base_new();
    ck_assert_ptr_nonnull(the_base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        struct timeval tv = {0, 5000};
        struct event *io, *t, *s;
        int code = 0;

        if (event_reinit(the_base) != 0)
            _exit(100);
        io = event_new(the_base, sp[0], EV_READ | EV_PERSIST, io_cb, sp);
        t = evtimer_new(the_base, timer_cb, NULL);
        s = evsignal_new(the_base, SIGUSR2, signal_cb, NULL);
        if (io == NULL || t == NULL || s == NULL)
            _exit(101);
        if (event_add(io, NULL) != 0 || evtimer_add(t, &tv) != 0 ||
            evsignal_add(s, NULL) != 0)
            _exit(102);
        if (write(sp[1], "x", 1) != 1 || raise(SIGUSR2) != 0)
            _exit(103);
        if (run_until_all_seen(the_base) != 0)
            code |= 64;
        if (seen_io == 0)
            code |= 1;
        if (seen_timer == 0)
            code |= 2;
        if (seen_signal == 0)
            code |= 4;
        _exit(code);
    }
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_int_eq(WIFEXITED(status), 1);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    /* The parent's base is unharmed. */
    {
        struct timeval tv = {0, 1000};
        struct event *t = evtimer_new(the_base, timer_cb, NULL);

        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(evtimer_add(t, &tv), 0);
        ck_assert_int_eq(event_base_dispatch(the_base), 1);
        ck_assert_int_eq(seen_timer, 1);
        event_free(t);
    }
    event_base_free(the_base);
    close(sp[0]);
    close(sp[1]);
}
END_TEST

START_TEST(reinit_without_fork)
{
    struct timeval tv = {0, 5000};
    struct event *io, *t, *s;
    int sp[2];

    the_base = event_base_new();
    ck_assert_ptr_nonnull(the_base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    io = event_new(the_base, sp[0], EV_READ | EV_PERSIST, io_cb, sp);
    t = evtimer_new(the_base, timer_cb, NULL);
    s = evsignal_new(the_base, SIGUSR1, signal_cb, NULL);
    ck_assert_ptr_nonnull(io);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(event_add(io, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(evsignal_add(s, NULL), 0);
    ck_assert_int_eq(event_reinit(the_base), 0);
    /* Everything still works, and the fds stay balanced (the fixture
     * checks that none leaked). */
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(run_until_all_seen(the_base), 0);
    ck_assert_int_ge(seen_io, 1);
    ck_assert_int_eq(seen_timer, 1);
    ck_assert_int_ge(seen_signal, 1);
    ck_assert_int_eq(event_reinit(the_base), 0);
    event_free(io);
    event_free(t);
    event_free(s);
    event_base_free(the_base);
    close(sp[0]);
    close(sp[1]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("fork");
    TCase *tc = vt_tcase("fork", 15);

    tcase_add_test(tc, reinit_after_fork);
    tcase_add_test(tc, reinit_in_child_then_new_events);
    tcase_add_test(tc, reinit_without_fork);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
