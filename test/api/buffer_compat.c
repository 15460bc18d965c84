/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_compat.c: the libevent 1.x evbuffer calls of
 * event2/buffer_compat.h: evbuffer_readline, evbuffer_setcb,
 * evbuffer_find, EVBUFFER_LENGTH and EVBUFFER_DATA.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>

#include <stdlib.h>
#include <string.h>

#include "vtest.h"

START_TEST(readline_any_eol)
{
    struct evbuffer *buf = evbuffer_new();
    char *line;

    ck_assert_ptr_null(evbuffer_readline(buf));
    evbuffer_add(buf, "first\r\nsecond\n\nthird\rlast", 25);
    line = evbuffer_readline(buf);
    ck_assert_str_eq(line, "first");
    free(line);
    line = evbuffer_readline(buf);
    ck_assert_str_eq(line, "second");
    free(line);
    line = evbuffer_readline(buf);
    ck_assert_str_eq(line, "third");
    free(line);
    ck_assert_ptr_null(evbuffer_readline(buf));
    ck_assert_uint_eq(EVBUFFER_LENGTH(buf), 4);
    evbuffer_free(buf);
}
END_TEST

START_TEST(length_and_data)
{
    struct evbuffer *buf = evbuffer_new();

    ck_assert_uint_eq(EVBUFFER_LENGTH(buf), 0);
    ck_assert_ptr_null(EVBUFFER_DATA(buf));
    evbuffer_add(buf, "abc", 3);
    evbuffer_add_reference(buf, "def", 3, NULL, NULL);
    evbuffer_add(buf, "ghi", 3);
    ck_assert_uint_eq(EVBUFFER_LENGTH(buf), 9);
    ck_assert_mem_eq(EVBUFFER_DATA(buf), "abcdefghi", 9);
    evbuffer_drain(buf, 4);
    ck_assert_mem_eq(EVBUFFER_DATA(buf), "efghi", 5);
    evbuffer_free(buf);
}
END_TEST

START_TEST(find_bytes)
{
    struct evbuffer *buf = evbuffer_new();
    unsigned char *p;

    ck_assert_ptr_null(evbuffer_find(buf, (const unsigned char *)"a", 1));
    evbuffer_add_reference(buf, "abc", 3, NULL, NULL);
    evbuffer_add_reference(buf, "def", 3, NULL, NULL);
    p = evbuffer_find(buf, (const unsigned char *)"cde", 3);
    ck_assert_ptr_nonnull(p);
    ck_assert_mem_eq(p, "cde", 3);
    ck_assert_mem_eq(EVBUFFER_DATA(buf), "abcdef", 6);
    ck_assert_ptr_null(evbuffer_find(buf, (const unsigned char *)"fg", 2));
    /* The empty string: pulling up nothing gives nothing. */
    ck_assert_ptr_null(evbuffer_find(buf, (const unsigned char *)"", 0));
    ck_assert_uint_eq(EVBUFFER_LENGTH(buf), 6);
    evbuffer_free(buf);
}
END_TEST

static int old_calls;
static size_t old_old, old_new;

static void
old_cb(struct evbuffer *buf, size_t old_len, size_t new_len, void *arg)
{
    ck_assert_ptr_eq(arg, (void *)&old_calls);
    ck_assert_uint_eq(EVBUFFER_LENGTH(buf), new_len);
    old_calls++;
    old_old = old_len;
    old_new = new_len;
}

START_TEST(setcb_old_style)
{
    struct evbuffer *buf = evbuffer_new();

    ck_assert_int_eq(evbuffer_setcb(buf, old_cb, &old_calls), 0);
    evbuffer_add(buf, "12345", 5);
    ck_assert_int_eq(old_calls, 1);
    ck_assert_uint_eq(old_old, 0);
    ck_assert_uint_eq(old_new, 5);
    free(evbuffer_readline(buf));
    ck_assert_int_eq(old_calls, 1);
    evbuffer_add(buf, "\n", 1);
    free(evbuffer_readline(buf));
    ck_assert_int_ge(old_calls, 3);
    ck_assert_uint_eq(old_new, 0);
    ck_assert_int_eq(evbuffer_setcb(buf, NULL, NULL), 0);
    evbuffer_add(buf, "x", 1);
    ck_assert_uint_eq(old_new, 0);
    evbuffer_free(buf);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("buffer_compat");
    TCase *tc = vt_tcase("buffer_compat", 30);

    tcase_add_test(tc, readline_any_eol);
    tcase_add_test(tc, length_and_data);
    tcase_add_test(tc, find_bytes);
    tcase_add_test(tc, setcb_old_style);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
