/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_str.c: the string helpers of event2/util.h (evutil_strtoll,
 * evutil_snprintf and evutil_vsnprintf, the ASCII case-insensitive
 * comparisons) and its portable types, limits and evutil_offsetof.
 */
#include <event2/util.h>

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "vtest.h"

/*
 * evutil_strtoll
 */

START_TEST(strtoll_decimal_and_sign)
{
    char *end = NULL;

    ck_assert_int_eq(evutil_strtoll("12345", &end, 10), 12345);
    ck_assert_str_eq(end, "");
    ck_assert_int_eq(evutil_strtoll("  -42xyz", &end, 10), -42);
    ck_assert_str_eq(end, "xyz");
    ck_assert_int_eq(evutil_strtoll("+7", NULL, 10), 7);
    ck_assert_int_eq(evutil_strtoll("0", &end, 10), 0);
    ck_assert_str_eq(end, "");
}
END_TEST

START_TEST(strtoll_64_bit_range)
{
    char *end = NULL;

    ck_assert_int_eq(evutil_strtoll("9223372036854775807", &end, 10),
                     EV_INT64_MAX);
    ck_assert_str_eq(end, "");
    ck_assert_int_eq(evutil_strtoll("-9223372036854775808", &end, 10),
                     EV_INT64_MIN);
    ck_assert_int_eq(evutil_strtoll("4294967296", NULL, 10),
                     (ev_int64_t)1 << 32);

    /* Out of range: clamped, with ERANGE. */
    errno = 0;
    ck_assert_int_eq(evutil_strtoll("99999999999999999999", &end, 10),
                     EV_INT64_MAX);
    ck_assert_int_eq(errno, ERANGE);
    ck_assert_str_eq(end, "");
    errno = 0;
    ck_assert_int_eq(evutil_strtoll("-99999999999999999999", NULL, 10),
                     EV_INT64_MIN);
    ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(strtoll_bases)
{
    char *end = NULL;

    ck_assert_int_eq(evutil_strtoll("0x10", &end, 0), 16);
    ck_assert_int_eq(evutil_strtoll("0777", &end, 0), 0777);
    ck_assert_int_eq(evutil_strtoll("-0x10zz", &end, 0), -16);
    ck_assert_str_eq(end, "zz");
    ck_assert_int_eq(evutil_strtoll("ff", NULL, 16), 255);
    ck_assert_int_eq(evutil_strtoll("z", NULL, 36), 35);
    ck_assert_int_eq(evutil_strtoll("101", NULL, 2), 5);
}
END_TEST

START_TEST(strtoll_no_digits)
{
    const char *s = "  hello";
    char *end = NULL;

    ck_assert_int_eq(evutil_strtoll(s, &end, 10), 0);
    ck_assert_ptr_eq(end, s);
    ck_assert_int_eq(evutil_strtoll("", &end, 10), 0);
}
END_TEST

/*
 * evutil_snprintf and evutil_vsnprintf
 */

START_TEST(snprintf_fits)
{
    char buf[32];

    ck_assert_int_eq(evutil_snprintf(buf, sizeof(buf), "%s-%d", "abc", 42), 6);
    ck_assert_str_eq(buf, "abc-42");
    ck_assert_int_eq(evutil_snprintf(buf, sizeof(buf), "%s", ""), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(evutil_snprintf(buf, 7, "abcdef"), 6);
    ck_assert_str_eq(buf, "abcdef");
}
END_TEST

START_TEST(snprintf_truncates_and_terminates)
{
    char buf[8];

    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(evutil_snprintf(buf, 3, "hello %d", 5), 7);
    ck_assert_str_eq(buf, "he");
    /* Nothing past the given length was touched. */
    ck_assert_int_eq(buf[3], 'x');

    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(evutil_snprintf(buf, 1, "%s", "abc"), 3);
    ck_assert_int_eq(buf[0], '\0');
    ck_assert_int_eq(buf[1], 'x');

    ck_assert_int_eq(evutil_snprintf(buf, sizeof(buf), "%5000d", 1), 5000);
    ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
}
END_TEST

START_TEST(snprintf_empty_buffer)
{
    char buf[4] = "abc";

    /* With no room nothing is written, and the result is 0. */
    ck_assert_int_eq(evutil_snprintf(buf, 0, "hello %d", 5), 0);
    ck_assert_str_eq(buf, "abc");
    ck_assert_int_eq(evutil_snprintf(NULL, 0, "hello"), 0);
}
END_TEST

static int call_vsnprintf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
call_vsnprintf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = evutil_vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return r;
}

START_TEST(vsnprintf_matches_snprintf)
{
    char a[16], b[16];

    ck_assert_int_eq(call_vsnprintf(a, sizeof(a), "%d:%s:%c", -3, "zz", 'q'),
                     evutil_snprintf(b, sizeof(b), "%d:%s:%c", -3, "zz", 'q'));
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, "-3:zz:q");
    ck_assert_int_eq(call_vsnprintf(a, 4, "%s", "abcdefgh"), 8);
    ck_assert_str_eq(a, "abc");
    ck_assert_int_eq(call_vsnprintf(a, 0, "%s", "abcdefgh"), 0);
}
END_TEST

