/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_message.c: parsing DNS messages (RFC 1035 4.1) and building them,
 * with name compression and truncation.  Every read from a packet goes
 * through the cursor of dns_name.c; the builder writes only inside the
 * caller's buffer and checks the room before every write.
 */
#include "dns-internal.h"

#include <string.h>

/* The smallest question (root name, type, class) and record (root name,
 * type, class, TTL, RDLENGTH): counts that claim more than the packet
 * could hold are refused before anything is allocated. */
#define MIN_QUESTION 5
#define MIN_RR 11

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

static int
read_header(struct vg_dns_cursor *c, struct vg_dns_header *h)
{
    int rc;

    if ((rc = vg_dns_cursor_u16(c, &h->id)) != 0 ||
        (rc = vg_dns_cursor_u16(c, &h->flags)) != 0 ||
        (rc = vg_dns_cursor_u16(c, &h->qdcount)) != 0 ||
        (rc = vg_dns_cursor_u16(c, &h->ancount)) != 0 ||
        (rc = vg_dns_cursor_u16(c, &h->nscount)) != 0 ||
        (rc = vg_dns_cursor_u16(c, &h->arcount)) != 0)
        return rc;
    return 0;
}

/* Checks the RDATA of the record rr, which the cursor has just reached,
 * and moves past it. */
static int
read_rdata(struct vg_dns_cursor *c, struct vg_dns_rr *rr)
{
    struct vg_dns_name target;
    struct vg_dns_cursor sub;
    int rc;

    rr->rdata_off = (uint16_t)c->pos;
    rr->target_off = 0;
    if (vg_dns_cursor_left(c) < rr->rdlength)
        return VG_DNS_ERR_TRUNCATED;
    switch (rr->type) {
    case VG_DNS_TYPE_A:
        if (rr->rclass == VG_DNS_CLASS_IN && rr->rdlength != 4)
            return VG_DNS_ERR_FORMAT;
        break;
    case VG_DNS_TYPE_AAAA:
        if (rr->rclass == VG_DNS_CLASS_IN && rr->rdlength != 16)
            return VG_DNS_ERR_FORMAT;
        break;
    case VG_DNS_TYPE_PTR:
    case VG_DNS_TYPE_CNAME:
    case VG_DNS_TYPE_NS:
        /* One name filling the RDATA exactly; its pointers may reach
         * anywhere earlier in the packet, so read it over the whole
         * packet and check where it stopped. */
        sub = *c;
        if ((rc = vg_dns_name_read(&sub, &target)) != 0)
            return rc;
        if (sub.pos != c->pos + rr->rdlength)
            return VG_DNS_ERR_FORMAT;
        rr->target_off = rr->rdata_off;
        break;
    default:
        break;
    }
    return vg_dns_cursor_skip(c, rr->rdlength);
}

/* Parses msg->packet (msg->packet_len bytes) into msg.  The question and
 * record arrays come from qd_buf and rr_buf when the counts fit in
 * qd_cap and rr_cap, from the heap otherwise (msg->own_arrays says
 * which). */
