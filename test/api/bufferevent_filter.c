/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_filter.c: filtering bufferevents over a socket pair.  The
 * identity filter (NULL and a written-out one), a transforming filter
 * (ROT13) in both directions, BEV_NEED_MORE holding data back, BEV_ERROR,
 * the flush modes a filter is given, the context's free function, what
 * BEV_OPT_CLOSE_ON_FREE does to the underlying bufferevent, and a zlib
 * compression filter in both directions.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "vt-event.h"
#include "vtest.h"

/* A filter's own record: how often it ran and with what. */
struct fctx {
    int calls;
    int frees;
    enum bufferevent_flush_mode last_mode;
    int saw_flush, saw_finished;
};

static void
free_fctx(void *arg)
{
    struct fctx *f = arg;

    f->frees++;
}

static enum bufferevent_filter_result
identity(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
         enum bufferevent_flush_mode mode, void *arg)
{
    struct fctx *f = arg;

    (void)limit;
    if (f != NULL) {
        f->calls++;
        f->last_mode = mode;
    }
    ck_assert_int_eq(evbuffer_add_buffer(dst, src), 0);
    return BEV_OK;
}

static enum bufferevent_filter_result
rot13(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
      enum bufferevent_flush_mode mode, void *arg)
{
    size_t n = evbuffer_get_length(src), i;
    unsigned char *p;

    (void)limit;
    (void)mode;
    (void)arg;
    if (n == 0)
        return BEV_NEED_MORE;
    p = evbuffer_pullup(src, -1);
    ck_assert_ptr_nonnull(p);
    for (i = 0; i < n; i++) {
        unsigned char c = p[i];

        if (c >= 'a' && c <= 'z')
            p[i] = (unsigned char)('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z')
            p[i] = (unsigned char)('A' + (c - 'A' + 13) % 26);
    }
    ck_assert_int_eq(evbuffer_add_buffer(dst, src), 0);
    return BEV_OK;
}

/* Passes on whole lines only: the rest waits for its end. */
static enum bufferevent_filter_result
whole_lines(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
            enum bufferevent_flush_mode mode, void *arg)
{
    struct evbuffer_ptr eol;
    struct fctx *f = arg;

    (void)limit;
    f->calls++;
    f->last_mode = mode;
    if (mode == BEV_FLUSH)
        f->saw_flush = 1;
    if (mode == BEV_FINISHED)
        f->saw_finished = 1;
    /* Flushing passes on an unfinished line too. */
    if (mode != BEV_NORMAL) {
        if (evbuffer_get_length(src) == 0)
            return BEV_NEED_MORE;
        ck_assert_int_eq(evbuffer_add_buffer(dst, src), 0);
        return BEV_OK;
    }
    eol = evbuffer_search_eol(src, NULL, NULL, EVBUFFER_EOL_LF);
    if (eol.pos < 0)
        return BEV_NEED_MORE;
    ck_assert_int_eq(evbuffer_remove_buffer(src, dst, (size_t)eol.pos + 1),
                     (int)eol.pos + 1);
    return BEV_OK;
}

/* Fails on a 'X'. */
static enum bufferevent_filter_result
refuse_x(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
         enum bufferevent_flush_mode mode, void *arg)
{
    struct fctx *f = arg;
    struct evbuffer_ptr x;

    (void)limit;
    (void)mode;
    f->calls++;
    x = evbuffer_search(src, "X", 1, NULL);
    if (x.pos >= 0)
        return BEV_ERROR;
    ck_assert_int_eq(evbuffer_add_buffer(dst, src), 0);
    return BEV_OK;
}

/* A filtering bufferevent, closing on free, over a socket bufferevent on
 * fds[0] of a fresh socket pair, reading enabled, r recording its
 * callbacks. */
static struct bufferevent *
filter_over_socket(struct event_base *base, int fds[2],
                   bufferevent_filter_cb in, bufferevent_filter_cb out,
                   void (*free_ctx)(void *), void *ctx, struct vt_rec *r)
{
    struct bufferevent *under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    struct bufferevent *bev = bufferevent_filter_new(
        under, in, out, BEV_OPT_CLOSE_ON_FREE, free_ctx, ctx);

    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    return bev;
}

