/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_search.c: evbuffer_search, evbuffer_search_range,
 * evbuffer_search_eol and evbuffer_readln with every end-of-line style,
 * including needles and line ends split across chunks.  The buffers are
 * built from reference chunks so that chunk boundaries fall where the test
 * wants them in both libraries; brute-force searches over every split of
 * a text check the results.
 */
#include <event2/buffer.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

/* Adds a string literal without its NUL. */
#define ADD_LIT(buf, lit) \
    ck_assert_int_eq(evbuffer_add((buf), (lit), sizeof(lit) - 1), 0)

/* Builds a buffer holding text, cut into chunks at the given offsets
 * (ascending, ending with 0). */
static struct evbuffer *
split_buffer(const char *text, size_t len, const size_t *cuts)
{
    struct evbuffer *buf = evbuffer_new();
    size_t from = 0;

    ck_assert_ptr_nonnull(buf);
    for (; *cuts != 0 && *cuts < len; cuts++) {
        if (*cuts > from) {
            ck_assert_int_eq(evbuffer_add_reference(buf, text + from,
                                                    *cuts - from, NULL, NULL),
                             0);
            from = *cuts;
        }
    }
    if (len > from)
        ck_assert_int_eq(
            evbuffer_add_reference(buf, text + from, len - from, NULL, NULL),
            0);
    return buf;
}

/* The first occurrence of needle in text[from, end), or -1. */
static ev_ssize_t
naive_find(const char *text, size_t end, const char *needle, size_t nlen,
           size_t from)
{
    size_t i;

    if (nlen == 0)
        return from <= end ? (ev_ssize_t)from : -1;
    for (i = from; i + nlen <= end; i++) {
        if (memcmp(text + i, needle, nlen) == 0)
            return (ev_ssize_t)i;
    }
    return -1;
}

START_TEST(search_simple)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_ptr p, e;

    evbuffer_add(buf, "hello world, hello", 18);
    p = evbuffer_search(buf, "hello", 5, NULL);
    ck_assert_int_eq(p.pos, 0);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD), 0);
    p = evbuffer_search(buf, "hello", 5, &p);
    ck_assert_int_eq(p.pos, 13);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD), 0);
    p = evbuffer_search(buf, "hello", 5, &p);
    ck_assert_int_eq(p.pos, -1);
    p = evbuffer_search(buf, "world", 5, NULL);
    ck_assert_int_eq(p.pos, 6);
    p = evbuffer_search(buf, "xyz", 3, NULL);
    ck_assert_int_eq(p.pos, -1);
    p = evbuffer_search(buf, "o", 1, NULL);
    ck_assert_int_eq(p.pos, 4);
    /* The empty string is where the search starts. */
    p = evbuffer_search(buf, "", 0, NULL);
    ck_assert_int_eq(p.pos, 0);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 18, EVBUFFER_PTR_SET), 0);
    p = evbuffer_search(buf, "", 0, &e);
    ck_assert_int_eq(p.pos, 18);
    p = evbuffer_search(buf, "o", 1, &e);
    ck_assert_int_eq(p.pos, -1);
    evbuffer_free(buf);
}
END_TEST

START_TEST(search_range_limits)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_ptr p, s, e;

    evbuffer_add(buf, "hello", 5);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 4, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search_range(buf, "lo", 2, NULL, &e).pos, -1);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 5, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search_range(buf, "lo", 2, NULL, &e).pos, 3);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 3, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search_range(buf, "l", 1, NULL, &e).pos, 2);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 2, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_search_range(buf, "l", 1, NULL, &e).pos, -1);
    ck_assert_int_eq(evbuffer_search_range(buf, "", 0, NULL, &e).pos, 0);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &s, 1, EVBUFFER_PTR_SET), 0);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &e, 5, EVBUFFER_PTR_SET), 0);
    p = evbuffer_search_range(buf, "h", 1, &s, &e);
    ck_assert_int_eq(p.pos, -1);
    p = evbuffer_search_range(buf, "hello", 5, NULL, NULL);
    ck_assert_int_eq(p.pos, 0);
    p = evbuffer_search_range(buf, "hellox", 6, NULL, NULL);
    ck_assert_int_eq(p.pos, -1);
    evbuffer_free(buf);
}
END_TEST

