/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * events.c: single events on one base: event_new, event_assign,
 * event_free, event_self_cbarg, every getter and event_get_assignment,
 * event_initialized, event_pending, the del variants, the evtimer_* and
 * evuser_* macros, and I/O readiness with EV_PERSIST, EV_ET and EV_CLOSED
 * on whichever backend the environment picks.
 */
#include <event2/event.h>
#include <event2/event_struct.h>

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "vtest.h"

struct rec {
    int calls;
    short res;
    evutil_socket_t fd;
    void *arg;
};

static struct rec rec_a, rec_b;

static void
record_cb(evutil_socket_t fd, short what, void *arg)
{
    struct rec *r = arg;

    r->calls++;
    r->res = what;
    r->fd = fd;
}

/* Records into rec_a, keeping the raw callback argument. */
static void
arg_cb(evutil_socket_t fd, short what, void *arg)
{
    rec_a.calls++;
    rec_a.res = what;
    rec_a.fd = fd;
    rec_a.arg = arg;
}

/* Reads whatever is waiting, then counts. */
static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
    char buf[256];
    struct rec *r = arg;

    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    r->calls++;
    r->res = what;
    r->fd = fd;
}

static void
setup(void)
{
    memset(&rec_a, 0, sizeof(rec_a));
    memset(&rec_b, 0, sizeof(rec_b));
}

static int
one_pass(struct event_base *base)
{
    return event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

static void
put_byte(int fd)
{
    ck_assert_int_eq((int)write(fd, "x", 1), 1);
}

START_TEST(event_new_getters)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ | EV_PERSIST, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_initialized(ev), 1);
    ck_assert_int_eq((int)event_get_fd(ev), sp[0]);
    ck_assert_ptr_eq(event_get_base(ev), base);
    ck_assert_int_eq(event_get_events(ev), EV_READ | EV_PERSIST);
    ck_assert_ptr_eq((void *)event_get_callback(ev), (void *)record_cb);
    ck_assert_ptr_eq(event_get_callback_arg(ev), &rec_a);
    ck_assert_int_eq(event_get_priority(ev), 0);
    event_free(ev);

    ev = event_new(base, -1, EV_TIMEOUT, record_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq((int)event_get_fd(ev), -1);
    ck_assert_ptr_null(event_get_callback_arg(ev));
    event_free(ev);

    ev = event_new(base, sp[1], EV_WRITE | EV_READ | EV_ET | EV_CLOSED,
                   record_cb, &rec_b);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_get_events(ev),
                     EV_WRITE | EV_READ | EV_ET | EV_CLOSED);
    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(get_assignment)
{
    struct event_base *base = event_base_new();
    struct event_base *b_out = NULL;
    evutil_socket_t fd_out = 0;
    short events_out = 0;
    event_callback_fn cb_out = NULL;
    void *arg_out = NULL;
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, 7, EV_WRITE | EV_PERSIST, record_cb, &rec_b);
    ck_assert_ptr_nonnull(ev);
    event_get_assignment(ev, &b_out, &fd_out, &events_out, &cb_out, &arg_out);
    ck_assert_ptr_eq(b_out, base);
    ck_assert_int_eq((int)fd_out, 7);
    ck_assert_int_eq(events_out, EV_WRITE | EV_PERSIST);
    ck_assert_ptr_eq((void *)cb_out, (void *)record_cb);
    ck_assert_ptr_eq(arg_out, &rec_b);

    /* NULL outputs are skipped. */
    event_get_assignment(ev, NULL, NULL, NULL, NULL, NULL);
    fd_out = 0;
    event_get_assignment(ev, NULL, &fd_out, NULL, NULL, NULL);
    ck_assert_int_eq((int)fd_out, 7);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(struct_event_size)
{
    ck_assert_uint_eq(event_get_struct_event_size(), sizeof(struct event));
    ck_assert_uint_eq(event_get_struct_event_size(), 128);
}
END_TEST

