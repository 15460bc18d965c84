/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evtag.c: fuzz target for the evtag readers (event2/tag.h and the
 * undeclared evtag_decode_* helpers).
 *
 * The first input byte picks the readers; the rest is the buffer, added
 * by reference (so a read past its end is a sanitizer error), once as one
 * chunk and once a chunk per byte.  Record by record, the target peeks
 * (tag, payload length, total length) and then calls one reader.  Every
 * result must agree with the peek: a reader that succeeds removes exactly
 * its record (or its header, or its number), returns the peeked tag and
 * length, and a value whose canonical encoding decodes back the same; a
 * reader that fails leaves the buffer byte for byte as it was.  Both
 * chunkings must give the same results.
 */
#include <event2/buffer.h>
#include <event2/tag.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "fuzz-check.h"

/* Exported by libevent without a declaration; programs declare them. */
int evtag_encode_tag(struct evbuffer *evbuf, ev_uint32_t tag);
int evtag_decode_tag(ev_uint32_t *ptag, struct evbuffer *evbuf);
int evtag_decode_int(ev_uint32_t *pnumber, struct evbuffer *evbuf);
int evtag_decode_int64(ev_uint64_t *pnumber, struct evbuffer *evbuf);

#define MAX_INPUT 4096
#define MAX_STEPS 256
#define N_READERS 11

/* What one walk saw, to compare the two chunkings. */
struct trace {
    size_t n;
    int64_t v[MAX_STEPS * 4];
};

static void
note(struct trace *t, int64_t v)
{
    if (t->n < sizeof(t->v) / sizeof(t->v[0]))
        t->v[t->n++] = v;
}

/* The canonical encoding of v decodes back to v, in no more bytes than
 * the encoding that was read. */
static void
check_canonical(ev_uint64_t v, int is64, size_t read_len)
{
    struct evbuffer *e = evbuffer_new();
    ev_uint32_t v32 = 0;
    ev_uint64_t v64 = 0;

    CHECK(e != NULL);
    if (is64)
        evtag_encode_int64(e, v);
    else
        evtag_encode_int(e, (ev_uint32_t)v);
    CHECK(evbuffer_get_length(e) <= read_len);
    if (is64) {
        CHECK(evtag_decode_int64(&v64, e) == 0);
        CHECK(v64 == v);
    } else {
        CHECK(evtag_decode_int(&v32, e) == 0);
        CHECK(v32 == v);
    }
    CHECK(evbuffer_get_length(e) == 0);
    evbuffer_free(e);
}

static void
walk(const uint8_t *data, size_t size, unsigned sel, int bytewise,
     struct trace *t)
{
    struct evbuffer *b = evbuffer_new(), *dst = evbuffer_new();
    uint8_t *snap = malloc(size + 1), *now = malloc(size + 1);
    unsigned step;
    size_t i;

    CHECK(b != NULL && dst != NULL && snap != NULL && now != NULL);
    if (bytewise) {
        for (i = 0; i < size; i++)
            CHECK(evbuffer_add_reference(b, data + i, 1, NULL, NULL) == 0);
    } else if (size > 0) {
        CHECK(evbuffer_add_reference(b, data, size, NULL, NULL) == 0);
    }

