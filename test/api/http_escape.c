/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_escape.c: the escaping helpers of event2/http.h: percent-encoding
 * (evhttp_encode_uri, evhttp_uriencode), decoding (evhttp_decode_uri,
 * evhttp_uridecode) with every malformed escape, query strings
 * (evhttp_parse_query_str, evhttp_parse_query) and evhttp_htmlescape.
 * Golden tables, round trips over every byte value, and long inputs;
 * inputs are copied to exact-size heap blocks so that the sanitizer builds
 * catch a read past the end.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtest.h"

/* An exact-size heap copy of s (ASan sees a read past its NUL). */
static char *
heap(const char *s)
{
    char *p = strdup(s);

    ck_assert_ptr_nonnull(p);
    return p;
}

/*
 * Encoding
 */

START_TEST(encode_uri_golden)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        {"", ""},
        {"abc", "abc"},
        {"AZaz09", "AZaz09"},
        {"-._~", "-._~"},
        {"a b", "a%20b"},
        {"a+b", "a%2Bb"},
        {"%", "%25"},
        {"!*'();:@&=+$,/?#[]", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F"
                               "%23%5B%5D"},
        {"\x01\x1f\x7f\x80\xff", "%01%1F%7F%80%FF"},
        {"\"<>\\^`{|}", "%22%3C%3E%5C%5E%60%7B%7C%7D"},
        {"caf\xc3\xa9", "caf%C3%A9"},
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char *in = heap(t[i].in);
        char *out = evhttp_encode_uri(in);

        ck_assert_pstr_eq(out, t[i].out);
        free(out);
        /* evhttp_uriencode with size -1 and no '+' is the same. */
        out = evhttp_uriencode(in, -1, 0);
        ck_assert_pstr_eq(out, t[i].out);
        free(out);
        free(in);
    }
}
END_TEST

START_TEST(uriencode_sizes_and_plus)
{
    char *out;

    out = evhttp_uriencode("a b+c", -1, 1);
    ck_assert_pstr_eq(out, "a+b%2Bc");
    free(out);
    out = evhttp_uriencode("a b+c", -1, 0);
    ck_assert_pstr_eq(out, "a%20b%2Bc");
    free(out);
    /* Any negative size means "NUL-terminated". */
    out = evhttp_uriencode("a b", -5, 1);
    ck_assert_pstr_eq(out, "a+b");
    free(out);
    /* A size takes embedded NULs and stops early. */
    out = evhttp_uriencode("a\0b c", 5, 1);
    ck_assert_pstr_eq(out, "a%00b+c");
    free(out);
    out = evhttp_uriencode("abc", 2, 0);
    ck_assert_pstr_eq(out, "ab");
    free(out);
    out = evhttp_uriencode("abc", 0, 0);
    ck_assert_pstr_eq(out, "");
    free(out);
    /* Any nonzero space_to_plus counts. */
    out = evhttp_uriencode(" ", -1, 7);
    ck_assert_pstr_eq(out, "+");
    free(out);
}
END_TEST

START_TEST(every_byte_round_trips)
{
    char all[256];
    char *enc, *dec;
    size_t n = 0;

    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    for (int plus = 0; plus <= 1; plus++) {
        enc = evhttp_uriencode(all, 256, plus);
        ck_assert_ptr_nonnull(enc);
        /* 66 unreserved bytes stay, the rest take three, and with
         * space_to_plus the space takes one. */
        ck_assert_uint_eq(strlen(enc), 66 + 190 * 3 - (plus ? 2 : 0));
        n = 0;
        dec = evhttp_uridecode(enc, plus, &n);
        ck_assert_ptr_nonnull(dec);
        ck_assert_uint_eq(n, 256);
        ck_assert_int_eq(memcmp(dec, all, 256), 0);
        ck_assert_int_eq(dec[256], '\0');
        free(dec);
        free(enc);
    }
}
END_TEST

/*
 * Decoding
 */

struct decode_case {
    const char *in;
    /* evhttp_decode_uri, and evhttp_uridecode with decode_plus 0 and 1
     * (lengths given, since they may hold NULs). */
    const char *uri;
    size_t uri_len;
    const char *keep;
    size_t keep_len;
    const char *plus;
    size_t plus_len;
};

