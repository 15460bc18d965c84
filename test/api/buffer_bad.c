/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_bad.c: bad input to evbuffers.  Sizes that would overflow (the
 * kind of bug CVE-2014-6272 was), huge requests that must fail without
 * allocating, positions outside the buffer, stale positions, and NULL
 * arguments.  Where libevent 2.1.12 misbehaves (it wraps its length, reads
 * freed memory or crashes) the assertion is Vigil's only and says so.
 */
#include <event2/buffer.h>
#include <event2/event.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vtest.h"

START_TEST(overflowing_sizes_fail)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_iovec v[2];
    char c = 'x';

    evbuffer_add(buf, "1234", 4);
    ck_assert_int_eq(evbuffer_add(buf, &c, SIZE_MAX), -1);
    ck_assert_int_eq(evbuffer_add(buf, &c, SIZE_MAX - 2), -1);
    ck_assert_int_eq(evbuffer_prepend(buf, &c, SIZE_MAX), -1);
    ck_assert_int_eq(evbuffer_expand(buf, SIZE_MAX), -1);
    ck_assert_int_eq(evbuffer_expand(buf, SIZE_MAX - 100), -1);
    ck_assert_ptr_null(evbuffer_pullup(buf, EV_SSIZE_MAX));
#ifndef VIGIL_ORACLE
    /* Sizes that do not overflow but no allocator could give: Vigil
     * refuses them without asking (libevent asks malloc for 4 EiB, which
     * a sanitizer's allocator treats as fatal). */
    ck_assert_int_eq(evbuffer_expand(buf, (size_t)1 << 62), -1);
    ck_assert_int_eq(evbuffer_expand(buf, (size_t)1 << 41), -1);
    ck_assert_int_eq(evbuffer_reserve_space(buf, (ev_ssize_t)1 << 62, v, 2),
                     -1);
    ck_assert_int_eq(evbuffer_reserve_space(buf, EV_SSIZE_MAX, v, 1), -1);
    ck_assert_int_eq(evbuffer_add(buf, &c, (size_t)1 << 62), -1);
#endif
    ck_assert_uint_eq(evbuffer_get_length(buf), 4);
    /* Still a working buffer. */
    ck_assert_int_eq(evbuffer_add(buf, "5", 1), 0);
    ck_assert_mem_eq(evbuffer_pullup(buf, -1), "12345", 5);
    evbuffer_free(buf);
}
END_TEST

static int cleanups;

static void
count_cleanup(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    (void)arg;
    cleanups++;
}

#ifndef VIGIL_ORACLE
/* libevent accepts a reference of any length, and its total wraps. */
START_TEST(huge_reference_refused)
{
    struct evbuffer *buf = evbuffer_new();
    char c = 'x';

    evbuffer_add(buf, "1234", 4);
    cleanups = 0;
    ck_assert_int_eq(
        evbuffer_add_reference(buf, &c, SIZE_MAX, count_cleanup, NULL), -1);
    ck_assert_int_eq(
        evbuffer_add_reference(buf, &c, SIZE_MAX - 2, count_cleanup, NULL), -1);
    ck_assert_int_eq(evbuffer_add_reference(buf, &c, (size_t)EV_SSIZE_MAX,
                                            count_cleanup, NULL),
                     -1);
    /* Refused: the memory stays the caller's, no cleanup. */
    ck_assert_int_eq(cleanups, 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 4);
    evbuffer_free(buf);
}
END_TEST

/* libevent adds the vectors before the one that overflows. */
START_TEST(overflowing_iovec_adds_nothing)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_iovec v[2];
    char a[] = "ab";

    v[0].iov_base = a;
    v[0].iov_len = 2;
    v[1].iov_base = a;
    v[1].iov_len = SIZE_MAX;
    ck_assert_uint_eq(evbuffer_add_iovec(buf, v, 2), 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    ck_assert_uint_eq(evbuffer_add_iovec(buf, v, -1), 0);
    evbuffer_free(buf);
}
END_TEST
#endif

START_TEST(zero_length_reference)
{
    struct evbuffer *buf = evbuffer_new();

    cleanups = 0;
    ck_assert_int_eq(evbuffer_add_reference(buf, "x", 0, count_cleanup, NULL),
                     0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    evbuffer_free(buf);
    ck_assert_int_eq(cleanups, 1);
}
END_TEST

START_TEST(positions_outside_the_buffer)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_ptr p, s, e;
    struct evbuffer_iovec v[2];
    size_t n;

    evbuffer_add(buf, "hello\n", 6);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 7, EVBUFFER_PTR_SET), -1);
    ck_assert_int_eq(p.pos, -1);
    /* Searches from there find nothing. */
    ck_assert_int_eq(evbuffer_search(buf, "h", 1, &p).pos, -1);
    ck_assert_int_eq(evbuffer_search_eol(buf, &p, &n, EVBUFFER_EOL_LF).pos, -1);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(evbuffer_peek(buf, -1, &p, v, 2), 0);
    /* An end before the start. */
    ck_assert_int_eq(evbuffer_ptr_set(buf, &s, 3, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 1, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search_range(buf, "l", 1, &s, &e).pos, -1);
    e.pos = -1;
    ck_assert_int_eq(evbuffer_search_range(buf, "l", 1, NULL, &e).pos, -1);
    /* At the very end: valid, but nothing follows. */
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 6, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search(buf, "\n", 1, &p).pos, -1);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD), -1);
#ifndef VIGIL_ORACLE
    /* libevent reads through a position of -1 (and crashes); Vigil
     * refuses it.  Likewise an empty needle with the end before the
     * start is not found (libevent finds it at the start). */
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 9, EVBUFFER_PTR_SET), -1);
    ck_assert_int_eq(evbuffer_copyout_from(buf, &p, v, 1), -1);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &s, 3, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 1, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search_range(buf, "", 0, &s, &e).pos, -1);
