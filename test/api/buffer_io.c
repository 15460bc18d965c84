/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_io.c: evbuffer_read, evbuffer_write and evbuffer_write_atmost
 * through non-blocking socket pairs, with many chunks (writev), limits,
 * end of stream and errors, and file segments sent with sendfile
 * (EVBUFFER_FLAG_DRAINS_TO_FD) or from memory.
 */
#include <event2/buffer.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt-buffer.h"
#include "vtest.h"

static void
fill(unsigned char *p, size_t len, unsigned seed)
{
    uint32_t x = 2463534242u + seed;
    size_t i;

    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
}

static void
wait_fd(int fd, short what)
{
    struct pollfd p = {fd, what, 0};

    ck_assert_int_eq(poll(&p, 1, 5000), 1);
}

/* Moves everything in out through the pair (writing to w, reading from r)
 * into in, with both ends non-blocking. */
static void
pump(struct evbuffer *out, int w, int r, struct evbuffer *in)
{
    while (evbuffer_get_length(out) > 0) {
        int n = evbuffer_write(out, w);

        if (n < 0) {
            ck_assert_int_eq(errno, EAGAIN);
        }
        for (;;) {
            int m = evbuffer_read(in, r, -1);

            if (m < 0) {
                ck_assert_int_eq(errno, EAGAIN);
                break;
            }
            ck_assert_int_gt(m, 0);
        }
        if (n < 0)
            wait_fd(w, POLLOUT);
    }
    for (;;) {
        int m = evbuffer_read(in, r, -1);

        if (m < 0) {
            ck_assert_int_eq(errno, EAGAIN);
            break;
        }
    }
}

START_TEST(write_and_read_small)
{
    struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
    int sv[2];

    ck_assert_int_eq(vt_socketpair(sv), 0);
    evbuffer_add(out, "hello ", 6);
    evbuffer_add_reference(out, "world", 5, NULL, NULL);
    ck_assert_int_eq(evbuffer_write(out, sv[0]), 11);
    ck_assert_uint_eq(evbuffer_get_length(out), 0);
    ck_assert_int_eq(evbuffer_read(in, sv[1], -1), 11);
    vt_check_contents(in, "hello world", 11);
    /* Nothing more to read yet. */
    errno = 0;
    ck_assert_int_eq(evbuffer_read(in, sv[1], -1), -1);
    ck_assert_int_eq(errno, EAGAIN);
    /* End of stream. */
    close(sv[0]);
    ck_assert_int_eq(evbuffer_read(in, sv[1], -1), 0);
    vt_check_contents(in, "hello world", 11);
    close(sv[1]);
    evbuffer_free(out);
    evbuffer_free(in);
}
END_TEST

START_TEST(write_many_chunks)
{
    struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
    static unsigned char data[3000000];
    static char refs[1000][8];
    unsigned char *want = malloc(sizeof(data) + sizeof(refs));
    size_t len = 0, off = 0;
    int sv[2], i;

    ck_assert_int_eq(vt_socketpair(sv), 0);
    fill(data, sizeof(data), 1);
    /* Alternating copies and references: more chunks than one writev
     * takes. */
    for (i = 0; i < 1000; i++) {
        size_t k = 1 + (size_t)i * 5;

        memcpy(refs[i], "refXXXX", 8);
        refs[i][3] = (char)('0' + i % 10);
        evbuffer_add(out, data + off, k);
        memcpy(want + len, data + off, k);
        len += k;
        off += k;
        evbuffer_add_reference(out, refs[i], 7, NULL, NULL);
        memcpy(want + len, refs[i], 7);
        len += 7;
    }
    evbuffer_add(out, data + off, sizeof(data) - off);
    memcpy(want + len, data + off, sizeof(data) - off);
    len += sizeof(data) - off;
    pump(out, sv[0], sv[1], in);
    vt_check_contents(in, want, len);
    close(sv[0]);
    close(sv[1]);
    free(want);
    evbuffer_free(out);
    evbuffer_free(in);
}
END_TEST