static const struct decode_case decode_cases[] = {
    {"abc", "abc", 3, "abc", 3, "abc", 3},
    {"", "", 0, "", 0, "", 0},
    {"a%20b", "a b", 3, "a b", 3, "a b", 3},
    {"a+b", "a+b", 3, "a+b", 3, "a b", 3},
    {"a+b?c+d", "a+b?c d", 7, "a+b?c+d", 7, "a b?c d", 7},
    {"+?+", "+? ", 3, "+?+", 3, " ? ", 3},
    {"?%20+", "?  ", 3, "? +", 3, "?  ", 3},
    /* An escaped '?' does not start the query for evhttp_decode_uri. */
    {"a%3F+b?c+d", "a?+b?c d", 8, "a?+b?c+d", 8, "a? b?c d", 8},
    {"a%2Bb", "a+b", 3, "a+b", 3, "a+b", 3},
    {"%2b", "+", 1, "+", 1, "+", 1},
    {"%41%42", "AB", 2, "AB", 2, "AB", 2},
    {"%a1%A1", "\xa1\xa1", 2, "\xa1\xa1", 2, "\xa1\xa1", 2},
    {"%E2%82%AC", "\xe2\x82\xac", 3, "\xe2\x82\xac", 3, "\xe2\x82\xac", 3},
    /* Malformed escapes are copied as they are. */
    {"%zz", "%zz", 3, "%zz", 3, "%zz", 3},
    {"%4g", "%4g", 3, "%4g", 3, "%4g", 3},
    {"%g4", "%g4", 3, "%g4", 3, "%g4", 3},
    {"%4", "%4", 2, "%4", 2, "%4", 2},
    {"%0", "%0", 2, "%0", 2, "%0", 2},
    {"%", "%", 1, "%", 1, "%", 1},
    {"x%", "x%", 2, "x%", 2, "x%", 2},
    {"%%", "%%", 2, "%%", 2, "%%", 2},
    {"%%41", "%A", 2, "%A", 2, "%A", 2},
    {"%%%", "%%%", 3, "%%%", 3, "%%%", 3},
    {"%+", "%+", 2, "%+", 2, "% ", 2},
    {"%2%41", "%2A", 3, "%2A", 3, "%2A", 3},
    /* %00 decodes to a NUL byte. */
    {"%00x", "\0x", 2, "\0x", 2, "\0x", 2},
    {"a%00", "a\0", 2, "a\0", 2, "a\0", 2},
};

START_TEST(decode_golden)
{
    for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]);
         i++) {
        const struct decode_case *c = &decode_cases[i];
        char *in = heap(c->in);
        char *out;
        size_t n;

        /* evhttp_decode_uri returns a string that may hold a NUL; its
         * bytes are compared up to and with the terminating NUL. */
        out = evhttp_decode_uri(in);
        ck_assert_ptr_nonnull(out);
        ck_assert_msg(memcmp(out, c->uri, c->uri_len + 1) == 0,
                      "decode_uri(\"%s\")", c->in);
        free(out);

        n = 12345;
        out = evhttp_uridecode(in, 0, &n);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_eq(n, c->keep_len);
        ck_assert_msg(memcmp(out, c->keep, n + 1) == 0, "uridecode(\"%s\", 0)",
                      c->in);
        free(out);

        n = 12345;
        out = evhttp_uridecode(in, 1, &n);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_eq(n, c->plus_len);
        ck_assert_msg(memcmp(out, c->plus, n + 1) == 0, "uridecode(\"%s\", 1)",
                      c->in);
        free(out);

        /* Any nonzero decode_plus decodes '+'. */
        n = 12345;
        out = evhttp_uridecode(in, -1, &n);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_eq(n, c->plus_len);
        ck_assert_int_eq(memcmp(out, c->plus, n + 1), 0);
        free(out);

        /* size_out may be NULL. */
        out = evhttp_uridecode(in, 0, NULL);
        ck_assert_ptr_nonnull(out);
        ck_assert_int_eq(memcmp(out, c->keep, c->keep_len + 1), 0);
        free(out);
        free(in);
    }
}
END_TEST

