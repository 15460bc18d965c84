/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_headers.c: header lists (struct evkeyvalq) through
 * evhttp_add_header, evhttp_find_header, evhttp_remove_header and
 * evhttp_clear_headers: order, duplicates, case-insensitive names, CR and
 * LF refused in names and values (response splitting), copies, long
 * values and long lists, and entries a program frees itself.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

/* The keys of a list, joined with '|'. */
static void
keys_of(const struct evkeyvalq *h, char *buf, size_t cap)
{
    const struct evkeyval *kv;
    size_t o = 0;

    buf[0] = '\0';
    TAILQ_FOREACH(kv, h, next)
    {
        o += (size_t)snprintf(buf + o, cap - o, "%s|", kv->key);
    }
}

START_TEST(add_keeps_order_and_duplicates)
{
    struct evkeyvalq h;
    char buf[128];

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(&h, "Host", "example.com"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "Accept", "*/*"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "Set-Cookie", "a=1"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "set-cookie", "b=2"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "X-Empty", ""), 0);
    keys_of(&h, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Host|Accept|Set-Cookie|set-cookie|X-Empty|");
    ck_assert_str_eq(TAILQ_LAST(&h, evkeyvalq)->value, "");
    evhttp_clear_headers(&h);
}
END_TEST

START_TEST(find_is_case_insensitive_and_first)
{
    struct evkeyvalq h;

    TAILQ_INIT(&h);
    ck_assert_ptr_null(evhttp_find_header(&h, "Host"));
    ck_assert_int_eq(evhttp_add_header(&h, "Content-Type", "text/html"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "CONTENT-type", "text/plain"), 0);
    ck_assert_str_eq(evhttp_find_header(&h, "content-type"), "text/html");
    ck_assert_str_eq(evhttp_find_header(&h, "CONTENT-TYPE"), "text/html");
    ck_assert_str_eq(evhttp_find_header(&h, "Content-Type"), "text/html");
    ck_assert_ptr_null(evhttp_find_header(&h, "Content-Typ"));
    ck_assert_ptr_null(evhttp_find_header(&h, "Content-Type2"));
    ck_assert_ptr_null(evhttp_find_header(&h, ""));
    /* The value returned belongs to the list. */
    ck_assert_ptr_eq(evhttp_find_header(&h, "content-type"),
                     TAILQ_FIRST(&h)->value);
    evhttp_clear_headers(&h);
}
END_TEST

START_TEST(remove_takes_the_first_match)
{
    struct evkeyvalq h;
    char buf[128];

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(&h, "A", "1"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "B", "2"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "a", "3"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "C", "4"), 0);
    ck_assert_int_eq(evhttp_remove_header(&h, "zz"), -1);
    ck_assert_int_eq(evhttp_remove_header(&h, "a"), 0);
    keys_of(&h, buf, sizeof(buf));
    ck_assert_str_eq(buf, "B|a|C|");
    ck_assert_str_eq(evhttp_find_header(&h, "A"), "3");
    ck_assert_int_eq(evhttp_remove_header(&h, "A"), 0);
    ck_assert_ptr_null(evhttp_find_header(&h, "a"));
    ck_assert_int_eq(evhttp_remove_header(&h, "a"), -1);
    /* Removing the last entry keeps the tail right for the next add. */
    ck_assert_int_eq(evhttp_remove_header(&h, "c"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "D", "5"), 0);
    keys_of(&h, buf, sizeof(buf));
    ck_assert_str_eq(buf, "B|D|");
    ck_assert_int_eq(evhttp_remove_header(&h, "B"), 0);
    ck_assert_int_eq(evhttp_remove_header(&h, "D"), 0);
    ck_assert_ptr_null(TAILQ_FIRST(&h));
    ck_assert_int_eq(evhttp_remove_header(&h, "D"), -1);
    ck_assert_int_eq(evhttp_add_header(&h, "E", "6"), 0);
    ck_assert_str_eq(evhttp_find_header(&h, "e"), "6");
    evhttp_clear_headers(&h);
}
END_TEST

START_TEST(add_refuses_cr_and_lf)
{
    static const char *const bad_values[] = {
        "x\r\n y", /* a folded line */
        "x\n\ty",  /* folded with a bare LF */
        "x\r\ny",  /* a new header line */
        "x\ry",    /* a bare CR */
        "x\r y",   "x\r\n\r\n y", "x\r\n", "x\n", "\r\n v",
        "x\n\n y", "x\r\r y",     "\r",    "\n",  "ok\r\nSet-Cookie: evil=1",
    };
    static const char *const bad_keys[] = {
        "J\r", "K\n", "\r\nX", "X-A\r\nX-B", "\n",
    };
    struct evkeyvalq h;
    char buf[64];

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(&h, "First", "1"), 0);
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++)
        ck_assert_msg(evhttp_add_header(&h, "X", bad_values[i]) == -1,
                      "value %zu accepted", i);
    for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++)
        ck_assert_msg(evhttp_add_header(&h, bad_keys[i], "v") == -1,
                      "key %zu accepted", i);
    /* Nothing was added. */
    keys_of(&h, buf, sizeof(buf));
    ck_assert_str_eq(buf, "First|");
    /* Other odd characters are the caller's business, as in libevent. */
    ck_assert_int_eq(evhttp_add_header(&h, "", ""), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "A:", "v"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "A B", "\t lead"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "U", "caf\xc3\xa9"), 0);
    ck_assert_str_eq(evhttp_find_header(&h, ""), "");
    evhttp_clear_headers(&h);
}
END_TEST

