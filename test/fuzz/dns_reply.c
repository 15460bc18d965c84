/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_reply.c: fuzz target for the DNS message parser of src/extra/dns/
 * as the resolver uses it on replies.
 *
 * The input is one message.  When it parses, every name in it must read
 * again, print as text and parse back to the same octets, and every
 * record must lie inside the packet; the whole message is then rebuilt
 * with the builder (without a size limit, and again within 512 octets)
 * and the rebuilt message must parse to the same questions and records
 * (the 512-octet one to a prefix of them, with TC set when answers or
 * authority records were dropped).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"

#include "fuzz-check.h"

static void
check_name(const struct vg_dns_message *m, size_t off, struct vg_dns_name *n)
{
    char text[VG_DNS_NAME_TEXT_MAX];
    struct vg_dns_name back;
    unsigned char addr[16];
    int r;

    CHECK(vg_dns_message_name(m, off, n) == 0);
    CHECK(n->len >= 1 && n->len <= VG_DNS_MAX_NAME);
    CHECK(vg_dns_name_to_text(n, text, sizeof(text)) >= 0);
    CHECK(vg_dns_name_from_text(text, &back) == 0);
    CHECK(vg_dns_name_equal(n, &back));
    r = vg_dns_reverse_parse(n, addr);
    CHECK(r == AF_INET || r == AF_INET6 || r == VG_DNS_ERR_FORMAT);
}

static int
section_of(const struct vg_dns_message *m, size_t i)
{
    if (i < m->hdr.ancount)
        return VG_DNS_SECTION_ANSWER;
    if (i < (size_t)m->hdr.ancount + m->hdr.nscount)
        return VG_DNS_SECTION_AUTHORITY;
    return VG_DNS_SECTION_ADDITIONAL;
}

static int
name_rdata(uint16_t type)
{
    return type == VG_DNS_TYPE_PTR || type == VG_DNS_TYPE_CNAME ||
           type == VG_DNS_TYPE_NS;
}

/* Rebuilds m into buf (cap bytes); returns the builder's length and
 * whether TC was set.  Stores how many records went in, per section. */
static size_t
rebuild(const struct vg_dns_message *m, unsigned char *buf, size_t cap,
        size_t added[3], int *tc)
{
    struct vg_dns_builder b;
    size_t nq = 0;

    CHECK(vg_dns_builder_init(&b, buf, cap, m->hdr.id,
                              (uint16_t)(m->hdr.flags & ~VG_DNS_FLAG_TC)) == 0);
    for (size_t i = 0; i < m->hdr.qdcount; i++) {
        struct vg_dns_name n;

        CHECK(vg_dns_message_name(m, m->qd[i].name_off, &n) == 0);
        if (vg_dns_builder_question(&b, &n, m->qd[i].type, m->qd[i].qclass) ==
            0)
            nq++;
        else
            CHECK(b.truncated);
    }
    (void)nq;
    added[0] = added[1] = added[2] = 0;
    for (size_t i = 0; i < m->n_rr; i++) {
        const struct vg_dns_rr *rr = &m->rr[i];
        int s = section_of(m, i), rc;
        struct vg_dns_name n, t;

        CHECK(vg_dns_message_name(m, rr->name_off, &n) == 0);
        if (rr->target_off != 0) {
            CHECK(vg_dns_message_name(m, rr->target_off, &t) == 0);
            rc = vg_dns_builder_rr_name(&b, s, &n, rr->type, rr->rclass,
                                        rr->ttl, &t);
        } else {
            rc = vg_dns_builder_rr(&b, s, &n, rr->type, rr->rclass, rr->ttl,
                                   m->packet + rr->rdata_off, rr->rdlength);
        }
        if (rc == 0)
            added[s]++;
        else
            CHECK(rc == VG_DNS_ERR_SPACE);
    }
    *tc = b.truncated;
    return vg_dns_builder_finish(&b);
}

/* The rebuilt message r holds m's questions and its first records of
 * each section, with equal names, types, classes, TTLs and RDATA. */