    for (step = 0; step < MAX_STEPS && evbuffer_get_length(b) > 0; step++) {
        size_t before = evbuffer_get_length(b), after;
        ev_uint32_t ptag = 0, plen = 0, total = 0, tag = 0, u32 = 0;
        ev_uint64_t u64 = 0;
        struct timeval tv;
        unsigned char fixed[64];
        char *s = NULL;
        int tag_len, have_len, have_total, rc = -1;
        unsigned reader = (sel + step) % N_READERS;
        ev_uint32_t need;

        CHECK(evbuffer_copyout(b, snap, before) == (ev_ssize_t)before);
        tag_len = evtag_peek(b, &ptag);
        have_len = evtag_payload_length(b, &plen);
        have_total = evtag_peek_length(b, &total);
        CHECK(tag_len == -1 || (tag_len >= 1 && tag_len <= 5));
        /* A length needs a tag; a total needs a length. */
        CHECK(have_len == -1 || tag_len > 0);
        CHECK(have_total == -1 || have_len == 0);
        if (have_total == 0)
            CHECK(total >= plen + (ev_uint32_t)tag_len + 1);
        /* Bit 4 of the selector asks for the wrong tag now and then. */
        need = ((sel >> 4) & 1) && step % 3 == 0 ? ptag + 1 : ptag;
        note(t, tag_len);
        note(t, have_total == 0 ? (int64_t)total : -1);

        switch (reader) {
        case 0:
            rc = evtag_unmarshal_header(b, &tag);
            if (rc >= 0) {
                CHECK(have_total == 0 && tag == ptag &&
                      (ev_uint32_t)rc == plen);
                CHECK(evbuffer_get_length(b) == before - (total - plen));
                CHECK(evbuffer_get_length(b) >= plen);
            }
            break;
        case 1:
            rc = evtag_unmarshal(b, &tag, dst);
            if (rc >= 0) {
                CHECK(have_total == 0 && tag == ptag &&
                      (ev_uint32_t)rc == plen);
                CHECK(evbuffer_get_length(dst) == plen);
                CHECK(evbuffer_get_length(b) == before - total);
                evbuffer_drain(dst, plen);
            } else {
                CHECK(evbuffer_get_length(dst) == 0);
            }
            break;
        case 2:
            rc = evtag_consume(b);
            if (rc == 0)
                CHECK(evbuffer_get_length(b) == before - total);
            break;
        case 3:
            rc = evtag_unmarshal_int(b, need, &u32);
            if (rc >= 0) {
                CHECK(need == ptag && rc >= 1 && rc <= 5 &&
                      (ev_uint32_t)rc <= plen);
                CHECK(evbuffer_get_length(b) == before - total);
                check_canonical(u32, 0, (size_t)rc);
                note(t, u32);
            }
            break;
        case 4:
            rc = evtag_unmarshal_int64(b, need, &u64);
            if (rc >= 0) {
                CHECK(need == ptag && rc >= 1 && rc <= 9 &&
                      (ev_uint32_t)rc <= plen);
                CHECK(evbuffer_get_length(b) == before - total);
                check_canonical(u64, 1, (size_t)rc);
                note(t, (int64_t)u64);
            }
            break;
        case 5: {
            size_t want = have_len == 0 && plen <= sizeof(fixed) ? plen : 8;

            rc = evtag_unmarshal_fixed(b, need, fixed, want);
            if (rc == 0) {
                CHECK(need == ptag && want == plen);
                CHECK(evbuffer_get_length(b) == before - total);
                CHECK(memcmp(fixed, snap + (total - plen), plen) == 0);
            }
            break;
        }
        case 6:
            rc = evtag_unmarshal_string(b, need, &s);
            if (rc == 0) {
                CHECK(need == ptag && s != NULL && strlen(s) <= plen);
                CHECK(memcmp(s, snap + (total - plen), strlen(s)) == 0);
                CHECK(evbuffer_get_length(b) == before - total);
                note(t, (int64_t)strlen(s));
                free(s);
            } else {
                CHECK(s == NULL);
            }
            break;
        case 7:
            rc = evtag_unmarshal_timeval(b, need, &tv);
            if (rc == 0) {
                CHECK(need == ptag);
                CHECK(tv.tv_sec >= 0 && tv.tv_sec <= (time_t)UINT32_MAX);
                CHECK(tv.tv_usec >= 0 && tv.tv_usec <= (long)UINT32_MAX);
                CHECK(evbuffer_get_length(b) == before - total);
                note(t, (int64_t)tv.tv_sec);
                note(t, (int64_t)tv.tv_usec);
            }
            break;
        case 8:
            rc = evtag_decode_int(&u32, b);
            if (rc == 0) {
                after = evbuffer_get_length(b);
                CHECK(before - after >= 1 && before - after <= 5);
                check_canonical(u32, 0, before - after);
                note(t, u32);
            }
            break;
        case 9:
            rc = evtag_decode_int64(&u64, b);
            if (rc == 0) {
                after = evbuffer_get_length(b);
                CHECK(before - after >= 1 && before - after <= 9);
                check_canonical(u64, 1, before - after);
                note(t, (int64_t)u64);
            }
            break;
        default:
            rc = evtag_decode_tag(&tag, b);
            if (rc >= 0) {
                CHECK(rc == tag_len && tag == ptag);
                CHECK(evbuffer_get_length(b) == before - (size_t)rc);
                /* The canonical tag is no longer and reads back. */
                CHECK(evtag_encode_tag(NULL, tag) <= rc);
            } else {
                CHECK(tag_len == -1);
            }
            break;
        }
        note(t, rc);

        if (rc < 0) {
            /* A failed read leaves the buffer as it was; skip a byte to
             * go on. */
            CHECK(evbuffer_get_length(b) == before);
            CHECK(evbuffer_copyout(b, now, before) == (ev_ssize_t)before);
            CHECK(memcmp(now, snap, before) == 0);
            CHECK(evbuffer_drain(b, 1) == 0);
        }
    }
    free(snap);
    free(now);
    evbuffer_free(dst);
    evbuffer_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trace *one, *split;
    unsigned sel;

    if (size == 0 || size > MAX_INPUT)
        return 0;
    sel = data[0];
    one = calloc(1, sizeof(*one));
    split = calloc(1, sizeof(*split));
    CHECK(one != NULL && split != NULL);
    walk(data + 1, size - 1, sel, 0, one);
    walk(data + 1, size - 1, sel, 1, split);
    CHECK(one->n == split->n);
    CHECK(memcmp(one->v, split->v, one->n * sizeof(one->v[0])) == 0);
    free(one);
    free(split);
    return 0;
}