START_TEST(assign_on_caller_memory)
{
    struct event_base *base = event_base_new();
    size_t size = event_get_struct_event_size();
    struct event *ev = calloc(1, size);
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    /* Zeroed memory is not an initialized event. */
    ck_assert_int_eq(event_initialized(ev), 0);
    ck_assert_int_eq(event_assign(ev, base, sp[0], EV_READ, record_cb, &rec_a),
                     0);
    ck_assert_int_eq(event_initialized(ev), 1);
    ck_assert_ptr_eq(event_get_base(ev), base);
    ck_assert_int_eq((int)event_get_fd(ev), sp[0]);

    ck_assert_int_eq(event_add(ev, NULL), 0);
    put_byte(sp[1]);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_READ);
    ck_assert_int_eq((int)rec_a.fd, sp[0]);

    /* A non-pending event may be assigned again with new fields. */
    ck_assert_int_eq(event_assign(ev, base, sp[1], EV_WRITE, record_cb, &rec_b),
                     0);
    ck_assert_int_eq(event_get_events(ev), EV_WRITE);
    ck_assert_ptr_eq(event_get_callback_arg(ev), &rec_b);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_WRITE);
    ck_assert_int_eq((int)rec_b.fd, sp[1]);
    ck_assert_int_eq(rec_a.calls, 1);

    free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(self_cbarg)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    struct event *assigned = malloc(event_get_struct_event_size());

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(assigned);
    ev = event_new(base, -1, 0, arg_cb, event_self_cbarg());
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_eq(event_get_callback_arg(ev), ev);
    event_active(ev, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_ptr_eq(rec_a.arg, ev);
    event_free(ev);

    ck_assert_int_eq(
        event_assign(assigned, base, -1, 0, arg_cb, event_self_cbarg()), 0);
    ck_assert_ptr_eq(event_get_callback_arg(assigned), assigned);
    event_active(assigned, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 2);
    ck_assert_ptr_eq(rec_a.arg, assigned);
    free(assigned);
    event_base_free(base);
}
END_TEST