static int
parse_into(struct vg_dns_message *msg, struct vg_dns_question *qd_buf,
           size_t qd_cap, struct vg_dns_rr *rr_buf, size_t rr_cap)
{
    struct vg_dns_cursor c;
    struct vg_dns_name name;
    size_t nq, nrr;
    int rc;

    vg_dns_cursor_init(&c, msg->packet, msg->packet_len);
    if ((rc = read_header(&c, &msg->hdr)) != 0)
        return rc;

    nq = msg->hdr.qdcount;
    if (nq > vg_dns_cursor_left(&c) / MIN_QUESTION)
        return VG_DNS_ERR_TRUNCATED;
    if (nq > 0 && nq <= qd_cap) {
        msg->qd = qd_buf;
    } else if (nq > 0) {
        if ((msg->qd = vg_dns_calloc(nq, sizeof(*msg->qd))) == NULL)
            return VG_DNS_ERR_NOMEM;
        msg->own_arrays |= 1;
    }
    for (size_t i = 0; i < nq; i++) {
        struct vg_dns_question *q = &msg->qd[i];

        q->name_off = (uint16_t)c.pos;
        if ((rc = vg_dns_name_read(&c, &name)) != 0 ||
            (rc = vg_dns_cursor_u16(&c, &q->type)) != 0 ||
            (rc = vg_dns_cursor_u16(&c, &q->qclass)) != 0)
            return rc;
    }

    nrr = (size_t)msg->hdr.ancount + msg->hdr.nscount + msg->hdr.arcount;
    if (nrr > vg_dns_cursor_left(&c) / MIN_RR)
        return VG_DNS_ERR_TRUNCATED;
    if (nrr > 0 && nrr <= rr_cap) {
        msg->rr = rr_buf;
    } else if (nrr > 0) {
        if ((msg->rr = vg_dns_calloc(nrr, sizeof(*msg->rr))) == NULL)
            return VG_DNS_ERR_NOMEM;
        msg->own_arrays |= 2;
    }
    for (size_t i = 0; i < nrr; i++) {
        struct vg_dns_rr *rr = &msg->rr[i];

        rr->name_off = (uint16_t)c.pos;
        if ((rc = vg_dns_name_read(&c, &name)) != 0 ||
            (rc = vg_dns_cursor_u16(&c, &rr->type)) != 0 ||
            (rc = vg_dns_cursor_u16(&c, &rr->rclass)) != 0 ||
            (rc = vg_dns_cursor_u32(&c, &rr->ttl)) != 0 ||
            (rc = vg_dns_cursor_u16(&c, &rr->rdlength)) != 0 ||
            (rc = read_rdata(&c, rr)) != 0)
            return rc;
    }
    msg->n_rr = nrr;
    msg->end = c.pos;
    return 0;
}

static int
check_length(size_t len)
{
    if (len > VG_DNS_MAX_MESSAGE)
        return VG_DNS_ERR_FORMAT;
    if (len < VG_DNS_HEADER_LEN)
        return VG_DNS_ERR_TRUNCATED;
    return 0;
}

int
vg_dns_message_parse(const void *packet, size_t len,
                     struct vg_dns_message **out)
{
    struct vg_dns_message *msg = NULL;
    int rc;

    *out = NULL;
    if ((rc = check_length(len)) != 0)
        goto done;
    msg = vg_dns_calloc(1, sizeof(*msg));
    if (msg == NULL || (msg->packet = vg_dns_malloc(len)) == NULL) {
        rc = VG_DNS_ERR_NOMEM;
        goto done;
    }
    memcpy(msg->packet, packet, len);
    msg->packet_len = len;
    msg->own_arrays = 3;
    msg->own_packet = 1;
    if ((rc = parse_into(msg, NULL, 0, NULL, 0)) != 0)
        goto done;
    *out = msg;
    msg = NULL;
done:
    vg_dns_message_free(msg);
    return rc;
}

int
vg_dns_message_parse_view(const void *packet, size_t len,
                          struct vg_dns_message *msg,
                          struct vg_dns_question *qd, size_t qd_cap,
                          struct vg_dns_rr *rr, size_t rr_cap)
{
    int rc;

    memset(msg, 0, sizeof(*msg));
    if ((rc = check_length(len)) != 0)
        return rc;
    /* Read only: nothing writes through msg->packet. */
    msg->packet = (unsigned char *)(uintptr_t)packet;
    msg->packet_len = len;
    rc = parse_into(msg, qd, qd_cap, rr, rr_cap);
    if (rc != 0)
        vg_dns_message_release(msg);
    return rc;
}

void
vg_dns_message_release(struct vg_dns_message *msg)
{
    if (msg->own_arrays & 1)
        vg_dns_free(msg->qd);
    if (msg->own_arrays & 2)
        vg_dns_free(msg->rr);
    if (msg->own_packet)
        vg_dns_free(msg->packet);
    msg->qd = NULL;
    msg->rr = NULL;
    msg->packet = NULL;
    msg->own_arrays = 0;
    msg->own_packet = 0;
}