static void
compare(const struct vg_dns_message *m, const struct vg_dns_message *r,
        const size_t added[3])
{
    size_t base_m[3] = {0, m->hdr.ancount,
                        (size_t)m->hdr.ancount + m->hdr.nscount};
    size_t base_r[3] = {0, r->hdr.ancount,
                        (size_t)r->hdr.ancount + r->hdr.nscount};

    CHECK(r->hdr.id == m->hdr.id);
    CHECK(r->hdr.ancount == added[0] && r->hdr.nscount == added[1] &&
          r->hdr.arcount == added[2]);
    for (size_t i = 0; i < r->hdr.qdcount; i++) {
        struct vg_dns_name a, b;

        CHECK(vg_dns_message_name(m, m->qd[i].name_off, &a) == 0);
        CHECK(vg_dns_message_name(r, r->qd[i].name_off, &b) == 0);
        CHECK(vg_dns_name_equal(&a, &b));
        CHECK(m->qd[i].type == r->qd[i].type);
        CHECK(m->qd[i].qclass == r->qd[i].qclass);
    }
    for (int s = 0; s < 3; s++) {
        for (size_t k = 0; k < added[s]; k++) {
            const struct vg_dns_rr *x = &m->rr[base_m[s] + k];
            const struct vg_dns_rr *y = &r->rr[base_r[s] + k];
            struct vg_dns_name a, b;

            /* Additional records may have been dropped in the middle. */
            if (s == VG_DNS_SECTION_ADDITIONAL)
                break;
            CHECK(vg_dns_message_name(m, x->name_off, &a) == 0);
            CHECK(vg_dns_message_name(r, y->name_off, &b) == 0);
            CHECK(vg_dns_name_equal(&a, &b));
            CHECK(x->type == y->type && x->rclass == y->rclass &&
                  x->ttl == y->ttl);
            if (x->target_off != 0) {
                CHECK(y->target_off != 0);
                CHECK(vg_dns_message_name(m, x->target_off, &a) == 0);
                CHECK(vg_dns_message_name(r, y->target_off, &b) == 0);
                CHECK(vg_dns_name_equal(&a, &b));
            } else {
                CHECK(x->rdlength == y->rdlength);
                CHECK(memcmp(m->packet + x->rdata_off, r->packet + y->rdata_off,
                             x->rdlength) == 0);
            }
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char big[VG_DNS_MAX_MESSAGE];
    unsigned char small[VG_DNS_UDP_MAX];
    struct vg_dns_message *m = NULL, *r = NULL;
    size_t added[3], len;
    int tc;

    if (vg_dns_message_parse(data, size, &m) != 0) {
        CHECK(m == NULL);
        return 0;
    }
    CHECK(m->end <= size && m->packet_len == size);
    CHECK(m->n_rr == (size_t)m->hdr.ancount + m->hdr.nscount + m->hdr.arcount);
    for (size_t i = 0; i < m->hdr.qdcount; i++) {
        struct vg_dns_name n;

        check_name(m, m->qd[i].name_off, &n);
        if (i == 0 && m->hdr.qdcount == 1)
            CHECK(
                vg_dns_question_matches(m, &n, m->qd[0].type, m->qd[0].qclass));
    }
    for (size_t i = 0; i < m->n_rr; i++) {
        const struct vg_dns_rr *rr = &m->rr[i];
        struct vg_dns_name n;

        check_name(m, rr->name_off, &n);
        CHECK((size_t)rr->rdata_off + rr->rdlength <= m->end);
        if (name_rdata(rr->type))
            CHECK(rr->target_off == rr->rdata_off);
        else
            CHECK(rr->target_off == 0);
        if (rr->target_off != 0)
            check_name(m, rr->target_off, &n);
        if (rr->rclass == VG_DNS_CLASS_IN && rr->type == VG_DNS_TYPE_A)
            CHECK(rr->rdlength == 4);
        if (rr->rclass == VG_DNS_CLASS_IN && rr->type == VG_DNS_TYPE_AAAA)
            CHECK(rr->rdlength == 16);
    }

    /* Rebuilt as large as a message may be: names written in full where
     * the original pointed at something the builder does not compress
     * against may still make it overflow, so the comparison follows what
     * the builder says went in. */
    len = rebuild(m, big, sizeof(big), added, &tc);
    CHECK(vg_dns_message_parse(big, len, &r) == 0);
    compare(m, r, added);
    vg_dns_message_free(r);

    len = rebuild(m, small, sizeof(small), added, &tc);
    CHECK(len <= sizeof(small));
    CHECK(vg_dns_message_parse(small, len, &r) == 0);
    CHECK(!!(r->hdr.flags & VG_DNS_FLAG_TC) == tc);
    compare(m, r, added);
    vg_dns_message_free(r);

    vg_dns_message_free(m);
    return 0;
}
