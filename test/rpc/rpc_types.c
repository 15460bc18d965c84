/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rpc_types.c: the code event_rpcgen generates from test/rpc/regress.rpc,
 * used only through the API libevent's generated code offers (NAME_new,
 * NAME_free, NAME_clear, NAME_marshal, NAME_unmarshal, NAME_complete,
 * evtag_marshal_NAME, evtag_unmarshal_NAME, the per-field accessors and
 * the EVTAG_* macros of <event2/rpc.h>).  Every field type round-trips in
 * its required, optional and array forms, nested two levels deep; the
 * wire bytes of two small messages are compared with bytes worked out by
 * hand from the evtag format; missing required fields, fields given twice,
 * unknown tags, every truncation of a message and seeded garbage are
 * refused without leaking (the suite runs under ASan).
 *
 * The generated code calls only evtag and evbuffer functions, so the same
 * program builds against Vigil and against Debian's libevent.
 */
#include <event2/buffer.h>
#include <event2/rpc.h>
#include <event2/tag.h>
#include <event2/util.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "regress.gen.h"
#include "vtest.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* A buffer holding the n bytes at p. */
static struct evbuffer *
buf_of(const unsigned char *p, size_t n)
{
    struct evbuffer *b = evbuffer_new();

    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(evbuffer_add(b, p, n), 0);
    return b;
}

/* Asserts that buffer b holds exactly the n bytes at want. */
static void
assert_bytes(struct evbuffer *b, const unsigned char *want, size_t n)
{
    ck_assert_uint_eq(evbuffer_get_length(b), n);
    ck_assert_mem_eq(evbuffer_pullup(b, -1), want, n);
}

/* A point with x, y and (when label is not NULL) a label. */
static struct point *
make_point(ev_uint32_t x, ev_uint32_t y, const char *label)
{
    struct point *p = point_new();

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(EVTAG_ASSIGN(p, x, x), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(p, y, y), 0);
    if (label != NULL)
        ck_assert_int_eq(EVTAG_ASSIGN(p, label, label), 0);
    return p;
}

static void
assert_point(struct point *p, ev_uint32_t x, ev_uint32_t y, const char *label)
{
    ev_uint32_t v = 0;
    char *s = NULL;

    ck_assert_int_eq(EVTAG_GET(p, x, &v), 0);
    ck_assert_uint_eq(v, x);
    ck_assert_int_eq(EVTAG_GET(p, y, &v), 0);
    ck_assert_uint_eq(v, y);
    if (label == NULL) {
        ck_assert_int_eq(EVTAG_HAS(p, label), 0);
        ck_assert_int_eq(EVTAG_GET(p, label, &s), -1);
    } else {
        ck_assert_int_eq(EVTAG_HAS(p, label), 1);
        ck_assert_int_eq(EVTAG_GET(p, label, &s), 0);
        ck_assert_str_eq(s, label);
    }
}

static const unsigned char blob_bytes[] = {0x00, 0xff, 0x10, 0x00, 0x7f};
static const unsigned char digest_bytes[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                               9, 10, 11, 12, 13, 14, 15, 16};
static const unsigned char mark_bytes[4] = {'M', 'A', 'R', 'K'};
static const unsigned char opt_mark_bytes[3] = {0xaa, 0xbb, 0xcc};
static const ev_uint64_t bigs_values[] = {0, 1, UINT64_C(0xffffffffffffffff),
                                          UINT64_C(0x123456789abcdef0)};
static const ev_uint32_t counts_values[] = {0, 7, 0xffffffffU, 1000};
static const char *const names_values[] = {"", "one", "two words",
                                           "tab\tnewline\n"};

/* Fills every field of a kitchen, optional ones and all arrays included;
 * tweak changes the values so that two kitchens differ. */