START_TEST(search_across_chunks)
{
    static const char text[] = "abcabdabcabcabdabeababcabcd";
    static const size_t cuts[] = {2, 5, 6, 7, 11, 12, 20, 25, 0};
    struct evbuffer *buf = split_buffer(text, sizeof(text) - 1, cuts);
    static const char *needles[] = {"abcabd", "abd", "dab",      "cabc",
                                    "abeab",  "bcd", "abcd",     "ab",
                                    "a",      "d",   "ababcabc", "zz"};
    size_t n, from;

    for (n = 0; n < sizeof(needles) / sizeof(needles[0]); n++) {
        const char *nd = needles[n];
        size_t nl = strlen(nd);

        for (from = 0; from <= sizeof(text) - 1; from++) {
            struct evbuffer_ptr s, p;

            ck_assert_int_eq(evbuffer_ptr_set(buf, &s, from, EVBUFFER_PTR_SET),
                             0);
            p = evbuffer_search(buf, nd, nl, &s);
            ck_assert_int_eq(p.pos,
                             naive_find(text, sizeof(text) - 1, nd, nl, from));
        }
    }
    evbuffer_free(buf);
}
END_TEST

START_TEST(search_every_split)
{
    static const char text[] = "xxaxaab\r\naabaab\n\nqaab";
    const size_t len = sizeof(text) - 1;
    static const char *needles[] = {"aab",    "aabaab", "\r\n",
                                    "b\n\nq", "x",      "abq"};
    size_t c1, c2, n;

    /* Two cuts anywhere. */
    for (c1 = 1; c1 < len; c1++) {
        for (c2 = c1 + 1; c2 <= len; c2++) {
            size_t cuts[3] = {c1, c2, 0};
            struct evbuffer *buf = split_buffer(text, len, cuts);

            for (n = 0; n < sizeof(needles) / sizeof(needles[0]); n++) {
                size_t nl = strlen(needles[n]);
                ev_ssize_t want = naive_find(text, len, needles[n], nl, 0);
                struct evbuffer_ptr p, e;

                p = evbuffer_search(buf, needles[n], nl, NULL);
                ck_assert_int_eq(p.pos, want);
                /* Resumed from the hit, the next one. */
                if (p.pos >= 0) {
                    ck_assert_int_eq(
                        evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD), 0);
                    p = evbuffer_search(buf, needles[n], nl, &p);
                    ck_assert_int_eq(p.pos, naive_find(text, len, needles[n],
                                                       nl, (size_t)want + 1));
                }
                /* Limited to the first c2 bytes. */
                ck_assert_int_eq(
                    evbuffer_ptr_set(buf, &e, c2, EVBUFFER_PTR_SET), 0);
                p = evbuffer_search_range(buf, needles[n], nl, NULL, &e);
                ck_assert_int_eq(p.pos,
                                 naive_find(text, c2, needles[n], nl, 0));
            }
            evbuffer_free(buf);
        }
    }
}
END_TEST

START_TEST(search_result_usable_as_start)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_ptr p;
    char out[4];
    int hits = 0;
    int i;

    for (i = 0; i < 1000; i++)
        evbuffer_add(buf, "..x.", 4);
    p = evbuffer_search(buf, "x", 1, NULL);
    while (p.pos >= 0) {
        ck_assert_int_eq(p.pos, hits * 4 + 2);
        ck_assert_int_eq(evbuffer_copyout_from(buf, &p, out, 2), 2);
        ck_assert_mem_eq(out, "x.", 2);
        hits++;
        if (evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD) < 0)
            break;
        p = evbuffer_search(buf, "x", 1, &p);
    }
    ck_assert_int_eq(hits, 1000);
    evbuffer_free(buf);
}
END_TEST

START_TEST(search_large_far_needle)
{
    struct evbuffer *buf = evbuffer_new();
    char *hay = malloc(1 << 20);
    struct evbuffer_ptr p;
    size_t i;

    for (i = 0; i < (1 << 20); i++)
        hay[i] = "aaaaaaab"[i % 8];
    memcpy(hay + (1 << 20) - 20, "aaaaaaaaaaaaaaaaaaac", 20);
    for (i = 0; i < (1 << 20); i += 65536)
        evbuffer_add(buf, hay + i, 65536);
    p = evbuffer_search(buf, "aaaaaaaaaaac", 12, NULL);
    ck_assert_int_eq(p.pos, (1 << 20) - 12);
    p = evbuffer_search(buf, "aaaaaaaaac", 10, NULL);
    ck_assert_int_eq(p.pos, (1 << 20) - 10);
    p = evbuffer_search(buf, "baaaaaaab", 9, NULL);
    ck_assert_int_eq(p.pos, 7);
    p = evbuffer_search(buf, "bb", 2, NULL);
    ck_assert_int_eq(p.pos, -1);
    free(hay);
    evbuffer_free(buf);
}
END_TEST

