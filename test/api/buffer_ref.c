/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_ref.c: bytes an evbuffer does not own.  evbuffer_add_reference
 * (the cleanup runs exactly once, when the bytes are gone from every
 * buffer), evbuffer_add_buffer_reference (views that outlive changes to
 * the source), and file segments (evbuffer_add_file,
 * evbuffer_file_segment_*) read through a buffer with every EVBUF_FS_*
 * flag.
 */
#include <event2/buffer.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt-buffer.h"
#include "vtest.h"

/* A reference's cleanup: counts calls and checks what it is given. */
struct ref {
    const char *data;
    size_t len;
    int calls;
};

static void
ref_cleanup(const void *data, size_t len, void *arg)
{
    struct ref *r = arg;

    ck_assert_ptr_eq(data, r->data);
    ck_assert_uint_eq(len, r->len);
    r->calls++;
}

static void
add_ref(struct evbuffer *buf, struct ref *r, const char *s)
{
    r->data = s;
    r->len = strlen(s);
    r->calls = 0;
    ck_assert_int_eq(evbuffer_add_reference(buf, s, r->len, ref_cleanup, r), 0);
}

START_TEST(reference_cleanup_when_drained)
{
    struct evbuffer *buf = evbuffer_new();
    struct ref r;

    add_ref(buf, &r, "xyz");
    vt_check_contents(buf, "xyz", 3);
    ck_assert_int_eq(evbuffer_drain(buf, 2), 0);
    ck_assert_int_eq(r.calls, 0);
    vt_check_contents(buf, "z", 1);
    ck_assert_int_eq(evbuffer_drain(buf, 1), 0);
    ck_assert_int_eq(r.calls, 1);
    evbuffer_free(buf);
    ck_assert_int_eq(r.calls, 1);
}
END_TEST

START_TEST(reference_cleanup_when_freed)
{
    struct evbuffer *buf = evbuffer_new();
    struct ref r1, r2;

    evbuffer_add(buf, "a", 1);
    add_ref(buf, &r1, "first");
    add_ref(buf, &r2, "second");
    evbuffer_add(buf, "b", 1);
    vt_check_contents(buf, "afirstsecondb", 13);
    ck_assert_int_eq(evbuffer_drain(buf, 3), 0);
    evbuffer_free(buf);
    ck_assert_int_eq(r1.calls, 1);
    ck_assert_int_eq(r2.calls, 1);
}
END_TEST

START_TEST(reference_without_cleanup)
{
    struct evbuffer *buf = evbuffer_new();

    ck_assert_int_eq(evbuffer_add_reference(buf, "abc", 3, NULL, NULL), 0);
    vt_check_contents(buf, "abc", 3);
    evbuffer_free(buf);
}
END_TEST

START_TEST(reference_moves_with_data)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
    struct ref r;
    char out[16];

    add_ref(a, &r, "moving-bytes");
    ck_assert_int_eq(evbuffer_add_buffer(b, a), 0);
    ck_assert_int_eq(r.calls, 0);
    evbuffer_free(a);
    ck_assert_int_eq(r.calls, 0);
    vt_check_contents(b, "moving-bytes", 12);
    /* Part of it to a third buffer (the bytes are copied), then the
     * rest drained: released once, at the end. */
    a = evbuffer_new();
    ck_assert_int_eq(evbuffer_remove_buffer(b, a, 4), 4);
    vt_check_contents(a, "movi", 4);
    ck_assert_int_eq(r.calls, 0);
    ck_assert_int_eq(evbuffer_remove(b, out, sizeof(out)), 8);
    ck_assert_mem_eq(out, "ng-bytes", 8);
    ck_assert_int_eq(r.calls, 1);
    evbuffer_free(a);
    evbuffer_free(b);
    ck_assert_int_eq(r.calls, 1);
}
END_TEST

START_TEST(reference_pulled_up)
{
    struct evbuffer *buf = evbuffer_new();
    struct ref r;
    unsigned char *p;

    evbuffer_add(buf, "pre-", 4);
    add_ref(buf, &r, "ref");
    evbuffer_add(buf, "-post", 5);
    p = evbuffer_pullup(buf, -1);
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, "pre-ref-post", 12);
    evbuffer_free(buf);
    ck_assert_int_eq(r.calls, 1);
}
END_TEST