static void
fill_kitchen(struct kitchen *k, unsigned tweak)
{
    struct point *p;
    struct timeval tv;
    size_t i;

    ck_assert_int_eq(EVTAG_ASSIGN(k, count, 42 + tweak), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, big, UINT64_C(0x1122334455667788)), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, name, "kitchen"), 0);
    ck_assert_int_eq(
        EVTAG_ASSIGN_WITH_LEN(k, blob, blob_bytes, sizeof(blob_bytes)), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, digest, digest_bytes), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, mark, mark_bytes), 0);
    tv.tv_sec = 1700000000;
    tv.tv_usec = 999999;
    ck_assert_int_eq(EVTAG_ASSIGN(k, when, &tv), 0);
    p = make_point(3, 4, "origin");
    ck_assert_int_eq(EVTAG_ASSIGN(k, origin, p), 0);
    point_free(p);

    ck_assert_int_eq(EVTAG_ASSIGN(k, opt_count, 0), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, opt_big, UINT64_C(1) << 63), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, opt_name, ""), 0);
    ck_assert_int_eq(EVTAG_ASSIGN_WITH_LEN(k, opt_blob, blob_bytes, 0), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, opt_mark, opt_mark_bytes), 0);
    tv.tv_sec = 0;
    tv.tv_usec = 1;
    ck_assert_int_eq(EVTAG_ASSIGN(k, opt_when, &tv), 0);
    p = make_point(0, 0xffffffffU, NULL);
    ck_assert_int_eq(EVTAG_ASSIGN(k, opt_origin, p), 0);
    point_free(p);

    for (i = 0; i < N_ELEMENTS(counts_values); i++)
        ck_assert_ptr_nonnull(
            EVTAG_ARRAY_ADD_VALUE(k, counts, counts_values[i]));
    for (i = 0; i < N_ELEMENTS(bigs_values); i++)
        ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(k, bigs, bigs_values[i]));
    for (i = 0; i < N_ELEMENTS(names_values); i++)
        ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(k, names, names_values[i]));
    for (i = 0; i < 3; i++) {
        tv.tv_sec = (time_t)(i * 1000);
        tv.tv_usec = (suseconds_t)i;
        ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(k, whens, &tv));
    }
    for (i = 0; i < 5; i++) {
        p = EVTAG_ARRAY_ADD(k, path);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(EVTAG_ASSIGN(p, x, (ev_uint32_t)i), 0);
        ck_assert_int_eq(EVTAG_ASSIGN(p, y, (ev_uint32_t)(i * i + tweak)), 0);
        if (i % 2 == 0)
            ck_assert_int_eq(EVTAG_ASSIGN(p, label, "step"), 0);
    }
    /* A hundred elements: the arrays grow past any first allocation. */
    for (i = 0; i < 100; i++)
        ck_assert_ptr_nonnull(
            EVTAG_ARRAY_ADD_VALUE(k, opt_counts, (ev_uint32_t)i));
    ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(k, opt_names, "only"));
    p = EVTAG_ARRAY_ADD(k, opt_path);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(EVTAG_ASSIGN(p, x, 9), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(p, y, 9), 0);
}

/* Checks every field of a kitchen filled by fill_kitchen(k, tweak). */
static void
check_kitchen(struct kitchen *k, unsigned tweak)
{
    ev_uint32_t u32 = 0;
    ev_uint64_t u64 = 0;
    char *s = NULL;
    ev_uint8_t *bytes = NULL;
    ev_uint32_t len = 0;
    struct timeval tv;
    struct point *p = NULL;
    size_t i;

    ck_assert_int_eq(kitchen_complete(k), 0);
    ck_assert_int_eq(EVTAG_GET(k, count, &u32), 0);
    ck_assert_uint_eq(u32, 42 + tweak);
    ck_assert_int_eq(EVTAG_GET(k, big, &u64), 0);
    ck_assert_uint_eq(u64, UINT64_C(0x1122334455667788));
    ck_assert_int_eq(EVTAG_GET(k, name, &s), 0);
    ck_assert_str_eq(s, "kitchen");
    ck_assert_int_eq(EVTAG_GET_WITH_LEN(k, blob, &bytes, &len), 0);
    ck_assert_uint_eq(len, sizeof(blob_bytes));
    ck_assert_mem_eq(bytes, blob_bytes, sizeof(blob_bytes));
    ck_assert_int_eq(EVTAG_GET(k, digest, &bytes), 0);
    ck_assert_mem_eq(bytes, digest_bytes, sizeof(digest_bytes));
    ck_assert_int_eq(EVTAG_GET(k, mark, &bytes), 0);
    ck_assert_mem_eq(bytes, mark_bytes, sizeof(mark_bytes));
    ck_assert_int_eq(EVTAG_GET(k, when, &tv), 0);
    ck_assert_int_eq(tv.tv_sec, 1700000000);
    ck_assert_int_eq(tv.tv_usec, 999999);
    ck_assert_int_eq(EVTAG_GET(k, origin, &p), 0);
    assert_point(p, 3, 4, "origin");

    ck_assert_int_eq(EVTAG_HAS(k, opt_count), 1);
    ck_assert_int_eq(EVTAG_GET(k, opt_count, &u32), 0);
    ck_assert_uint_eq(u32, 0);
    ck_assert_int_eq(EVTAG_GET(k, opt_big, &u64), 0);
    ck_assert_uint_eq(u64, UINT64_C(1) << 63);
    ck_assert_int_eq(EVTAG_GET(k, opt_name, &s), 0);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(EVTAG_GET_WITH_LEN(k, opt_blob, &bytes, &len), 0);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(EVTAG_GET(k, opt_mark, &bytes), 0);
    ck_assert_mem_eq(bytes, opt_mark_bytes, sizeof(opt_mark_bytes));
    ck_assert_int_eq(EVTAG_GET(k, opt_when, &tv), 0);
    ck_assert_int_eq(tv.tv_sec, 0);
    ck_assert_int_eq(tv.tv_usec, 1);
    ck_assert_int_eq(EVTAG_HAS(k, opt_origin), 1);
    ck_assert_int_eq(EVTAG_GET(k, opt_origin, &p), 0);
    assert_point(p, 0, 0xffffffffU, NULL);

    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, counts),
                     (int)N_ELEMENTS(counts_values));
    for (i = 0; i < N_ELEMENTS(counts_values); i++) {
        ck_assert_int_eq(EVTAG_ARRAY_GET(k, counts, (int)i, &u32), 0);
        ck_assert_uint_eq(u32, counts_values[i]);
    }
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, bigs), (int)N_ELEMENTS(bigs_values));
    for (i = 0; i < N_ELEMENTS(bigs_values); i++) {
        ck_assert_int_eq(EVTAG_ARRAY_GET(k, bigs, (int)i, &u64), 0);
        ck_assert_uint_eq(u64, bigs_values[i]);
    }
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, names), (int)N_ELEMENTS(names_values));
    for (i = 0; i < N_ELEMENTS(names_values); i++) {
        ck_assert_int_eq(EVTAG_ARRAY_GET(k, names, (int)i, &s), 0);
        ck_assert_str_eq(s, names_values[i]);
    }
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, whens), 3);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(EVTAG_ARRAY_GET(k, whens, (int)i, &tv), 0);
        ck_assert_int_eq(tv.tv_sec, (long)(i * 1000));
        ck_assert_int_eq(tv.tv_usec, (long)i);
    }
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, path), 5);
    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(EVTAG_ARRAY_GET(k, path, (int)i, &p), 0);
        assert_point(p, (ev_uint32_t)i, (ev_uint32_t)(i * i + tweak),
                     i % 2 == 0 ? "step" : NULL);
    }
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, opt_counts), 100);
    for (i = 0; i < 100; i++) {
        ck_assert_int_eq(EVTAG_ARRAY_GET(k, opt_counts, (int)i, &u32), 0);
        ck_assert_uint_eq(u32, i);
    }
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, opt_names), 1);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, opt_names, 0, &s), 0);
    ck_assert_str_eq(s, "only");
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, opt_path), 1);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, opt_path, 0, &p), 0);
    assert_point(p, 9, 9, NULL);
}