/* Needles whose rarest byte is not the first, and texts where that byte
 * is common (so that many candidates fail), checked against a
 * brute-force search for every hit, over many chunk layouts. */
START_TEST(search_needles_by_rare_byte)
{
    static const char *needles[] = {
        "ab!c", "Host: x!",     "aaaa!",  "!aaa",  "a\001b", "ab",
        "!!",   "a!a!a!a!a!a!", "X-Id:!", "\200a", "a\r\n!", "zz!zz!zz!zz",
        "a!a",  "b a",          ":\001:", "aaa"};
    static const char alphabet[] = "aab! :\001\200\r\nXz";
    char text[600];
    uint32_t seed = 12345;
    size_t len = sizeof(text);
    size_t i, n;
    int layout;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        text[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
    }
    for (layout = 0; layout < 40; layout++) {
        size_t cuts[40];
        size_t k = 0, at = 0;
        struct evbuffer *buf;

        /* Chunks of 1 to layout + 2 bytes, some long runs. */
        while (k < 39) {
            seed = seed * 1103515245u + 12345u;
            at += 1 + (seed >> 16) % (size_t)(layout * 8 + 2);
            if (at >= len)
                break;
            cuts[k++] = at;
        }
        cuts[k] = 0;
        buf = split_buffer(text, len, cuts);
        for (n = 0; n < sizeof(needles) / sizeof(needles[0]); n++) {
            size_t nl = strlen(needles[n]);
            ev_ssize_t want = naive_find(text, len, needles[n], nl, 0);
            struct evbuffer_ptr p = evbuffer_search(buf, needles[n], nl, NULL);

            ck_assert_int_eq(p.pos, want);
            while (p.pos >= 0) {
                want = naive_find(text, len, needles[n], nl, (size_t)p.pos + 1);
                ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD),
                                 0);
                p = evbuffer_search(buf, needles[n], nl, &p);
                ck_assert_int_eq(p.pos, want);
            }
        }
        evbuffer_free(buf);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lines.                                                              */

/* Reads one line, checking its text (NULL: none expected). */
static void
expect_line(struct evbuffer *buf, enum evbuffer_eol_style style,
            const char *want, size_t want_len)
{
    size_t n = 12345;
    char *line = evbuffer_readln(buf, &n, style);

    if (want == NULL) {
        ck_assert_ptr_null(line);
        ck_assert_uint_eq(n, 0);
        return;
    }
    ck_assert_ptr_nonnull(line);
    ck_assert_uint_eq(n, want_len);
    ck_assert_mem_eq(line, want, want_len);
    ck_assert_int_eq(line[n], '\0');
    free(line);
}

START_TEST(readln_lf)
{
    struct evbuffer *buf = evbuffer_new();

    ADD_LIT(buf, "one\ntwo\r\n\nthree");
    expect_line(buf, EVBUFFER_EOL_LF, "one", 3);
    expect_line(buf, EVBUFFER_EOL_LF, "two\r", 4);
    expect_line(buf, EVBUFFER_EOL_LF, "", 0);
    expect_line(buf, EVBUFFER_EOL_LF, NULL, 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 5);
    evbuffer_add(buf, "\n", 1);
    expect_line(buf, EVBUFFER_EOL_LF, "three", 5);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    expect_line(buf, EVBUFFER_EOL_LF, NULL, 0);
    evbuffer_free(buf);
}
END_TEST

START_TEST(readln_crlf)
{
    struct evbuffer *buf = evbuffer_new();

    ADD_LIT(buf, "a\r\nb\nc\r\rd\r\n\r\nhello\r");
    expect_line(buf, EVBUFFER_EOL_CRLF, "a", 1);
    expect_line(buf, EVBUFFER_EOL_CRLF, "b", 1);
    expect_line(buf, EVBUFFER_EOL_CRLF, "c\r\rd", 4);
    expect_line(buf, EVBUFFER_EOL_CRLF, "", 0);
    /* A lone CR at the end is no line end. */
    expect_line(buf, EVBUFFER_EOL_CRLF, NULL, 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 6);
    evbuffer_add(buf, "\n", 1);
    expect_line(buf, EVBUFFER_EOL_CRLF, "hello", 5);
    evbuffer_free(buf);
}
END_TEST