START_TEST(reference_prepend_and_prepend_buffer)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
    struct ref r;

    add_ref(a, &r, "body");
    ck_assert_int_eq(evbuffer_prepend(a, "[", 1), 0);
    evbuffer_add(b, "<<", 2);
    ck_assert_int_eq(evbuffer_prepend_buffer(a, b), 0);
    vt_check_contents(a, "<<[body", 7);
    evbuffer_free(b);
    evbuffer_free(a);
    ck_assert_int_eq(r.calls, 1);
}
END_TEST

START_TEST(many_references)
{
    struct evbuffer *buf = evbuffer_new();
    static struct ref refs[500];
    static char texts[500][8];
    char *want = malloc(500 * 8);
    size_t len = 0;
    int i;

    for (i = 0; i < 500; i++) {
        int n = snprintf(texts[i], sizeof(texts[i]), "%d,", i);

        add_ref(buf, &refs[i], texts[i]);
        memcpy(want + len, texts[i], (size_t)n);
        len += (size_t)n;
    }
    vt_check_contents(buf, want, len);
    ck_assert_int_eq(evbuffer_drain(buf, 1000), 0);
    for (i = 0; i < 500; i++) {
        size_t end = 0;
        int j;

        for (j = 0; j <= i; j++)
            end += strlen(texts[j]);
        ck_assert_int_eq(refs[i].calls, end <= 1000 ? 1 : 0);
    }
    evbuffer_free(buf);
    for (i = 0; i < 500; i++)
        ck_assert_int_eq(refs[i].calls, 1);
    free(want);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Buffer references.                                                  */

START_TEST(buffer_reference_copies_view)
{
    struct evbuffer *src = evbuffer_new(), *view = evbuffer_new();
    unsigned char big[20000];
    unsigned char *want = malloc(sizeof(big) + 6);
    size_t i;

    for (i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)(i * 13);
    evbuffer_add(src, "12345", 5);
    evbuffer_add(src, big, sizeof(big));
    ck_assert_int_eq(evbuffer_add_buffer_reference(view, src), 0);
    memcpy(want, "12345", 5);
    memcpy(want + 5, big, sizeof(big));
    vt_check_contents(view, want, sizeof(big) + 5);
    vt_check_contents(src, want, sizeof(big) + 5);
    /* Changes to the source leave the view as it was. */
    evbuffer_add(src, "678", 3);
    ck_assert_int_eq(evbuffer_drain(src, 3), 0);
    ck_assert_int_eq(evbuffer_prepend(src, "ABC", 3), 0);
    vt_check_contents(view, want, sizeof(big) + 5);
    evbuffer_free(src);
    vt_check_contents(view, want, sizeof(big) + 5);
    /* And the view is a buffer like any other. */
    ck_assert_int_eq(evbuffer_drain(view, 2), 0);
    evbuffer_add(view, "!", 1);
    ck_assert_int_eq(evbuffer_prepend(view, "?", 1), 0);
    want[1] = '?';
    want[sizeof(big) + 5] = '!';
    vt_check_contents(view, want + 1, sizeof(big) + 5);
    evbuffer_free(view);
    free(want);
}
END_TEST

START_TEST(buffer_reference_of_reference)
{
    struct evbuffer *src = evbuffer_new(), *view = evbuffer_new();
    struct ref r;

    add_ref(src, &r, "lent");
    ck_assert_int_eq(evbuffer_add_buffer_reference(view, src), 0);
    vt_check_contents(view, "lent", 4);
    evbuffer_free(src);
    ck_assert_int_eq(r.calls, 0);
    vt_check_contents(view, "lent", 4);
    evbuffer_free(view);
    ck_assert_int_eq(r.calls, 1);
}
END_TEST

START_TEST(buffer_reference_limits)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new(),
                    *c = evbuffer_new();

    evbuffer_add(a, "data", 4);
    ck_assert_int_eq(evbuffer_add_buffer_reference(b, a), 0);
    /* A buffer holding views cannot be referenced again. */
    ck_assert_int_eq(evbuffer_add_buffer_reference(c, b), -1);
    ck_assert_uint_eq(evbuffer_get_length(c), 0);
    /* An empty source is fine; the same buffer is not. */
    ck_assert_int_eq(evbuffer_add_buffer_reference(a, c), 0);
    ck_assert_int_eq(evbuffer_add_buffer_reference(a, a), -1);
    /* The source stays appendable. */
    evbuffer_add(a, "more", 4);
    vt_check_contents(a, "datamore", 8);
    vt_check_contents(b, "data", 4);
    evbuffer_free(a);
    evbuffer_free(b);
    evbuffer_free(c);
}
END_TEST

