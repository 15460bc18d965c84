/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_wire.c (white-box): the evdns protocol layer of src/extra/dns/:
 * the cursor, names (compression rules, limits, presentation text, 0x20,
 * reverse names), the message parser over golden and malformed packets
 * (every truncation of every golden packet must fail cleanly, read from a
 * heap block of exactly its size), and the builder (round trips,
 * compression, truncation).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"
#include "vtest.h"

/* Parses len bytes from a heap block of exactly that size, so that the
 * sanitizers see any read past the end. */
static int
parse_exact(const unsigned char *pkt, size_t len, struct vg_dns_message **out)
{
    unsigned char *copy = malloc(len ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    if (len > 0)
        memcpy(copy, pkt, len);
    rc = vg_dns_message_parse(copy, len, out);
    free(copy);
    return rc;
}

static struct vg_dns_name
name_of(const char *text)
{
    struct vg_dns_name n;

    ck_assert_int_eq(vg_dns_name_from_text(text, &n), 0);
    return n;
}

static void
check_name_at(const struct vg_dns_message *m, size_t off, const char *want)
{
    struct vg_dns_name n;
    char text[VG_DNS_NAME_TEXT_MAX];

    ck_assert_int_eq(vg_dns_message_name(m, off, &n), 0);
    ck_assert_int_ge(vg_dns_name_to_text(&n, text, sizeof(text)), 0);
    ck_assert_str_eq(text, want);
}

/* ------------------------------------------------------------------ */
/* Golden packets                                                      */
/* ------------------------------------------------------------------ */

/* A query: id 0x1234, RD, one question "www.Example.com" A IN. */
static const unsigned char q_www_a[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 3,    'w',  'w',  'w',  7,    'E',  'x',  'a',  'm',  'p',
    'l',  'e',  3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01};

/* Its reply: QR RD RA; answer 1 "www.Example.com" (pointer to 12) CNAME
 * "Example.com" (pointer to 16), TTL 60; answer 2 "Example.com" (pointer
 * to 16) A 93.184.216.34, TTL 300. */
static const unsigned char r_cname_a[] = {
    0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    /* 12: question */
    3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01,
    /* 33: CNAME record, RDATA is one pointer */
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x02,
    0xc0, 0x10,
    /* 47: A record */
    0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 93,
    184, 216, 34};

/* A reply for "a.b" AAAA with ::1, TTL 0, and an authority SOA whose
 * RDATA is kept opaque (7 bytes, nonsense content is fine for an opaque
 * type), and an additional OPT record (root name, class 4096). */
static const unsigned char r_aaaa[] = {0xab,
                                       0xcd,
                                       0x84,
                                       0x00,
                                       0x00,
                                       0x01,
                                       0x00,
                                       0x01,
                                       0x00,
                                       0x01,
                                       0x00,
                                       0x01,
                                       /* 12 */ 1,
                                       'a',
                                       1,
                                       'b',
                                       0,
                                       0x00,
                                       0x1c,
                                       0x00,
                                       0x01,
                                       /* 21 */ 0xc0,
                                       0x0c,
                                       0x00,
                                       0x1c,
                                       0x00,
                                       0x01,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x10,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       1,
                                       /* 49 */ 0xc0,
                                       0x0e,
                                       0x00,
                                       0x06,
                                       0x00,
                                       0x01,
                                       0x00,
                                       0x00,
                                       0x0e,
                                       0x10,
                                       0x00,
                                       0x07,
                                       1,
                                       2,
                                       3,
                                       4,
                                       5,
                                       6,
                                       7,
                                       /* 68: OPT */ 0x00,
                                       0x00,
                                       0x29,
                                       0x10,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x00,
                                       0x00};

/* A PTR reply: "4.3.2.1.in-addr.arpa" PTR "host.example", NXDOMAIN not
 * set, AA set.  The target is written in full (no compression). */
static const unsigned char r_ptr[] = {
    0x00,          0x07, 0x85, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00,          0x00, 0x00,
    /* 12 */ 1,    '4',  1,    '3',  1,    '2',  1,    '1',  7,
    'i',           'n',  '-',  'a',  'd',  'd',  'r',  4,    'a',
    'r',           'p',  'a',  0,    0x00, 0x0c, 0x00, 0x01,
    /* 38 */ 0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x0a,          0x00, 0x0e, 4,    'h',  'o',  's',  't',  7,
    'e',           'x',  'a',  'm',  'p',  'l',  'e',  0};

/* NXDOMAIN for a root query with an opaque TXT answer whose owner is the
 * root: the empty name on the wire is the single octet 0. */
static const unsigned char r_root_txt[] = {
    0x55, 0x55, 0x81, 0x83, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0,    0x00, 0x10, 0x00, 0x01, 0,    0x00, 0x10, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 2,    'h',  'i'};

static const struct golden {
    const char *what;
    const unsigned char *pkt;
    size_t len;
} goldens[] = {
    {"query www.Example.com A", q_www_a, sizeof(q_www_a)},
    {"reply CNAME + A", r_cname_a, sizeof(r_cname_a)},
    {"reply AAAA + SOA + OPT", r_aaaa, sizeof(r_aaaa)},
    {"reply PTR", r_ptr, sizeof(r_ptr)},
    {"reply root TXT", r_root_txt, sizeof(r_root_txt)},
};

START_TEST(golden_query)
{
    struct vg_dns_message *m;

    ck_assert_int_eq(parse_exact(q_www_a, sizeof(q_www_a), &m), 0);
    ck_assert_uint_eq(m->hdr.id, 0x1234);
    ck_assert_uint_eq(m->hdr.flags, VG_DNS_FLAG_RD);
    ck_assert_uint_eq(m->hdr.qdcount, 1);
    ck_assert_uint_eq(m->n_rr, 0);
    ck_assert_uint_eq(m->qd[0].type, VG_DNS_TYPE_A);
    ck_assert_uint_eq(m->qd[0].qclass, VG_DNS_CLASS_IN);
    check_name_at(m, m->qd[0].name_off, "www.Example.com");
    ck_assert_int_eq(vg_dns_request_check(m), VG_DNS_RCODE_NOERROR);
    ck_assert_uint_eq(m->end, sizeof(q_www_a));
    vg_dns_message_free(m);
}
END_TEST

START_TEST(golden_cname_a)
{
    struct vg_dns_message *m;
    struct vg_dns_name n = name_of("www.Example.com");
    const struct vg_dns_rr *an;
    size_t count;

    ck_assert_int_eq(parse_exact(r_cname_a, sizeof(r_cname_a), &m), 0);
    ck_assert_uint_eq(m->hdr.flags & VG_DNS_FLAG_QR, VG_DNS_FLAG_QR);
    ck_assert_int_eq(VG_DNS_RCODE(m->hdr.flags), 0);
    ck_assert_int_eq(vg_dns_question_matches(m, &n, 1, 1), 1);
    ck_assert_int_eq(vg_dns_request_check(m), VG_DNS_RCODE_FORMERR);
    an = vg_dns_message_section(m, VG_DNS_SECTION_ANSWER, &count);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(an[0].type, VG_DNS_TYPE_CNAME);
    ck_assert_uint_eq(an[0].ttl, 60);
    check_name_at(m, an[0].name_off, "www.Example.com");
    ck_assert_uint_ne(an[0].target_off, 0);
    check_name_at(m, an[0].target_off, "Example.com");
    ck_assert_uint_eq(an[1].type, VG_DNS_TYPE_A);
    ck_assert_uint_eq(an[1].ttl, 300);
    ck_assert_uint_eq(an[1].rdlength, 4);
    ck_assert_mem_eq(m->packet + an[1].rdata_off, "\x5d\xb8\xd8\x22", 4);
    ck_assert_ptr_null(
        vg_dns_message_section(m, VG_DNS_SECTION_AUTHORITY, &count));
    ck_assert_uint_eq(count, 0);
    vg_dns_message_free(m);
}
END_TEST

START_TEST(golden_aaaa_soa_opt)
{
    struct vg_dns_message *m;
    const struct vg_dns_rr *rr;
    size_t count;

    ck_assert_int_eq(parse_exact(r_aaaa, sizeof(r_aaaa), &m), 0);
    ck_assert_uint_eq(m->n_rr, 3);
    rr = vg_dns_message_section(m, VG_DNS_SECTION_ANSWER, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(rr->type, VG_DNS_TYPE_AAAA);
    ck_assert_uint_eq(rr->rdlength, 16);
    ck_assert_uint_eq(m->packet[rr->rdata_off + 15], 1);
    rr = vg_dns_message_section(m, VG_DNS_SECTION_AUTHORITY, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(rr->type, VG_DNS_TYPE_SOA);
    ck_assert_uint_eq(rr->rdlength, 7);
    ck_assert_uint_eq(rr->target_off, 0);
    check_name_at(m, rr->name_off, "b");
    rr = vg_dns_message_section(m, VG_DNS_SECTION_ADDITIONAL, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(rr->type, VG_DNS_TYPE_OPT);
    ck_assert_uint_eq(rr->rclass, 4096);
    check_name_at(m, rr->name_off, ".");
    vg_dns_message_free(m);
}
END_TEST

START_TEST(golden_ptr_and_root)
{
    struct vg_dns_message *m;
    struct vg_dns_name n;
    unsigned char addr[16];

    ck_assert_int_eq(parse_exact(r_ptr, sizeof(r_ptr), &m), 0);
    check_name_at(m, m->rr[0].target_off, "host.example");
    ck_assert_int_eq(vg_dns_message_name(m, m->qd[0].name_off, &n), 0);
    ck_assert_int_eq(vg_dns_reverse_parse(&n, addr), AF_INET);
    ck_assert_mem_eq(addr, "\x01\x02\x03\x04", 4);
    vg_dns_message_free(m);

    ck_assert_int_eq(parse_exact(r_root_txt, sizeof(r_root_txt), &m), 0);
    ck_assert_int_eq(VG_DNS_RCODE(m->hdr.flags), VG_DNS_RCODE_NXDOMAIN);
    ck_assert_int_eq(vg_dns_message_name(m, m->qd[0].name_off, &n), 0);
    ck_assert_uint_eq(n.len, 1);
    check_name_at(m, m->rr[0].name_off, ".");
    vg_dns_message_free(m);
}
END_TEST

/* Every proper prefix of every golden packet fails, cleanly, read from a
 * block of exactly its size (ASan sees any over-read); trailing bytes
 * after a whole message are ignored. */
START_TEST(golden_every_truncation_fails)
{
    for (size_t g = 0; g < sizeof(goldens) / sizeof(goldens[0]); g++) {
        struct vg_dns_message *m = NULL;
        unsigned char more[600];

        for (size_t len = 0; len < goldens[g].len; len++) {
            int rc = parse_exact(goldens[g].pkt, len, &m);

            ck_assert_msg(rc < 0, "%s cut at %zu parsed", goldens[g].what, len);
            ck_assert_ptr_null(m);
        }
        ck_assert_int_eq(parse_exact(goldens[g].pkt, goldens[g].len, &m), 0);
        vg_dns_message_free(m);
        memcpy(more, goldens[g].pkt, goldens[g].len);
        memset(more + goldens[g].len, 0xee, 7);
        ck_assert_int_eq(parse_exact(more, goldens[g].len + 7, &m), 0);
        ck_assert_uint_eq(m->end, goldens[g].len);
        vg_dns_message_free(m);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed packets                                                   */
/* ------------------------------------------------------------------ */

/* A header with one question and nothing else, then body. */
static int
parse_question(const unsigned char *body, size_t blen)
{
    unsigned char pkt[600] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    struct vg_dns_message *m = NULL;
    int rc;

    ck_assert_uint_le(blen + 12, sizeof(pkt));
    memcpy(pkt + 12, body, blen);
    rc = parse_exact(pkt, 12 + blen, &m);
    vg_dns_message_free(m);
    return rc;
}

START_TEST(malformed_names)
{
    /* A pointer to itself. */
    static const unsigned char self[] = {0xc0, 0x0c, 0, 1, 0, 1};
    /* Label "a" then a pointer back to it: the pointer is behind itself,
     * but not behind the run it belongs to, so it would loop. */
    static const unsigned char loop2[] = {1, 'a', 0xc0, 0x0c, 0, 1, 0, 1};
    /* A pointer forward (to offset 20, the type field). */
    static const unsigned char fwd[] = {0xc0, 0x14, 0, 1, 0, 1, 0, 0};
    /* A pointer past the end of the packet. */
    static const unsigned char past[] = {0xc3, 0xff, 0, 1, 0, 1};
    /* A pointer into the header (offset 2) is backwards and allowed by
     * the rules; the bytes there (0x00 = root) make it the root name. */
    static const unsigned char into_hdr[] = {0xc0, 0x02, 0, 1, 0, 1};
    /* Reserved label types 01 and 10. */
    static const unsigned char ext40[] = {0x41, 'a', 0, 0, 1, 0, 1};
    static const unsigned char ext80[] = {0x81, 'a', 0, 0, 1, 0, 1};
    /* A pointer cut after its first octet. */
    static const unsigned char half[] = {1, 'a', 0xc0};
    unsigned char big[600];
    size_t n = 0;

    ck_assert_int_eq(parse_question(self, sizeof(self)), VG_DNS_ERR_POINTER);
    ck_assert_int_eq(parse_question(loop2, sizeof(loop2)), VG_DNS_ERR_POINTER);
    ck_assert_int_eq(parse_question(fwd, sizeof(fwd)), VG_DNS_ERR_POINTER);
    ck_assert_int_eq(parse_question(past, sizeof(past)), VG_DNS_ERR_POINTER);
    ck_assert_int_eq(parse_question(into_hdr, sizeof(into_hdr)), 0);
    ck_assert_int_eq(parse_question(ext40, sizeof(ext40)), VG_DNS_ERR_LABEL);
    ck_assert_int_eq(parse_question(ext80, sizeof(ext80)), VG_DNS_ERR_LABEL);
    ck_assert_int_eq(parse_question(half, sizeof(half)), VG_DNS_ERR_TRUNCATED);

    /* A 64-octet label. */
    big[0] = 64;
    memset(big + 1, 'x', 64);
    big[65] = 0;
    memcpy(big + 66, "\0\1\0\1", 4);
    ck_assert_int_eq(parse_question(big, 70), VG_DNS_ERR_LABEL);
    /* 63 is fine. */
    big[0] = 63;
    big[64] = 0;
    memcpy(big + 65, "\0\1\0\1", 4);
    ck_assert_int_eq(parse_question(big, 69), 0);

    /* 127 labels of one octet: 255 octets with the root, the maximum. */
    for (n = 0; n < 127 * 2; n += 2) {
        big[n] = 1;
        big[n + 1] = 'a';
    }
    big[n] = 0;
    memcpy(big + n + 1, "\0\1\0\1", 4);
    ck_assert_int_eq(parse_question(big, n + 5), 0);
    /* 128 labels: 257 octets. */
    big[n] = 1;
    big[n + 1] = 'a';
    big[n + 2] = 0;
    memcpy(big + n + 3, "\0\1\0\1", 4);
    ck_assert_int_eq(parse_question(big, n + 7), VG_DNS_ERR_NAME_LONG);
}
END_TEST

/* A name made too long through a pointer: each part is fine alone. */
START_TEST(malformed_long_via_pointer)
{
    unsigned char pkt[600] = {0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0};
    struct vg_dns_message *m = NULL;
    size_t n = 12;

    /* Question 1: three 63-octet labels (193 octets). */
    for (int k = 0; k < 3; k++) {
        pkt[n++] = 63;
        memset(pkt + n, 'a' + k, 63);
        n += 63;
    }
    pkt[n++] = 0;
    memcpy(pkt + n, "\0\1\0\1", 4);
    n += 4;
    /* Question 2: one 63-octet label, then a pointer to question 1:
     * 64 + 193 = 257 octets. */
    pkt[n++] = 63;
    memset(pkt + n, 'z', 63);
    n += 63;
    pkt[n++] = 0xc0;
    pkt[n++] = 12;
    memcpy(pkt + n, "\0\1\0\1", 4);
    n += 4;
    ck_assert_int_eq(parse_exact(pkt, n, &m), VG_DNS_ERR_NAME_LONG);
    ck_assert_ptr_null(m);
    /* With a 61-octet label: 62 + 193 = 255, accepted. */
    pkt[12 + 197] = 61;
    memmove(pkt + 12 + 198 + 61, pkt + 12 + 198 + 63, 6);
    ck_assert_int_eq(parse_exact(pkt, n - 2, &m), 0);
    vg_dns_message_free(m);
}
END_TEST

START_TEST(malformed_counts_and_rdata)
{
    unsigned char pkt[sizeof(r_cname_a)];
    struct vg_dns_message *m = NULL;

    /* Counts larger than the packet. */
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[7] = 3; /* ancount 3, two present */
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_TRUNCATED);
    pkt[6] = 0xff;
    pkt[7] = 0xff;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_TRUNCATED);
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[4] = 0xff; /* qdcount 65281 */
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_TRUNCATED);
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[11] = 1; /* an additional record that is not there */
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_TRUNCATED);

    /* RDLENGTH past the end: the A record claims 5 octets. */
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[47 + 11] = 5;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_TRUNCATED);
    pkt[47 + 10] = 0xff;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_TRUNCATED);
    /* An A record of 3 octets (within the packet: drop one from the
     * message's end). */
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[47 + 11] = 3;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt) - 1, &m), VG_DNS_ERR_FORMAT);
    /* The CNAME's RDLENGTH says 3 where its name takes 2. */
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[33 + 11] = 3;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_FORMAT);
    /* ... or 1, cutting the pointer in half. */
    pkt[33 + 11] = 1;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_FORMAT);
    /* A CNAME whose target pointer points forward. */
    memcpy(pkt, r_cname_a, sizeof(pkt));
    pkt[33 + 13] = 47;
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), VG_DNS_ERR_POINTER);
    /* Too big for a DNS message. */
    ck_assert_int_eq(vg_dns_message_parse(pkt, 65536, &m), VG_DNS_ERR_FORMAT);
    ck_assert_ptr_null(m);
}
END_TEST