START_TEST(null_filters_pass_through)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct vt_rec r = {0};
    char buf[16];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, NULL, NULL, BEV_OPT_CLOSE_ON_FREE, NULL,
                                 NULL);
    ck_assert_ptr_nonnull(bev);
    ck_assert_ptr_eq(bufferevent_get_underlying(bev), under);
    ck_assert_ptr_eq(bufferevent_get_base(bev), base);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_WRITE);
    /* The filter answers with its underlying socket. */
    ck_assert_int_eq(bufferevent_getfd(bev), fds[0]);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(bev, "plain", 5), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 5);
    ck_assert_int_eq(memcmp(buf, "plain", 5), 0);
    ck_assert_int_eq(send(fds[1], "reply", 5, 0), 5);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 5);
    ck_assert_int_eq(memcmp(buf, "reply", 5), 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(identity_filter_both_ways)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct fctx f = {0};
    struct vt_rec r = {0};
    char buf[16];
    int fds[2], calls_out;

    ck_assert_ptr_nonnull(base);
    /* One context serves both filters. */
    bev = filter_over_socket(base, fds, identity, identity, NULL, &f, &r);
    ck_assert_int_eq(bufferevent_write(bev, "abc", 3), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    ck_assert_int_ge(f.calls, 1);
    ck_assert_int_eq(f.last_mode, BEV_NORMAL);
    vt_recv_all(base, fds[1], buf, 3);
    ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
    calls_out = f.calls;
    ck_assert_int_eq(send(fds[1], "defg", 4, 0), 4);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_int_gt(f.calls, calls_out);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 4);
    ck_assert_int_eq(memcmp(buf, "defg", 4), 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(rot13_on_the_wire)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    char buf[32];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = filter_over_socket(base, fds, rot13, rot13, NULL, NULL, &r);
    /* Out: transformed on the way to the socket. */
    ck_assert_int_eq(bufferevent_write(bev, "Hello, World", 12), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 12);
    ck_assert_int_eq(memcmp(buf, "Uryyb, Jbeyq", 12), 0);
    /* In: transformed on the way from it. */
    ck_assert_int_eq(send(fds[1], "Ivtvy 2.1", 9, 0), 9);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 9);
    ck_assert_int_eq(memcmp(buf, "Vigil 2.1", 9), 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(rot13_filters_on_both_ends)
{
    enum {
        N = 256 << 10
    };
    struct event_base *base = event_base_new();
    struct bufferevent *a, *b;
    struct vt_rec ra = {0}, rb = {0};
    char *text = malloc(N);
    int fds[2], i;

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(text);
    for (i = 0; i < N; i++)
        text[i] = (char)('A' + i % 58);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    a = bufferevent_filter_new(
        bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE), rot13,
        rot13, BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
    b = bufferevent_filter_new(
        bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE), rot13,
        rot13, BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ra.got = evbuffer_new();
    rb.got = evbuffer_new();
    bufferevent_setcb(a, vt_read_cb, NULL, vt_event_cb, &ra);
    bufferevent_setcb(b, vt_read_cb, NULL, vt_event_cb, &rb);
    ck_assert_int_eq(bufferevent_enable(a, EV_READ), 0);
    ck_assert_int_eq(bufferevent_enable(b, EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(a, text, N), 0);
    ck_assert_int_eq(bufferevent_write(b, text, N / 2), 0);
    ck_assert_int_eq(vt_wait_for(base, &rb.got_len, N), N);
    ck_assert_int_eq(vt_wait_for(base, &ra.got_len, N / 2), N / 2);
    ck_assert_int_eq(memcmp(evbuffer_pullup(rb.got, -1), text, N), 0);
    ck_assert_int_eq(memcmp(evbuffer_pullup(ra.got, -1), text, N / 2), 0);
    ck_assert_int_eq(ra.events + rb.events, 0);
    evbuffer_free(ra.got);
    evbuffer_free(rb.got);
    bufferevent_free(a);
    bufferevent_free(b);
    free(text);
    event_base_free(base);
}
END_TEST

START_TEST(need_more_holds_data_back)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct fctx f = {0};
    struct vt_rec r = {0};
    char buf[16];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, whole_lines, NULL,
                                 BEV_OPT_CLOSE_ON_FREE, NULL, &f);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, NULL, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(send(fds[1], "abc", 3, 0), 3);
    ck_assert_int_eq(vt_wait_for(base, &f.calls, 1), 1);
    /* The filter saw the bytes and asked for more: nothing to read. */
    vt_run_ready(base);
    ck_assert_int_eq(r.reads, 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 0);
    ck_assert_int_eq(send(fds[1], "def\ngh", 6, 0), 6);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_uint_eq(r.in_len_at_read, 7);
    ck_assert_uint_eq(bufferevent_read(bev, buf, sizeof(buf)), 7);
    ck_assert_int_eq(memcmp(buf, "abcdef\n", 7), 0);
    /* "gh" waits in the underlying bufferevent's input. */
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(under)), 2);
    ck_assert_int_eq(r.events, 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(flush_modes_reach_filter)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct fctx f = {0};
    struct vt_rec r = {0};
    char buf[16];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, NULL, whole_lines,
                                 BEV_OPT_CLOSE_ON_FREE, NULL, &f);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    /* Half a line: held back in normal operation. */
    ck_assert_int_eq(bufferevent_write(bev, "part", 4), 0);
    vt_run_ready(base);
    ck_assert_int_ge(f.calls, 1);
    ck_assert_int_eq(f.last_mode, BEV_NORMAL);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 4);
    /* BEV_NORMAL through bufferevent_flush: still held back, and libevent
     * answers 0 for "nothing moved". */
    ck_assert_int_eq(bufferevent_flush(bev, EV_WRITE, BEV_NORMAL), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 4);
    /* BEV_FLUSH: the filter is told, lets it through; the answer is 1
     * for "something moved". */
    ck_assert_int_eq(bufferevent_flush(bev, EV_WRITE, BEV_FLUSH), 1);
    ck_assert_int_eq(f.saw_flush, 1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 4);
    ck_assert_int_eq(memcmp(buf, "part", 4), 0);
    /* BEV_FINISHED: the filter is told that no more will come. */
    ck_assert_int_eq(bufferevent_write(bev, "end", 3), 0);
    ck_assert_int_eq(bufferevent_flush(bev, EV_WRITE, BEV_FINISHED), 1);
    ck_assert_int_eq(f.saw_finished, 1);
    ck_assert_int_eq(f.last_mode, BEV_FINISHED);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 2), 2);
    vt_recv_all(base, fds[1], buf, 3);
    ck_assert_int_eq(memcmp(buf, "end", 3), 0);
    /* Nothing left: nothing moved. */
    ck_assert_int_eq(bufferevent_flush(bev, EV_WRITE, BEV_FLUSH), 0);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(filter_error_on_input)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct fctx f = {0};
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = filter_over_socket(base, fds, refuse_x, NULL, NULL, &f, &r);
    under = bufferevent_get_underlying(bev);
    ck_assert_int_eq(send(fds[1], "ok", 2, 0), 2);
    ck_assert_int_eq(vt_wait_for(base, &r.reads, 1), 1);
    ck_assert_int_eq(send(fds[1], "X", 1, 0), 1);
    ck_assert_int_eq(vt_wait_for(base, &f.calls, 2), 2);
    vt_run_for(base, 100);
    /* libevent 2.1.12 does not report a filter's BEV_ERROR on input: no
     * event, no more data; the refused bytes stay in the underlying
     * bufferevent's input. */
    ck_assert_int_eq(r.events, 0);
    ck_assert_int_eq(r.reads, 1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(under)), 1);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(filter_error_on_output)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct fctx f = {0};
    struct vt_rec r = {0};
    char c;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, NULL, refuse_x, BEV_OPT_CLOSE_ON_FREE,
                                 NULL, &f);
    ck_assert_ptr_nonnull(bev);
    bufferevent_setcb(bev, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_write(bev, "X", 1), 0);
    ck_assert_int_ge(f.calls, 1);
    vt_run_for(base, 100);
    /* The same on output: the bytes stay, nothing is reported. */
    ck_assert_int_eq(r.events, 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 1);
    ck_assert_int_eq(recv(fds[1], &c, 1, 0), -1);
    ck_assert_int_eq(errno, EAGAIN);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(underlying_events_pass_up)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct vt_rec r = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = filter_over_socket(base, fds, rot13, rot13, NULL, NULL, &r);
    ck_assert_int_eq(send(fds[1], "nopqr", 5, 0), 5);
    close(fds[1]);
    /* The socket's end of file reaches the filter's event callback, after
     * the data. */
    ck_assert_int_eq(vt_wait_for(base, &r.events, 1), 1);
    ck_assert_int_eq(r.what, BEV_EVENT_EOF | BEV_EVENT_READING);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 5);
    ck_assert_int_eq(
        memcmp(evbuffer_pullup(bufferevent_get_input(bev), -1), "abcde", 5), 0);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