START_TEST(snprintf_64_bit_formats)
{
    char buf[64];

    ck_assert_int_gt(evutil_snprintf(buf, sizeof(buf), "%lld %llu",
                                     (long long)EV_INT64_MIN,
                                     (unsigned long long)EV_UINT64_MAX),
                     0);
    ck_assert_str_eq(buf, "-9223372036854775808 18446744073709551615");
}
END_TEST

/*
 * evutil_ascii_strcasecmp and evutil_ascii_strncasecmp
 */

START_TEST(strcasecmp_ascii)
{
    ck_assert_int_eq(evutil_ascii_strcasecmp("abc", "ABC"), 0);
    ck_assert_int_eq(
        evutil_ascii_strcasecmp("Content-Length", "content-length"), 0);
    ck_assert_int_eq(evutil_ascii_strcasecmp("", ""), 0);
    ck_assert_int_lt(evutil_ascii_strcasecmp("abc", "ABD"), 0);
    ck_assert_int_gt(evutil_ascii_strcasecmp("b", "A"), 0);
    ck_assert_int_lt(evutil_ascii_strcasecmp("a", "ab"), 0);
    ck_assert_int_gt(evutil_ascii_strcasecmp("ab", "A"), 0);
    ck_assert_int_lt(evutil_ascii_strcasecmp("", "a"), 0);
}
END_TEST

START_TEST(strcasecmp_folds_letters_only)
{
    /* Characters between 'Z' and 'a' are not letters: '[' is below 'a'
     * and '_' below 'a' once 'A' is folded to 'a'. */
    ck_assert_int_lt(evutil_ascii_strcasecmp("[", "a"), 0);
    ck_assert_int_lt(evutil_ascii_strcasecmp("_", "A"), 0);
    ck_assert_int_ne(evutil_ascii_strcasecmp("@", "`"), 0);
    ck_assert_int_ne(evutil_ascii_strcasecmp("[", "{"), 0);
    /* Bytes above 127 are never folded. */
    ck_assert_int_ne(evutil_ascii_strcasecmp("\xe9", "\xc9"), 0);
    ck_assert_int_gt(evutil_ascii_strcasecmp("\xe9", "\xc9"), 0);
    ck_assert_int_ne(evutil_ascii_strcasecmp("\xc9", "\xe9"), 0);
#ifndef VIGIL_ORACLE
    /* libevent 2.1.12 compares plain (signed) chars, so bytes above 127
     * sort before ASCII; Vigil compares unsigned bytes, as strcasecmp(3)
     * and strcmp(3) do. */
    ck_assert_int_gt(evutil_ascii_strcasecmp("\x80", "z"), 0);
    ck_assert_int_gt(evutil_ascii_strncasecmp("\xff", "a", 1), 0);
#endif
}
END_TEST

