/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_addr_table.c: a table of address strings, valid and hostile
 * (overlong, embedded NULs, unbalanced brackets, ports 0, 65535, 65536 and
 * -1, IPv4-mapped IPv6, zone ids, trailing garbage), each fed to
 * evutil_parse_sockaddr_port, evutil_inet_pton (both families) and
 * evutil_inet_pton_scope.  Every string is copied into a heap block of
 * exactly its size, so that the sanitizers catch any read past its end.
 *
 * Rows marked STRICT are ones where libevent 2.1.12 accepts junk that
 * Vigil deliberately refuses (inet_pton(3) refuses it too: Vigil's
 * evutil_inet_pton is exactly as strict).  Their expectations are Vigil's
 * and are checked only on Vigil builds.
 */
#include <event2/util.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vtest.h"

/* Zone index placeholder: the index of the loopback interface. */
#define LO_ZONE 0xfffffffeu

struct addr_case {
    const char *text; /* may hold NULs: size says how long it is */
    size_t size;      /* bytes of text, final NUL included */
    int parse;        /* evutil_parse_sockaddr_port: 0 or -1 */
    int family;       /* when parse == 0 */
    const char *addr; /* evutil_inet_ntop of the parsed address */
    int port;
    unsigned zone; /* sin6_scope_id, or LO_ZONE */
    int pton4;     /* evutil_inet_pton(AF_INET) */
    int pton6;     /* evutil_inet_pton(AF_INET6) */
    int scope;     /* evutil_inet_pton_scope(AF_INET6) */
    int strict;    /* a deliberate difference from libevent 2.1.12 */
};

#define T(s) s, sizeof(s)
#define OK4(a, p) 0, AF_INET, a, p, 0
#define OK6(a, p, z) 0, AF_INET6, a, p, z
#define BAD -1, 0, NULL, 0, 0

