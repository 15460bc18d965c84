/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * version.c: the library reports libevent 2.1.12, in the same terms as the
 * headers it was built with, so that programs checking for 2.1 accept it.
 */
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>

#include "vtest.h"

START_TEST(version_number_is_2_1_12)
{
    ck_assert_uint_eq(event_get_version_number(), 0x02010c00u);
    ck_assert_uint_eq(LIBEVENT_VERSION_NUMBER, 0x02010c00u);
    ck_assert_uint_eq(event_get_version_number(), LIBEVENT_VERSION_NUMBER);
}
END_TEST

START_TEST(version_string_matches_header)
{
    const char *v = event_get_version();

    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, LIBEVENT_VERSION);
    ck_assert_int_eq(strncmp(v, "2.1.12", 6), 0);
}
END_TEST

START_TEST(version_string_agrees_with_number)
{
    /* The string's leading "major.minor.patch" encodes the number's top
     * three bytes. */
    unsigned major = 0, minor = 0, patch = 0;
    ev_uint32_t n = event_get_version_number();
    char *end;

    major = (unsigned)strtoul(event_get_version(), &end, 10);
    ck_assert_int_eq(*end, '.');
    minor = (unsigned)strtoul(end + 1, &end, 10);
    ck_assert_int_eq(*end, '.');
    patch = (unsigned)strtoul(end + 1, &end, 10);
    ck_assert_uint_eq(major, (n >> 24) & 0xffu);
    ck_assert_uint_eq(minor, (n >> 16) & 0xffu);
    ck_assert_uint_eq(patch, (n >> 8) & 0xffu);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("version");
    TCase *tc = vt_tcase("version", 5);

    tcase_add_test(tc, version_number_is_2_1_12);
    tcase_add_test(tc, version_string_matches_header);
    tcase_add_test(tc, version_string_agrees_with_number);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