/* A route holding one or two full kitchens and no start. */
static struct route *
make_route(int stops)
{
    struct route *r = route_new();
    struct kitchen *k;

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(EVTAG_ASSIGN(r, id, "route 66"), 0);
    k = EVTAG_ARRAY_ADD(r, stops);
    ck_assert_ptr_nonnull(k);
    fill_kitchen(k, 0);
    if (stops > 1) {
        k = EVTAG_ARRAY_ADD(r, stops);
        ck_assert_ptr_nonnull(k);
        fill_kitchen(k, 5);
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* Round trips                                                         */
/* ------------------------------------------------------------------ */

START_TEST(round_trip_every_field)
{
    struct kitchen *k = kitchen_new();
    struct kitchen *back = kitchen_new();
    struct evbuffer *b = evbuffer_new();

    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(back);
    ck_assert_ptr_nonnull(b);
    fill_kitchen(k, 0);
    check_kitchen(k, 0);
    kitchen_marshal(b, k);
    ck_assert_uint_gt(evbuffer_get_length(b), 0);
    ck_assert_int_eq(kitchen_unmarshal(back, b), 0);
    ck_assert_uint_eq(evbuffer_get_length(b), 0);
    check_kitchen(back, 0);

    /* The copy encodes to the same bytes as the original. */
    {
        struct evbuffer *b1 = evbuffer_new();
        struct evbuffer *b2 = evbuffer_new();

        kitchen_marshal(b1, k);
        kitchen_marshal(b2, back);
        ck_assert_uint_eq(evbuffer_get_length(b1), evbuffer_get_length(b2));
        ck_assert_mem_eq(evbuffer_pullup(b1, -1), evbuffer_pullup(b2, -1),
                         evbuffer_get_length(b1));
        evbuffer_free(b1);
        evbuffer_free(b2);
    }
    evbuffer_free(b);
    kitchen_free(k);
    kitchen_free(back);
}
END_TEST

START_TEST(round_trip_nested_with_tag)
{
    struct route *r = make_route(2);
    struct route *back = route_new();
    struct evbuffer *b = evbuffer_new();
    struct kitchen *k = NULL;
    char *s = NULL;
    ev_uint32_t tag = 0;

    evtag_marshal_route(b, 0xbeef, r);
    /* A record with the given tag whose payload is the message. */
    ck_assert_int_eq(evtag_peek(b, &tag), 3); /* the tag's 3 bytes */
    ck_assert_uint_eq(tag, 0xbeef);
    ck_assert_int_eq(evtag_unmarshal_route(b, 0xbeef, back), 0);
    ck_assert_uint_eq(evbuffer_get_length(b), 0);
    ck_assert_int_eq(route_complete(back), 0);
    ck_assert_int_eq(EVTAG_GET(back, id, &s), 0);
    ck_assert_str_eq(s, "route 66");
    ck_assert_int_eq(EVTAG_HAS(back, start), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(back, stops), 2);
    ck_assert_int_eq(EVTAG_ARRAY_GET(back, stops, 0, &k), 0);
    check_kitchen(k, 0);
    ck_assert_int_eq(EVTAG_ARRAY_GET(back, stops, 1, &k), 0);
    check_kitchen(k, 5);
    ck_assert_int_eq(EVTAG_ARRAY_GET(back, stops, 2, &k), -1);

    /* The wrong tag is refused and the message stays untouched. */
    evtag_marshal_route(b, 0xbeef, r);
    route_clear(back);
    ck_assert_int_eq(evtag_unmarshal_route(b, 0xbeee, back), -1);
    ck_assert_int_eq(EVTAG_HAS(back, id), 0);

    evbuffer_free(b);
    route_free(r);
    route_free(back);
}
END_TEST

START_TEST(new_with_arg_and_clear)
{
    int cookie = 0;
    struct point *p = point_new_with_arg(&cookie);
    struct kitchen *k = kitchen_new_with_arg(NULL);
    struct evbuffer *b = evbuffer_new();
    ev_uint32_t v = 0;

    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(k);
    ck_assert_ptr_nonnull(p->base);
    ck_assert_int_eq(EVTAG_HAS(p, x), 0);
    ck_assert_int_eq(EVTAG_GET(p, x, &v), -1);
    ck_assert_int_eq(point_complete(p), -1);

    /* Clearing empties every field, arrays included, and the message can
     * be filled again. */
    fill_kitchen(k, 1);
    kitchen_clear(k);
    ck_assert_int_eq(EVTAG_HAS(k, count), 0);
    ck_assert_int_eq(EVTAG_HAS(k, name), 0);
    ck_assert_int_eq(EVTAG_HAS(k, blob), 0);
    ck_assert_int_eq(EVTAG_HAS(k, origin), 0);
    ck_assert_int_eq(EVTAG_HAS(k, opt_origin), 0);
    ck_assert_int_eq(EVTAG_HAS(k, counts), 0);
    ck_assert_int_eq(EVTAG_HAS(k, path), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, counts), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, names), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, path), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, opt_counts), 0);
    ck_assert_int_eq(kitchen_complete(k), -1);
    /* An empty message encodes to nothing. */
    kitchen_marshal(b, k);
    ck_assert_uint_eq(evbuffer_get_length(b), 0);
    fill_kitchen(k, 2);
    check_kitchen(k, 2);

    evbuffer_free(b);
    point_free(p);
    kitchen_free(k);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Accessors                                                           */