START_TEST(buffer_reference_twice)
{
    struct evbuffer *src = evbuffer_new(), *v1 = evbuffer_new(),
                    *v2 = evbuffer_new();

    evbuffer_add(src, "shared", 6);
    ck_assert_int_eq(evbuffer_add_buffer_reference(v1, src), 0);
    ck_assert_int_eq(evbuffer_add_buffer_reference(v2, src), 0);
    ck_assert_int_eq(evbuffer_add_buffer_reference(v2, src), 0);
    evbuffer_free(src);
    vt_check_contents(v1, "shared", 6);
    vt_check_contents(v2, "sharedshared", 12);
    ck_assert_int_eq(evbuffer_drain(v2, 8), 0);
    vt_check_contents(v2, "ared", 4);
    evbuffer_free(v1);
    vt_check_contents(v2, "ared", 4);
    evbuffer_free(v2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* File segments.                                                      */

/* A temporary file holding len bytes of a pattern; returns its fd. */
static int
temp_file(unsigned char *content, size_t len)
{
    char path[] = "/tmp/vigil-buffer-ref-XXXXXX";
    int fd = mkstemp(path);
    uint32_t x = 2463534242u;
    size_t i;

    ck_assert_int_ge(fd, 0);
    unlink(path);
    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        content[i] = (unsigned char)('A' + x % 26);
    }
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    return fd;
}

static int
fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

struct seg_note {
    int calls;
    int flags;
    int fd;
    int fd_open_in_cb;
};

static void
seg_cleanup(struct evbuffer_file_segment const *seg, int flags, void *arg)
{
    struct seg_note *n = arg;

    ck_assert_ptr_nonnull(seg);
    n->calls++;
    n->flags = flags;
    n->fd_open_in_cb = fd_is_open(n->fd);
}

START_TEST(add_file_whole_and_part)
{
    static unsigned char content[100000];
    struct evbuffer *buf = evbuffer_new();
    int fd = temp_file(content, sizeof(content));
    int fd2 = dup(fd);

    ck_assert_int_eq(evbuffer_add_file(buf, fd, 0, -1), 0);
    vt_check_contents(buf, content, sizeof(content));
    ck_assert_int_eq(evbuffer_add_file(buf, fd2, 1000, 50), 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), sizeof(content) + 50);
    ck_assert_int_eq(evbuffer_drain(buf, sizeof(content)), 0);
    vt_check_contents(buf, content + 1000, 50);
    evbuffer_free(buf);
    /* The buffer owned both descriptors. */
    ck_assert_int_eq(fd_is_open(fd), 0);
    ck_assert_int_eq(fd_is_open(fd2), 0);
}
END_TEST

START_TEST(add_file_bad_fd)
{
    struct evbuffer *buf = evbuffer_new();
    char path[] = "/tmp/vigil-buffer-ref-XXXXXX";
    int fd = mkstemp(path);

    unlink(path);
    close(fd);
    ck_assert_int_eq(evbuffer_add_file(buf, fd, 0, -1), -1);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    evbuffer_free(buf);
}
END_TEST