START_TEST(strcasecmp_ignores_locale)
{
    /* In a Turkish locale tolower('I') is not 'i'; these must still
     * match.  Without that locale installed the test still checks the C
     * locale. */
    const char *old = setlocale(LC_CTYPE, NULL);
    char saved[64];

    ck_assert_ptr_nonnull(old);
    ck_assert_uint_lt(strlen(old), sizeof(saved));
    strcpy(saved, old);
    (void)setlocale(LC_CTYPE, "tr_TR.UTF-8");
    ck_assert_int_eq(evutil_ascii_strcasecmp("TITLE", "title"), 0);
    ck_assert_int_eq(evutil_ascii_strncasecmp("IIII", "iiii", 4), 0);
    (void)setlocale(LC_CTYPE, saved);
}
END_TEST

START_TEST(strncasecmp_limits)
{
    ck_assert_int_eq(evutil_ascii_strncasecmp("abcx", "ABCy", 3), 0);
    ck_assert_int_lt(evutil_ascii_strncasecmp("abcx", "ABCy", 4), 0);
    ck_assert_int_eq(evutil_ascii_strncasecmp("a", "b", 0), 0);
    ck_assert_int_lt(evutil_ascii_strncasecmp("[", "{", 1), 0);
    /* Comparison stops at the end of the shorter string. */
    ck_assert_int_eq(evutil_ascii_strncasecmp("abc", "ABC", 100), 0);
    ck_assert_int_lt(evutil_ascii_strncasecmp("ab", "ABC", 100), 0);
    ck_assert_int_gt(evutil_ascii_strncasecmp("abc", "AB", 100), 0);
}
END_TEST

/*
 * Types, limits and evutil_offsetof
 */

START_TEST(fixed_width_types)
{
    ck_assert_uint_eq(sizeof(ev_uint64_t), 8);
    ck_assert_uint_eq(sizeof(ev_int64_t), 8);
    ck_assert_uint_eq(sizeof(ev_uint32_t), 4);
    ck_assert_uint_eq(sizeof(ev_int32_t), 4);
    ck_assert_uint_eq(sizeof(ev_uint16_t), 2);
    ck_assert_uint_eq(sizeof(ev_int16_t), 2);
    ck_assert_uint_eq(sizeof(ev_uint8_t), 1);
    ck_assert_uint_eq(sizeof(ev_int8_t), 1);
    ck_assert_uint_eq(sizeof(ev_uintptr_t), sizeof(void *));
    ck_assert_uint_eq(sizeof(ev_intptr_t), sizeof(void *));
    ck_assert_uint_eq(sizeof(ev_ssize_t), sizeof(size_t));
    ck_assert_uint_eq(sizeof(ev_off_t), 8);
    ck_assert_uint_eq(sizeof(ev_socklen_t), sizeof(socklen_t));
    ck_assert_uint_eq(sizeof(evutil_socket_t), sizeof(int));

    /* Signedness. */
    ck_assert_int_lt((ev_int8_t)-1, 0);
    ck_assert_int_gt((ev_uint8_t)-1, 0);
    ck_assert_int_lt((ev_int16_t)-1, 0);
    ck_assert_int_gt((ev_uint16_t)-1, 0);
    ck_assert_int_lt((ev_int32_t)-1, 0);
    ck_assert_uint_gt((ev_uint32_t)-1, 0);
    ck_assert_int_lt((ev_int64_t)-1, 0);
    ck_assert_uint_gt((ev_uint64_t)-1, 0);
    ck_assert_int_lt((ev_ssize_t)-1, 0);
    ck_assert_int_lt((ev_off_t)-1, 0);
    ck_assert_int_lt((ev_intptr_t)-1, 0);
    ck_assert_uint_gt((ev_uintptr_t)-1, 0);
    ck_assert_int_lt((evutil_socket_t)-1, 0);
    ck_assert_int_eq(EVUTIL_INVALID_SOCKET, -1);
}
END_TEST