/* ------------------------------------------------------------------ */

START_TEST(scalar_accessors)
{
    struct kitchen *k = kitchen_new();
    ev_uint32_t u32 = 0;
    char *s = NULL;
    ev_uint8_t *bytes = NULL;
    ev_uint32_t len = 99;
    struct timeval tv;
    char name[8] = "abc";

    /* Unset fields: HAS is false, GET fails. */
    ck_assert_int_eq(EVTAG_HAS(k, count), 0);
    ck_assert_int_eq(EVTAG_GET(k, count, &u32), -1);
    ck_assert_int_eq(EVTAG_GET(k, name, &s), -1);
    ck_assert_int_eq(EVTAG_GET_WITH_LEN(k, blob, &bytes, &len), -1);
    ck_assert_int_eq(EVTAG_GET(k, when, &tv), -1);
    ck_assert_int_eq(EVTAG_GET(k, digest, &bytes), -1);

    /* Assigning twice replaces the value. */
    ck_assert_int_eq(EVTAG_ASSIGN(k, count, 1), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, count, 2), 0);
    ck_assert_int_eq(EVTAG_HAS(k, count), 1);
    ck_assert_int_eq(EVTAG_GET(k, count, &u32), 0);
    ck_assert_uint_eq(u32, 2);

    /* Strings and bytes are copied. */
    ck_assert_int_eq(EVTAG_ASSIGN(k, name, name), 0);
    name[0] = 'X';
    ck_assert_int_eq(EVTAG_GET(k, name, &s), 0);
    ck_assert_str_eq(s, "abc");
    ck_assert_int_eq(EVTAG_ASSIGN(k, name, "replaced"), 0);
    ck_assert_int_eq(EVTAG_GET(k, name, &s), 0);
    ck_assert_str_eq(s, "replaced");
    ck_assert_int_eq(
        EVTAG_ASSIGN_WITH_LEN(k, blob, (const ev_uint8_t *)name, 3), 0);
    name[1] = 'Y';
    ck_assert_int_eq(EVTAG_GET_WITH_LEN(k, blob, &bytes, &len), 0);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(bytes, "Xbc", 3);

    /* Fixed bytes: GET yields the stored array itself. */
    ck_assert_int_eq(EVTAG_ASSIGN(k, mark, mark_bytes), 0);
    ck_assert_int_eq(EVTAG_GET(k, mark, &bytes), 0);
    ck_assert_ptr_eq(bytes, k->mark_data);
    ck_assert_mem_eq(bytes, "MARK", 4);

    /* The generated functions behind the macros. */
    ck_assert_int_eq(kitchen_count_assign(k, 77), 0);
    ck_assert_int_eq(kitchen_count_get(k, &u32), 0);
    ck_assert_uint_eq(u32, 77);
    ck_assert_uint_eq(k->count_data, 77);
    ck_assert_int_eq(k->count_set, 1);
    ck_assert_int_eq(k->base->count_get(k, &u32), 0);

    kitchen_free(k);
}
END_TEST