START_TEST(segment_flags)
{
    static unsigned char content[20000];
    static const unsigned flag_sets[] = {
        0,
        EVBUF_FS_DISABLE_MMAP,
        EVBUF_FS_DISABLE_SENDFILE,
        EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_SENDFILE,
        EVBUF_FS_DISABLE_LOCKING,
        EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_SENDFILE |
            EVBUF_FS_DISABLE_LOCKING,
    };
    unsigned flags = flag_sets[_i];
    int fd = temp_file(content, sizeof(content));
    struct evbuffer_file_segment *seg;
    struct evbuffer *buf = evbuffer_new();
    struct seg_note note = {0, 0, fd, 0};

    /* Bytes 100..10099 of the file. */
    seg = evbuffer_file_segment_new(fd, 100, 10000, flags);
    ck_assert_ptr_nonnull(seg);
    evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, &note);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 0, -1), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 20, 50), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 9990, -1), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 10000, -1), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 3, 0), 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 10000 + 50 + 10);
    {
        unsigned char *want = malloc(10060);

        memcpy(want, content + 100, 10000);
        memcpy(want + 10000, content + 120, 50);
        memcpy(want + 10050, content + 10090, 10);
        vt_check_contents(buf, want, 10060);
        free(want);
    }
    /* The segment lives on while the buffer uses it. */
    evbuffer_file_segment_free(seg);
    ck_assert_int_eq(note.calls, 0);
    ck_assert_int_eq(evbuffer_drain(buf, 10010), 0);
    ck_assert_int_eq(note.calls, 0);
    {
        unsigned char want[50];

        memcpy(want, content + 130, 40);
        memcpy(want + 40, content + 10090, 10);
        vt_check_contents(buf, want, 50);
    }
    evbuffer_free(buf);
    ck_assert_int_eq(note.calls, 1);
    ck_assert_int_eq(note.flags, (int)flags);
    /* Without EVBUF_FS_CLOSE_ON_FREE the descriptor stays open. */
    ck_assert_int_eq(note.fd_open_in_cb, 1);
    ck_assert_int_eq(fd_is_open(fd), 1);
    close(fd);
}
END_TEST

START_TEST(segment_close_on_free)
{
    static unsigned char content[5000];
    int fd = temp_file(content, sizeof(content));
    struct evbuffer_file_segment *seg;
    struct evbuffer *buf = evbuffer_new();
    struct seg_note note = {0, 0, fd, 0};

    seg = evbuffer_file_segment_new(fd, 0, -1, EVBUF_FS_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(seg);
    evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, &note);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 4000, -1), 0);
    evbuffer_file_segment_free(seg);
    ck_assert_int_eq(fd_is_open(fd), 1);
    vt_check_contents(buf, content + 4000, 1000);
    ck_assert_int_eq(evbuffer_drain(buf, 1000), 0);
    ck_assert_int_eq(note.calls, 1);
    ck_assert_int_eq(note.flags, EVBUF_FS_CLOSE_ON_FREE);
    /* Closed first, then the cleanup runs (as libevent does). */
    ck_assert_int_eq(note.fd_open_in_cb, 0);
    ck_assert_int_eq(fd_is_open(fd), 0);
    evbuffer_free(buf);
}
END_TEST

START_TEST(segment_unused_free)
{
    static unsigned char content[100];
    int fd = temp_file(content, sizeof(content));
    struct seg_note note = {0, 0, fd, 0};
    struct evbuffer_file_segment *seg =
        evbuffer_file_segment_new(fd, 10, 20, EVBUF_FS_CLOSE_ON_FREE);

    ck_assert_ptr_nonnull(seg);
    evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, &note);
    evbuffer_file_segment_free(seg);
    ck_assert_int_eq(note.calls, 1);
    ck_assert_int_eq(fd_is_open(fd), 0);
}
END_TEST

START_TEST(segment_bad_arguments)
{
    static unsigned char content[100];
    int fd = temp_file(content, sizeof(content));
    struct evbuffer_file_segment *seg;
    struct evbuffer *buf = evbuffer_new();

    ck_assert_ptr_null(evbuffer_file_segment_new(fd, -1, 5, 0));
    ck_assert_ptr_null(evbuffer_file_segment_new(fd, 0, -2, 0));
    seg = evbuffer_file_segment_new(fd, 10, 50, 0);
    ck_assert_ptr_nonnull(seg);
#ifndef VIGIL_ORACLE
    /* libevent accepts offsets and lengths outside the segment (and
     * later reads or sends bytes that are not in it); Vigil refuses. */
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, -1, 1), -1);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 51, -1), -1);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 40, 11), -1);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 0, -2), -1);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    /* And segments past the end of the file, or of no file. */
    ck_assert_ptr_null(evbuffer_file_segment_new(fd, 90, 20, 0));
    ck_assert_ptr_null(evbuffer_file_segment_new(fd, 200, -1, 0));
    ck_assert_ptr_null(evbuffer_file_segment_new(-1, 0, 5, 0));
