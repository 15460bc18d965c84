/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_name.c: the bounds-checked packet cursor, and domain names: reading
 * them from packets (with the compression rules of RFC 1035 4.1.4 made
 * strict), presentation text both ways, comparison, 0x20 case
 * randomisation and reverse-lookup names.
 */
#include "dns-internal.h"

#include <netinet/in.h>
#include <string.h>

/* A name of at most 127 labels never needs more jumps than this. */
#define MAX_HOPS 128

const char *
vg_dns_strerror(int err)
{
    switch (err) {
    case VG_DNS_OK:
        return "no error";
    case VG_DNS_ERR_TRUNCATED:
        return "data ends too early";
    case VG_DNS_ERR_POINTER:
        return "bad compression pointer";
    case VG_DNS_ERR_LABEL:
        return "bad label";
    case VG_DNS_ERR_NAME_LONG:
        return "name too long";
    case VG_DNS_ERR_FORMAT:
        return "malformed input";
    case VG_DNS_ERR_NOMEM:
        return "out of memory";
    case VG_DNS_ERR_SPACE:
        return "no space left";
    case VG_DNS_ERR_INVALID:
        return "invalid argument";
    case VG_DNS_ERR_TOO_LARGE:
        return "input too large";
    default:
        return "unknown error";
    }
}

/* ------------------------------------------------------------------ */
/* Cursor                                                              */
/* ------------------------------------------------------------------ */

void
vg_dns_cursor_init(struct vg_dns_cursor *c, const void *data, size_t len)
{
    c->base = data;
    c->len = data != NULL ? len : 0;
    c->pos = 0;
}

size_t
vg_dns_cursor_left(const struct vg_dns_cursor *c)
{
    return c->len - c->pos;
}

int
vg_dns_cursor_u8(struct vg_dns_cursor *c, uint8_t *out)
{
    if (c->len - c->pos < 1)
        return VG_DNS_ERR_TRUNCATED;
    *out = c->base[c->pos];
    c->pos += 1;
    return 0;
}

int
vg_dns_cursor_u16(struct vg_dns_cursor *c, uint16_t *out)
{
    if (c->len - c->pos < 2)
        return VG_DNS_ERR_TRUNCATED;
    *out = (uint16_t)((c->base[c->pos] << 8) | c->base[c->pos + 1]);
    c->pos += 2;
    return 0;
}

int
vg_dns_cursor_u32(struct vg_dns_cursor *c, uint32_t *out)
{
    const unsigned char *p;

    if (c->len - c->pos < 4)
        return VG_DNS_ERR_TRUNCATED;
    p = c->base + c->pos;
    *out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
    c->pos += 4;
    return 0;
}

int
vg_dns_cursor_bytes(struct vg_dns_cursor *c, void *out, size_t n)
{
    if (c->len - c->pos < n)
        return VG_DNS_ERR_TRUNCATED;
    if (n > 0)
        memcpy(out, c->base + c->pos, n);
    c->pos += n;
    return 0;
}

int
vg_dns_cursor_skip(struct vg_dns_cursor *c, size_t n)
{
    if (c->len - c->pos < n)
        return VG_DNS_ERR_TRUNCATED;
    c->pos += n;
    return 0;
}