START_TEST(struct_accessors)
{
    struct kitchen *k = kitchen_new();
    struct point *src = make_point(1, 2, "src");
    struct point *p = NULL;
    struct point *half = point_new();

    /* Assigning a structure stores a deep copy. */
    ck_assert_int_eq(EVTAG_ASSIGN(k, origin, src), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(src, label, "changed"), 0);
    ck_assert_int_eq(EVTAG_GET(k, origin, &p), 0);
    ck_assert_ptr_ne(p, src);
    assert_point(p, 1, 2, "src");

    /* A structure lacking a required field cannot be assigned. */
    ck_assert_int_eq(EVTAG_ASSIGN(half, x, 5), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(k, origin, half), -1);
    ck_assert_int_eq(EVTAG_GET(k, origin, &p), 0);
    assert_point(p, 1, 2, "src");

    /* GET of an unset structure field creates it, empty, to fill in. */
    ck_assert_int_eq(EVTAG_HAS(k, opt_origin), 0);
    ck_assert_int_eq(EVTAG_GET(k, opt_origin, &p), 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(EVTAG_HAS(k, opt_origin), 1);
    ck_assert_int_eq(EVTAG_HAS(p, x), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(p, x, 8), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(p, y, 9), 0);
    {
        struct point *again = NULL;

        ck_assert_int_eq(EVTAG_GET(k, opt_origin, &again), 0);
        ck_assert_ptr_eq(again, p);
    }

    point_free(half);
    point_free(src);
    kitchen_free(k);
}
END_TEST

START_TEST(array_accessors)
{
    struct kitchen *k = kitchen_new();
    ev_uint32_t *pu = NULL;
    ev_uint32_t u32 = 0;
    char **ps = NULL;
    char *s = NULL;
    struct point *p = NULL;
    struct point *src = make_point(6, 7, "seven");
    struct timeval tv = {5, 6};
    struct timeval *ptv = NULL;

    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, counts), 0);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, counts, 0, &u32), -1);

    /* ADD_VALUE yields the stored element. */
    pu = EVTAG_ARRAY_ADD_VALUE(k, counts, 11);
    ck_assert_ptr_nonnull(pu);
    ck_assert_uint_eq(*pu, 11);
    ck_assert_int_eq(EVTAG_HAS(k, counts), 1);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, counts), 1);
    ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(k, counts, 12));
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, counts, 1, &u32), 0);
    ck_assert_uint_eq(u32, 12);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, counts, 2, &u32), -1);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, counts, -1, &u32), -1);
    ck_assert_uint_eq(k->counts_length, 2);
    ck_assert_int_ge(k->counts_num_allocated, 2);

    /* Assigning an element replaces it; out of range fails. */
    ck_assert_int_eq(kitchen_counts_assign(k, 0, 21), 0);
    ck_assert_int_eq(kitchen_counts_assign(k, 2, 21), -1);
    ck_assert_int_eq(kitchen_counts_assign(k, -1, 21), -1);
    ck_assert_int_eq(kitchen_counts_get(k, 0, &u32), 0);
    ck_assert_uint_eq(u32, 21);

    /* Strings are copied in; the element is the stored pointer. */
    ps = EVTAG_ARRAY_ADD_VALUE(k, names, "first");
    ck_assert_ptr_nonnull(ps);
    ck_assert_str_eq(*ps, "first");
    ck_assert_int_eq(kitchen_names_assign(k, 0, "second"), 0);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, names, 0, &s), 0);
    ck_assert_str_eq(s, "second");
    ck_assert_int_eq(kitchen_names_assign(k, 1, "x"), -1);

    /* Timevals. */
    ptv = EVTAG_ARRAY_ADD_VALUE(k, whens, &tv);
    ck_assert_ptr_nonnull(ptv);
    ck_assert_int_eq(ptv->tv_sec, 5);
    tv.tv_sec = 50;
    ck_assert_int_eq(kitchen_whens_assign(k, 0, &tv), 0);
    memset(&tv, 0, sizeof(tv));
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, whens, 0, &tv), 0);
    ck_assert_int_eq(tv.tv_sec, 50);
    ck_assert_int_eq(tv.tv_usec, 6);

    /* Structures: ADD yields a new empty element; assigning copies. */
    p = EVTAG_ARRAY_ADD(k, path);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(EVTAG_HAS(p, x), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(k, path), 1);
    ck_assert_int_eq(kitchen_path_assign(k, 0, src), 0);
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, path, 0, &p), 0);
    ck_assert_ptr_ne(p, src);
    assert_point(p, 6, 7, "seven");
    ck_assert_int_eq(kitchen_path_assign(k, 1, src), -1);
    p = kitchen_path_add(k);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_eq(k->path_data[1], p);
    ck_assert_ptr_eq(k->base->path_add, kitchen_path_add);

    point_free(src);
    kitchen_free(k);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Refusals                                                            */
/* ------------------------------------------------------------------ */