/* Chains of pointers to pointers: question k's name is a pointer to
 * question k - 1's, so reading it takes k hops.  128 hops are allowed,
 * 129 are not (a real name never needs more than one per label). */
static int
parse_chain(size_t nq)
{
    unsigned char pkt[12 + 5 + 200 * 6] = {0, 1, 0, 0};
    struct vg_dns_message *m = NULL;
    size_t n = 12, prev = 12;
    int rc;

    pkt[4] = (unsigned char)(nq >> 8);
    pkt[5] = (unsigned char)nq;
    memcpy(pkt + n, "\0\0\1\0\1", 5); /* question 0: the root */
    n += 5;
    for (size_t k = 1; k < nq; k++) {
        pkt[n] = (unsigned char)(0xc0 | (prev >> 8));
        pkt[n + 1] = (unsigned char)prev;
        memcpy(pkt + n + 2, "\0\1\0\1", 4);
        prev = n;
        n += 6;
    }
    rc = parse_exact(pkt, n, &m);
    vg_dns_message_free(m);
    return rc;
}

START_TEST(pointer_chain_hop_limit)
{
    ck_assert_int_eq(parse_chain(129), 0);
    ck_assert_int_eq(parse_chain(130), VG_DNS_ERR_POINTER);
    ck_assert_int_eq(parse_chain(200), VG_DNS_ERR_POINTER);
}
END_TEST