static const struct addr_case cases[] = {
    /* The documented forms. */
    {T("1.2.3.4"), OK4("1.2.3.4", 0), 1, 0, 0, 0},
    {T("1.2.3.4:80"), OK4("1.2.3.4", 80), 0, 0, 0, 0},
    {T("[::1]:80"), OK6("::1", 80, 0), 0, 0, 0, 0},
    {T("::1"), OK6("::1", 0, 0), 0, 1, 1, 0},
    {T("[::1]"), OK6("::1", 0, 0), 0, 0, 0, 0},
    {T("0.0.0.0"), OK4("0.0.0.0", 0), 1, 0, 0, 0},
    {T("::"), OK6("::", 0, 0), 0, 1, 1, 0},
    {T("1:2:3:4:5:6:7:8"), OK6("1:2:3:4:5:6:7:8", 0, 0), 0, 1, 1, 0},
    {T("1:2:3:4:5:6:1.2.3.4"), OK6("1:2:3:4:5:6:102:304", 0, 0), 0, 1, 1, 0},
    {T("FFFF::"), OK6("ffff::", 0, 0), 0, 1, 1, 0},

    /* Ports: 0 is refused when given, 65535 is the largest. */
    {T("1.2.3.4:0"), BAD, 0, 0, 0, 0},
    {T("[::1]:0"), BAD, 0, 0, 0, 0},
    {T("[::]:0"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:65535"), OK4("1.2.3.4", 65535), 0, 0, 0, 0},
    {T("[::1]:65535"), OK6("::1", 65535, 0), 0, 0, 0, 0},
    {T("1.2.3.4:65536"), BAD, 0, 0, 0, 0},
    {T("[::1]:65536"), BAD, 0, 0, 0, 0},
    {T("[::1]:99999"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:-1"), BAD, 0, 0, 0, 0},
    {T("[::1]:-1"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:-0"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:"), BAD, 0, 0, 0, 0},
    {T("[::1]:"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:080"), OK4("1.2.3.4", 80), 0, 0, 0, 0},
    {T("1.2.3.4:2147483648"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:99999999999999999999"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4:80:90"), BAD, 0, 0, 0, 0},
    {T("[::1]:0x50"), BAD, 0, 0, 0, 0},
    /* libevent reads ports with atoi(): wrap-around and trailing junk. */
    {T("1.2.3.4:4294967376"), BAD, 0, 0, 0, 1},
    {T("1.2.3.4:80x"), BAD, 0, 0, 0, 1},
    {T("1.2.3.4:+80"), BAD, 0, 0, 0, 1},
    {T("1.2.3.4: 80"), BAD, 0, 0, 0, 1},
    {T("1.2.3.4:8 0"), BAD, 0, 0, 0, 1},
    {T("[::1]:80 "), BAD, 0, 0, 0, 1},

    /* Brackets. */
    {T("[::1"), BAD, 0, 0, 0, 0},
    {T("::1]"), BAD, 0, 0, 0, 0},
    {T("[]"), BAD, 0, 0, 0, 0},
    {T("[]:80"), BAD, 0, 0, 0, 0},
    {T("["), BAD, 0, 0, 0, 0},
    {T("]"), BAD, 0, 0, 0, 0},
    {T("[[::1]]:80"), BAD, 0, 0, 0, 0},
    {T("[1.2.3.4]:80"), BAD, 0, 0, 0, 0},
    {T("[1.2.3.4]"), BAD, 0, 0, 0, 0},
    {T("[::1]80"), BAD, 0, 0, 0, 1},
    {T("[::1] :80"), BAD, 0, 0, 0, 1},
    {T("[::1]:80]"), BAD, 0, 0, 0, 1},
    {T("[::1]]"), BAD, 0, 0, 0, 1},

    /* IPv4-mapped and -compatible IPv6. */
    {T("::ffff:1.2.3.4"), OK6("::ffff:1.2.3.4", 0, 0), 0, 1, 1, 0},
    {T("[::ffff:1.2.3.4]:80"), OK6("::ffff:1.2.3.4", 80, 0), 0, 0, 0, 0},
    {T("[::ffff:127.0.0.1]:443"), OK6("::ffff:127.0.0.1", 443, 0), 0, 0, 0, 0},
    {T("::1.2.3.4"), OK6("::1.2.3.4", 0, 0), 0, 1, 1, 0},
    {T("::ffff:256.1.1.1"), BAD, 0, 0, 0, 0},
    {T("::ffff:1.2.3"), BAD, 0, 0, 0, 0},
    {T("::ffff:1.2.3.4.5"), BAD, 0, 0, 0, 0},
    {T("1:2:3:4:5:6:7:1.2.3.4"), BAD, 0, 0, 0, 0},
    {T("::ffff:01.2.3.4"), BAD, 0, 0, 0, 1},

    /* Zone ids. */
    {T("[fe80::1%1]:80"), OK6("fe80::1", 80, 1), 0, 0, 0, 0},
    {T("fe80::1%1"), OK6("fe80::1", 0, 1), 0, 0, 1, 0},
    {T("fe80::1%lo"), OK6("fe80::1", 0, LO_ZONE), 0, 0, 1, 0},
    {T("[fe80::1%lo]:8080"), OK6("fe80::1", 8080, LO_ZONE), 0, 0, 0, 0},
    {T("fe80::1%4294967295"), OK6("fe80::1", 0, 4294967295u), 0, 0, 1, 0},
    {T("fe80::1%no-such-if0"), BAD, 0, 0, 0, 0},
    {T("fe80::1%lo%lo"), BAD, 0, 0, 0, 0},
    {T("fe80::1%0x1"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4%1"), BAD, 0, 0, 0, 0},
    {T("[1.2.3.4%1]:80"), BAD, 0, 0, 0, 0},
    {T("%lo"), BAD, 0, 0, 0, 0},
    /* libevent reads zone numbers with strtoul(): empty, signed,
     * space-led and wrapped-around zones all pass there. */
    {T("fe80::1%"), BAD, 0, 0, 0, 1},
    {T("fe80::1%-1"), BAD, 0, 0, 0, 1},
    {T("fe80::1%+1"), BAD, 0, 0, 0, 1},
    {T("fe80::1% 1"), BAD, 0, 0, 0, 1},
    {T("fe80::1%4294967296"), BAD, 0, 0, 0, 1},
    {T("fe80::1%99999999999999999999999999999999999999"), BAD, 0, 0, 0, 1},

    /* Embedded NULs: the string ends at the first one. */
    {T("1.2.3.4\0:80"), OK4("1.2.3.4", 0), 1, 0, 0, 0},
    {T("1.2.3.4:8\0000"), OK4("1.2.3.4", 8), 0, 0, 0, 0},
    {T("::1\0garbage"), OK6("::1", 0, 0), 0, 1, 1, 0},
    {T("[::1\0]:80"), BAD, 0, 0, 0, 0},
    {T("\0001.2.3.4"), BAD, 0, 0, 0, 0},
    {T("fe80::1%\0lo"), BAD, 0, 0, 0, 1},

    /* Malformed addresses and trailing garbage. */
    {T(""), BAD, 0, 0, 0, 0},
    {T(":"), BAD, 0, 0, 0, 0},
    {T(":80"), BAD, 0, 0, 0, 0},
    {T(":::"), BAD, 0, 0, 0, 0},
    {T("1:::2"), BAD, 0, 0, 0, 0},
    {T("1::2::3"), BAD, 0, 0, 0, 0},
    {T(":1::2"), BAD, 0, 0, 0, 0},
    {T("localhost:80"), BAD, 0, 0, 0, 0},
    {T("localhost"), BAD, 0, 0, 0, 0},
    {T("a.b.c.d"), BAD, 0, 0, 0, 0},
    {T("1.2.3"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4.5"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4."), BAD, 0, 0, 0, 0},
    {T(".1.2.3.4"), BAD, 0, 0, 0, 0},
    {T("1..2.3"), BAD, 0, 0, 0, 0},
    {T("256.1.1.1"), BAD, 0, 0, 0, 0},
    {T("1.2.3.1000"), BAD, 0, 0, 0, 0},
    {T("0x1.2.3.4"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4x"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4 "), BAD, 0, 0, 0, 0},
    {T("1.2.3.4\t"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4\n"), BAD, 0, 0, 0, 0},
    {T("::1 "), BAD, 0, 0, 0, 0},
    {T("::g"), BAD, 0, 0, 0, 0},
    {T("1:2:3:4:5:6:7:8:9"), BAD, 0, 0, 0, 0},
    {T("1:2:3:4::5:6:7:8"), BAD, 0, 0, 0, 0},
    {T("::1:2:3:4:5:6:7:8"), BAD, 0, 0, 0, 0},
    {T("12345::"), BAD, 0, 0, 0, 0},
    {T("00000::1"), BAD, 0, 0, 0, 0},
    {T("1.2.3.4::"), BAD, 0, 0, 0, 0},
    /* libevent's IPv4 parser is sscanf(): it skips blanks and signs and
     * takes leading zeros (which inet_aton would read as octal). */
    {T(" 1.2.3.4"), BAD, 0, 0, 0, 1},
    {T("+1.2.3.4"), BAD, 0, 0, 0, 1},
    {T("1.2.3.+4"), BAD, 0, 0, 0, 1},
    {T("01.2.3.4"), BAD, 0, 0, 0, 1},
    {T("1.2.3.04"), BAD, 0, 0, 0, 1},
    {T("010.0.0.1:80"), BAD, 0, 0, 0, 1},
    /* libevent's IPv6 parser takes a trailing single colon. */
    {T("1:2:3:4:5:6:7:8:"), BAD, 0, 0, 0, 1},
    {T("1::2:"), BAD, 0, 0, 0, 1},
};

/* Overlong inputs, built at run time: they must fail everywhere. */
static char *
repeat(const char *head, const char *unit, size_t times, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * times + tl + 1);
    char *p = s;

    ck_assert_ptr_nonnull(s);
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < times; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

/* Runs every function on one string (in a heap block of exactly size
 * bytes) and checks the results against the row. */
static void
check_case(const struct addr_case *c, unsigned lo)
{
    char *text = malloc(c->size);
    struct sockaddr_storage ss;
    unsigned char a[16];
    unsigned idx = 0;
    int len = (int)sizeof(ss);
    int r;

    ck_assert_ptr_nonnull(text);
    memcpy(text, c->text, c->size);

    memset(&ss, 0xee, sizeof(ss));
    r = evutil_parse_sockaddr_port(text, (struct sockaddr *)&ss, &len);
    ck_assert_msg(r == c->parse, "parse_sockaddr_port(\"%s\") = %d, want %d",
                  c->text, r, c->parse);
    if (r == 0) {
        char buf[INET6_ADDRSTRLEN];
        unsigned zone = c->zone == LO_ZONE ? lo : c->zone;

        ck_assert_int_eq(ss.ss_family, c->family);
        if (c->family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

            ck_assert_int_eq(len, (int)sizeof(*sin));
            ck_assert_int_eq(ntohs(sin->sin_port), c->port);
            ck_assert_ptr_nonnull(
                evutil_inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf)));
        } else {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

            ck_assert_int_eq(len, (int)sizeof(*sin6));
            ck_assert_int_eq(ntohs(sin6->sin6_port), c->port);
            ck_assert_uint_eq(sin6->sin6_scope_id, zone);
            ck_assert_ptr_nonnull(
                evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf)));
        }
        ck_assert_str_eq(buf, c->addr);
    } else {
        ck_assert_int_eq(len, (int)sizeof(ss));
    }

    r = evutil_inet_pton(AF_INET, text, a);
    ck_assert_msg(r == c->pton4, "inet_pton(AF_INET, \"%s\") = %d, want %d",
                  c->text, r, c->pton4);
    r = evutil_inet_pton(AF_INET6, text, a);
    ck_assert_msg(r == c->pton6, "inet_pton(AF_INET6, \"%s\") = %d, want %d",
                  c->text, r, c->pton6);
    r = evutil_inet_pton_scope(AF_INET6, text, a, &idx);
    ck_assert_msg(r == c->scope, "inet_pton_scope(\"%s\") = %d, want %d",
                  c->text, r, c->scope);
    free(text);
}

START_TEST(table)
{
    unsigned lo = if_nametoindex("lo");
    size_t n = sizeof(cases) / sizeof(cases[0]);
    size_t checked = 0;

    ck_assert_uint_ne(lo, 0);
    ck_assert_uint_ge(n, 60);
    for (size_t i = 0; i < n; i++) {
#ifdef VIGIL_ORACLE
        if (cases[i].strict)
            continue;
#endif
        check_case(&cases[i], lo);
        checked++;
    }
    ck_assert_uint_ge(checked, 60);
}
END_TEST

START_TEST(strict_rows_match_inet_pton)
{
    /* Where Vigil refuses what libevent accepts, the C library's
     * inet_pton(3) refuses it too. */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char a[16];
        const char *t = cases[i].text;

        ck_assert_msg(inet_pton(AF_INET, t, a) == cases[i].pton4,
                      "inet_pton(AF_INET, \"%s\")", t);
        ck_assert_msg(inet_pton(AF_INET6, t, a) == cases[i].pton6,
                      "inet_pton(AF_INET6, \"%s\")", t);
    }
}
END_TEST

START_TEST(overlong)
{
    char *inputs[] = {
        repeat("", "1", 300, ""),
        repeat("[", "1:", 200, "1]:80"),
        repeat("", "1:", 200, "1"),
        repeat("", "255.", 100, "255"),
        repeat("1.2.3.4:", "9", 300, ""),
        repeat("[::1]:", "9", 300, ""),
        repeat("[", "0", 300, "::1]:80"),
        repeat("", "f", 300, "::1"),
        repeat("::ffff:", "1", 300, ".2.3.4"),
        repeat("[", "[", 300, "::1]:80"),
        repeat("fe80::1%", "x", 300, ""),
        repeat("[fe80::1%", "x", 300, "]:80"),
        repeat("1.2.3.4", ":", 300, "80"),
        /* libevent ignores what follows the first ']' unless it is a
         * ':': this one passes there (STRICT, checked on Vigil only). */
        repeat("[::1", "]", 300, ":80"),
    };
    size_t n = sizeof(inputs) / sizeof(inputs[0]);

#ifdef VIGIL_ORACLE
    free(inputs[--n]);
#endif
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_storage ss;
        unsigned char a[16];
        unsigned idx = 0;
        int len = (int)sizeof(ss);
        char *t = inputs[i];

        ck_assert_msg(
            evutil_parse_sockaddr_port(t, (struct sockaddr *)&ss, &len) == -1,
            "parse of overlong input %zu", i);
        ck_assert_int_eq(evutil_inet_pton(AF_INET, t, a), 0);
        ck_assert_int_eq(evutil_inet_pton(AF_INET6, t, a), 0);
        ck_assert_int_eq(evutil_inet_pton_scope(AF_INET6, t, a, &idx), 0);
        free(t);
    }
}
END_TEST

START_TEST(long_leading_zeros_in_port)
{
    /* Long but valid: a port of many leading zeros. */
    char *t = repeat("1.2.3.4:", "0", 200, "80");
    struct sockaddr_in sin;
    int len = (int)sizeof(sin);

    ck_assert_int_eq(
        evutil_parse_sockaddr_port(t, (struct sockaddr *)&sin, &len), 0);
    ck_assert_int_eq(ntohs(sin.sin_port), 80);
    free(t);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("evutil_addr_table");
    TCase *tc = vt_tcase("bad_input", 20);

    tcase_add_test(tc, table);
    tcase_add_test(tc, strict_rows_match_inet_pton);
    tcase_add_test(tc, overlong);
    tcase_add_test(tc, long_leading_zeros_in_port);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
