/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_compat.c: the libevent 1.x bufferevent interface of
 * event2/bufferevent_compat.h.  bufferevent_new (on the global base of
 * event_init, or moved to a base with bufferevent_base_set), the
 * evbuffercb and everrorcb names, the EVBUFFER_* event flags and the
 * EVBUFFER_INPUT and EVBUFFER_OUTPUT macros, bufferevent_settimeout, and
 * reading and writing through them.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_compat.h>
#include <event2/event.h>
#include <event2/event_compat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtest.h"

/* What the callbacks saw. */
struct rec {
    int reads, writes, errors;
    short what;
    char got[32];
    size_t got_len;
    struct event_base *stop; /* broken out of when anything happens */
};

static void
read_cb(struct bufferevent *bev, void *arg)
{
    struct rec *r = arg;

    r->reads++;
    r->got_len +=
        bufferevent_read(bev, r->got + r->got_len, sizeof(r->got) - r->got_len);
    if (r->stop != NULL)
        event_base_loopbreak(r->stop);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
    struct rec *r = arg;

    (void)bev;
    r->writes++;
    if (r->stop != NULL)
        event_base_loopbreak(r->stop);
}

static void
error_cb(struct bufferevent *bev, short what, void *arg)
{
    struct rec *r = arg;

    (void)bev;
    r->errors++;
    r->what = what;
    if (r->stop != NULL)
        event_base_loopbreak(r->stop);
}

/* The 1.x callback type names still name the same types. */
static evbuffercb compat_read_cb = read_cb;
static evbuffercb compat_write_cb = write_cb;
static everrorcb compat_error_cb = error_cb;

/* Runs the base's loop until a callback breaks it; a 10 s exit is the
 * safety net. */
static void
run_once_broken(struct event_base *base)
{
    struct timeval limit = {10, 0};

    ck_assert_int_eq(event_base_loopexit(base, &limit), 0);
    ck_assert_int_ge(event_base_dispatch(base), 0);
}

START_TEST(flag_names_match)
{
    ck_assert_int_eq(EVBUFFER_READ, BEV_EVENT_READING);
    ck_assert_int_eq(EVBUFFER_WRITE, BEV_EVENT_WRITING);
    ck_assert_int_eq(EVBUFFER_EOF, BEV_EVENT_EOF);
    ck_assert_int_eq(EVBUFFER_ERROR, BEV_EVENT_ERROR);
    ck_assert_int_eq(EVBUFFER_TIMEOUT, BEV_EVENT_TIMEOUT);
}
END_TEST

START_TEST(new_on_global_base)
{
    struct event_base *base = event_init();
    struct bufferevent *bev;
    struct rec r = {0};
    char buf[8];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_new(fds[0], compat_read_cb, compat_write_cb,
                          compat_error_cb, &r);
    ck_assert_ptr_nonnull(bev);
    /* Its events live on the base event_init made, although libevent
     * 2.1.12 leaves the bufferevent's own base unset here:
     * bufferevent_get_base answers NULL until bufferevent_base_set.  Not
     * checked either way. */
    ck_assert_int_eq(bufferevent_getfd(bev), fds[0]);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_WRITE);
    ck_assert_ptr_eq(EVBUFFER_INPUT(bev), bufferevent_get_input(bev));
    ck_assert_ptr_eq(EVBUFFER_OUTPUT(bev), bufferevent_get_output(bev));
    r.stop = base;
    ck_assert_int_eq(bufferevent_write(bev, "old api", 7), 0);
    run_once_broken(base);
    ck_assert_int_eq(r.writes, 1);
    ck_assert_int_eq(recv(fds[1], buf, sizeof(buf), 0), 7);
    ck_assert_int_eq(memcmp(buf, "old api", 7), 0);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "reply", 5, 0), 5);
    run_once_broken(base);
    ck_assert_int_eq(r.reads, 1);
    ck_assert_uint_eq(r.got_len, 5);
    ck_assert_int_eq(memcmp(r.got, "reply", 5), 0);
    bufferevent_free(bev);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

/* bufferevent_new makes its bufferevent on the global base, so libevent
 * needs event_init() first (2.1.12 crashes without one); these tests call
 * it, then move the bufferevent with bufferevent_base_set as 1.x
 * programs did. */