/* CVE-2016-10195: libevent's name parser could read past the end of the
 * packet when a label's length octet claimed more than was left.  Every
 * such case here ends exactly at the end of a heap block. */
START_TEST(cve_2016_10195_label_past_end)
{
    unsigned char pkt[128] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    struct vg_dns_message *m = NULL;

    for (unsigned l = 1; l <= 63; l++) {
        /* A label of length l with l - 1 octets present, then the
         * same with the octets present but no root after them. */
        pkt[12] = (unsigned char)l;
        memset(pkt + 13, 'q', 100);
        ck_assert_int_eq(parse_exact(pkt, 13 + l - 1, &m),
                         VG_DNS_ERR_TRUNCATED);
        ck_assert_int_eq(parse_exact(pkt, 13 + l, &m), VG_DNS_ERR_TRUNCATED);
    }
    /* A pointer back into the header, where the additional count's low
     * octet (9) reads as a label length running off the end. */
    {
        static const unsigned char p[] = {0, 1, 0, 0, 0,    1,    0, 0,
                                          0, 0, 0, 9, 0xc0, 0x0b, 9, 'a'};

        ck_assert_int_eq(parse_exact(p, sizeof(p), &m), VG_DNS_ERR_TRUNCATED);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

/* CVE-2016-10197: an empty host name made libevent read before its
 * buffer; over-long names must be refused, not cut or overrun. */
START_TEST(cve_2016_10197_empty_and_long_names)
{
    struct vg_dns_name n;
    char text[VG_DNS_NAME_TEXT_MAX];
    char longname[600];

    ck_assert_int_eq(vg_dns_name_from_text("", &n), 0);
    ck_assert_uint_eq(n.len, 1);
    ck_assert_uint_eq(n.wire[0], 0);
    ck_assert_int_eq(vg_dns_name_from_text(".", &n), 0);
    ck_assert_uint_eq(n.len, 1);
    ck_assert_int_eq(vg_dns_name_to_text(&n, text, sizeof(text)), 1);
    ck_assert_str_eq(text, ".");
    ck_assert_int_eq(vg_dns_name_from_text("..", &n), VG_DNS_ERR_LABEL);
    ck_assert_int_eq(vg_dns_name_from_text(".a", &n), VG_DNS_ERR_LABEL);
    ck_assert_int_eq(vg_dns_name_from_text("a..b", &n), VG_DNS_ERR_LABEL);
    ck_assert_int_eq(vg_dns_name_from_text("a.", &n), 0);
    ck_assert_uint_eq(n.len, 3);
    ck_assert_int_eq(vg_dns_name_from_text("\\", &n), VG_DNS_ERR_FORMAT);
    ck_assert_int_eq(vg_dns_name_from_text("a\\25", &n), VG_DNS_ERR_FORMAT);
    ck_assert_int_eq(vg_dns_name_from_text("a\\256", &n), VG_DNS_ERR_FORMAT);
    ck_assert_int_eq(vg_dns_name_from_text(NULL, &n), VG_DNS_ERR_INVALID);

    /* Labels of 63 and 64. */
    memset(longname, 'x', 64);
    longname[63] = '\0';
    ck_assert_int_eq(vg_dns_name_from_text(longname, &n), 0);
    longname[63] = 'x';
    longname[64] = '\0';
    ck_assert_int_eq(vg_dns_name_from_text(longname, &n), VG_DNS_ERR_LABEL);

    /* 127 one-letter labels (253 characters): 255 octets, the maximum;
     * with a final dot too; one more label is too long. */
    for (int i = 0; i < 127; i++) {
        longname[2 * i] = 'a';
        longname[2 * i + 1] = '.';
    }
    longname[253] = '\0';
    ck_assert_int_eq(vg_dns_name_from_text(longname, &n), 0);
    ck_assert_uint_eq(n.len, 255);
    ck_assert_int_eq(vg_dns_name_labels(&n), 127);
    longname[253] = '.';
    longname[254] = '\0';
    ck_assert_int_eq(vg_dns_name_from_text(longname, &n), 0);
    longname[254] = 'b';
    longname[255] = '\0';
    ck_assert_int_eq(vg_dns_name_from_text(longname, &n), VG_DNS_ERR_NAME_LONG);
    /* Very long text of any shape. */
    memset(longname, 'y', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_lt(vg_dns_name_from_text(longname, &n), 0);
    for (size_t i = 0; i + 1 < sizeof(longname); i += 2)
        longname[i] = '.';
    ck_assert_int_lt(vg_dns_name_from_text(longname, &n), 0);
}
END_TEST

START_TEST(name_text_escapes_round_trip)
{
    struct vg_dns_name n, back;
    char text[VG_DNS_NAME_TEXT_MAX];

    /* "a.b" as one label, then "c\": escaped dot and backslash. */
    n = name_of("a\\.b.c\\\\");
    ck_assert_uint_eq(n.wire[0], 3);
    ck_assert_int_ge(vg_dns_name_to_text(&n, text, sizeof(text)), 0);
    ck_assert_str_eq(text, "a\\.b.c\\\\");
    /* Octets outside '!'..'~' become \DDD; case is kept. */
    n = name_of("\\000\\032X\\127y\\255");
    ck_assert_uint_eq(n.len, 8);
    ck_assert_int_ge(vg_dns_name_to_text(&n, text, sizeof(text)), 0);
    ck_assert_str_eq(text, "\\000\\032X\\127y\\255");
    /* \X for an ordinary character is that character. */
    n = name_of("\\a\\b");
    ck_assert_int_ge(vg_dns_name_to_text(&n, text, sizeof(text)), 0);
    ck_assert_str_eq(text, "ab");

    /* Every octet value round-trips, in labels of every length up to 63,
     * and the worst case fits VG_DNS_NAME_TEXT_MAX. */
    for (unsigned v = 0; v < 256; v++) {
        size_t i = 0;

        for (int lab = 0; lab < 4; lab++) {
            size_t l = lab < 3 ? 63 : 61;

            n.wire[i++] = (unsigned char)l;
            memset(n.wire + i, (int)v, l);
            i += l;
        }
        n.wire[i++] = 0;
        n.len = (uint8_t)i;
        ck_assert_uint_eq(i, 255);
        ck_assert_int_ge(vg_dns_name_to_text(&n, text, sizeof(text)), 0);
        ck_assert_int_eq(vg_dns_name_from_text(text, &back), 0);
        ck_assert_int_eq(vg_dns_name_equal(&n, &back), 1);
    }
    /* Too small a buffer fails instead of cutting. */
    n = name_of("abc.de");
    ck_assert_int_eq(vg_dns_name_to_text(&n, text, 6), VG_DNS_ERR_SPACE);
    ck_assert_int_eq(vg_dns_name_to_text(&n, text, 7), 6);
    ck_assert_int_eq(vg_dns_name_to_text(&n, text, 0), VG_DNS_ERR_SPACE);
}
END_TEST

START_TEST(case_randomisation_0x20)
{
    struct vg_dns_name n = name_of("www.Example-1.com"), orig = n, other;
    unsigned char ones[VG_DNS_CASE_RANDOM_BYTES], zeros[4] = {0};
    unsigned char alt[] = {0x55, 0x55, 0x55};
    char text[VG_DNS_NAME_TEXT_MAX];
    struct vg_dns_message *m;
    unsigned char pkt[512];
    int len;

    memset(ones, 0xff, sizeof(ones));
    vg_dns_name_randomize_case(&n, ones, sizeof(ones));
    vg_dns_name_to_text(&n, text, sizeof(text));
    ck_assert_str_eq(text, "WWW.eXAMPLE-1.COM");
    ck_assert_int_eq(vg_dns_name_equal(&n, &orig), 0);
    ck_assert_int_eq(vg_dns_name_equal_nocase(&n, &orig), 1);
    n = orig;
    vg_dns_name_randomize_case(&n, zeros, sizeof(zeros));
    ck_assert_int_eq(vg_dns_name_equal(&n, &orig), 1);
    vg_dns_name_randomize_case(&n, ones, 0);
    ck_assert_int_eq(vg_dns_name_equal(&n, &orig), 1);
    /* Bits count letters only (the digit and '-' take none): every other
     * letter flips. */
    vg_dns_name_randomize_case(&n, alt, sizeof(alt));
    vg_dns_name_to_text(&n, text, sizeof(text));
    ck_assert_str_eq(text, "WwW.EXaMpLe-1.CoM");

    /* The answer must echo the question exactly. */
    len = vg_dns_build_query(pkt, sizeof(pkt), 7, 1, &n, VG_DNS_TYPE_AAAA,
                             VG_DNS_CLASS_IN);
    ck_assert_int_gt(len, 0);
    pkt[2] |= 0x80;
    ck_assert_int_eq(parse_exact(pkt, (size_t)len, &m), 0);
    ck_assert_int_eq(
        vg_dns_question_matches(m, &n, VG_DNS_TYPE_AAAA, VG_DNS_CLASS_IN), 1);
    ck_assert_int_eq(
        vg_dns_question_matches(m, &orig, VG_DNS_TYPE_AAAA, VG_DNS_CLASS_IN),
        0);
    ck_assert_int_eq(
        vg_dns_question_matches(m, &n, VG_DNS_TYPE_A, VG_DNS_CLASS_IN), 0);
    ck_assert_int_eq(vg_dns_question_matches(m, &n, VG_DNS_TYPE_AAAA, 3), 0);
    other = name_of("www.example-1.co");
    ck_assert_int_eq(vg_dns_name_equal_nocase(&other, &orig), 0);
    vg_dns_message_free(m);
}
END_TEST

static void
check_plan(const char *text, int ndots, const char *const *want, int n_want)
{
    static char d1[] = "corp.Example", d2[] = "example.org",
                d3[] = "bad..domain", d4[] = ".";
    static char *const search[] = {d1, d2, d3, d4};
    struct vg_dns_name out[8];
    char got[VG_DNS_NAME_TEXT_MAX];
    int n = vg_dns_search_plan(text, ndots, search, 4, out, 8);

    ck_assert_int_eq(n, n_want);
    for (int i = 0; i < n; i++) {
        vg_dns_name_to_text(&out[i], got, sizeof(got));
        ck_assert_str_eq(got, want[i]);
    }
}

/* The search list (libevent's rules, dns.h), including the empty and
 * over-long names of CVE-2016-10197. */
START_TEST(search_plan)
{
    static const char *const host_first[] = {
        "host.corp.Example", "host.example.org", "host", "host"};
    static const char *const dotted[] = {"a.b", "a.b.corp.Example",
                                         "a.b.example.org", "a.b"};
    static const char *const absolute[] = {"a.b"};
    static const char *const root[] = {"."};
    static const char *const esc[] = {"x\\..corp.Example", "x\\..example.org",
                                      "x\\.", "x\\."};
    struct vg_dns_name out[2], a, d;
    char longname[300];

    /* The last entry of each plan is the name as it is; the search domain
     * "." appends nothing, so it gives the bare name once more. */
    check_plan("host", 1, host_first, 4);
    check_plan("a.b", 1, dotted, 4);
    check_plan("a.b.", 1, absolute, 1);
    check_plan("", 1, root, 1);
    check_plan(".", 1, root, 1);
    check_plan("x\\.", 1, esc, 4);
    /* ndots 0: every relative name goes as it is first. */
    check_plan("host", 0,
               (const char *const[]){"host", "host.corp.Example",
                                     "host.example.org", "host"},
               4);
    /* Bad names are refused. */
    ck_assert_int_eq(vg_dns_search_plan("a..b", 1, NULL, 0, out, 2),
                     VG_DNS_ERR_LABEL);
    ck_assert_int_eq(vg_dns_search_plan("a", 1, NULL, 0, out, 2), 1);
    ck_assert_int_eq(vg_dns_search_plan("a", 1, NULL, 0, out, 0), 0);
    /* A name that is long alone: appending a domain is skipped. */
    for (int i = 0; i < 125; i++) {
        longname[2 * i] = 'n';
        longname[2 * i + 1] = '.';
    }
    longname[249] = '\0';
    {
        static char toolong[] = "toolong";
        char *const dom[] = {toolong};
        struct vg_dns_name plan[4];

        ck_assert_int_eq(vg_dns_search_plan(longname, 200, dom, 1, plan, 4), 1);
        ck_assert_uint_eq(plan[0].len, 251);
    }
    a = name_of("a");
    d = name_of("b.c");
    ck_assert_int_eq(vg_dns_name_join(&a, &d, &a), 0);
    vg_dns_name_to_text(&a, longname, sizeof(longname));
    ck_assert_str_eq(longname, "a.b.c");
    d = name_of("c");
    ck_assert_int_eq(vg_dns_name_join(&a, &d, &d), 0);
    vg_dns_name_to_text(&d, longname, sizeof(longname));
    ck_assert_str_eq(longname, "a.b.c.c");
}
END_TEST

START_TEST(reverse_names)
{
    static const unsigned char v4[4] = {192, 0, 2, 10};
    unsigned char v6[16], back[16];
    struct vg_dns_name n;
    char text[VG_DNS_NAME_TEXT_MAX];

    vg_dns_reverse_ipv4(v4, &n);
    vg_dns_name_to_text(&n, text, sizeof(text));
    ck_assert_str_eq(text, "10.2.0.192.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), AF_INET);
    ck_assert_mem_eq(back, v4, 4);

    ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::567:89ab", v6), 1);
    vg_dns_reverse_ipv6(v6, &n);
    vg_dns_name_to_text(&n, text, sizeof(text));
    ck_assert_str_eq(text, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
                           "0.8.b.d.0.1.0.0.2.ip6.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), AF_INET6);
    ck_assert_mem_eq(back, v6, 16);
    /* Upper case is read too (0x20 may have changed it). */
    n = name_of("B.A.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0."
                "0.2.IP6.ARPA");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), AF_INET6);
    ck_assert_mem_eq(back, v6, 16);

    n = name_of("1.2.3.4.IN-ADDR.arpa.");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), AF_INET);
    ck_assert_mem_eq(back, "\x04\x03\x02\x01", 4);
    n = name_of("0.0.0.0.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), AF_INET);
    n = name_of("255.255.255.255.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), AF_INET);
    n = name_of("256.2.3.4.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
    n = name_of("01.2.3.4.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
    n = name_of("2.3.4.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
    n = name_of("x.2.3.4.in-addr.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
    n = name_of("1.2.3.4.in-addr.arpa.com");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
    n = name_of("g.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0."
                "0.2.ip6.arpa");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
    n = name_of("example.com");
    ck_assert_int_eq(vg_dns_reverse_parse(&n, back), VG_DNS_ERR_FORMAT);
}
END_TEST

START_TEST(cursor_bounds)
{
    static const unsigned char d[] = {1, 2, 3, 4, 5};
    struct vg_dns_cursor c;
    uint32_t v32;
    uint16_t v16;
    uint8_t v8;
    unsigned char out[8];

    vg_dns_cursor_init(&c, d, sizeof(d));
    ck_assert_int_eq(vg_dns_cursor_u32(&c, &v32), 0);
    ck_assert_uint_eq(v32, 0x01020304);
    ck_assert_int_eq(vg_dns_cursor_u16(&c, &v16), VG_DNS_ERR_TRUNCATED);
    ck_assert_uint_eq(c.pos, 4);
    ck_assert_int_eq(vg_dns_cursor_u32(&c, &v32), VG_DNS_ERR_TRUNCATED);
    ck_assert_int_eq(vg_dns_cursor_bytes(&c, out, 2), VG_DNS_ERR_TRUNCATED);
    ck_assert_int_eq(vg_dns_cursor_skip(&c, 2), VG_DNS_ERR_TRUNCATED);
    ck_assert_int_eq(vg_dns_cursor_u8(&c, &v8), 0);
    ck_assert_uint_eq(v8, 5);
    ck_assert_uint_eq(vg_dns_cursor_left(&c), 0);
    ck_assert_int_eq(vg_dns_cursor_u8(&c, &v8), VG_DNS_ERR_TRUNCATED);
    ck_assert_int_eq(vg_dns_cursor_seek(&c, 6), VG_DNS_ERR_TRUNCATED);
    ck_assert_int_eq(vg_dns_cursor_seek(&c, 5), 0);
    ck_assert_int_eq(vg_dns_cursor_seek(&c, 1), 0);
    ck_assert_int_eq(vg_dns_cursor_u16(&c, &v16), 0);
    ck_assert_uint_eq(v16, 0x0203);
    ck_assert_int_eq(vg_dns_cursor_skip(&c, SIZE_MAX), VG_DNS_ERR_TRUNCATED);
    ck_assert_int_eq(vg_dns_cursor_bytes(&c, out, 0), 0);
    ck_assert_str_eq(vg_dns_strerror(VG_DNS_ERR_POINTER),
                     "bad compression pointer");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Builder                                                             */
/* ------------------------------------------------------------------ */

START_TEST(query_builder_matches_golden)
{
    struct vg_dns_name n = name_of("www.Example.com");
    unsigned char buf[512];
    int len;

    len = vg_dns_build_query(buf, sizeof(buf), 0x1234, 1, &n, VG_DNS_TYPE_A,
                             VG_DNS_CLASS_IN);
    ck_assert_int_eq(len, (int)sizeof(q_www_a));
    ck_assert_mem_eq(buf, q_www_a, sizeof(q_www_a));
    /* No room: the caller's buffer is the limit. */
    ck_assert_int_eq(vg_dns_build_query(buf, 32, 1, 1, &n, 1, 1),
                     VG_DNS_ERR_SPACE);
    ck_assert_int_eq(vg_dns_build_query(buf, 11, 1, 1, &n, 1, 1),
                     VG_DNS_ERR_INVALID);
    ck_assert_int_eq(vg_dns_build_query(buf, 65536, 1, 1, &n, 1, 1),
                     VG_DNS_ERR_INVALID);
}
END_TEST

/* The reply of r_cname_a, built: the same octets, compression included. */
START_TEST(reply_builder_matches_golden)
{
    struct vg_dns_name www = name_of("www.Example.com");
    struct vg_dns_name ex = name_of("Example.com");
    static const unsigned char a[4] = {93, 184, 216, 34};
    struct vg_dns_builder b;
    unsigned char buf[512];

    ck_assert_int_eq(
        vg_dns_builder_init(&b, buf, sizeof(buf), 0x1234,
                            VG_DNS_FLAG_QR | VG_DNS_FLAG_RD | VG_DNS_FLAG_RA),
        0);
    ck_assert_int_eq(vg_dns_builder_question(&b, &www, 1, 1), 0);
    ck_assert_int_eq(vg_dns_builder_rr_name(&b, VG_DNS_SECTION_ANSWER, &www,
                                            VG_DNS_TYPE_CNAME, 1, 60, &ex),
                     0);
    ck_assert_int_eq(vg_dns_builder_rr(&b, VG_DNS_SECTION_ANSWER, &ex,
                                       VG_DNS_TYPE_A, 1, 300, a, 4),
                     0);
    ck_assert_uint_eq(vg_dns_builder_finish(&b), sizeof(r_cname_a));
    ck_assert_mem_eq(buf, r_cname_a, sizeof(r_cname_a));
    /* Questions after records, and records in an earlier section, are
     * refused. */
    ck_assert_int_eq(vg_dns_builder_question(&b, &www, 1, 1),
                     VG_DNS_ERR_INVALID);
    ck_assert_int_eq(
        vg_dns_builder_rr(&b, VG_DNS_SECTION_ADDITIONAL, &ex, 1, 1, 1, a, 4),
        0);
    ck_assert_int_eq(
        vg_dns_builder_rr(&b, VG_DNS_SECTION_ANSWER, &ex, 1, 1, 1, a, 4),
        VG_DNS_ERR_INVALID);
    ck_assert_uint_eq(vg_dns_builder_finish(&b), sizeof(r_cname_a) + 16);
}
END_TEST

START_TEST(reply_builder_round_trip)
{
    struct vg_dns_name q = name_of("mIxEd.Case.Example.org");
    struct vg_dns_name alias = name_of("target.example.org");
    struct vg_dns_name ptr = name_of("1.0.0.127.in-addr.arpa");
    struct vg_dns_name ns = name_of("ns1.Case.Example.org");
    struct vg_dns_name odd = name_of("we\\.ird\\000.Example.org");
    static const unsigned char a[4] = {10, 0, 0, 1};
    unsigned char aaaa[16] = {0x20, 0x01, 0x0d, 0xb8};
    static const unsigned char mx[] = {0, 10, 0};
    unsigned char buf[1024];
    struct vg_dns_builder b;
    struct vg_dns_message *m;
    struct vg_dns_name got;
    size_t len, count;
    const struct vg_dns_rr *rr;

    aaaa[15] = 9;
    ck_assert_int_eq(vg_dns_builder_init(&b, buf, sizeof(buf), 0xbeef,
                                         VG_DNS_FLAG_QR | VG_DNS_FLAG_AA |
                                             VG_DNS_RCODE_NXDOMAIN),
                     0);
    ck_assert_int_eq(vg_dns_builder_question(&b, &q, VG_DNS_TYPE_A, 1), 0);
    ck_assert_int_eq(
        vg_dns_builder_rr_name(&b, 0, &q, VG_DNS_TYPE_CNAME, 1, 5, &alias), 0);
    ck_assert_int_eq(
        vg_dns_builder_rr(&b, 0, &alias, VG_DNS_TYPE_A, 1, 0xfffffffe, a, 4),
        0);
    ck_assert_int_eq(
        vg_dns_builder_rr(&b, 0, &alias, VG_DNS_TYPE_AAAA, 1, 7, aaaa, 16), 0);
    ck_assert_int_eq(
        vg_dns_builder_rr_name(&b, 0, &ptr, VG_DNS_TYPE_PTR, 1, 8, &q), 0);
    ck_assert_int_eq(
        vg_dns_builder_rr(&b, 0, &odd, VG_DNS_TYPE_MX, 1, 9, mx, 3), 0);
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &odd, 65280, 254, 9, NULL, 0), 0);
    ck_assert_int_eq(
        vg_dns_builder_rr_name(&b, 1, &q, VG_DNS_TYPE_NS, 1, 10, &ns), 0);
    ck_assert_int_eq(vg_dns_builder_rr(&b, 2, &ns, VG_DNS_TYPE_A, 1, 11, a, 4),
                     0);
    len = vg_dns_builder_finish(&b);

    ck_assert_int_eq(parse_exact(buf, len, &m), 0);
    ck_assert_uint_eq(m->hdr.id, 0xbeef);
    ck_assert_uint_eq(m->hdr.flags,
                      VG_DNS_FLAG_QR | VG_DNS_FLAG_AA | VG_DNS_RCODE_NXDOMAIN);
    ck_assert_int_eq(vg_dns_question_matches(m, &q, VG_DNS_TYPE_A, 1), 1);
    rr = vg_dns_message_section(m, VG_DNS_SECTION_ANSWER, &count);
    ck_assert_uint_eq(count, 6);
    ck_assert_int_eq(vg_dns_message_name(m, rr[0].name_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &q), 1);
    ck_assert_int_eq(vg_dns_message_name(m, rr[0].target_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &alias), 1);
    ck_assert_uint_eq(rr[1].ttl, 0xfffffffe);
    ck_assert_mem_eq(m->packet + rr[1].rdata_off, a, 4);
    ck_assert_uint_eq(rr[2].type, VG_DNS_TYPE_AAAA);
    ck_assert_mem_eq(m->packet + rr[2].rdata_off, aaaa, 16);
    ck_assert_int_eq(vg_dns_message_name(m, rr[3].name_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &ptr), 1);
    ck_assert_int_eq(vg_dns_message_name(m, rr[3].target_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &q), 1);
    ck_assert_int_eq(vg_dns_message_name(m, rr[4].name_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &odd), 1);
    ck_assert_uint_eq(rr[4].rdlength, 3);
    ck_assert_mem_eq(m->packet + rr[4].rdata_off, mx, 3);
    ck_assert_uint_eq(rr[5].type, 65280);
    ck_assert_uint_eq(rr[5].rclass, 254);
    ck_assert_uint_eq(rr[5].rdlength, 0);
    rr = vg_dns_message_section(m, VG_DNS_SECTION_AUTHORITY, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(vg_dns_message_name(m, rr[0].target_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &ns), 1);
    rr = vg_dns_message_section(m, VG_DNS_SECTION_ADDITIONAL, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(vg_dns_message_name(m, rr[0].name_off, &got), 0);
    ck_assert_int_eq(vg_dns_name_equal(&got, &ns), 1);
    vg_dns_message_free(m);
}
END_TEST

/* Compression: ten A records for the question's name cost 16 octets each
 * (a 2-octet pointer), against 27 written in full; and names sharing only
 * a suffix point at it. */
START_TEST(compression_shrinks)
{
    struct vg_dns_name q = name_of("www.example.com");
    struct vg_dns_name mail = name_of("mail.example.com");
    struct vg_dns_name upper = name_of("MAIL.example.com");
    static const unsigned char a[4] = {1, 2, 3, 4};
    unsigned char buf[1024];
    struct vg_dns_builder b;
    struct vg_dns_message *m;
    size_t before, len;

    vg_dns_builder_init(&b, buf, sizeof(buf), 1, VG_DNS_FLAG_QR);
    vg_dns_builder_question(&b, &q, 1, 1);
    before = vg_dns_builder_finish(&b);
    ck_assert_uint_eq(before, 12 + q.len + 4);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &q, 1, 1, 1, a, 4), 0);
    len = vg_dns_builder_finish(&b);
    ck_assert_uint_eq(len - before, 10 * (2 + 10 + 4));
    ck_assert_uint_lt(len - before, 10 * (q.len + 10 + 4));
    /* "mail" plus a pointer to "example.com" of the question. */
    before = len;
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &mail, 1, 1, 1, a, 4), 0);
    len = vg_dns_builder_finish(&b);
    ck_assert_uint_eq(len - before, 5 + 2 + 10 + 4);
    ck_assert_uint_eq(buf[before + 5], 0xc0);
    ck_assert_uint_eq(buf[before + 6], 12 + 4);
    /* Case counts: "MAIL" cannot point at "mail", only at the suffix. */
    before = len;
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &upper, 1, 1, 1, a, 4), 0);
    len = vg_dns_builder_finish(&b);
    ck_assert_uint_eq(len - before, 5 + 2 + 10 + 4);
    ck_assert_int_eq(parse_exact(buf, len, &m), 0);
    check_name_at(m, m->rr[11].name_off, "MAIL.example.com");
    check_name_at(m, m->rr[10].name_off, "mail.example.com");
    vg_dns_message_free(m);
}
END_TEST

/* A reply over 512 octets: TC set, the records that did not fit dropped,
 * the rest a valid message; additional records only get dropped. */
START_TEST(truncation_sets_tc)
{
    struct vg_dns_name q = name_of("www.example.com");
    static const unsigned char a[4] = {1, 2, 3, 4};
    unsigned char buf[VG_DNS_UDP_MAX];
    struct vg_dns_builder b;
    struct vg_dns_message *m;
    int added = 0, rc;

    vg_dns_builder_init(&b, buf, sizeof(buf), 9, VG_DNS_FLAG_QR);
    vg_dns_builder_question(&b, &q, 1, 1); /* 12 + 21 = 33 octets */
    for (int i = 0; i < 40; i++) {
        rc = vg_dns_builder_rr(&b, 0, &q, 1, 1, 1, a, 4);
        if (rc == 0)
            added++;
        else
            ck_assert_int_eq(rc, VG_DNS_ERR_SPACE);
    }
    /* (512 - 33) / 16 = 29 records. */
    ck_assert_int_eq(added, 29);
    ck_assert_int_eq(b.truncated, 1);
    ck_assert_uint_le(vg_dns_builder_finish(&b), 512);
    ck_assert_int_eq(vg_dns_builder_rr(&b, 1, &q, 1, 1, 1, a, 4),
                     VG_DNS_ERR_SPACE);
    ck_assert_int_eq(parse_exact(buf, vg_dns_builder_finish(&b), &m), 0);
    ck_assert_uint_eq(m->hdr.flags & VG_DNS_FLAG_TC, VG_DNS_FLAG_TC);
    ck_assert_uint_eq(m->hdr.ancount, 29);
    vg_dns_message_free(m);

    /* Overflow in the additional section: dropped, no TC. */
    vg_dns_builder_init(&b, buf, sizeof(buf), 9, VG_DNS_FLAG_QR);
    vg_dns_builder_question(&b, &q, 1, 1);
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &q, 1, 1, 1, a, 4), 0);
    added = 0;
    for (int i = 0; i < 40; i++)
        if (vg_dns_builder_rr(&b, 2, &q, 1, 1, 1, a, 4) == 0)
            added++;
    ck_assert_int_eq(added, 28);
    ck_assert_int_eq(b.truncated, 0);
    ck_assert_int_eq(b.failed, 1);
    ck_assert_int_eq(parse_exact(buf, vg_dns_builder_finish(&b), &m), 0);
    ck_assert_uint_eq(m->hdr.flags & VG_DNS_FLAG_TC, 0);
    ck_assert_uint_eq(m->hdr.arcount, 28);
    vg_dns_message_free(m);

    /* A record whose RDATA alone overflows leaves no partial bytes. */
    {
        unsigned char big[600] = {0};

        vg_dns_builder_init(&b, buf, sizeof(buf), 9, VG_DNS_FLAG_QR);
        vg_dns_builder_question(&b, &q, 1, 1);
        ck_assert_int_eq(
            vg_dns_builder_rr(&b, 0, &q, VG_DNS_TYPE_TXT, 1, 1, big, 500),
            VG_DNS_ERR_SPACE);
        ck_assert_uint_eq(vg_dns_builder_finish(&b), 33);
        ck_assert_int_eq(parse_exact(buf, 33, &m), 0);
        ck_assert_uint_eq(m->hdr.ancount, 0);
        ck_assert_uint_eq(m->hdr.flags & VG_DNS_FLAG_TC, VG_DNS_FLAG_TC);
        vg_dns_message_free(m);
    }
}
END_TEST