START_TEST(write_atmost_limits)
{
    struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
    unsigned char data[10000];
    int sv[2];

    ck_assert_int_eq(vt_socketpair(sv), 0);
    fill(data, sizeof(data), 2);
    evbuffer_add(out, data, 5000);
    evbuffer_add_reference(out, data + 5000, 5000, NULL, NULL);
    ck_assert_int_eq(evbuffer_write_atmost(out, sv[0], 10), 10);
    ck_assert_uint_eq(evbuffer_get_length(out), 9990);
    ck_assert_int_eq(evbuffer_write_atmost(out, sv[0], 5500), 5500);
    ck_assert_int_eq(evbuffer_write_atmost(out, sv[0], -5), 4490);
    ck_assert_uint_eq(evbuffer_get_length(out), 0);
    pump(out, sv[0], sv[1], in);
    vt_check_contents(in, data, sizeof(data));
#ifndef VIGIL_ORACLE
    /* Writing nothing is not an error (libevent returns -1, errno
     * untouched). */
    ck_assert_int_eq(evbuffer_write(out, sv[0]), 0);
    evbuffer_add(out, "x", 1);
    ck_assert_int_eq(evbuffer_write_atmost(out, sv[0], 0), 0);
    ck_assert_uint_eq(evbuffer_get_length(out), 1);
#endif
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(out);
    evbuffer_free(in);
}
END_TEST

START_TEST(read_limits)
{
    struct evbuffer *in = evbuffer_new();
    static unsigned char data[200000];
    unsigned char *got = malloc(sizeof(data));
    size_t total = 0;
    int sv[2], n;

    ck_assert_int_eq(vt_socketpair(sv), 0);
    fill(data, sizeof(data), 3);
    ck_assert_int_eq(write(sv[0], data, 100000), 100000);
    ck_assert_int_eq(evbuffer_read(in, sv[1], 0), 0);
    ck_assert_int_eq(evbuffer_read(in, sv[1], 10), 10);
    ck_assert_int_eq(evbuffer_read(in, sv[1], 1), 1);
    n = evbuffer_read(in, sv[1], 50000);
    ck_assert_int_gt(n, 0);
    ck_assert_int_le(n, 50000);
    n = evbuffer_read(in, sv[1], -1);
    ck_assert_int_gt(n, 0);
    while ((n = evbuffer_read(in, sv[1], 1 << 30)) > 0)
        ;
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(errno, EAGAIN);
    total = evbuffer_get_length(in);
    ck_assert_uint_eq(total, 100000);
    ck_assert_int_eq(evbuffer_remove(in, got, sizeof(data)), 100000);
    ck_assert_mem_eq(got, data, 100000);
    free(got);
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(in);
}
END_TEST