START_TEST(decode_truncated_escape_at_every_length)
{
    /* Every prefix of a string full of escapes, each in a block of its
     * exact size: the decoder never reads past the NUL. */
    const char *full = "%41%4%%2g%00+%7E%";
    size_t len = strlen(full);

    for (size_t k = 0; k <= len; k++) {
        char *in = malloc(k + 1);
        char *out;
        size_t n = 0;

        ck_assert_ptr_nonnull(in);
        memcpy(in, full, k);
        in[k] = '\0';
        out = evhttp_uridecode(in, 1, &n);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_le(n, k);
        free(out);
        out = evhttp_decode_uri(in);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_le(strlen(out), k);
        free(out);
        free(in);
    }
}
END_TEST

START_TEST(decode_long_inputs)
{
    size_t n = 300000;
    char *in = malloc(3 * n + 1);
    char *out;
    size_t got = 0;

    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++)
        memcpy(in + 3 * i, "%41", 3);
    in[3 * n] = '\0';
    out = evhttp_uridecode(in, 0, &got);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(got, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(out[i], 'A');
    ck_assert_int_eq(out[n], '\0');
    free(out);

    /* And the other way: '/' takes three bytes each. */
    memset(in, '/', n);
    in[n] = '\0';
    out = evhttp_encode_uri(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(strlen(out), 3 * n);
    ck_assert_int_eq(memcmp(out, "%2F%2F", 6), 0);
    free(out);
    free(in);
}
END_TEST

/*
 * HTML escaping
 */

START_TEST(htmlescape_golden)
{
    static const struct {
        const char *in, *out;
    } t[] = {
        {"", ""},
        {"plain text", "plain text"},
        {"<", "&lt;"},
        {">", "&gt;"},
        {"\"", "&quot;"},
        {"'", "&#039;"},
        {"&", "&amp;"},
        {"<a href=\"x\">'&'</a>",
         "&lt;a href=&quot;x&quot;&gt;&#039;&amp;&#039;&lt;/a&gt;"},
        {"&amp;", "&amp;amp;"},
        {"\x01\t\n<\x7f\xc3\xa9", "\x01\t\n&lt;\x7f\xc3\xa9"},
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char *in = heap(t[i].in);
        char *out = evhttp_htmlescape(in);

        ck_assert_pstr_eq(out, t[i].out);
        free(out);
        free(in);
    }
}
END_TEST

START_TEST(htmlescape_long)
{
    /* The worst case: every byte becomes a six-byte entity. */
    size_t n = 199998; /* a multiple of 6 */
    char *in = malloc(n + 1);
    char *out;

    ck_assert_ptr_nonnull(in);
    memset(in, '\'', n);
    in[n] = '\0';
    out = evhttp_htmlescape(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(strlen(out), 6 * n);
    ck_assert_int_eq(memcmp(out + 6 * (n - 1), "&#039;", 6), 0);
    free(out);
    for (size_t i = 0; i < n; i++)
        in[i] = "<>&\"'x"[i % 6];
    out = evhttp_htmlescape(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(strlen(out), (n / 6) * (4 + 4 + 5 + 6 + 6 + 1));
    free(out);
    free(in);
}
END_TEST

/*
 * Query strings
 */

/* Formats a list as "k=v|k=v|", bytes outside printable ASCII as \xHH. */
static void
render(const struct evkeyvalq *h, char *buf, size_t cap)
{
    const struct evkeyval *kv;
    size_t o = 0;

    buf[0] = '\0';
    TAILQ_FOREACH(kv, h, next)
    {
        const char *parts[2] = {kv->key, kv->value};

        for (int p = 0; p < 2; p++) {
            for (const char *s = parts[p]; *s != '\0'; s++) {
                unsigned char c = (unsigned char)*s;

                if (c < 0x20 || c > 0x7e)
                    o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
                else
                    o += (size_t)snprintf(buf + o, cap - o, "%c", c);
            }
            o += (size_t)snprintf(buf + o, cap - o, p == 0 ? "=" : "|");
        }
    }
}

struct query_case {
    const char *in;
    int rc;
    const char *rendered;
};

START_TEST(parse_query_str_golden)
{
    static const struct query_case t[] = {
        {"q=test&s=some+thing", 0, "q=test|s=some thing|"},
        {"", 0, ""},
        {"a=", 0, "a=|"},
        {"a==", 0, "a==|"},
        {"a=1&a=2", 0, "a=1|a=2|"},
        {"a=1&", 0, "a=1|"},
        {"a=b=c", 0, "a=b=c|"},
        /* Values are decoded; keys are kept as they are (2.1.12). */
        {"a%20b=c%20d", 0, "a%20b=c d|"},
        {"a+b=c+d", 0, "a+b=c d|"},
        {"k=%0D%0Aevil", 0, "k=\\x0d\\x0aevil|"},
        {"k=%00v", 0, "k=|"},
        {"k=%zz&l=%4&m=%", 0, "k=%zz|l=%4|m=%|"},
        {"a=1;b=2", 0, "a=1;b=2|"},
        {"?a=1", 0, "?a=1|"},
        {"a=1#f", 0, "a=1#f|"},
        {"a=1?b=2", 0, "a=1?b=2|"},
        {"a[]=1&a[]=2", 0, "a[]=1|a[]=2|"},
        {"k=v\xff", 0, "k=v\\xff|"},
        {"z=1&y=2&x=3", 0, "z=1|y=2|x=3|"},
        /* Malformed: the whole string fails and the list is empty. */
        {"a", -1, ""},
        {"=b", -1, ""},
        {"=", -1, ""},
        {"&", -1, ""},
        {"&&", -1, ""},
        {"&a=1", -1, ""},
        {"a=1&&b=2", -1, ""},
        {"a=1&&", -1, ""},
        {"a=1&b", -1, ""},
        {"a=1&=2", -1, ""},
    };
    char buf[256];

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct evkeyvalq h;
        char *in = heap(t[i].in);

        /* The list is initialised by the call. */
        memset(&h, 0x5a, sizeof(h));
        ck_assert_msg(evhttp_parse_query_str(in, &h) == t[i].rc,
                      "\"%s\" did not give %d", t[i].in, t[i].rc);
        render(&h, buf, sizeof(buf));
        ck_assert_str_eq(buf, t[i].rendered);
        if (t[i].rc != 0)
            ck_assert_ptr_null(TAILQ_FIRST(&h));
        evhttp_clear_headers(&h);
        ck_assert_ptr_null(TAILQ_FIRST(&h));
        free(in);
    }
}
END_TEST

START_TEST(parse_query_golden)
{
    static const struct query_case t[] = {
        {"http://foo.com/?q=test&s=some+thing", 0, "q=test|s=some thing|"},
        {"/p?a=1&b=2", 0, "a=1|b=2|"},
        {"/p", 0, ""},
        {"/p?", 0, ""},
        {"a=1", 0, ""},
        {"/p#f?a=1", 0, ""},
        {"http://x/p?a=1#f", 0, "a=1|"},
        {"?a=1", 0, "a=1|"},
        {"p?a=1?b=2", 0, "a=1?b=2|"},
        {"/p?a", -1, ""},
        {"/p?a=1&b", -1, ""},
        /* The whole text must parse as a URI reference. */
        {"/p q?a=1", -1, ""},
        {"/p?a=1 2", -1, ""},
        {"/p?a=%zz", -1, ""},
        {"http://h:99999/?a=1", -1, ""},
    };
    char buf[256];

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct evkeyvalq h;
        char *in = heap(t[i].in);

        memset(&h, 0x5a, sizeof(h));
        ck_assert_msg(evhttp_parse_query(in, &h) == t[i].rc,
                      "\"%s\" did not give %d", t[i].in, t[i].rc);
        render(&h, buf, sizeof(buf));
        ck_assert_str_eq(buf, t[i].rendered);
        evhttp_clear_headers(&h);
        free(in);
    }
}
END_TEST

START_TEST(parse_query_many_pairs)
{
    size_t n = 10000;
    char *s = malloc(n * 24);
    size_t o = 0;
    struct evkeyvalq h;
    const struct evkeyval *kv;
    size_t i = 0;

    ck_assert_ptr_nonnull(s);
    for (size_t k = 0; k < n; k++)
        o += (size_t)snprintf(s + o, n * 24 - o, "%sk%zu=v+%zu", k ? "&" : "",
                              k, k);
    ck_assert_int_eq(evhttp_parse_query_str(s, &h), 0);
    TAILQ_FOREACH(kv, &h, next)
    {
        char key[32], value[32];

        snprintf(key, sizeof(key), "k%zu", i);
        snprintf(value, sizeof(value), "v %zu", i);
        ck_assert_str_eq(kv->key, key);
        ck_assert_str_eq(kv->value, value);
        i++;
    }
    ck_assert_uint_eq(i, n);
    ck_assert_str_eq(evhttp_find_header(&h, "k9999"), "v 9999");
    evhttp_clear_headers(&h);
    free(s);
}
END_TEST

START_TEST(parse_query_long_value)
{
    size_t n = 100000;
    char *s = malloc(3 * n + 8);
    struct evkeyvalq h;

    ck_assert_ptr_nonnull(s);
    memcpy(s, "big=", 4);
    for (size_t i = 0; i < n; i++)
        memcpy(s + 4 + 3 * i, "%7E", 3);
    s[4 + 3 * n] = '\0';
    ck_assert_int_eq(evhttp_parse_query_str(s, &h), 0);
    ck_assert_uint_eq(strlen(evhttp_find_header(&h, "big")), n);
    evhttp_clear_headers(&h);
    free(s);
}
END_TEST

#ifndef VIGIL_ORACLE
START_TEST(null_arguments)
{
    /* libevent 2.1.12 crashes on these; Vigil refuses them. */
    struct evkeyvalq h;

    ck_assert_ptr_null(evhttp_encode_uri(NULL));
    ck_assert_ptr_null(evhttp_uriencode(NULL, 4, 0));
    ck_assert_ptr_null(evhttp_decode_uri(NULL));
    ck_assert_ptr_null(evhttp_uridecode(NULL, 1, NULL));
    ck_assert_ptr_null(evhttp_htmlescape(NULL));
    ck_assert_int_eq(evhttp_parse_query_str(NULL, &h), -1);
    ck_assert_ptr_null(TAILQ_FIRST(&h));
    ck_assert_int_eq(evhttp_parse_query(NULL, &h), -1);
    ck_assert_ptr_null(TAILQ_FIRST(&h));
    ck_assert_int_eq(evhttp_parse_query_str("a=1", NULL), -1);
    ck_assert_int_eq(evhttp_parse_query("/?a=1", NULL), -1);
}
END_TEST
#endif

int
main(void)
{
    Suite *s = suite_create("http_escape");
    TCase *tc;

    tc = vt_tcase("encode", 30);
    tcase_add_test(tc, encode_uri_golden);
    tcase_add_test(tc, uriencode_sizes_and_plus);
    tcase_add_test(tc, every_byte_round_trips);
    suite_add_tcase(s, tc);

    tc = vt_tcase("decode", 30);
    tcase_add_test(tc, decode_golden);
    tcase_add_test(tc, decode_truncated_escape_at_every_length);
    tcase_add_test(tc, decode_long_inputs);
    suite_add_tcase(s, tc);

    tc = vt_tcase("html", 30);
    tcase_add_test(tc, htmlescape_golden);
    tcase_add_test(tc, htmlescape_long);
    suite_add_tcase(s, tc);

    tc = vt_tcase("query", 30);
    tcase_add_test(tc, parse_query_str_golden);
    tcase_add_test(tc, parse_query_golden);
    tcase_add_test(tc, parse_query_many_pairs);
    tcase_add_test(tc, parse_query_long_value);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, null_arguments);
#endif
    suite_add_tcase(s, tc);

    return vt_run(s);
}