START_TEST(readln_crlf_strict)
{
    struct evbuffer *buf = evbuffer_new();

    ADD_LIT(buf, "a\r\nb\n\rc\r\r\nd");
    expect_line(buf, EVBUFFER_EOL_CRLF_STRICT, "a", 1);
    expect_line(buf, EVBUFFER_EOL_CRLF_STRICT, "b\n\rc\r", 5);
    expect_line(buf, EVBUFFER_EOL_CRLF_STRICT, NULL, 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    evbuffer_free(buf);
}
END_TEST

START_TEST(readln_any)
{
    struct evbuffer *buf = evbuffer_new();

    ADD_LIT(buf, "a\r\n\r\nb\n\rc\r\r\nd\r");
    expect_line(buf, EVBUFFER_EOL_ANY, "a", 1);
    expect_line(buf, EVBUFFER_EOL_ANY, "b", 1);
    expect_line(buf, EVBUFFER_EOL_ANY, "c", 1);
    /* A CR at the very end ends a line too. */
    expect_line(buf, EVBUFFER_EOL_ANY, "d", 1);
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    evbuffer_free(buf);
}
END_TEST

START_TEST(readln_nul)
{
    struct evbuffer *buf = evbuffer_new();

    ADD_LIT(buf, "ab\0cd\n\0\0x");
    expect_line(buf, EVBUFFER_EOL_NUL, "ab", 2);
    expect_line(buf, EVBUFFER_EOL_NUL, "cd\n", 3);
    expect_line(buf, EVBUFFER_EOL_NUL, "", 0);
    expect_line(buf, EVBUFFER_EOL_NUL, NULL, 0);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    evbuffer_free(buf);
}
END_TEST

START_TEST(readln_bad_style_and_frozen)
{
    struct evbuffer *buf = evbuffer_new();
    size_t n = 5;

    evbuffer_add(buf, "x\n", 2);
    ck_assert_ptr_null(evbuffer_readln(buf, &n, (enum evbuffer_eol_style)99));
    ck_assert_uint_eq(n, 0);
    evbuffer_freeze(buf, 1);
    ck_assert_ptr_null(evbuffer_readln(buf, NULL, EVBUFFER_EOL_LF));
    evbuffer_unfreeze(buf, 1);
    expect_line(buf, EVBUFFER_EOL_LF, "x", 1);
    evbuffer_free(buf);
}
END_TEST

/* The reference reading of lines: the line ends a style accepts. */
static ev_ssize_t
naive_eol(const char *t, size_t len, size_t from, enum evbuffer_eol_style style,
          size_t *eol_len)
{
    size_t i;

    for (i = from; i < len; i++) {
        switch (style) {
        case EVBUFFER_EOL_ANY:
            if (t[i] == '\r' || t[i] == '\n') {
                size_t j = i;

                while (j < len && (t[j] == '\r' || t[j] == '\n'))
                    j++;
                *eol_len = j - i;
                return (ev_ssize_t)i;
            }
            break;
        case EVBUFFER_EOL_CRLF:
            if (t[i] == '\n') {
                *eol_len = 1;
                return (ev_ssize_t)i;
            }
            if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n') {
                *eol_len = 2;
                return (ev_ssize_t)i;
            }
            break;
        case EVBUFFER_EOL_CRLF_STRICT:
            if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n') {
                *eol_len = 2;
                return (ev_ssize_t)i;
            }
            break;
        case EVBUFFER_EOL_LF:
            if (t[i] == '\n') {
                *eol_len = 1;
                return (ev_ssize_t)i;
            }
            break;
        case EVBUFFER_EOL_NUL:
            if (t[i] == '\0') {
                *eol_len = 1;
                return (ev_ssize_t)i;
            }
            break;
        }
    }
    *eol_len = 0;
    return -1;
}