int
vg_dns_cursor_seek(struct vg_dns_cursor *c, size_t pos)
{
    if (pos > c->len)
        return VG_DNS_ERR_TRUNCATED;
    c->pos = pos;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reading names                                                       */
/* ------------------------------------------------------------------ */

int
vg_dns_name_read(struct vg_dns_cursor *c, struct vg_dns_name *out)
{
    struct vg_dns_cursor r = *c;
    size_t run_start = r.pos; /* start of the current label run */
    size_t resume = 0;        /* where c continues, once we jumped */
    int jumped = 0, hops = 0;
    size_t n = 0;
    int rc;

    for (;;) {
        uint8_t l, lo;
        size_t target;

        if ((rc = vg_dns_cursor_u8(&r, &l)) != 0)
            return rc;
        if ((l & 0xc0) == 0xc0) {
            if ((rc = vg_dns_cursor_u8(&r, &lo)) != 0)
                return rc;
            target = ((size_t)(l & 0x3f) << 8) | lo;
            /* Strictly before the run that holds this pointer: every hop
             * goes backwards, so no chain can loop. */
            if (target >= run_start || ++hops > MAX_HOPS)
                return VG_DNS_ERR_POINTER;
            if (!jumped) {
                resume = r.pos;
                jumped = 1;
            }
            run_start = target;
            if ((rc = vg_dns_cursor_seek(&r, target)) != 0)
                return rc;
            continue;
        }
        if (l & 0xc0)
            return VG_DNS_ERR_LABEL; /* 01 and 10: extended, obsolete */
        if (l == 0) {
            if (n + 1 > VG_DNS_MAX_NAME)
                return VG_DNS_ERR_NAME_LONG;
            out->wire[n++] = 0;
            break;
        }
        /* This label, its length octet and the root still to come. */
        if (n + 1 + l + 1 > VG_DNS_MAX_NAME)
            return VG_DNS_ERR_NAME_LONG;
        out->wire[n] = l;
        if ((rc = vg_dns_cursor_bytes(&r, out->wire + n + 1, l)) != 0)
            return rc;
        n += 1 + (size_t)l;
    }
    out->len = (uint8_t)n;
    c->pos = jumped ? resume : r.pos;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Presentation text                                                   */
/* ------------------------------------------------------------------ */

static int
is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

int
vg_dns_name_from_text(const char *text, struct vg_dns_name *out)
{
    size_t i = 0, n = 0, label_at = 0;
    size_t label_len = 0;
    int rc = 0;

    if (text == NULL)
        return VG_DNS_ERR_INVALID;
    /* "" and "." are the root. */
    if (text[0] == '\0' || (text[0] == '.' && text[1] == '\0')) {
        out->wire[0] = 0;
        out->len = 1;
        return 0;
    }
    /* Room for the first label's length octet. */
    label_at = n++;
    while (text[i] != '\0') {
        unsigned ch = (unsigned char)text[i++];

        if (ch == '.') {
            if (label_len == 0)
                return VG_DNS_ERR_LABEL;
            out->wire[label_at] = (unsigned char)label_len;
            label_len = 0;
            if (text[i] == '\0')
                break; /* a final dot */
            label_at = n++;
            if (n >= VG_DNS_MAX_NAME)
                return VG_DNS_ERR_NAME_LONG;
            continue;
        }
        if (ch == '\\') {
            if (text[i] == '\0')
                return VG_DNS_ERR_FORMAT;
            if (is_digit((unsigned char)text[i])) {
                unsigned v;

                if (!is_digit((unsigned char)text[i + 1]) ||
                    !is_digit((unsigned char)text[i + 2]))
                    return VG_DNS_ERR_FORMAT;
                v = (unsigned)(text[i] - '0') * 100 +
                    (unsigned)(text[i + 1] - '0') * 10 +
                    (unsigned)(text[i + 2] - '0');
                if (v > 255)
                    return VG_DNS_ERR_FORMAT;
                ch = v;
                i += 3;
            } else {
                ch = (unsigned char)text[i++];
            }
        }
        if (label_len == VG_DNS_MAX_LABEL)
            return VG_DNS_ERR_LABEL;
        /* The octet, then at least the root must fit. */
        if (n + 1 >= VG_DNS_MAX_NAME)
            return VG_DNS_ERR_NAME_LONG;
        out->wire[n++] = (unsigned char)ch;
        label_len++;
    }
    if (label_len > 0)
        out->wire[label_at] = (unsigned char)label_len;
    if (n + 1 > VG_DNS_MAX_NAME)
        return VG_DNS_ERR_NAME_LONG;
    out->wire[n++] = 0;
    out->len = (uint8_t)n;
    return rc;
}

int
vg_dns_name_to_text(const struct vg_dns_name *name, char *buf, size_t size)
{
    size_t i = 0, o = 0;

    if (size == 0)
        return VG_DNS_ERR_SPACE;
    if (name->len <= 1) {
        if (size < 2)
            return VG_DNS_ERR_SPACE;
        buf[0] = '.';
        buf[1] = '\0';
        return 1;
    }
    while (i < name->len && name->wire[i] != 0) {
        size_t l = name->wire[i++];

        if (o > 0) {
            if (o + 1 >= size)
                return VG_DNS_ERR_SPACE;
            buf[o++] = '.';
        }
        for (size_t k = 0; k < l && i < name->len; k++, i++) {
            unsigned ch = name->wire[i];

            if (ch == '.' || ch == '\\') {
                if (o + 2 >= size)
                    return VG_DNS_ERR_SPACE;
                buf[o++] = '\\';
                buf[o++] = (char)ch;
            } else if (ch < 0x21 || ch > 0x7e) {
                if (o + 4 >= size)
                    return VG_DNS_ERR_SPACE;
                buf[o++] = '\\';
                buf[o++] = (char)('0' + ch / 100);
                buf[o++] = (char)('0' + ch / 10 % 10);
                buf[o++] = (char)('0' + ch % 10);
            } else {
                if (o + 1 >= size)
                    return VG_DNS_ERR_SPACE;
                buf[o++] = (char)ch;
            }
        }
    }
    buf[o] = '\0';
    return (int)o;
}

int
vg_dns_name_labels(const struct vg_dns_name *name)
{
    size_t i = 0;
    int count = 0;

    while (i < name->len && name->wire[i] != 0) {
        i += 1 + (size_t)name->wire[i];
        count++;
    }
    return count;
}

int
vg_dns_name_equal(const struct vg_dns_name *a, const struct vg_dns_name *b)
{
    return a->len == b->len && memcmp(a->wire, b->wire, a->len) == 0;
}

static unsigned char
ascii_lower(unsigned char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch;
}

int
vg_dns_name_equal_nocase(const struct vg_dns_name *a,
                         const struct vg_dns_name *b)
{
    /* Length octets are below 64 and never letters, so comparing every
     * octet in lower case compares the labels' structure exactly. */
    if (a->len != b->len)
        return 0;
    for (size_t i = 0; i < a->len; i++)
        if (ascii_lower(a->wire[i]) != ascii_lower(b->wire[i]))
            return 0;
    return 1;
}

void
vg_dns_name_randomize_case(struct vg_dns_name *name, const unsigned char *rnd,
                           size_t rndlen)
{
    size_t i = 0, bit = 0, nbits = rndlen * 8;
    unsigned char *w = name->wire;

    while (i < name->len && w[i] != 0) {
        size_t end = i + 1 + w[i];

        if (end > name->len)
            end = name->len;
        for (i++; i < end && bit < nbits; i++) {
            /* A letter, in either case: 'a'..'z' once 0x20 is set. */
            if ((unsigned)((w[i] | 0x20) - 'a') >= 26u)
                continue;
            w[i] ^= (unsigned char)(((rnd[bit >> 3] >> (bit & 7)) & 1) << 5);
            bit++;
        }
        i = end;
    }
}

int
vg_dns_name_join(const struct vg_dns_name *name,
                 const struct vg_dns_name *domain, struct vg_dns_name *out)
{
    size_t head, total;

    if (name->len < 1 || domain->len < 1)
        return VG_DNS_ERR_INVALID;
    head = (size_t)name->len - 1; /* without its root octet */
    total = head + domain->len;
    if (total > VG_DNS_MAX_NAME)
        return VG_DNS_ERR_NAME_LONG;
    /* out may be name or domain: move the tail first, then the head. */
    memmove(out->wire + head, domain->wire, domain->len);
    if (out != name)
        memmove(out->wire, name->wire, head);
    out->len = (uint8_t)total;
    return 0;
}

/* 1 if text ends in a '.' that is not escaped by a backslash. */
static int
ends_in_dot(const char *text)
{
    size_t n = strlen(text), slashes = 0;

    if (n == 0 || text[n - 1] != '.')
        return 0;
    while (slashes + 1 < n && text[n - 2 - slashes] == '\\')
        slashes++;
    return slashes % 2 == 0;
}

int
vg_dns_search_plan(const char *text, int ndots, char *const *search,
                   int n_search, struct vg_dns_name *out, size_t max)
{
    struct vg_dns_name name;
    size_t count = 0;
    int rc, as_is_first;

    if ((rc = vg_dns_name_from_text(text, &name)) != 0)
        return rc;
    if (name.len <= 1 || ends_in_dot(text) || n_search <= 0) {
        if (max > 0)
            out[count++] = name;
        return (int)count;
    }
    as_is_first = vg_dns_name_labels(&name) - 1 >= ndots;
    if (as_is_first && count < max)
        out[count++] = name;
    for (int i = 0; i < n_search && count < max; i++) {
        struct vg_dns_name domain;

        if (search[i] == NULL ||
            vg_dns_name_from_text(search[i], &domain) != 0 ||
            vg_dns_name_join(&name, &domain, &out[count]) != 0)
            continue;
        count++;
    }
    if (!as_is_first && count < max)
        out[count++] = name;
    return (int)count;
}

/* ------------------------------------------------------------------ */
/* Reverse-lookup names                                                */
/* ------------------------------------------------------------------ */

static size_t
put_label(struct vg_dns_name *out, size_t n, const char *s, size_t l)
{
    out->wire[n++] = (unsigned char)l;
    memcpy(out->wire + n, s, l);
    return n + l;
}

void
vg_dns_reverse_ipv4(const unsigned char addr[4], struct vg_dns_name *out)
{
    size_t n = 0;

    for (int i = 3; i >= 0; i--) {
        char d[3];
        size_t l = 0;
        unsigned v = addr[i];

        if (v >= 100)
            d[l++] = (char)('0' + v / 100);
        if (v >= 10)
            d[l++] = (char)('0' + v / 10 % 10);
        d[l++] = (char)('0' + v % 10);
        n = put_label(out, n, d, l);
    }
    n = put_label(out, n, "in-addr", 7);
    n = put_label(out, n, "arpa", 4);
    out->wire[n++] = 0;
    out->len = (uint8_t)n;
}

void
vg_dns_reverse_ipv6(const unsigned char addr[16], struct vg_dns_name *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    for (int i = 15; i >= 0; i--) {
        n = put_label(out, n, &hex[addr[i] & 0xf], 1);
        n = put_label(out, n, &hex[addr[i] >> 4], 1);
    }
    n = put_label(out, n, "ip6", 3);
    n = put_label(out, n, "arpa", 4);
    out->wire[n++] = 0;
    out->len = (uint8_t)n;
}

static int
label_is(const unsigned char *lab, size_t l, const char *word)
{
    size_t wl = strlen(word);

    if (l != wl)
        return 0;
    for (size_t i = 0; i < l; i++)
        if (ascii_lower(lab[i]) != (unsigned char)word[i])
            return 0;
    return 1;
}

static int
hex_value(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = ascii_lower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

int
vg_dns_reverse_parse(const struct vg_dns_name *name, unsigned char addr[16])
{
    size_t off[130], lens[130];
    int count = 0;
    size_t i = 0;

    while (i < name->len && name->wire[i] != 0 && count < 130) {
        off[count] = i + 1;
        lens[count] = name->wire[i];
        i += 1 + (size_t)name->wire[i];
        count++;
    }
    if (count == 6 && label_is(name->wire + off[4], lens[4], "in-addr") &&
        label_is(name->wire + off[5], lens[5], "arpa")) {
        for (int k = 0; k < 4; k++) {
            const unsigned char *p = name->wire + off[k];
            unsigned v = 0;

            if (lens[k] < 1 || lens[k] > 3 || (lens[k] > 1 && p[0] == '0'))
                return VG_DNS_ERR_FORMAT;
            for (size_t j = 0; j < lens[k]; j++) {
                if (!is_digit(p[j]))
                    return VG_DNS_ERR_FORMAT;
                v = v * 10 + (unsigned)(p[j] - '0');
            }
            if (v > 255)
                return VG_DNS_ERR_FORMAT;
            addr[3 - k] = (unsigned char)v;
        }
        return AF_INET;
    }
    if (count == 34 && label_is(name->wire + off[32], lens[32], "ip6") &&
        label_is(name->wire + off[33], lens[33], "arpa")) {
        memset(addr, 0, 16);
        for (int k = 0; k < 32; k++) {
            int v;

            if (lens[k] != 1 || (v = hex_value(name->wire[off[k]])) < 0)
                return VG_DNS_ERR_FORMAT;
            /* Label k is nibble k from the low end. */
            addr[15 - k / 2] |= (unsigned char)(k % 2 ? v << 4 : v);
        }
        return AF_INET6;
    }
    return VG_DNS_ERR_FORMAT;
}