START_TEST(builder_refuses_bad_names)
{
    struct vg_dns_name bad = name_of("abc"), q = name_of("x");
    unsigned char buf[512];
    struct vg_dns_builder b;

    vg_dns_builder_init(&b, buf, sizeof(buf), 1, 0);
    bad.len = 4; /* the root octet missing */
    ck_assert_int_eq(vg_dns_builder_question(&b, &bad, 1, 1),
                     VG_DNS_ERR_INVALID);
    bad = name_of("abc");
    bad.wire[0] = 64;
    ck_assert_int_eq(vg_dns_builder_question(&b, &bad, 1, 1),
                     VG_DNS_ERR_INVALID);
    bad.len = 0;
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &bad, 1, 1, 1, "abcd", 4),
                     VG_DNS_ERR_INVALID);
    ck_assert_int_eq(vg_dns_builder_rr_name(&b, 0, &q, 5, 1, 1, &bad),
                     VG_DNS_ERR_INVALID);
    ck_assert_uint_eq(vg_dns_builder_finish(&b), 12);
    ck_assert_int_eq(b.truncated, 0);
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &q, 1, 1, 1, NULL, 4),
                     VG_DNS_ERR_INVALID);
    ck_assert_int_eq(vg_dns_builder_rr(&b, 0, &q, 1, 1, 1, buf, 65536),
                     VG_DNS_ERR_INVALID);
}
END_TEST