START_TEST(complete_needs_required_fields)
{
    struct kitchen *k = kitchen_new();
    struct kitchen *back = kitchen_new();
    struct point *p = NULL;
    struct evbuffer *b = evbuffer_new();

    fill_kitchen(k, 0);
    ck_assert_int_eq(kitchen_complete(k), 0);

    /* Without a required scalar the message is incomplete, and the
     * receiving side refuses its encoding. */
    free(k->name_data);
    k->name_data = NULL;
    k->name_set = 0;
    ck_assert_int_eq(kitchen_complete(k), -1);
    kitchen_marshal(b, k);
    ck_assert_int_eq(kitchen_unmarshal(back, b), -1);
    kitchen_free(back);
    evbuffer_drain(b, evbuffer_get_length(b));
    ck_assert_int_eq(EVTAG_ASSIGN(k, name, "again"), 0);
    ck_assert_int_eq(kitchen_complete(k), 0);

    /* A nested structure must itself be complete. */
    ck_assert_int_eq(EVTAG_ARRAY_GET(k, path, 2, &p), 0);
    p->y_set = 0;
    ck_assert_int_eq(kitchen_complete(k), -1);
    back = kitchen_new();
    kitchen_marshal(b, k);
    ck_assert_int_eq(kitchen_unmarshal(back, b), -1);
    kitchen_free(back);
    evbuffer_drain(b, evbuffer_get_length(b));
    p->y_set = 1;
    ck_assert_int_eq(kitchen_complete(k), 0);

    /* So must an optional one that is present. */
    ck_assert_int_eq(EVTAG_GET(k, opt_origin, &p), 0);
    p->x_set = 0;
    ck_assert_int_eq(kitchen_complete(k), -1);
    p->x_set = 1;

    /* A plain array needs an element; an optional one may be empty. */
    kitchen_clear(k);
    fill_kitchen(k, 0);
    k->opt_counts_length = 0;
    k->opt_counts_set = 0;
    ck_assert_int_eq(kitchen_complete(k), 0);
    k->counts_length = 0;
    k->counts_set = 0;
    ck_assert_int_eq(kitchen_complete(k), -1);

    evbuffer_free(b);
    kitchen_free(k);
}
END_TEST

/* point { x = 1, y = 2 } followed by extra records. */
START_TEST(duplicates_and_unknown_tags)
{
    static const unsigned char twice_x[] = {0x01, 0x01, 0x01, 0x02, 0x01,
                                            0x02, 0x01, 0x01, 0x05};
    static const unsigned char unknown[] = {0x01, 0x01, 0x01, 0x02, 0x01,
                                            0x02, 0x09, 0x01, 0x05};
    static const unsigned char twice_label[] = {
        0x01, 0x01, 0x01, 0x02, 0x01, 0x02, 0x03, 0x01, 'a', 0x03, 0x01, 'b'};
    static const unsigned char ok[] = {0x02, 0x01, 0x02, 0x01, 0x01, 0x01};
    /* stamp: many (an array) given twice is fine; big twice is not. */
    static const unsigned char stamp_base[] = {
        0x01, 0x01, 0x07,                    /* big = 7 */
        0x02, 0x02, 0x00, 0x00,              /* when = 0.0 */
        0x03, 0x02, 0xde, 0xad,              /* raw */
        0x05, 0x01, 0x03, 0x05, 0x01, 0x04}; /* many = 3, 4 */
    struct point *p;
    struct stamp *st;
    struct evbuffer *b;
    ev_uint32_t v = 0;

    b = buf_of(twice_x, sizeof(twice_x));
    p = point_new();
    ck_assert_int_eq(point_unmarshal(p, b), -1);
    point_free(p);
    evbuffer_free(b);

    b = buf_of(unknown, sizeof(unknown));
    p = point_new();
    ck_assert_int_eq(point_unmarshal(p, b), -1);
    point_free(p);
    evbuffer_free(b);

    b = buf_of(twice_label, sizeof(twice_label));
    p = point_new();
    ck_assert_int_eq(point_unmarshal(p, b), -1);
    point_free(p);
    evbuffer_free(b);

    /* Fields in any order. */
    b = buf_of(ok, sizeof(ok));
    p = point_new();
    ck_assert_int_eq(point_unmarshal(p, b), 0);
    assert_point(p, 1, 2, NULL);
    point_free(p);
    evbuffer_free(b);

    b = buf_of(stamp_base, sizeof(stamp_base));
    st = stamp_new();
    ck_assert_int_eq(stamp_unmarshal(st, b), 0);
    ck_assert_int_eq(EVTAG_ARRAY_LEN(st, many), 2);
    ck_assert_int_eq(EVTAG_ARRAY_GET(st, many, 1, &v), 0);
    ck_assert_uint_eq(v, 4);
    stamp_free(st);
    evbuffer_free(b);

    b = buf_of(stamp_base, sizeof(stamp_base));
    ck_assert_int_eq(evbuffer_add(b, "\x01\x01\x08", 3), 0);
    st = stamp_new();
    ck_assert_int_eq(stamp_unmarshal(st, b), -1);
    stamp_free(st);
    evbuffer_free(b);

    /* Fixed bytes of the wrong length. */
    b = buf_of(stamp_base, 7);
    ck_assert_int_eq(evbuffer_add(b, "\x03\x03\xde\xad\xbe", 5), 0);
    ck_assert_int_eq(evbuffer_add(b, stamp_base + 11, 6), 0);
    st = stamp_new();
    ck_assert_int_eq(stamp_unmarshal(st, b), -1);
    stamp_free(st);
    evbuffer_free(b);

    /* Unmarshalling into a message that already has the field. */
    b = buf_of(ok, sizeof(ok));
    p = make_point(5, 5, NULL);
    ck_assert_int_eq(point_unmarshal(p, b), -1);
    point_free(p);
    evbuffer_free(b);
}
END_TEST