#endif
    evbuffer_free(buf);
}
END_TEST

#ifndef VIGIL_ORACLE
/* A position kept across a drain: libevent's points at freed memory;
 * Vigil notices and goes by the position's offset. */
START_TEST(stale_positions_are_safe)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_ptr p;
    char out[8];
    int i;

    for (i = 0; i < 100; i++)
        evbuffer_add_reference(buf, "0123456789", 10, NULL, NULL);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 505, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_drain(buf, 600), 0);
    /* Now 400 bytes: offset 505 is outside. */
    ck_assert_int_eq(evbuffer_copyout_from(buf, &p, out, 4), -1);
    ck_assert_int_eq(evbuffer_search(buf, "0", 1, &p).pos, -1);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 5, EVBUFFER_PTR_ADD), -1);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 205, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_drain(buf, 100), 0);
    evbuffer_add(buf, "ABCDEFGHIJ", 10);
    /* Offset 205 of what the buffer holds now. */
    ck_assert_int_eq(evbuffer_copyout_from(buf, &p, out, 4), 4);
    ck_assert_mem_eq(out, "5678", 4);
    ck_assert_int_eq(evbuffer_search(buf, "A", 1, &p).pos, 300);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 3, EVBUFFER_PTR_ADD), 0);
    ck_assert_int_eq(evbuffer_copyout_from(buf, &p, out, 2), 2);
    ck_assert_mem_eq(out, "89", 2);
    /* And across pullup and prepend. */
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 10, EVBUFFER_PTR_SET), 0);
    ck_assert_ptr_nonnull(evbuffer_pullup(buf, 50));
    ck_assert_int_eq(evbuffer_prepend(buf, "xy", 2), 0);
    ck_assert_int_eq(evbuffer_copyout_from(buf, &p, out, 3), 3);
    ck_assert_mem_eq(out, "890", 3);
    evbuffer_free(buf);
}
END_TEST