void
vg_dns_message_free(struct vg_dns_message *msg)
{
    if (msg == NULL)
        return;
    vg_dns_message_release(msg);
    vg_dns_free(msg);
}

int
vg_dns_message_name(const struct vg_dns_message *msg, size_t off,
                    struct vg_dns_name *out)
{
    struct vg_dns_cursor c;
    int rc;

    vg_dns_cursor_init(&c, msg->packet, msg->packet_len);
    if ((rc = vg_dns_cursor_seek(&c, off)) != 0)
        return rc;
    return vg_dns_name_read(&c, out);
}

const struct vg_dns_rr *
vg_dns_message_section(const struct vg_dns_message *msg, enum vg_dns_section s,
                       size_t *count)
{
    size_t first = 0, n = 0;

    switch (s) {
    case VG_DNS_SECTION_ANSWER:
        n = msg->hdr.ancount;
        break;
    case VG_DNS_SECTION_AUTHORITY:
        first = msg->hdr.ancount;
        n = msg->hdr.nscount;
        break;
    case VG_DNS_SECTION_ADDITIONAL:
        first = (size_t)msg->hdr.ancount + msg->hdr.nscount;
        n = msg->hdr.arcount;
        break;
    }
    *count = n;
    return n > 0 ? &msg->rr[first] : NULL;
}

int
vg_dns_question_matches(const struct vg_dns_message *msg,
                        const struct vg_dns_name *name, uint16_t type,
                        uint16_t qclass)
{
    struct vg_dns_name qn;

    size_t off;

    if (msg->hdr.qdcount != 1 || msg->qd[0].type != type ||
        msg->qd[0].qclass != qclass)
        return 0;
    /* The usual case, an uncompressed copy of the name: the same octets,
     * final zero included, at the question's place.  (The parser checked
     * the name there, so these bytes are inside the packet.) */
    off = msg->qd[0].name_off;
    if (off + name->len <= msg->packet_len &&
        memcmp(msg->packet + off, name->wire, name->len) == 0)
        return 1;
    if (vg_dns_message_name(msg, off, &qn) != 0)
        return 0;
    return vg_dns_name_equal(&qn, name);
}