START_TEST(new_then_base_set)
{
    struct event_base *base = event_init();
    struct bufferevent *bev;
    struct rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_new(fds[0], read_cb, write_cb, error_cb, &r);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_base_set(base, bev), 0);
    ck_assert_ptr_eq(bufferevent_get_base(bev), base);
    /* Callbacks given to bufferevent_new are the ones set. */
    {
        bufferevent_data_cb rcb, wcb;
        bufferevent_event_cb ecb;
        void *arg;

        bufferevent_getcb(bev, &rcb, &wcb, &ecb, &arg);
        ck_assert_ptr_eq(rcb, read_cb);
        ck_assert_ptr_eq(wcb, write_cb);
        ck_assert_ptr_eq(ecb, error_cb);
        ck_assert_ptr_eq(arg, &r);
    }
    r.stop = base;
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "abc", 3, 0), 3);
    run_once_broken(base);
    ck_assert_int_eq(r.reads, 1);
    ck_assert_uint_eq(r.got_len, 3);
    close(fds[1]);
    run_once_broken(base);
    ck_assert_int_eq(r.errors, 1);
    ck_assert_int_eq(r.what, EVBUFFER_EOF | EVBUFFER_READ);
    bufferevent_free(bev);
    close(fds[0]);
    event_base_free(base);
}
END_TEST

START_TEST(settimeout_read)
{
    struct event_base *base = event_init();
    struct bufferevent *bev;
    struct rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_new(fds[0], read_cb, write_cb, error_cb, &r);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_base_set(base, bev), 0);
    /* Whole seconds; 0 means none. */
    bufferevent_settimeout(bev, 1, 0);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    r.stop = base;
    run_once_broken(base);
    ck_assert_int_eq(r.errors, 1);
    ck_assert_int_eq(r.what, EVBUFFER_TIMEOUT | EVBUFFER_READ);
    ck_assert_int_eq(r.reads, 0);
    bufferevent_free(bev);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(settimeout_write)
{
    enum {
        BIG = 4 << 20
    };
    struct event_base *base = event_init();
    struct bufferevent *bev;
    struct rec r = {0};
    char *data = calloc(1, BIG);
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_new(fds[0], read_cb, write_cb, error_cb, &r);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_base_set(base, bev), 0);
    bufferevent_settimeout(bev, 0, 1);
    /* More than the socket takes; the peer never reads. */
    ck_assert_int_eq(bufferevent_write(bev, data, BIG), 0);
    r.stop = base;
    run_once_broken(base);
    ck_assert_int_eq(r.errors, 1);
    ck_assert_int_eq(r.what, EVBUFFER_TIMEOUT | EVBUFFER_WRITE);
    ck_assert_int_eq(r.writes, 0);
    bufferevent_free(bev);
    close(fds[0]);
    close(fds[1]);
    free(data);
    event_base_free(base);
}
END_TEST

START_TEST(settimeout_zero_clears)
{
    struct event_base *base = event_init();
    struct bufferevent *bev;
    struct timeval wait = {1, 500000};
    struct rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_new(fds[0], read_cb, write_cb, error_cb, &r);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_base_set(base, bev), 0);
    bufferevent_settimeout(bev, 1, 1);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    bufferevent_settimeout(bev, 0, 0);
    ck_assert_int_eq(event_base_loopexit(base, &wait), 0);
    ck_assert_int_ge(event_base_dispatch(base), 0);
    ck_assert_int_eq(r.errors, 0);
    bufferevent_free(bev);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(read_write_through_macros)
{
    struct event_base *base = event_init();
    struct bufferevent *bev;
    struct rec r = {0};
    char buf[16];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_new(fds[0], NULL, write_cb, error_cb, &r);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_base_set(base, bev), 0);
    r.stop = base;
    /* Adding to EVBUFFER_OUTPUT is writing. */
    ck_assert_int_eq(evbuffer_add(EVBUFFER_OUTPUT(bev), "via macro", 9), 0);
    run_once_broken(base);
    ck_assert_int_eq(r.writes, 1);
    ck_assert_int_eq(recv(fds[1], buf, sizeof(buf), 0), 9);
    ck_assert_int_eq(memcmp(buf, "via macro", 9), 0);
    /* Without a read callback the input just fills. */
    ck_assert_int_eq(send(fds[1], "in", 2, 0), 2);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    while (evbuffer_get_length(EVBUFFER_INPUT(bev)) < 2)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 2);
    ck_assert_int_eq(memcmp(buf, "in", 2), 0);
    bufferevent_free(bev);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bufferevent_compat");
    TCase *tc = vt_tcase("bufferevent_compat", 15);

    tcase_add_test(tc, flag_names_match);
    tcase_add_test(tc, new_on_global_base);
    tcase_add_test(tc, new_then_base_set);
    tcase_add_test(tc, settimeout_read);
    tcase_add_test(tc, settimeout_write);
    tcase_add_test(tc, settimeout_zero_clears);
    tcase_add_test(tc, read_write_through_macros);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