START_TEST(free_context_called_once)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct fctx f = {0};
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, identity, identity,
                                 BEV_OPT_CLOSE_ON_FREE, free_fctx, &f);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(f.frees, 0);
    bufferevent_free(bev);
    /* libevent may finish freeing from the loop. */
    vt_run_ready(base);
    ck_assert_int_eq(f.frees, 1);
    event_base_free(base);
    ck_assert_int_eq(f.frees, 1);
    close(fds[1]);
}
END_TEST

START_TEST(close_on_free_frees_underlying)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, NULL, NULL, BEV_OPT_CLOSE_ON_FREE, NULL,
                                 NULL);
    ck_assert_ptr_nonnull(bev);
    bufferevent_free(bev);
    vt_run_ready(base);
    /* The underlying bufferevent went too, and closed its socket. */
    errno = 0;
    ck_assert_int_eq(fcntl(fds[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(without_close_on_free_underlying_stays)
{
    struct event_base *base = event_base_new();
    struct bufferevent *under, *bev;
    struct vt_rec r = {0};
    char buf[8];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    under = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    bev = bufferevent_filter_new(under, rot13, rot13, 0, NULL, NULL);
    ck_assert_ptr_nonnull(bev);
    bufferevent_free(bev);
    vt_run_ready(base);
    ck_assert_int_ne(fcntl(fds[0], F_GETFD), -1);
    /* The underlying bufferevent works on its own again, unfiltered. */
    bufferevent_setcb(under, vt_read_cb, vt_write_cb, vt_event_cb, &r);
    ck_assert_int_eq(bufferevent_write(under, "raw", 3), 0);
    ck_assert_int_eq(vt_wait_for(base, &r.writes, 1), 1);
    vt_recv_all(base, fds[1], buf, 3);
    ck_assert_int_eq(memcmp(buf, "raw", 3), 0);
    bufferevent_free(under);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

/* zlib, one stream each way. */
struct zctx {
    z_stream deflater, inflater;
    size_t raw_out, wire_out, wire_in, raw_in;
    int failed;
};

static void
zctx_init(struct zctx *z)
{
    memset(z, 0, sizeof(*z));
    ck_assert_int_eq(deflateInit(&z->deflater, Z_DEFAULT_COMPRESSION), Z_OK);
    ck_assert_int_eq(inflateInit(&z->inflater), Z_OK);
}

static void
zctx_free(void *arg)
{
    struct zctx *z = arg;

    deflateEnd(&z->deflater);
    inflateEnd(&z->inflater);
}

/* Runs one zlib stream over all of src into dst.  Every call ends in a
 * sync flush, so what the peer receives always decodes in full. */
static int
z_pump(z_stream *zs, int deflating, struct evbuffer *src, struct evbuffer *dst,
       size_t *consumed, size_t *produced)
{
    size_t n = evbuffer_get_length(src);
    unsigned char *in = n > 0 ? evbuffer_pullup(src, -1) : NULL;

    zs->next_in = in;
    zs->avail_in = (uInt)n;
    for (;;) {
        struct evbuffer_iovec v;
        int rc;

        if (evbuffer_reserve_space(dst, 16384, &v, 1) < 1)
            return -1;
        zs->next_out = v.iov_base;
        zs->avail_out = (uInt)v.iov_len;
        rc = deflating ? deflate(zs, Z_SYNC_FLUSH) : inflate(zs, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
            return -1;
        v.iov_len -= zs->avail_out;
        *produced += v.iov_len;
        if (evbuffer_commit_space(dst, &v, 1) < 0)
            return -1;
        if (zs->avail_in == 0 && zs->avail_out > 0)
            break;
        if (rc == Z_BUF_ERROR && zs->avail_out > 0)
            break;
    }
    *consumed += n - zs->avail_in;
    return evbuffer_drain(src, n - zs->avail_in);
}

static enum bufferevent_filter_result
z_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
      enum bufferevent_flush_mode mode, void *arg)
{
    struct zctx *z = arg;
    size_t before = z->wire_out;

    (void)limit;
    (void)mode;
    if (evbuffer_get_length(src) == 0)
        return BEV_NEED_MORE;
    if (z_pump(&z->deflater, 1, src, dst, &z->raw_out, &z->wire_out) < 0) {
        z->failed = 1;
        return BEV_ERROR;
    }
    return z->wire_out > before ? BEV_OK : BEV_NEED_MORE;
}

static enum bufferevent_filter_result
z_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
     enum bufferevent_flush_mode mode, void *arg)
{
    struct zctx *z = arg;
    size_t before = z->raw_in;

    (void)limit;
    (void)mode;
    if (evbuffer_get_length(src) == 0)
        return BEV_NEED_MORE;
    if (z_pump(&z->inflater, 0, src, dst, &z->wire_in, &z->raw_in) < 0) {
        z->failed = 1;
        return BEV_ERROR;
    }
    return z->raw_in > before ? BEV_OK : BEV_NEED_MORE;
}

static void
fill_text(char *p, size_t n, int salt)
{
    size_t off = 0;
    int line = 0;

    while (off < n) {
        char tmp[80];
        int k = snprintf(tmp, sizeof(tmp), "line %d of the %s test text\n",
                         line++, salt ? "second" : "first");
        size_t take = (size_t)k < n - off ? (size_t)k : n - off;

        memcpy(p + off, tmp, take);
        off += take;
    }
}

START_TEST(zlib_both_ways)
{
    enum {
        N = 1 << 20
    };
    struct event_base *base = event_base_new();
    struct bufferevent *a, *b;
    struct zctx *za = malloc(sizeof(*za)), *zb = malloc(sizeof(*zb));
    struct vt_rec ra = {0}, rb = {0};
    char *ta = malloc(N), *tb = malloc(N);
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(za);
    ck_assert_ptr_nonnull(zb);
    ck_assert_ptr_nonnull(ta);
    ck_assert_ptr_nonnull(tb);
    fill_text(ta, N, 0);
    fill_text(tb, N, 1);
    zctx_init(za);
    zctx_init(zb);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    a = bufferevent_filter_new(
        bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE), z_in,
        z_out, BEV_OPT_CLOSE_ON_FREE, zctx_free, za);
    b = bufferevent_filter_new(
        bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE), z_in,
        z_out, BEV_OPT_CLOSE_ON_FREE, zctx_free, zb);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ra.got = evbuffer_new();
    rb.got = evbuffer_new();
    bufferevent_setcb(a, vt_read_cb, NULL, vt_event_cb, &ra);
    bufferevent_setcb(b, vt_read_cb, NULL, vt_event_cb, &rb);
    ck_assert_int_eq(bufferevent_enable(a, EV_READ), 0);
    ck_assert_int_eq(bufferevent_enable(b, EV_READ), 0);
    /* Written in pieces, so the filters run many times. */
    {
        int off;

        for (off = 0; off < N; off += 65536) {
            ck_assert_int_eq(bufferevent_write(a, ta + off, 65536), 0);
            ck_assert_int_eq(bufferevent_write(b, tb + off, 65536), 0);
        }
    }
    ck_assert_int_eq(vt_wait_for(base, &rb.got_len, N), N);
    ck_assert_int_eq(vt_wait_for(base, &ra.got_len, N), N);
    ck_assert_int_eq(memcmp(evbuffer_pullup(rb.got, -1), ta, N), 0);
    ck_assert_int_eq(memcmp(evbuffer_pullup(ra.got, -1), tb, N), 0);
    ck_assert_int_eq(za->failed + zb->failed, 0);
    ck_assert_int_eq(ra.events + rb.events, 0);
    /* It was compressed on the wire: text like this shrinks well. */
    ck_assert_uint_eq(za->raw_out, N);
    ck_assert_uint_lt(za->wire_out, N / 4);
    ck_assert_uint_eq(zb->wire_in, za->wire_out);
    ck_assert_uint_eq(za->wire_in, zb->wire_out);
    evbuffer_free(ra.got);
    evbuffer_free(rb.got);
    bufferevent_free(a);
    bufferevent_free(b);
    event_base_free(base);
    free(za);
    free(zb);
    free(ta);
    free(tb);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bufferevent_filter");
    TCase *tc = vt_tcase("bufferevent_filter", 30);

    tcase_add_test(tc, null_filters_pass_through);
    tcase_add_test(tc, identity_filter_both_ways);
    tcase_add_test(tc, rot13_on_the_wire);
    tcase_add_test(tc, rot13_filters_on_both_ends);
    tcase_add_test(tc, need_more_holds_data_back);
    tcase_add_test(tc, flush_modes_reach_filter);
    tcase_add_test(tc, filter_error_on_input);
    tcase_add_test(tc, filter_error_on_output);
    tcase_add_test(tc, underlying_events_pass_up);
    tcase_add_test(tc, free_context_called_once);
    tcase_add_test(tc, close_on_free_frees_underlying);
    tcase_add_test(tc, without_close_on_free_underlying_stays);
    tcase_add_test(tc, zlib_both_ways);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