START_TEST(add_copies_its_arguments)
{
    struct evkeyvalq h;
    char key[] = "X-Key";
    char value[] = "value";

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(&h, key, value), 0);
    key[0] = 'Y';
    value[0] = 'V';
    ck_assert_str_eq(evhttp_find_header(&h, "x-key"), "value");
    ck_assert_ptr_ne(TAILQ_FIRST(&h)->key, key);
    ck_assert_ptr_ne(TAILQ_FIRST(&h)->value, value);
    evhttp_clear_headers(&h);
}
END_TEST

START_TEST(clear_empties_and_list_stays_usable)
{
    struct evkeyvalq h;

    TAILQ_INIT(&h);
    evhttp_clear_headers(&h);
    ck_assert_ptr_null(TAILQ_FIRST(&h));
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(evhttp_add_header(&h, "A", "1"), 0);
        ck_assert_int_eq(evhttp_add_header(&h, "B", "2"), 0);
        evhttp_clear_headers(&h);
        ck_assert_ptr_null(TAILQ_FIRST(&h));
        ck_assert_ptr_eq(h.tqh_last, &h.tqh_first);
        ck_assert_ptr_null(evhttp_find_header(&h, "A"));
    }
}
END_TEST

START_TEST(entries_can_be_freed_by_the_program)
{
    /* Programs written for libevent sometimes take an entry off the list
     * and free its parts with free(): key, value and entry are separate
     * allocations. */
    struct evkeyvalq h;
    struct evkeyval *kv;

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(&h, "A", "1"), 0);
    ck_assert_int_eq(evhttp_add_header(&h, "B", "2"), 0);
    kv = TAILQ_FIRST(&h);
    TAILQ_REMOVE(&h, kv, next);
    free(kv->key);
    free(kv->value);
    free(kv);
    ck_assert_str_eq(evhttp_find_header(&h, "b"), "2");
    /* And a value may be replaced with one from malloc(). */
    kv = TAILQ_FIRST(&h);
    free(kv->value);
    kv->value = strdup("3");
    ck_assert_str_eq(evhttp_find_header(&h, "B"), "3");
    evhttp_clear_headers(&h);
}
END_TEST

START_TEST(long_values_and_lists)
{
    struct evkeyvalq h;
    size_t n = 65536;
    char *big = malloc(n + 1);
    char key[32];

    ck_assert_ptr_nonnull(big);
    memset(big, 'v', n);
    big[n] = '\0';
    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(&h, "Big", big), 0);
    ck_assert_uint_eq(strlen(evhttp_find_header(&h, "big")), n);
    /* A CR at the very end of a long value is still seen. */
    big[n - 1] = '\r';
    ck_assert_int_eq(evhttp_add_header(&h, "Big2", big), -1);
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "X-%d", i);
        ck_assert_int_eq(evhttp_add_header(&h, key, key + 2), 0);
    }
    ck_assert_str_eq(evhttp_find_header(&h, "x-9999"), "9999");
    ck_assert_str_eq(evhttp_find_header(&h, "X-0"), "0");
    ck_assert_int_eq(evhttp_remove_header(&h, "x-5000"), 0);
    ck_assert_ptr_null(evhttp_find_header(&h, "X-5000"));
    evhttp_clear_headers(&h);
    free(big);
}
END_TEST

START_TEST(query_values_are_checked_when_added)
{
    /* A decoded query value may hold CR LF; adding it as a header is
     * refused. */
    struct evkeyvalq q, h;
    const char *v;

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_parse_query_str("next=%0D%0ALocation:x", &q), 0);
    v = evhttp_find_header(&q, "next");
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(evhttp_add_header(&h, "Location", v), -1);
    ck_assert_ptr_null(TAILQ_FIRST(&h));
    evhttp_clear_headers(&q);
}
END_TEST

#ifndef VIGIL_ORACLE
START_TEST(null_arguments)
{
    /* libevent 2.1.12 crashes on these; Vigil refuses them. */
    struct evkeyvalq h;

    TAILQ_INIT(&h);
    ck_assert_int_eq(evhttp_add_header(NULL, "a", "b"), -1);
    ck_assert_int_eq(evhttp_add_header(&h, NULL, "b"), -1);
    ck_assert_int_eq(evhttp_add_header(&h, "a", NULL), -1);
    ck_assert_ptr_null(TAILQ_FIRST(&h));
    ck_assert_ptr_null(evhttp_find_header(NULL, "a"));
    ck_assert_ptr_null(evhttp_find_header(&h, NULL));
    ck_assert_int_eq(evhttp_remove_header(NULL, "a"), -1);
    ck_assert_int_eq(evhttp_remove_header(&h, NULL), -1);
    evhttp_clear_headers(NULL);
}
END_TEST
#endif

int
main(void)
{
    Suite *s = suite_create("http_headers");
    TCase *tc;

    tc = vt_tcase("headers", 30);
    tcase_add_test(tc, add_keeps_order_and_duplicates);
    tcase_add_test(tc, find_is_case_insensitive_and_first);
    tcase_add_test(tc, remove_takes_the_first_match);
    tcase_add_test(tc, add_refuses_cr_and_lf);
    tcase_add_test(tc, add_copies_its_arguments);
    tcase_add_test(tc, clear_empties_and_list_stays_usable);
    tcase_add_test(tc, entries_can_be_freed_by_the_program);
    tcase_add_test(tc, long_values_and_lists);
    tcase_add_test(tc, query_values_are_checked_when_added);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, null_arguments);
#endif
    suite_add_tcase(s, tc);

    return vt_run(s);
}