START_TEST(read_appends_after_data)
{
    struct evbuffer *in = evbuffer_new();
    int sv[2];

    ck_assert_int_eq(vt_socketpair(sv), 0);
    evbuffer_add(in, "GET / HTTP/1.1\r\n", 16);
    ck_assert_int_eq(write(sv[0], "Host: x\r\n\r\n", 11), 11);
    ck_assert_int_eq(evbuffer_read(in, sv[1], -1), 11);
    vt_check_contents(in, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(in);
}
END_TEST

START_TEST(read_from_pipe)
{
    struct evbuffer *in = evbuffer_new();
    unsigned char data[10000];
    int p[2];

    fill(data, sizeof(data), 4);
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(write(p[1], data, sizeof(data)), (ssize_t)sizeof(data));
    close(p[1]);
    while (evbuffer_read(in, p[0], -1) > 0)
        ;
    vt_check_contents(in, data, sizeof(data));
    close(p[0]);
    evbuffer_free(in);
}
END_TEST

START_TEST(io_errors)
{
    struct evbuffer *buf = evbuffer_new();
    char path[] = "/tmp/vigil-buffer-io-XXXXXX";
    int fd = mkstemp(path);

    unlink(path);
    close(fd); /* now a closed descriptor */
    errno = 0;
    ck_assert_int_eq(evbuffer_read(buf, fd, -1), -1);
    ck_assert_int_eq(errno, EBADF);
    evbuffer_add(buf, "x", 1);
    errno = 0;
    ck_assert_int_eq(evbuffer_write(buf, fd), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    evbuffer_free(buf);
}
END_TEST

START_TEST(write_to_closed_peer)
{
    struct evbuffer *buf = evbuffer_new();
    int sv[2];

    signal(SIGPIPE, SIG_IGN);
    ck_assert_int_eq(vt_socketpair(sv), 0);
    close(sv[1]);
    evbuffer_add(buf, "lost", 4);
    errno = 0;
    ck_assert_int_eq(evbuffer_write(buf, sv[0]), -1);
    ck_assert_int_eq(errno, EPIPE);
    ck_assert_uint_eq(evbuffer_get_length(buf), 4);
    close(sv[0]);
    evbuffer_free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Files to sockets.                                                   */

static int
temp_file(unsigned char *content, size_t len, unsigned seed)
{
    char path[] = "/tmp/vigil-buffer-io-XXXXXX";
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    unlink(path);
    fill(content, len, seed);
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    return fd;
}

START_TEST(add_file_to_socket)
{
    static unsigned char content[300000];
    unsigned char *want = malloc(sizeof(content) + 20);
    struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
    int fd = temp_file(content, sizeof(content), 5);
    int sv[2];

    /* _i: 0 plain (mapped), 1 sendfile. */
    if (_i == 1)
        ck_assert_int_eq(evbuffer_set_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD),
                         0);
    ck_assert_int_eq(vt_socketpair(sv), 0);
    evbuffer_add(out, "header\n", 7);
    ck_assert_int_eq(evbuffer_add_file(out, fd, 1000, 200000), 0);
    evbuffer_add(out, "trailer", 7);
    ck_assert_uint_eq(evbuffer_get_length(out), 200014);
    pump(out, sv[0], sv[1], in);
    memcpy(want, "header\n", 7);
    memcpy(want + 7, content + 1000, 200000);
    memcpy(want + 200007, "trailer", 7);
    vt_check_contents(in, want, 200014);
    free(want);
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(out);
    evbuffer_free(in);
}
END_TEST

START_TEST(segment_to_socket_every_flag)
{
    static unsigned char content[100000];
    static const unsigned flag_sets[] = {
        0,
        EVBUF_FS_DISABLE_MMAP,
        EVBUF_FS_DISABLE_SENDFILE,
        EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_SENDFILE,
        EVBUF_FS_DISABLE_LOCKING,
    };
    int fd = temp_file(content, sizeof(content), 6);
    struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
    struct evbuffer_file_segment *seg;
    unsigned char *want = malloc(3 * 40000);
    int sv[2];

    ck_assert_int_eq(evbuffer_set_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD), 0);
    ck_assert_int_eq(vt_socketpair(sv), 0);
    seg = evbuffer_file_segment_new(fd, 5000, 80000, flag_sets[_i]);
    ck_assert_ptr_nonnull(seg);
    ck_assert_int_eq(evbuffer_add_file_segment(out, seg, 0, 40000), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(out, seg, 40000, -1), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(out, seg, 100, 40000), 0);
    evbuffer_file_segment_free(seg);
    /* Partly drained first. */
    ck_assert_int_eq(evbuffer_drain(out, 123), 0);
    pump(out, sv[0], sv[1], in);
    memcpy(want, content + 5000, 80000);
    memcpy(want + 80000, content + 5100, 40000);
    vt_check_contents(in, want + 123, 120000 - 123);
    free(want);
    close(fd);
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(out);
    evbuffer_free(in);
}
END_TEST

START_TEST(sendfile_chunks_moved)
{
    static unsigned char content[50000];
    int fd = temp_file(content, sizeof(content), 7);
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new(),
                    *in = evbuffer_new();
    int sv[2];

    ck_assert_int_eq(evbuffer_set_flags(a, EVBUFFER_FLAG_DRAINS_TO_FD), 0);
    ck_assert_int_eq(vt_socketpair(sv), 0);
    ck_assert_int_eq(evbuffer_add_file(a, fd, 0, -1), 0);
    /* Sendfile chunks moved to a buffer without the flag still go out. */
    evbuffer_add(b, "<", 1);
    ck_assert_int_eq(evbuffer_add_buffer(b, a), 0);
    evbuffer_add(b, ">", 1);
    pump(b, sv[0], sv[1], in);
    ck_assert_uint_eq(evbuffer_get_length(in), sizeof(content) + 2);
    {
        unsigned char *got = malloc(sizeof(content) + 2);

        ck_assert_int_eq(evbuffer_remove(in, got, sizeof(content) + 2),
                         (int)sizeof(content) + 2);
        ck_assert_int_eq(got[0], '<');
        ck_assert_mem_eq(got + 1, content, sizeof(content));
        ck_assert_int_eq(got[sizeof(content) + 1], '>');
        free(got);
    }
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(a);
    evbuffer_free(b);
    evbuffer_free(in);
}
END_TEST

#ifndef VIGIL_ORACLE
/* libevent leaves the bytes of a sendfile segment unreadable (its
 * documentation calls the result undefined); Vigil maps them when asked. */
START_TEST(sendfile_chunks_readable)
{
    static unsigned char content[10000];
    int fd = temp_file(content, sizeof(content), 8);
    struct evbuffer *buf = evbuffer_new();
    unsigned char out[100];

    ck_assert_int_eq(evbuffer_set_flags(buf, EVBUFFER_FLAG_DRAINS_TO_FD), 0);
    ck_assert_int_eq(evbuffer_add_file(buf, fd, 0, -1), 0);
    ck_assert_int_eq(evbuffer_copyout(buf, out, 100), 100);
    ck_assert_mem_eq(out, content, 100);
    ck_assert_int_eq(
        evbuffer_search(buf, (const char *)content + 5000, 16, NULL).pos, 5000);
    vt_check_contents(buf, content, sizeof(content));
    evbuffer_free(buf);
}
END_TEST

/* A zero-length file is added as nothing, and the buffer owns (and
 * closes) the descriptor; libevent fails to map it and returns -1. */
START_TEST(add_empty_file)
{
    unsigned char none[1];
    int fd = temp_file(none, 0, 9);
    struct evbuffer *buf = evbuffer_new();

    ck_assert_int_eq(evbuffer_add_file(buf, fd, 0, -1), 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
    evbuffer_free(buf);
}
END_TEST
#endif

/* Bytes read from a socket, and bytes committed into reserved space, go
 * after a file segment left to sendfile (whose bytes are not in memory),
 * and everything leaves in order. */
START_TEST(read_and_commit_after_sendfile_chunk)
{
    static unsigned char content[5000];
    unsigned char want[5000 + 6 + 3];
    int fd = temp_file(content, sizeof(content), 11);
    struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
    struct evbuffer_iovec v[2];
    int sv[2], n;

    ck_assert_int_eq(evbuffer_set_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD), 0);
    ck_assert_int_eq(evbuffer_add_file(out, fd, 0, -1), 0);
    ck_assert_int_eq(vt_socketpair(sv), 0);
    ck_assert_int_eq(write(sv[1], "socket", 6), 6);
    wait_fd(sv[0], POLLIN);
    ck_assert_int_eq(evbuffer_read(out, sv[0], -1), 6);
    n = evbuffer_reserve_space(out, 3, v, 1);
    ck_assert_int_eq(n, 1);
    memcpy(v[0].iov_base, "end", 3);
    v[0].iov_len = 3;
    ck_assert_int_eq(evbuffer_commit_space(out, v, 1), 0);
    ck_assert_uint_eq(evbuffer_get_length(out), sizeof(want));
    pump(out, sv[0], sv[1], in);
    memcpy(want, content, sizeof(content));
    memcpy(want + sizeof(content), "socketend", 9);
    vt_check_contents(in, want, sizeof(want));
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(out);
    evbuffer_free(in);
}
END_TEST

START_TEST(file_to_file)
{
    static unsigned char content[70000];
    int fd = temp_file(content, sizeof(content), 10);
    unsigned char none[1];
    int dst = temp_file(none, 0, 0);
    struct evbuffer *buf = evbuffer_new();
    unsigned char *back = malloc(sizeof(content));
    ssize_t total = 0;

    ck_assert_int_eq(evbuffer_set_flags(buf, EVBUFFER_FLAG_DRAINS_TO_FD), 0);
    ck_assert_int_eq(evbuffer_add_file(buf, fd, 0, -1), 0);
    while (evbuffer_get_length(buf) > 0) {
        int n = evbuffer_write(buf, dst);

        ck_assert_int_gt(n, 0);
        total += n;
    }
    ck_assert_int_eq(total, (ssize_t)sizeof(content));
    ck_assert_int_eq(pread(dst, back, sizeof(content), 0),
                     (ssize_t)sizeof(content));
    ck_assert_mem_eq(back, content, sizeof(content));
    free(back);
    close(dst);
    evbuffer_free(buf);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("buffer_io");
    TCase *tc = vt_tcase("buffer_io", 30);

    tcase_add_test(tc, write_and_read_small);
    tcase_add_test(tc, write_many_chunks);
    tcase_add_test(tc, write_atmost_limits);
    tcase_add_test(tc, read_limits);
    tcase_add_test(tc, read_appends_after_data);
    tcase_add_test(tc, read_from_pipe);
    tcase_add_test(tc, io_errors);
    tcase_add_test(tc, write_to_closed_peer);
    tcase_add_loop_test(tc, add_file_to_socket, 0, 2);
    tcase_add_loop_test(tc, segment_to_socket_every_flag, 0, 5);
    tcase_add_test(tc, sendfile_chunks_moved);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, sendfile_chunks_readable);
    tcase_add_test(tc, add_empty_file);
#endif
    tcase_add_test(tc, file_to_file);
    tcase_add_test(tc, read_and_commit_after_sendfile_chunk);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