#endif
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 40, 10), 0);
    vt_check_contents(buf, content + 50, 10);
    evbuffer_file_segment_free(seg);
    evbuffer_free(buf);
    close(fd);
}
END_TEST

START_TEST(segment_in_two_buffers)
{
    static unsigned char content[8192];
    int fd = temp_file(content, sizeof(content));
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
    struct seg_note note = {0, 0, fd, 0};
    struct evbuffer_file_segment *seg =
        evbuffer_file_segment_new(fd, 0, -1, EVBUF_FS_DISABLE_SENDFILE);

    ck_assert_ptr_nonnull(seg);
    evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, &note);
    ck_assert_int_eq(evbuffer_add_file_segment(a, seg, 0, 4096), 0);
    ck_assert_int_eq(evbuffer_add_file_segment(b, seg, 4096, 4096), 0);
    evbuffer_file_segment_free(seg);
    vt_check_contents(a, content, 4096);
    vt_check_contents(b, content + 4096, 4096);
    evbuffer_free(a);
    ck_assert_int_eq(note.calls, 0);
    ck_assert_int_eq(evbuffer_add_buffer(a = evbuffer_new(), b), 0);
    evbuffer_free(b);
    ck_assert_int_eq(note.calls, 0);
    vt_check_contents(a, content + 4096, 4096);
    evbuffer_free(a);
    ck_assert_int_eq(note.calls, 1);
    close(fd);
}
END_TEST

START_TEST(file_bytes_can_be_searched_and_read)
{
    static unsigned char content[30000];
    int fd = temp_file(content, sizeof(content));
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_file_segment *seg =
        evbuffer_file_segment_new(fd, 0, -1, EVBUF_FS_DISABLE_SENDFILE);
    struct evbuffer_ptr p;
    unsigned char out[64];

    ck_assert_ptr_nonnull(seg);
    evbuffer_add(buf, "start:", 6);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, seg, 0, -1), 0);
    evbuffer_add(buf, ":end", 4);
    p = evbuffer_search(buf, (const char *)content + 20000, 20, NULL);
    ck_assert_int_eq(p.pos, 20006);
    ck_assert_int_eq(evbuffer_copyout_from(buf, &p, out, 20), 20);
    ck_assert_mem_eq(out, content + 20000, 20);
    ck_assert_int_eq(evbuffer_remove(buf, out, 10), 10);
    ck_assert_mem_eq(out, "start:", 6);
    ck_assert_mem_eq(out + 6, content, 4);
    ck_assert_ptr_nonnull(evbuffer_pullup(buf, 100));
    evbuffer_file_segment_free(seg);
    evbuffer_free(buf);
    close(fd);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("buffer_ref");
    TCase *tc = vt_tcase("buffer_ref", 30);

    tcase_add_test(tc, reference_cleanup_when_drained);
    tcase_add_test(tc, reference_cleanup_when_freed);
    tcase_add_test(tc, reference_without_cleanup);
    tcase_add_test(tc, reference_moves_with_data);
    tcase_add_test(tc, reference_pulled_up);
    tcase_add_test(tc, reference_prepend_and_prepend_buffer);
    tcase_add_test(tc, many_references);
    tcase_add_test(tc, buffer_reference_copies_view);
    tcase_add_test(tc, buffer_reference_of_reference);
    tcase_add_test(tc, buffer_reference_limits);
    tcase_add_test(tc, buffer_reference_twice);
    tcase_add_test(tc, add_file_whole_and_part);
    tcase_add_test(tc, add_file_bad_fd);
    tcase_add_loop_test(tc, segment_flags, 0, 6);
    tcase_add_test(tc, segment_close_on_free);
    tcase_add_test(tc, segment_unused_free);
    tcase_add_test(tc, segment_bad_arguments);
    tcase_add_test(tc, segment_in_two_buffers);
    tcase_add_test(tc, file_bytes_can_be_searched_and_read);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