START_TEST(request_checks)
{
    unsigned char pkt[sizeof(q_www_a)];
    struct vg_dns_message *m;

    memcpy(pkt, q_www_a, sizeof(pkt));
    pkt[2] = 0x10; /* opcode 2 (STATUS) */
    ck_assert_int_eq(parse_exact(pkt, sizeof(pkt), &m), 0);
    ck_assert_int_eq(vg_dns_request_check(m), VG_DNS_RCODE_NOTIMP);
    vg_dns_message_free(m);
    ck_assert_int_eq(parse_exact(pkt, 12, &m), VG_DNS_ERR_TRUNCATED);
    pkt[2] = 0;
    pkt[5] = 0; /* no question */
    ck_assert_int_eq(parse_exact(pkt, 12, &m), 0);
    ck_assert_int_eq(vg_dns_request_check(m), VG_DNS_RCODE_FORMERR);
    vg_dns_message_free(m);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dns_wire");
    TCase *tc = vt_tcase("dns_wire", 30);

    tcase_add_test(tc, golden_query);
    tcase_add_test(tc, golden_cname_a);
    tcase_add_test(tc, golden_aaaa_soa_opt);
    tcase_add_test(tc, golden_ptr_and_root);
    tcase_add_test(tc, golden_every_truncation_fails);
    tcase_add_test(tc, malformed_names);
    tcase_add_test(tc, malformed_long_via_pointer);
    tcase_add_test(tc, malformed_counts_and_rdata);
    tcase_add_test(tc, pointer_chain_hop_limit);
    tcase_add_test(tc, cve_2016_10195_label_past_end);
    tcase_add_test(tc, cve_2016_10197_empty_and_long_names);
    tcase_add_test(tc, name_text_escapes_round_trip);
    tcase_add_test(tc, case_randomisation_0x20);
    tcase_add_test(tc, search_plan);
    tcase_add_test(tc, reverse_names);
    tcase_add_test(tc, cursor_bounds);
    tcase_add_test(tc, query_builder_matches_golden);
    tcase_add_test(tc, reply_builder_matches_golden);
    tcase_add_test(tc, reply_builder_round_trip);
    tcase_add_test(tc, compression_shrinks);
    tcase_add_test(tc, truncation_sets_tc);
    tcase_add_test(tc, builder_refuses_bad_names);
    tcase_add_test(tc, request_checks);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