START_TEST(lines_every_split)
{
    static const char text[] = "ab\r\ncd\n\r\ref\0g\r\n\r\nh\ni\rj\r";
    const size_t len = sizeof(text) - 1;
    enum evbuffer_eol_style style = (enum evbuffer_eol_style)_i;
    size_t c1, c2;

    for (c1 = 1; c1 < len; c1++) {
        for (c2 = c1; c2 <= len; c2++) {
            size_t cuts[3] = {c1, c2 > c1 ? c2 : 0, 0};
            struct evbuffer *buf = split_buffer(text, len, cuts);
            size_t from, pos = 0;

            /* search_eol from every start. */
            for (from = 0; from <= len; from++) {
                struct evbuffer_ptr s, p;
                size_t el = 99, want_el;
                ev_ssize_t want = naive_eol(text, len, from, style, &want_el);

                ck_assert_int_eq(
                    evbuffer_ptr_set(buf, &s, from, EVBUFFER_PTR_SET), 0);
                p = evbuffer_search_eol(buf, &s, &el, style);
                ck_assert_int_eq(p.pos, want);
                ck_assert_uint_eq(el, want >= 0 ? want_el : 0);
            }
            /* Then read every line. */
            for (;;) {
                size_t el, n = 99;
                ev_ssize_t want = naive_eol(text, len, pos, style, &el);
                char *line = evbuffer_readln(buf, &n, style);

                if (want < 0) {
                    ck_assert_ptr_null(line);
                    break;
                }
                ck_assert_ptr_nonnull(line);
                ck_assert_uint_eq(n, (size_t)want - pos);
                ck_assert_mem_eq(line, text + pos, n);
                free(line);
                pos = (size_t)want + el;
                ck_assert_uint_eq(evbuffer_get_length(buf), len - pos);
            }
            evbuffer_free(buf);
        }
    }
}
END_TEST

START_TEST(readln_many_header_lines)
{
    struct evbuffer *buf = evbuffer_new();
    char line[64];
    int i, n;

    for (i = 0; i < 20000; i++) {
        n = snprintf(line, sizeof(line), "X-Header-%d: value %d\r\n", i, i * 3);
        evbuffer_add(buf, line, (size_t)n);
    }
    for (i = 0; i < 20000; i++) {
        size_t got;
        char *l = evbuffer_readln(buf, &got, EVBUFFER_EOL_CRLF);

        n = snprintf(line, sizeof(line), "X-Header-%d: value %d", i, i * 3);
        ck_assert_ptr_nonnull(l);
        ck_assert_uint_eq(got, (size_t)n);
        ck_assert_mem_eq(l, line, got);
        free(l);
    }
    ck_assert_uint_eq(evbuffer_get_length(buf), 0);
    evbuffer_free(buf);
}
END_TEST

START_TEST(search_eol_simple)
{
    struct evbuffer *buf = evbuffer_new();
    struct evbuffer_ptr p;
    size_t n;

    n = 99;
    p = evbuffer_search_eol(buf, NULL, &n, EVBUFFER_EOL_LF);
    ck_assert_int_eq(p.pos, -1);
    ck_assert_uint_eq(n, 0);
    evbuffer_add(buf, "x\r\n", 3);
    p = evbuffer_search_eol(buf, NULL, &n, EVBUFFER_EOL_CRLF);
    ck_assert_int_eq(p.pos, 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 2, EVBUFFER_PTR_SET), 0);
    p = evbuffer_search_eol(buf, &p, &n, EVBUFFER_EOL_CRLF);
    ck_assert_int_eq(p.pos, 2);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(evbuffer_ptr_set(buf, &p, 3, EVBUFFER_PTR_SET), 0);
    p = evbuffer_search_eol(buf, &p, &n, EVBUFFER_EOL_ANY);
    ck_assert_int_eq(p.pos, -1);
    ck_assert_uint_eq(n, 0);
    p = evbuffer_search_eol(buf, NULL, &n, (enum evbuffer_eol_style)99);
    ck_assert_int_eq(p.pos, -1);
    ck_assert_uint_eq(n, 0);
    /* The length is optional. */
    p = evbuffer_search_eol(buf, NULL, NULL, EVBUFFER_EOL_LF);
    ck_assert_int_eq(p.pos, 2);
    evbuffer_free(buf);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("buffer_search");
    TCase *tc = vt_tcase("buffer_search", 60);

    tcase_add_test(tc, search_simple);
    tcase_add_test(tc, search_range_limits);
    tcase_add_test(tc, search_across_chunks);
    tcase_add_test(tc, search_every_split);
    tcase_add_test(tc, search_result_usable_as_start);
    tcase_add_test(tc, search_large_far_needle);
    tcase_add_test(tc, search_needles_by_rare_byte);
    tcase_add_test(tc, readln_lf);
    tcase_add_test(tc, readln_crlf);
    tcase_add_test(tc, readln_crlf_strict);
    tcase_add_test(tc, readln_any);
    tcase_add_test(tc, readln_nul);
    tcase_add_test(tc, readln_bad_style_and_frozen);
    tcase_add_loop_test(tc, lines_every_split, EVBUFFER_EOL_ANY,
                        EVBUFFER_EOL_NUL + 1);
    tcase_add_test(tc, readln_many_header_lines);
    tcase_add_test(tc, search_eol_simple);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