int
vg_dns_request_check(const struct vg_dns_message *msg)
{
    if (msg->hdr.flags & VG_DNS_FLAG_QR)
        return VG_DNS_RCODE_FORMERR;
    if (VG_DNS_OPCODE(msg->hdr.flags) != 0)
        return VG_DNS_RCODE_NOTIMP;
    if (msg->hdr.qdcount == 0)
        return VG_DNS_RCODE_FORMERR;
    return VG_DNS_RCODE_NOERROR;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

static void
put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* Appends n bytes, or fails leaving b->len as it was. */
static int
append(struct vg_dns_builder *b, const void *data, size_t n)
{
    if (b->cap - b->len < n)
        return VG_DNS_ERR_SPACE;
    if (n > 0)
        memcpy(b->buf + b->len, data, n);
    b->len += n;
    return 0;
}

static int
append16(struct vg_dns_builder *b, unsigned v)
{
    unsigned char p[2];

    put16(p, v);
    return append(b, p, 2);
}

static int
append32(struct vg_dns_builder *b, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    return append(b, p, 4);
}

int
vg_dns_builder_init(struct vg_dns_builder *b, void *buf, size_t cap,
                    uint16_t id, uint16_t flags)
{
    memset(b, 0, sizeof(*b));
    if (buf == NULL || cap < VG_DNS_HEADER_LEN || cap > VG_DNS_MAX_MESSAGE)
        return VG_DNS_ERR_INVALID;
    b->buf = buf;
    b->cap = cap;
    b->section = -1;
    memset(b->buf, 0, VG_DNS_HEADER_LEN);
    put16(b->buf, id);
    put16(b->buf + 2, flags);
    b->len = VG_DNS_HEADER_LEN;
    return 0;
}

/* 1 if name is well formed: labels of 1 to 63 octets, then the root
 * exactly at its last octet. */
static int
name_valid(const struct vg_dns_name *name)
{
    size_t i = 0;

    while (i < name->len) {
        size_t l = name->wire[i];

        if (l == 0)
            return i + 1 == name->len;
        if (l > VG_DNS_MAX_LABEL)
            return 0;
        i += 1 + l;
    }
    return 0;
}

/* The slot whose name equals the suffix of name starting at octet i,
 * exactly, or -1. */
static int
find_suffix(const struct vg_dns_builder *b, const struct vg_dns_name *name,
            size_t i)
{
    size_t slen = name->len - i;

    for (size_t s = 0; s < b->n_slots; s++) {
        struct vg_dns_cursor c;
        struct vg_dns_name prev;

        if (b->slots[s].len != slen)
            continue;
        vg_dns_cursor_init(&c, b->buf, b->len);
        if (vg_dns_cursor_seek(&c, b->slots[s].off) != 0 ||
            vg_dns_name_read(&c, &prev) != 0)
            continue;
        if (prev.len == slen && memcmp(prev.wire, name->wire + i, slen) == 0)
            return (int)s;
    }
    return -1;
}

/* Writes name, compressed against the names already written, and records
 * its new suffixes.  On failure b->len is unchanged (slots are restored by
 * the caller). */
static int
write_name(struct vg_dns_builder *b, const struct vg_dns_name *name)
{
    size_t start = b->len, i = 0, labels_end;
    int slot = -1, rc;

    if (!name_valid(name))
        return VG_DNS_ERR_INVALID;
    /* The longest suffix already in the message. */
    while (i < name->len && name->wire[i] != 0) {
        if ((slot = find_suffix(b, name, i)) >= 0)
            break;
        i += 1 + (size_t)name->wire[i];
    }
    if (i >= name->len)
        return VG_DNS_ERR_INVALID;
    labels_end = i;
    if ((rc = append(b, name->wire, labels_end)) != 0)
        return rc;
    if (slot >= 0)
        rc = append16(b, 0xc000u | b->slots[slot].off);
    else
        rc = append(b, name->wire + labels_end, 1); /* the root */
    if (rc != 0) {
        b->len = start;
        return rc;
    }
    /* Remember the suffixes just written in full. */
    for (size_t j = 0; j < labels_end; j += 1 + (size_t)name->wire[j]) {
        size_t off = start + j;

        if (b->n_slots == VG_DNS_COMPRESS_SLOTS || off > 0x3fff)
            break;
        b->slots[b->n_slots].off = (uint16_t)off;
        b->slots[b->n_slots].len = (uint8_t)(name->len - j);
        b->n_slots++;
    }
    return 0;
}

static void
bump_count(struct vg_dns_builder *b, int which)
{
    unsigned char *p = b->buf + 4 + 2 * which;

    put16(p, (unsigned)((p[0] << 8) | p[1]) + 1);
}

/* Undoes a record that did not fit and applies the truncation rules. */
static int
no_room(struct vg_dns_builder *b, size_t len, size_t n_slots, int section)
{
    b->len = len;
    b->n_slots = n_slots;
    b->failed = 1;
    if (section != VG_DNS_SECTION_ADDITIONAL) {
        b->truncated = 1;
        b->buf[2] |= VG_DNS_FLAG_TC >> 8;
    }
    return VG_DNS_ERR_SPACE;
}

int
vg_dns_builder_question(struct vg_dns_builder *b,
                        const struct vg_dns_name *name, uint16_t type,
                        uint16_t qclass)
{
    size_t len = b->len, n_slots = b->n_slots;
    int rc;

    if (b->section != -1)
        return VG_DNS_ERR_INVALID;
    if (b->truncated)
        return VG_DNS_ERR_SPACE;
    if ((rc = write_name(b, name)) != 0 || (rc = append16(b, type)) != 0 ||
        (rc = append16(b, qclass)) != 0) {
        if (rc != VG_DNS_ERR_SPACE) {
            b->len = len;
            b->n_slots = n_slots;
            return rc;
        }
        return no_room(b, len, n_slots, VG_DNS_SECTION_ANSWER);
    }
    bump_count(b, 0);
    return 0;
}

/* Starts a record: checks the section order and writes the owner name,
 * type, class and TTL. */
static int
begin_rr(struct vg_dns_builder *b, enum vg_dns_section s,
         const struct vg_dns_name *name, uint16_t type, uint16_t rclass,
         uint32_t ttl)
{
    int rc;

    if ((int)s < b->section || (int)s > VG_DNS_SECTION_ADDITIONAL)
        return VG_DNS_ERR_INVALID;
    if (b->truncated)
        return VG_DNS_ERR_SPACE;
    b->section = (int)s;
    if ((rc = write_name(b, name)) != 0 || (rc = append16(b, type)) != 0 ||
        (rc = append16(b, rclass)) != 0 || (rc = append32(b, ttl)) != 0)
        return rc;
    return 0;
}

static int
end_rr(struct vg_dns_builder *b, enum vg_dns_section s, size_t len,
       size_t n_slots, int rc)
{
    if (rc == 0) {
        bump_count(b, 1 + (int)s);
        return 0;
    }
    if (rc == VG_DNS_ERR_SPACE && !b->truncated)
        return no_room(b, len, n_slots, (int)s);
    if (rc != VG_DNS_ERR_SPACE) {
        b->len = len;
        b->n_slots = n_slots;
    }
    return rc;
}

int
vg_dns_builder_rr(struct vg_dns_builder *b, enum vg_dns_section s,
                  const struct vg_dns_name *name, uint16_t type,
                  uint16_t rclass, uint32_t ttl, const void *rdata,
                  size_t rdlength)
{
    size_t len = b->len, n_slots = b->n_slots;
    int rc;

    if (rdlength > 0xffff || (rdlength > 0 && rdata == NULL))
        return VG_DNS_ERR_INVALID;
    if ((rc = begin_rr(b, s, name, type, rclass, ttl)) == 0 &&
        (rc = append16(b, (unsigned)rdlength)) == 0)
        rc = append(b, rdata, rdlength);
    return end_rr(b, s, len, n_slots, rc);
}

int
vg_dns_builder_rr_name(struct vg_dns_builder *b, enum vg_dns_section s,
                       const struct vg_dns_name *name, uint16_t type,
                       uint16_t rclass, uint32_t ttl,
                       const struct vg_dns_name *target)
{
    size_t len = b->len, n_slots = b->n_slots, at;
    int rc;

    if ((rc = begin_rr(b, s, name, type, rclass, ttl)) == 0 &&
        (rc = append16(b, 0)) == 0) {
        at = b->len;
        if ((rc = write_name(b, target)) == 0)
            put16(b->buf + at - 2, (unsigned)(b->len - at));
    }
    return end_rr(b, s, len, n_slots, rc);
}

size_t
vg_dns_builder_finish(const struct vg_dns_builder *b)
{
    return b->len;
}

int
vg_dns_build_query(void *buf, size_t cap, uint16_t id, int rd,
                   const struct vg_dns_name *name, uint16_t type,
                   uint16_t qclass)
{
    unsigned char *p = buf;
    size_t len = VG_DNS_HEADER_LEN + (size_t)name->len + 4;
    uint16_t flags = rd ? VG_DNS_FLAG_RD : 0;

    /* One question and nothing to compress it against: the header, the
     * name as it is, type and class. */
    if (cap < VG_DNS_HEADER_LEN || cap > VG_DNS_MAX_MESSAGE || name->len < 1)
        return VG_DNS_ERR_INVALID;
    if (len > cap)
        return VG_DNS_ERR_SPACE;
    memset(p, 0, VG_DNS_HEADER_LEN);
    p[0] = (unsigned char)(id >> 8);
    p[1] = (unsigned char)id;
    p[2] = (unsigned char)(flags >> 8);
    p[3] = (unsigned char)flags;
    p[5] = 1; /* qdcount */
    memcpy(p + VG_DNS_HEADER_LEN, name->wire, name->len);
    p += VG_DNS_HEADER_LEN + name->len;
    p[0] = (unsigned char)(type >> 8);
    p[1] = (unsigned char)type;
    p[2] = (unsigned char)(qclass >> 8);
    p[3] = (unsigned char)qclass;
    return (int)len;
}