START_TEST(null_arguments)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_iovec v[1];

    evbuffer_free(NULL);
    ck_assert_int_eq(evbuffer_add(NULL, "x", 1), -1);
    ck_assert_int_eq(evbuffer_add(buf, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_prepend(buf, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_add_reference(buf, NULL, 1, NULL, NULL), -1);
    ck_assert_int_eq(evbuffer_remove(buf, NULL, 1), 0);
    evbuffer_add(buf, "x", 1);
    ck_assert_int_eq(evbuffer_remove(buf, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_copyout(buf, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_drain(NULL, 1), -1);
    ck_assert_uint_eq(evbuffer_get_length(NULL), 0);
    ck_assert_int_eq(evbuffer_add_buffer(buf, NULL), -1);
    ck_assert_int_eq(evbuffer_reserve_space(buf, 10, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_commit_space(buf, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_peek(buf, -1, NULL, NULL, 4), 1);
    ck_assert_uint_eq(evbuffer_add_iovec(buf, NULL, 1), 0);
    /* A NULL callback would be called on the next change; refused. */
    ck_assert_ptr_null(evbuffer_add_cb(buf, NULL, NULL));
    ck_assert_int_eq(evbuffer_remove_cb_entry(buf, NULL), -1);
    ck_assert_int_eq(evbuffer_cb_set_flags(buf, NULL, 1), -1);
    ck_assert_int_eq(evbuffer_defer_callbacks(buf, NULL), -1);
    ck_assert_ptr_null(evbuffer_readln(NULL, NULL, EVBUFFER_EOL_LF));
    ck_assert_int_eq(evbuffer_search(NULL, "x", 1, NULL).pos, -1);
    ck_assert_int_eq(evbuffer_add_file_segment(buf, NULL, 0, -1), -1);
    evbuffer_file_segment_free(NULL);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    (void)v;
    evbuffer_free(buf);
}
END_TEST

/* An entry from another buffer is not this buffer's to remove (libevent
 * removes it from whichever list it is on). */
static void
nop_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    (void)info;
    (void)arg;
}

START_TEST(foreign_callback_entry)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
    struct evbuffer_cb_entry *e = evbuffer_add_cb(a, nop_cb, NULL);

    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(evbuffer_remove_cb_entry(b, e), -1);
    ck_assert_int_eq(evbuffer_remove_cb_entry(a, e), 0);
    ck_assert_int_eq(evbuffer_remove_cb_entry(a, e), -1);
    evbuffer_free(a);
    evbuffer_free(b);
}
END_TEST
#endif

/* Memory functions that refuse and count huge requests. */
static size_t biggest;

static void *
counting_malloc(size_t n)
{
    if (n > biggest)
        biggest = n;
    return n > ((size_t)1 << 30) ? NULL : malloc(n);
}

static void *
counting_realloc(void *p, size_t n)
{
    if (n > biggest)
        biggest = n;
    return n > ((size_t)1 << 30) ? NULL : realloc(p, n);
}

START_TEST(huge_read_request_allocates_little)
{
    struct evbuffer *buf;
    int sv[2];

    event_set_mem_functions(counting_malloc, counting_realloc, free);
    buf = evbuffer_new();
    ck_assert_int_eq(vt_socketpair(sv), 0);
    ck_assert_int_eq(write(sv[0], "tiny", 4), 4);
    biggest = 0;
    ck_assert_int_eq(evbuffer_read(buf, sv[1], INT_MAX), 4);
    ck_assert_uint_lt(biggest, (size_t)256 * 1024);
    ck_assert_mem_eq(evbuffer_pullup(buf, -1), "tiny", 4);
    /* Huge requests fail. */
    ck_assert_int_eq(evbuffer_expand(buf, (size_t)1 << 40), -1);
    ck_assert_int_eq(evbuffer_add(buf, "x", 1), 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 5);
    close(sv[0]);
    close(sv[1]);
    evbuffer_free(buf);
}
END_TEST

START_TEST(commit_more_than_reserved)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_iovec v[2];
    int n;

    evbuffer_add(buf, "abc", 3);
    n = evbuffer_reserve_space(buf, 100, v, 2);
    ck_assert_int_ge(n, 1);
    v[0].iov_len = SIZE_MAX;
    ck_assert_int_eq(evbuffer_commit_space(buf, v, n), -1);
    n = evbuffer_reserve_space(buf, 100, v, 2);
    v[0].iov_base = (char *)v[0].iov_base + 1;
    v[0].iov_len = 1;
    ck_assert_int_eq(evbuffer_commit_space(buf, v, 1), -1);
    ck_assert_uint_eq(evbuffer_get_length(buf), 3);
    evbuffer_free(buf);
}
END_TEST

START_TEST(remove_buffer_huge_length)
{
    struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();

    evbuffer_add(a, "abcdef", 6);
    ck_assert_int_eq(evbuffer_remove_buffer(a, b, SIZE_MAX), 6);
    ck_assert_int_eq(evbuffer_drain(b, SIZE_MAX), 0);
    ck_assert_uint_eq(evbuffer_get_length(b), 0);
    evbuffer_free(a);
    evbuffer_free(b);
}
END_TEST

#ifndef VIGIL_ORACLE
/* A block device has no size a segment can be checked against, but the
 * segment's end must still be a file offset: libevent accepts an offset
 * and length whose sum overflows (and adds them later, for sendfile).
 * Needs a block device the test may open (skipped otherwise). */
START_TEST(segment_end_past_largest_offset)
{
    static const char *const devs[] = {"/dev/loop0", "/dev/loop1", "/dev/vda",
                                       "/dev/sda"};
    struct evbuffer_file_segment *seg;
    struct stat st;
    size_t i;
    int fd = -1;

    for (i = 0; i < sizeof(devs) / sizeof(devs[0]) && fd < 0; i++) {
        fd = open(devs[i], O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode))) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0)
        return; /* no block device here */
    seg = evbuffer_file_segment_new(fd, INT64_MAX - 10, 100, 0);
    ck_assert_ptr_null(seg);
    seg = evbuffer_file_segment_new(fd, INT64_MAX, 1, 0);
    ck_assert_ptr_null(seg);
    seg = evbuffer_file_segment_new(fd, 0, 0, 0);
    ck_assert_ptr_nonnull(seg);
    evbuffer_file_segment_free(seg);
    close(fd);
}
END_TEST
#endif

int
main(void)
{
    Suite *s = suite_create("buffer_bad");
    TCase *tc = vt_tcase("buffer_bad", 30);

    tcase_add_test(tc, overflowing_sizes_fail);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, huge_reference_refused);
    tcase_add_test(tc, overflowing_iovec_adds_nothing);
    tcase_add_test(tc, stale_positions_are_safe);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, foreign_callback_entry);
#endif
    tcase_add_test(tc, zero_length_reference);
    tcase_add_test(tc, positions_outside_the_buffer);
    tcase_add_test(tc, huge_read_request_allocates_little);
    tcase_add_test(tc, commit_more_than_reserved);
    tcase_add_test(tc, remove_buffer_huge_length);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, segment_end_past_largest_offset);
#endif
    suite_add_tcase(s, tc);
    return vt_run(s);
}