START_TEST(every_truncation_fails)
{
    struct route *r = make_route(1);
    struct evbuffer *whole = evbuffer_new();
    unsigned char *bytes;
    size_t len, cut;

    /* The last record is the only element of the required array: no
     * proper prefix of the message is a complete route. */
    route_marshal(whole, r);
    len = evbuffer_get_length(whole);
    bytes = evbuffer_pullup(whole, -1);
    for (cut = 0; cut < len; cut++) {
        struct evbuffer *b = buf_of(bytes, cut);
        struct route *back = route_new();

        ck_assert_int_eq(route_unmarshal(back, b), -1);
        route_free(back);
        evbuffer_free(b);
    }
    evbuffer_drain(whole, len);

    /* The same through evtag_unmarshal_route, which reads one record. */
    evtag_marshal_route(whole, 3, r);
    len = evbuffer_get_length(whole);
    bytes = evbuffer_pullup(whole, -1);
    for (cut = 0; cut < len; cut++) {
        struct evbuffer *b = buf_of(bytes, cut);
        struct route *back = route_new();

        ck_assert_int_eq(evtag_unmarshal_route(b, 3, back), -1);
        route_free(back);
        evbuffer_free(b);
    }
    {
        struct evbuffer *b = buf_of(bytes, len);
        struct route *back = route_new();

        ck_assert_int_eq(evtag_unmarshal_route(b, 3, back), 0);
        route_free(back);
        evbuffer_free(b);
    }

    evbuffer_free(whole);
    route_free(r);
}
END_TEST

/* A small deterministic generator for the garbage test. */
static ev_uint32_t
next_random(ev_uint32_t *state)
{
    *state = *state * 1103515245U + 12345U;
    return *state >> 8;
}

