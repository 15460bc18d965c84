/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_request.c: fuzz target for the server side of src/extra/dns/: the
 * message parser on requests, vg_dns_request_check, and the reply a
 * server builds from them.
 *
 * A request that parses and passes the checks gets a reply within 512
 * octets echoing its questions (case kept: the client's 0x20 check) with,
 * per question, a CNAME to a name under it, an A, an AAAA and a PTR to
 * its reverse name, and an authority and additional record.  The reply
 * must parse, its first question must match the request's exactly, and
 * TC must be set exactly when answers were dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns-internal.h"

#include "fuzz-check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char a[4] = {192, 0, 2, 1};
    static const unsigned char aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    unsigned char out[VG_DNS_UDP_MAX];
    struct vg_dns_message *m = NULL, *r = NULL;
    struct vg_dns_builder b;
    struct vg_dns_name first;
    int rcode;
    size_t answers = 0, nq;

    if (vg_dns_message_parse(data, size, &m) != 0)
        return 0;
    rcode = vg_dns_request_check(m);
    CHECK(rcode == VG_DNS_RCODE_NOERROR || rcode == VG_DNS_RCODE_FORMERR ||
          rcode == VG_DNS_RCODE_NOTIMP);
    CHECK(vg_dns_builder_init(&b, out, sizeof(out), m->hdr.id,
                              (uint16_t)(VG_DNS_FLAG_QR |
                                         (m->hdr.flags & VG_DNS_FLAG_RD) |
                                         rcode)) == 0);
    nq = rcode == VG_DNS_RCODE_NOERROR ? m->hdr.qdcount : 0;
    for (size_t i = 0; i < nq; i++) {
        struct vg_dns_name n;

        CHECK(vg_dns_message_name(m, m->qd[i].name_off, &n) == 0);
        if (i == 0)
            first = n;
        if (vg_dns_builder_question(&b, &n, m->qd[i].type, m->qd[i].qclass) !=
            0)
            break;
    }
    for (size_t i = 0; i < nq && !b.truncated; i++) {
        struct vg_dns_name n, sub, rev;

        CHECK(vg_dns_message_name(m, m->qd[i].name_off, &n) == 0);
        /* "www" under the question's name, when it fits. */
        sub.wire[0] = 3;
        memcpy(sub.wire + 1, "www", 3);
        if (n.len + 4 <= VG_DNS_MAX_NAME) {
            memcpy(sub.wire + 4, n.wire, n.len);
            sub.len = (uint8_t)(n.len + 4);
        } else {
            sub = n;
        }
        if (vg_dns_builder_rr_name(&b, 0, &n, VG_DNS_TYPE_CNAME, 1, 60, &sub) ==
            0)
            answers++;
        if (vg_dns_builder_rr(&b, 0, &sub, VG_DNS_TYPE_A, 1, 60, a, 4) == 0)
            answers++;
        if (vg_dns_builder_rr(&b, 0, &sub, VG_DNS_TYPE_AAAA, 1, 60, aaaa, 16) ==
            0)
            answers++;
        vg_dns_reverse_ipv6(aaaa, &rev);
        if (vg_dns_builder_rr_name(&b, 0, &rev, VG_DNS_TYPE_PTR, 1, 60, &n) ==
            0)
            answers++;
    }
    if (nq > 0) {
        /* Either may be refused for space; the checks below hold. */
        (void)vg_dns_builder_rr_name(&b, 1, &first, VG_DNS_TYPE_NS, 1, 60,
                                     &first);
        (void)vg_dns_builder_rr(&b, 2, &first, VG_DNS_TYPE_A, 1, 60, a, 4);
    }
    CHECK(vg_dns_builder_finish(&b) <= sizeof(out));
    CHECK(vg_dns_message_parse(out, vg_dns_builder_finish(&b), &r) == 0);
    CHECK(r->hdr.id == m->hdr.id);
    CHECK(VG_DNS_RCODE(r->hdr.flags) == rcode);
    CHECK(r->hdr.ancount == answers);
    CHECK(!!(r->hdr.flags & VG_DNS_FLAG_TC) == b.truncated);
    if (nq > 0 && r->hdr.qdcount == 1)
        CHECK(
            vg_dns_question_matches(r, &first, m->qd[0].type, m->qd[0].qclass));
    vg_dns_message_free(r);
    vg_dns_message_free(m);
    return 0;
}