START_TEST(read_event_fires_once)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq(event_pending(ev, EV_READ, NULL), EV_READ);

    /* Nothing to read: nothing runs. */
    ck_assert_int_eq(one_pass(base), 0);
    ck_assert_int_eq(rec_a.calls, 0);

    put_byte(sp[1]);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_READ);
    ck_assert_int_eq((int)rec_a.fd, sp[0]);
    /* Not persistent: no longer pending, though still readable. */
    ck_assert_int_eq(event_pending(ev, EV_READ, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);

    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

/* A program may close an fd and open another under the same number
 * between two passes of the loop.  With the changelist (where the backend
 * has one) the old registration must not be taken for the new file's:
 * the kernel dropped it at close. */
START_TEST(fd_number_reused_between_passes)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;
    struct event *ev;
    int sp[2], sq[2], num;

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(
        event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST), 0);
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    num = sp[0];
    ev = event_new(base, num, EV_READ | EV_PERSIST, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq(one_pass(base), 0);
    event_free(ev);

    /* Another socket takes the same number. */
    ck_assert_int_eq(vt_socketpair(sq), 0);
    ck_assert_int_eq(dup2(sq[0], num), num);
    close(sq[0]);
    close(sp[1]);
    ev = event_new(base, num, EV_READ | EV_PERSIST, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    put_byte(sq[1]);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq((int)rec_a.fd, num);
    ck_assert_int_eq(rec_a.res & EV_READ, EV_READ);

    event_free(ev);
    close(num);
    close(sq[1]);
    event_base_free(base);
}
END_TEST

START_TEST(persistent_read_repeats)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ | EV_PERSIST, drain_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    for (i = 1; i <= 3; i++) {
        put_byte(sp[1]);
        ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
        ck_assert_int_eq(rec_a.calls, i);
        ck_assert_int_eq(rec_a.res, EV_READ);
        ck_assert_int_eq(event_pending(ev, EV_READ, NULL), EV_READ);
    }
    /* Drained: a pass finds nothing. */
    ck_assert_int_eq(one_pass(base), 0);
    ck_assert_int_eq(rec_a.calls, 3);
    ck_assert_int_eq(event_del(ev), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(write_and_read_write_events)
{
    struct event_base *base = event_base_new();
    struct event *w, *rw, *r;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    w = event_new(base, sp[0], EV_WRITE, record_cb, &rec_a);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(event_add(w, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_WRITE);

    /* One event for both directions reports both when both hold. */
    put_byte(sp[1]);
    rw = event_new(base, sp[0], EV_READ | EV_WRITE, record_cb, &rec_b);
    ck_assert_ptr_nonnull(rw);
    ck_assert_int_eq(event_add(rw, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_READ | EV_WRITE);

    /* Separate read and write events on one fd each get their own. */
    memset(&rec_a, 0, sizeof(rec_a));
    memset(&rec_b, 0, sizeof(rec_b));
    r = event_new(base, sp[0], EV_READ, record_cb, &rec_b);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(event_add(w, NULL), 0);
    ck_assert_int_eq(event_add(r, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_WRITE);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_READ);

    event_free(w);
    event_free(rw);
    event_free(r);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

#define MANY_FDS 64

START_TEST(many_fds)
{
    struct event_base *base = event_base_new();
    struct event *ev[MANY_FDS];
    struct rec recs[MANY_FDS];
    int sp[MANY_FDS][2];
    int i;

    ck_assert_ptr_nonnull(base);
    memset(recs, 0, sizeof(recs));
    for (i = 0; i < MANY_FDS; i++) {
        ck_assert_int_eq(vt_socketpair(sp[i]), 0);
        ev[i] = event_new(base, sp[i][0], EV_READ, record_cb, &recs[i]);
        ck_assert_ptr_nonnull(ev[i]);
        ck_assert_int_eq(event_add(ev[i], NULL), 0);
    }
    /* Only every third fd becomes readable. */
    for (i = 0; i < MANY_FDS; i += 3)
        put_byte(sp[i][1]);
    ck_assert_int_eq(one_pass(base), 0);
    for (i = 0; i < MANY_FDS; i++) {
        ck_assert_int_eq(recs[i].calls, i % 3 == 0 ? 1 : 0);
        if (i % 3 == 0) {
            ck_assert_int_eq((int)recs[i].fd, sp[i][0]);
            ck_assert_int_eq(recs[i].res, EV_READ);
        }
    }
    for (i = 0; i < MANY_FDS; i++) {
        event_free(ev[i]);
        close(sp[i][0]);
        close(sp[i][1]);
    }
    event_base_free(base);
}
END_TEST

START_TEST(edge_triggered)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];
    int et;

    ck_assert_ptr_nonnull(base);
    et = (event_base_get_features(base) & EV_FEATURE_ET) != 0;
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev =
        event_new(base, sp[0], EV_READ | EV_ET | EV_PERSIST, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq((int)write(sp[1], "ab", 2), 2);

    ck_assert_int_eq(one_pass(base), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    /* The data stays unread: an edge-triggered backend stays quiet, a
     * level-triggered one (EV_ET unsupported) reports it again. */
    ck_assert_int_eq(one_pass(base), 0);
    if (et) {
        ck_assert_int_eq(rec_a.res, EV_READ | EV_ET);
        ck_assert_int_eq(rec_a.calls, 1);
    } else {
        ck_assert_int_eq(rec_a.res, EV_READ);
        ck_assert_int_eq(rec_a.calls, 2);
    }
    /* New data is a new edge. */
    put_byte(sp[1]);
    ck_assert_int_eq(one_pass(base), 0);
    ck_assert_int_eq(rec_a.calls, et ? 2 : 3);

    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(closed_on_peer_shutdown)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];
    int early;

    ck_assert_ptr_nonnull(base);
    early = (event_base_get_features(base) & EV_FEATURE_EARLY_CLOSE) != 0;
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq((int)write(sp[1], "xy", 2), 2);
    if (early) {
        /* EV_CLOSED alone: unread data does not wake it, the close
         * does, without reading the data first. */
        ev = event_new(base, sp[0], EV_CLOSED, record_cb, &rec_a);
        ck_assert_ptr_nonnull(ev);
        ck_assert_int_eq(event_add(ev, NULL), 0);
        ck_assert_int_eq(one_pass(base), 0);
        ck_assert_int_eq(rec_a.calls, 0);
        ck_assert_int_eq(shutdown(sp[1], SHUT_WR), 0);
        ck_assert_int_eq(event_base_dispatch(base), 1);
        ck_assert_int_eq(rec_a.calls, 1);
        ck_assert_int_eq(rec_a.res, EV_CLOSED);
        event_free(ev);

        ev = event_new(base, sp[0], EV_READ | EV_CLOSED, record_cb, &rec_b);
        ck_assert_ptr_nonnull(ev);
        ck_assert_int_eq(event_add(ev, NULL), 0);
        ck_assert_int_eq(event_base_dispatch(base), 1);
        ck_assert_int_eq(rec_b.calls, 1);
        ck_assert_int_eq(rec_b.res, EV_READ | EV_CLOSED);
        event_free(ev);
    } else {
        /* Without the feature the close shows up as readable. */
        ck_assert_int_eq(shutdown(sp[1], SHUT_WR), 0);
        ev = event_new(base, sp[0], EV_READ | EV_CLOSED, record_cb, &rec_b);
        ck_assert_ptr_nonnull(ev);
        ck_assert_int_eq(event_add(ev, NULL), 0);
        ck_assert_int_eq(event_base_dispatch(base), 1);
        ck_assert_int_eq(rec_b.calls, 1);
        ck_assert_int_eq(rec_b.res, EV_READ);
        event_free(ev);
    }
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

/* Issue 13: a peer's close() (not only shutdown()) reaches EV_CLOSED
 * events, on a Unix socket pair (where epoll reports a hang-up together
 * with the read hang-up) and on TCP, for plain, persistent and
 * edge-triggered events. */
static void
closed_pair(int tcp, int fds[2])
{
    if (!tcp) {
        ck_assert_int_eq(vt_socketpair(fds), 0);
    } else {
        struct sockaddr_in addr;
        int lfd = vt_tcp_listener(&addr);

        ck_assert_int_ge(lfd, 0);
        fds[1] = vt_tcp_connect(&addr);
        ck_assert_int_ge(fds[1], 0);
        fds[0] = accept(lfd, NULL, NULL);
        ck_assert_int_ge(fds[0], 0);
        close(lfd);
    }
}

START_TEST(closed_on_peer_close)
{
    static const short kinds[] = {EV_CLOSED, EV_READ | EV_CLOSED,
                                  EV_CLOSED | EV_PERSIST, EV_CLOSED | EV_ET,
                                  EV_READ | EV_CLOSED | EV_ET};
    struct event_base *base = event_base_new();
    int tcp, k, early;
    short et;

    ck_assert_ptr_nonnull(base);
    early = (event_base_get_features(base) & EV_FEATURE_EARLY_CLOSE) != 0;
    /* Only an edge-triggered backend reports EV_ET back. */
    et = (event_base_get_features(base) & EV_FEATURE_ET) ? EV_ET : 0;
    for (tcp = 0; tcp < 2; tcp++) {
        for (k = 0; k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++) {
            struct timeval limit = {5, 0};
            short want = kinds[k];
            struct event *ev, *guard;
            int fds[2];

            /* Without the feature EV_CLOSED alone is never reported;
             * the close shows up as readable. */
            if (!early && !(want & EV_READ))
                continue;
            memset(&rec_a, 0, sizeof(rec_a));
            closed_pair(tcp, fds);
            ev = event_new(base, fds[0], want, record_cb, &rec_a);
            ck_assert_ptr_nonnull(ev);
            ck_assert_int_eq(event_add(ev, NULL), 0);
            ck_assert_int_eq(one_pass(base), 0);
            ck_assert_int_eq(rec_a.calls, 0);
            ck_assert_int_eq(close(fds[1]), 0);
            /* A guard timer bounds the wait when the close is lost. */
            guard = evtimer_new(base, record_cb, &rec_b);
            ck_assert_ptr_nonnull(guard);
            ck_assert_int_eq(evtimer_add(guard, &limit), 0);
            ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
            event_free(guard);
            ck_assert_int_eq(rec_a.calls, 1);
            if (early)
                ck_assert_int_eq(rec_a.res, want & (EV_READ | EV_CLOSED | et));
            else
                ck_assert_int_eq(rec_a.res, want & (EV_READ | et));
            if (want & EV_PERSIST) {
                /* Level-triggered and persistent: reported again. */
                ck_assert_int_eq(one_pass(base), 0);
                ck_assert_int_eq(rec_a.calls, 2);
                ck_assert_int_eq(rec_a.res, EV_CLOSED);
            }
            event_free(ev);
            close(fds[0]);
        }
    }
    event_base_free(base);
}
END_TEST

/* Issue 13 asked whether mixing edge- and level-triggered events on one
 * fd fails; libevent 2.1.12 accepts it on every backend (each add returns
 * 0), and both events run when the fd is ready. */
START_TEST(edge_and_level_events_on_one_fd)
{
    static const short firsts[] = {EV_READ | EV_ET, EV_READ};
    static const short seconds[] = {EV_WRITE, EV_WRITE | EV_ET};
    struct event_base *base = event_base_new();
    int i;

    ck_assert_ptr_nonnull(base);
    for (i = 0; i < 2; i++) {
        struct event *a, *b;
        int sp[2];

        memset(&rec_a, 0, sizeof(rec_a));
        memset(&rec_b, 0, sizeof(rec_b));
        ck_assert_int_eq(vt_socketpair(sp), 0);
        a = event_new(base, sp[0], firsts[i], record_cb, &rec_a);
        b = event_new(base, sp[0], seconds[i], record_cb, &rec_b);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(event_add(a, NULL), 0);
        ck_assert_int_eq(event_add(b, NULL), 0);
        ck_assert_int_eq(event_pending(b, EV_WRITE, NULL), EV_WRITE);
        put_byte(sp[1]);
        ck_assert_int_eq(one_pass(base), 0);
        ck_assert_int_eq(rec_a.calls, 1);
        ck_assert_int_eq(rec_a.res & EV_READ, EV_READ);
        ck_assert_int_eq(rec_b.calls, 1);
        ck_assert_int_eq(rec_b.res & EV_WRITE, EV_WRITE);
        event_free(a);
        event_free(b);
        close(sp[0]);
        close(sp[1]);
    }
    event_base_free(base);
}
END_TEST

START_TEST(io_event_times_out)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 20000};
    struct event *ev;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);
    ck_assert_int_eq((int)rec_a.fd, sp[0]);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_TIMEOUT, NULL), 0);

    /* Readable before the timeout: EV_READ only, and the timeout goes. */
    tv.tv_sec = 10;
    tv.tv_usec = 0;
    ck_assert_int_eq(event_add(ev, &tv), 0);
    put_byte(sp[1]);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 2);
    ck_assert_int_eq(rec_a.res, EV_READ);
    ck_assert_int_eq(event_pending(ev, EV_TIMEOUT, NULL), 0);

    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(pending_flags_and_time)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0}, when, now;
    struct event *ev;
    long long delta_us;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL),
                     0);

    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL),
                     EV_READ);
    ck_assert_int_eq(event_pending(ev, EV_TIMEOUT, NULL), 0);

    ck_assert_int_eq(event_add(ev, &tv), 0);
    gettimeofday(&now, NULL);
    memset(&when, 0, sizeof(when));
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, &when),
                     EV_READ | EV_TIMEOUT);
    ck_assert_int_eq(event_pending(ev, EV_WRITE, NULL), 0);
    ck_assert_int_eq(event_pending(ev, EV_TIMEOUT, NULL), EV_TIMEOUT);
    /* The expiry is reported in gettimeofday() terms. */
    delta_us = (long long)(when.tv_sec - now.tv_sec) * 1000000 +
               (when.tv_usec - now.tv_usec);
    ck_assert_int_ge(delta_us, 9000000);
    ck_assert_int_le(delta_us, 11000000);

    ck_assert_int_eq(event_del(ev), 0);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL),
                     0);
    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(pending_reports_active_flags)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    /* An active event reports the flags it was activated with. */
    event_active(ev, EV_WRITE, 0);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL),
                     EV_WRITE);
    ck_assert_int_eq(event_pending(ev, EV_READ, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL),
                     0);
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(del_variants)
{
    int (*const dels[])(struct event *) = {event_del, event_del_block,
                                           event_del_noblock};
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    size_t i;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    put_byte(sp[1]);
    for (i = 0; i < sizeof(dels) / sizeof(dels[0]); i++) {
        struct event *ev =
            event_new(base, sp[0], EV_READ | EV_PERSIST, record_cb, &rec_a);
        struct event *t = evtimer_new(base, record_cb, &rec_b);

        ck_assert_ptr_nonnull(ev);
        ck_assert_ptr_nonnull(t);
        /* Deleting what was never added is fine. */
        ck_assert_int_eq(dels[i](ev), 0);
        ck_assert_int_eq(event_add(ev, NULL), 0);
        ck_assert_int_eq(evtimer_add(t, &tv), 0);
        ck_assert_int_eq(dels[i](ev), 0);
        ck_assert_int_eq(dels[i](t), 0);
        ck_assert_int_eq(event_pending(ev, EV_READ, NULL), 0);
        ck_assert_int_eq(evtimer_pending(t, NULL), 0);
        /* Deleting twice is fine too. */
        ck_assert_int_eq(dels[i](ev), 0);
        ck_assert_int_eq(event_base_dispatch(base), 1);
        ck_assert_int_eq(rec_a.calls, 0);
        ck_assert_int_eq(rec_b.calls, 0);
        event_free(ev);
        event_free(t);
    }
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(del_cancels_activation)
{
    struct event_base *base = event_base_new();
    struct event *ev, *io;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, -1, 0, record_cb, &rec_a);
    io = event_new(base, sp[0], EV_READ | EV_PERSIST, record_cb, &rec_b);
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(io);
    event_active(ev, EV_READ, 0);
    ck_assert_int_eq(event_del(ev), 0);
    ck_assert_int_eq(event_add(io, NULL), 0);
    event_active(io, EV_READ, 0);
    ck_assert_int_eq(event_del(io), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 0);
    ck_assert_int_eq(rec_b.calls, 0);
    event_free(ev);
    event_free(io);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(free_pending_and_active_events)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    struct event *a, *b, *c;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    put_byte(sp[1]);
    a = event_new(base, sp[0], EV_READ | EV_PERSIST, record_cb, &rec_a);
    b = evtimer_new(base, record_cb, &rec_a);
    c = event_new(base, -1, 0, record_cb, &rec_a);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(event_add(a, &tv), 0);
    ck_assert_int_eq(evtimer_add(b, &tv), 0);
    event_active(c, 0, 0);
    /* Freeing removes them first: nothing of theirs runs. */
    event_free(a);
    event_free(b);
    event_free(c);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 0);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(add_to_active_event_is_not_pending_io)
{
    struct event_base *base = event_base_new();
    struct event *ev;
    int sp[2];

    /* libevent 2.1.12: adding an event that is active (but not yet
     * pending) does not make it pending for I/O; after its callback it
     * is neither pending nor active. */
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    event_active(ev, EV_WRITE, 0);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq(event_pending(ev, EV_READ, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_WRITE);
    ck_assert_int_eq(event_pending(ev, EV_READ, NULL), 0);
    event_free(ev);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(evtimer_macros)
{
    struct event_base *base = event_base_new();
    struct event *t, *assigned = calloc(1, event_get_struct_event_size());
    struct timeval tv = {0, 5000};

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(assigned);
    t = evtimer_new(base, record_cb, &rec_a);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(evtimer_initialized(t), 1);
    ck_assert_int_eq(event_get_events(t), 0);
    ck_assert_int_eq((int)event_get_fd(t), -1);
    ck_assert_int_eq(evtimer_pending(t, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_ne(evtimer_pending(t, NULL), 0);
    ck_assert_int_eq(evtimer_del(t), 0);
    ck_assert_int_eq(evtimer_pending(t, NULL), 0);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);
    ck_assert_int_eq((int)rec_a.fd, -1);
    event_free(t);

    ck_assert_int_eq(evtimer_initialized(assigned), 0);
    ck_assert_int_eq(evtimer_assign(assigned, base, record_cb, &rec_b), 0);
    ck_assert_int_eq(evtimer_initialized(assigned), 1);
    ck_assert_int_eq(evtimer_add(assigned, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_b.calls, 1);
    free(assigned);
    event_base_free(base);
}
END_TEST

START_TEST(evuser_macros)
{
    struct event_base *base = event_base_new();
    struct event *u;

    ck_assert_ptr_nonnull(base);
    u = evuser_new(base, record_cb, &rec_a);
    ck_assert_ptr_nonnull(u);
    ck_assert_int_eq(evuser_initialized(u), 1);
    ck_assert_int_eq(evuser_pending(u, NULL), 0);
    /* A user event only runs when triggered. */
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 0);
    evuser_trigger(u);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, 0);
    evuser_trigger(u);
    ck_assert_int_eq(evuser_del(u), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    event_free(u);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("events");
    TCase *basics = vt_tcase("basics", 10);
    TCase *io = vt_tcase("io", 10);
    TCase *state = vt_tcase("state", 10);

    tcase_add_checked_fixture(basics, setup, NULL);
    tcase_add_checked_fixture(io, setup, NULL);
    tcase_add_checked_fixture(state, setup, NULL);

    tcase_add_test(basics, event_new_getters);
    tcase_add_test(basics, get_assignment);
    tcase_add_test(basics, struct_event_size);
    tcase_add_test(basics, assign_on_caller_memory);
    tcase_add_test(basics, self_cbarg);
    tcase_add_test(basics, evtimer_macros);
    tcase_add_test(basics, evuser_macros);
    suite_add_tcase(s, basics);

    tcase_add_test(io, read_event_fires_once);
    tcase_add_test(io, persistent_read_repeats);
    tcase_add_test(io, write_and_read_write_events);
    tcase_add_test(io, many_fds);
    tcase_add_test(io, edge_triggered);
    tcase_add_test(io, closed_on_peer_shutdown);
    tcase_add_test(io, closed_on_peer_close);
    tcase_add_test(io, edge_and_level_events_on_one_fd);
    tcase_add_test(io, fd_number_reused_between_passes);
    tcase_add_test(io, io_event_times_out);
    suite_add_tcase(s, io);

    tcase_add_test(state, pending_flags_and_time);
    tcase_add_test(state, pending_reports_active_flags);
    tcase_add_test(state, del_variants);
    tcase_add_test(state, del_cancels_activation);
    tcase_add_test(state, free_pending_and_active_events);
    tcase_add_test(state, add_to_active_event_is_not_pending_io);
    suite_add_tcase(s, state);
    return vt_run(s);
}