START_TEST(limits)
{
    ck_assert_uint_eq(EV_UINT64_MAX, UINT64_MAX);
    ck_assert_int_eq(EV_INT64_MAX, INT64_MAX);
    ck_assert_int_eq(EV_INT64_MIN, INT64_MIN);
    ck_assert_uint_eq(EV_UINT32_MAX, UINT32_MAX);
    ck_assert_int_eq(EV_INT32_MAX, INT32_MAX);
    ck_assert_int_eq(EV_INT32_MIN, INT32_MIN);
    ck_assert_uint_eq(EV_UINT16_MAX, UINT16_MAX);
    ck_assert_int_eq(EV_INT16_MAX, INT16_MAX);
    ck_assert_int_eq(EV_INT16_MIN, INT16_MIN);
    ck_assert_uint_eq(EV_UINT8_MAX, UINT8_MAX);
    ck_assert_int_eq(EV_INT8_MAX, INT8_MAX);
    ck_assert_int_eq(EV_INT8_MIN, INT8_MIN);
    ck_assert_uint_eq(EV_SIZE_MAX, SIZE_MAX);
    ck_assert_int_eq(EV_SSIZE_MAX, SSIZE_MAX);
    ck_assert_int_eq(EV_SSIZE_MIN, -SSIZE_MAX - 1);

    /* Each maximum is the all-ones value of its type. */
    ck_assert_uint_eq((ev_uint64_t)(EV_UINT64_MAX + 1), 0);
    ck_assert_uint_eq((ev_uint32_t)(EV_UINT32_MAX + 1u), 0);
    ck_assert_uint_eq((ev_uint16_t)(EV_UINT16_MAX + 1), 0);
    ck_assert_uint_eq((ev_uint8_t)(EV_UINT8_MAX + 1), 0);
}
END_TEST

struct offset_probe {
    char a;
    ev_uint64_t b;
    short c[3];
    int d;
};

START_TEST(offsetof_macro)
{
    ck_assert_uint_eq(evutil_offsetof(struct offset_probe, a), 0);
    ck_assert_uint_eq(evutil_offsetof(struct offset_probe, b),
                      offsetof(struct offset_probe, b));
    ck_assert_uint_eq(evutil_offsetof(struct offset_probe, c),
                      offsetof(struct offset_probe, c));
    ck_assert_uint_eq(evutil_offsetof(struct offset_probe, d),
                      offsetof(struct offset_probe, d));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("evutil_str");
    TCase *tc;

    tc = vt_tcase("strtoll", 10);
    tcase_add_test(tc, strtoll_decimal_and_sign);
    tcase_add_test(tc, strtoll_64_bit_range);
    tcase_add_test(tc, strtoll_bases);
    tcase_add_test(tc, strtoll_no_digits);
    suite_add_tcase(s, tc);

    tc = vt_tcase("snprintf", 10);
    tcase_add_test(tc, snprintf_fits);
    tcase_add_test(tc, snprintf_truncates_and_terminates);
    tcase_add_test(tc, snprintf_empty_buffer);
    tcase_add_test(tc, vsnprintf_matches_snprintf);
    tcase_add_test(tc, snprintf_64_bit_formats);
    suite_add_tcase(s, tc);

    tc = vt_tcase("strcasecmp", 10);
    tcase_add_test(tc, strcasecmp_ascii);
    tcase_add_test(tc, strcasecmp_folds_letters_only);
    tcase_add_test(tc, strcasecmp_ignores_locale);
    tcase_add_test(tc, strncasecmp_limits);
    suite_add_tcase(s, tc);

    tc = vt_tcase("types", 10);
    tcase_add_test(tc, fixed_width_types);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, offsetof_macro);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