START_TEST(garbage_is_refused_cleanly)
{
    struct route *r = make_route(2);
    struct evbuffer *whole = evbuffer_new();
    unsigned char *orig;
    unsigned char buf[4096];
    size_t len;
    ev_uint32_t state = 17;
    int round, accepted = 0;

    /* Random bytes, then single-byte corruptions of a real message: each
     * read succeeds or fails, and whatever it allocated is freed with the
     * message (ASan reports a leak or a bad read otherwise). */
    for (round = 0; round < 2000; round++) {
        size_t n = next_random(&state) % 64, i;
        struct evbuffer *b;
        struct kitchen *k = kitchen_new();

        for (i = 0; i < n; i++)
            buf[i] = (unsigned char)next_random(&state);
        b = buf_of(buf, n);
        if (kitchen_unmarshal(k, b) == 0)
            accepted++;
        kitchen_free(k);
        evbuffer_free(b);
    }
    ck_assert_int_eq(accepted, 0);

    route_marshal(whole, r);
    len = evbuffer_get_length(whole);
    ck_assert_uint_le(len, sizeof(buf));
    orig = evbuffer_pullup(whole, -1);
    for (round = 0; round < 3000; round++) {
        struct evbuffer *b;
        struct route *back = route_new();

        memcpy(buf, orig, len);
        buf[next_random(&state) % len] = (unsigned char)next_random(&state);
        b = buf_of(buf, len);
        (void)route_unmarshal(back, b);
        route_free(back);
        evbuffer_free(b);
    }

    /* A length far beyond the data. */
    {
        static const unsigned char huge[] = {0x04, 0x7f, 0xff, 0xff,
                                             0xff, 0xff, 0x01};
        struct evbuffer *b = buf_of(huge, sizeof(huge));
        struct kitchen *k = kitchen_new();

        ck_assert_int_eq(kitchen_unmarshal(k, b), -1);
        kitchen_free(k);
        evbuffer_free(b);
    }

    evbuffer_free(whole);
    route_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The wire format                                                     */
/* ------------------------------------------------------------------ */

/*
 * Worked out by hand from the evtag format: a record is its tag (7 bits a
 * byte, least significant first, 0x80 on every byte but the last), the
 * payload length as an evtag integer, then the payload.  An evtag integer
 * is a string of nibbles, the first one holding the count of the others
 * less one and the rest the value's nibbles, least significant first,
 * packed two a byte, high nibble first, padded with a zero nibble.
 */
START_TEST(wire_bytes_point)
{
    /* point { x = 1, y = 2, label = "ab" } in tag 0x42. */
    static const unsigned char want[] = {
        0x42, 0x0a,             /* record 0x42, 10 bytes */
        0x01, 0x01, 0x01,       /* x: tag 1, length 1, value 1 */
        0x02, 0x01, 0x02,       /* y: tag 2, length 1, value 2 */
        0x03, 0x02, 'a',  'b'}; /* label: tag 3, length 2, "ab" */
    struct point *p = make_point(1, 2, "ab");
    struct evbuffer *b = evbuffer_new();

    evtag_marshal_point(b, 0x42, p);
    assert_bytes(b, want, sizeof(want));
    evbuffer_drain(b, 2);
    point_free(p);

    /* And back. */
    p = point_new();
    ck_assert_int_eq(point_unmarshal(p, b), 0);
    assert_point(p, 1, 2, "ab");

    /* Without the label; x = 0x12345 takes five nibbles. */
    {
        static const unsigned char want2[] = {0x01, 0x03, 0x45,
                                              0x43, 0x21, /* x = 0x12345 */
                                              0x02, 0x01, 0x00}; /* y = 0 */

        point_clear(p);
        ck_assert_int_eq(EVTAG_ASSIGN(p, x, 0x12345), 0);
        ck_assert_int_eq(EVTAG_ASSIGN(p, y, 0), 0);
        point_marshal(b, p);
        assert_bytes(b, want2, sizeof(want2));
    }
    evbuffer_free(b);
    point_free(p);
}
END_TEST

START_TEST(wire_bytes_stamp)
{
    static const unsigned char want[] = {
        /* big = 0x123456789: nine nibbles */
        0x01, 0x05, 0x89, 0x87, 0x65, 0x43, 0x21,
        /* when = 1700000000 s (0x6553f100), 250000 us (0x3d090) */
        0x02, 0x08, 0x70, 0x01, 0xf3, 0x55, 0x60, 0x40, 0x90, 0xd3,
        /* raw = de ad */
        0x03, 0x02, 0xde, 0xad,
        /* var = 01 02 03 */
        0x04, 0x03, 0x01, 0x02, 0x03,
        /* many = 0, 1000 (0x3e8): one record per element */
        0x05, 0x01, 0x00, 0x05, 0x02, 0x28, 0xe3,
        /* at: tag 0x100017 in three bytes, then point { 1, 2 } */
        0x97, 0x80, 0x40, 0x06, 0x01, 0x01, 0x01, 0x02, 0x01, 0x02};
    static const unsigned char raw[2] = {0xde, 0xad};
    static const unsigned char var[3] = {1, 2, 3};
    struct stamp *st = stamp_new();
    struct stamp *back = stamp_new();
    struct point *p = make_point(1, 2, NULL);
    struct evbuffer *b = evbuffer_new();
    struct timeval tv;
    ev_uint64_t big = 0;

    ck_assert_int_eq(EVTAG_ASSIGN(st, big, UINT64_C(0x123456789)), 0);
    tv.tv_sec = 1700000000;
    tv.tv_usec = 250000;
    ck_assert_int_eq(EVTAG_ASSIGN(st, when, &tv), 0);
    ck_assert_int_eq(EVTAG_ASSIGN(st, raw, raw), 0);
    ck_assert_int_eq(EVTAG_ASSIGN_WITH_LEN(st, var, var, sizeof(var)), 0);
    ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(st, many, 0));
    ck_assert_ptr_nonnull(EVTAG_ARRAY_ADD_VALUE(st, many, 1000));
    ck_assert_int_eq(EVTAG_ASSIGN(st, at, p), 0);
    ck_assert_int_eq(STAMP_AT, 0x100017);
    ck_assert_int_eq(STAMP_MAX_TAGS, 0x100018);
    ck_assert_int_eq(POINT_MAX_TAGS, 4);
    ck_assert_int_eq(KITCHEN_MARK, 6);

    stamp_marshal(b, st);
    assert_bytes(b, want, sizeof(want));
    ck_assert_int_eq(stamp_unmarshal(back, b), 0);
    ck_assert_int_eq(EVTAG_GET(back, big, &big), 0);
    ck_assert_uint_eq(big, UINT64_C(0x123456789));
    ck_assert_int_eq(EVTAG_HAS(back, at), 1);
    stamp_marshal(b, back);
    assert_bytes(b, want, sizeof(want));

    evbuffer_free(b);
    point_free(p);
    stamp_free(st);
    stamp_free(back);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("rpc_types");
    TCase *tc;

    tc = vt_tcase("round_trip", 30);
    tcase_add_test(tc, round_trip_every_field);
    tcase_add_test(tc, round_trip_nested_with_tag);
    tcase_add_test(tc, new_with_arg_and_clear);
    suite_add_tcase(s, tc);

    tc = vt_tcase("accessors", 30);
    tcase_add_test(tc, scalar_accessors);
    tcase_add_test(tc, struct_accessors);
    tcase_add_test(tc, array_accessors);
    suite_add_tcase(s, tc);

    tc = vt_tcase("refusals", 60);
    tcase_add_test(tc, complete_needs_required_fields);
    tcase_add_test(tc, duplicates_and_unknown_tags);
    tcase_add_test(tc, every_truncation_fails);
    tcase_add_test(tc, garbage_is_refused_cleanly);
    suite_add_tcase(s, tc);

    tc = vt_tcase("wire", 30);
    tcase_add_test(tc, wire_bytes_point);
    tcase_add_test(tc, wire_bytes_stamp);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
