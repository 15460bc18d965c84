/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_addr.c: textual and binary IPv4/IPv6 addresses: inet_pton and
 * inet_ntop with their zone-id variant, "address:port" parsing and socket
 * address ordering.
 *
 * The parsers follow inet_pton(3) exactly (RFC 4291 section 2.2 for IPv6
 * text), work on an explicit length, never read past the NUL, and write
 * their output only on success.
 */
#include <event2/util.h>

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "evutil-internal.h"

/* The value of a hexadecimal digit, or -1. */
static int
hex_value(char c)
{
    int v = -1;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v;
}

int
vg_evutil_parse_ipv4(const char *s, size_t len, unsigned char out[4])
{
    unsigned char tmp[4];
    size_t i = 0;
    int ok = 0;

    for (int octet = 0; octet < 4; octet++) {
        unsigned value = 0;
        size_t start;

        if (octet > 0) {
            if (i >= len || s[i] != '.')
                goto done;
            i++;
        }
        start = i;
        while (i < len && i - start < 3 && s[i] >= '0' && s[i] <= '9') {
            value = value * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        /* An octet is one to three digits, at most 255, and has no
         * leading zero (which some parsers would read as octal). */
        if (i == start || value > 255 || (s[start] == '0' && i - start > 1))
            goto done;
        tmp[octet] = (unsigned char)value;
    }
    if (i != len)
        goto done;
    memcpy(out, tmp, sizeof(tmp));
    ok = 1;
done:
    return ok;
}

int
vg_evutil_parse_ipv6(const char *s, size_t len, unsigned char out[16])
{
    unsigned words[8];
    int n = 0;    /* words parsed so far */
    int gap = -1; /* index in words[] where "::" stands, or -1 */
    size_t i = 0;
    int ok = 0;

    if (len == 0)
        goto done;
    if (s[0] == ':') {
        /* Only "::" may start an address. */
        if (len < 2 || s[1] != ':')
            goto done;
        gap = 0;
        i = 2;
    }
    while (i < len) {
        size_t start = i;
        unsigned value = 0;
        int digit;

        while (i < len && i - start < 4 && (digit = hex_value(s[i])) >= 0) {
            value = (value << 4) | (unsigned)digit;
            i++;
        }
        if (i < len && s[i] == '.') {
            /* A dotted-quad tail fills the last two words. */
            unsigned char v4[4];

            if (n > 6 || !vg_evutil_parse_ipv4(s + start, len - start, v4))
                goto done;
            words[n++] = ((unsigned)v4[0] << 8) | v4[1];
            words[n++] = ((unsigned)v4[2] << 8) | v4[3];
            i = len;
            break;
        }
        if (i == start || n == 8)
            goto done;
        words[n++] = value;
        if (i == len)
            break;
        if (s[i] != ':')
            goto done;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                goto done;
            gap = n;
            i++;
        } else if (i == len) {
            /* A single trailing colon. */
            goto done;
        }
    }
    /* Without "::" there must be eight words; with it, "::" must stand
     * for at least one. */
    if ((gap < 0 && n != 8) || (gap >= 0 && n > 7))
        goto done;

    memset(out, 0, 16);
    for (int w = 0; w < n; w++) {
        int pos = w;

        if (gap >= 0 && w >= gap)
            pos = 8 - (n - w);
        out[2 * pos] = (unsigned char)(words[w] >> 8);
        out[2 * pos + 1] = (unsigned char)(words[w] & 0xff);
    }
    ok = 1;
done:
    return ok;
}

/* Parses a zone id: a decimal interface index or an interface name.
 * Returns 1 and sets *index, or 0. */
static int
parse_zone(const char *z, size_t len, unsigned *index)
{
    char name[IF_NAMESIZE];
    unsigned long value = 0;
    size_t i;
    int ok = 0;

    if (len == 0)
        goto done;
    for (i = 0; i < len && z[i] >= '0' && z[i] <= '9'; i++) {
        value = value * 10 + (unsigned long)(z[i] - '0');
        if (value > UINT_MAX)
            goto done;
    }
    if (i == len) {
        *index = (unsigned)value;
        ok = 1;
        goto done;
    }
    if (len >= sizeof(name))
        goto done;
    memcpy(name, z, len);
    name[len] = '\0';
    *index = if_nametoindex(name);
    ok = *index != 0;
done:
    return ok;
}

int
vg_evutil_parse_ipv6_scoped(const char *s, size_t len, unsigned char out[16],
                            unsigned *scope)
{
    const char *pct = memchr(s, '%', len);
    unsigned char tmp[16];
    unsigned index = 0;
    size_t addrlen = pct ? (size_t)(pct - s) : len;
    int ok = 0;

    if (!vg_evutil_parse_ipv6(s, addrlen, tmp))
        goto done;
    if (pct != NULL && !parse_zone(pct + 1, len - addrlen - 1, &index))
        goto done;
    memcpy(out, tmp, sizeof(tmp));
    *scope = index;
    ok = 1;
done:
    return ok;
}

int
evutil_inet_pton(int af, const char *src, void *dst)
{
    int rv = 0;

    if (af != AF_INET && af != AF_INET6) {
        errno = EAFNOSUPPORT;
        rv = -1;
    } else if (src == NULL || dst == NULL) {
        errno = EINVAL;
    } else if (af == AF_INET) {
        rv = vg_evutil_parse_ipv4(src, strlen(src), dst);
    } else {
        rv = vg_evutil_parse_ipv6(src, strlen(src), dst);
    }
    return rv;
}

int
evutil_inet_pton_scope(int af, const char *src, void *dst, unsigned *indexp)
{
    unsigned index = 0;
    int rv = 0;

    if (af != AF_INET && af != AF_INET6) {
        errno = EAFNOSUPPORT;
        rv = -1;
    } else if (src == NULL || dst == NULL || indexp == NULL) {
        errno = EINVAL;
    } else if (af == AF_INET) {
        rv = vg_evutil_parse_ipv4(src, strlen(src), dst);
    } else {
        rv = vg_evutil_parse_ipv6_scoped(src, strlen(src), dst, &index);
    }
    if (rv == 1)
        *indexp = index;
    return rv;
}

/* Formats an IPv6 address as RFC 5952 recommends: lower-case hex without
 * leading zeros, the longest run of two or more zero words (the first of
 * equals) as "::", and a dotted quad for IPv4-mapped addresses and for
 * IPv4-compatible ones whose last two words are both nonzero. */
static void
format_ipv6(const unsigned char *a, char buf[VG_EVUTIL_INET6_ADDRSTRLEN])
{
    unsigned w[8];
    int best = -1, bestlen = 0;
    size_t pos = 0;

    for (int i = 0; i < 8; i++)
        w[i] = ((unsigned)a[2 * i] << 8) | a[2 * i + 1];

    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
        (w[5] == 0xffff || (w[5] == 0 && w[6] != 0 && w[7] != 0))) {
        (void)snprintf(buf, VG_EVUTIL_INET6_ADDRSTRLEN, "::%s%u.%u.%u.%u",
                       w[5] == 0xffff ? "ffff:" : "", a[12], a[13], a[14],
                       a[15]);
        return;
    }
    for (int i = 0; i < 8;) {
        int run = 0;

        while (i + run < 8 && w[i + run] == 0)
            run++;
        if (run > bestlen) {
            best = i;
            bestlen = run;
        }
        i += run > 0 ? run : 1;
    }
    if (bestlen < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            buf[pos++] = ':';
            buf[pos++] = ':';
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && i != best + bestlen)
            buf[pos++] = ':';
        pos += (size_t)snprintf(buf + pos, VG_EVUTIL_INET6_ADDRSTRLEN - pos,
                                "%x", w[i]);
    }
    buf[pos] = '\0';
}

const char *
evutil_inet_ntop(int af, const void *src, char *dst, size_t len)
{
    char buf[VG_EVUTIL_INET6_ADDRSTRLEN];
    const unsigned char *a = src;
    const char *rv = NULL;
    size_t need;

    if (af != AF_INET && af != AF_INET6) {
        errno = EAFNOSUPPORT;
        goto done;
    }
    if (src == NULL || dst == NULL) {
        errno = EINVAL;
        goto done;
    }
    if (af == AF_INET)
        (void)snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    else
        format_ipv6(a, buf);
    need = strlen(buf) + 1;
    if (need > len) {
        errno = ENOSPC;
        goto done;
    }
    memcpy(dst, buf, need);
    rv = dst;
done:
    return rv;
}

/* Parses a port: one or more decimal digits, 1 to 65535.  Returns the port,
 * or -1. */
static int
parse_port(const char *s)
{
    long value = 0;
    int rv = -1;

    if (*s == '\0')
        goto done;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            goto done;
        value = value * 10 + (*s - '0');
        if (value > 65535)
            goto done;
    }
    if (value == 0)
        goto done;
    rv = (int)value;
done:
    return rv;
}

int
evutil_parse_sockaddr_port(const char *str, struct sockaddr *out, int *outlen)
{
    struct sockaddr_in6 sin6;
    struct sockaddr_in sin;
    const void *result;
    const char *addr, *portstr = NULL;
    size_t addrlen;
    int port = 0;
    int is_v6;
    int size;
    int rv = -1;

    if (str == NULL || out == NULL || outlen == NULL) {
        errno = EINVAL;
        goto done;
    }
    if (str[0] == '[') {
        /* "[v6]" or "[v6]:port". */
        const char *close = strchr(str, ']');

        if (close == NULL)
            goto done;
        addr = str + 1;
        addrlen = (size_t)(close - addr);
        if (close[1] == ':')
            portstr = close + 2;
        else if (close[1] != '\0')
            goto done;
        is_v6 = 1;
    } else {
        /* "v4", "v4:port" or a bare "v6" (which has two colons or more). */
        const char *colon = strchr(str, ':');

        addr = str;
        addrlen = strlen(str);
        is_v6 = colon != NULL && strchr(colon + 1, ':') != NULL;
        if (colon != NULL && !is_v6) {
            addrlen = (size_t)(colon - str);
            portstr = colon + 1;
        }
    }
    if (portstr != NULL && (port = parse_port(portstr)) < 0)
        goto done;

    if (is_v6) {
        unsigned scope;

        memset(&sin6, 0, sizeof(sin6));
        if (!vg_evutil_parse_ipv6_scoped(addr, addrlen, sin6.sin6_addr.s6_addr,
                                         &scope))
            goto done;
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)port);
        sin6.sin6_scope_id = scope;
        result = &sin6;
        size = (int)sizeof(sin6);
    } else {
        memset(&sin, 0, sizeof(sin));
        if (!vg_evutil_parse_ipv4(addr, addrlen,
                                  (unsigned char *)&sin.sin_addr.s_addr))
            goto done;
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)port);
        result = &sin;
        size = (int)sizeof(sin);
    }
    if (*outlen < size)
        goto done;
    /* Clear all of the caller's space, as libevent does, so that no stale
     * bytes follow the address; never more than *outlen. */
    memset(out, 0, (size_t)*outlen);
    memcpy(out, result, (size_t)size);
    *outlen = size;
    rv = 0;
done:
    return rv;
}

/* Compares two values, giving -1, 0 or 1. */
static int
cmp_u32(uint32_t a, uint32_t b)
{
    return (a > b) - (a < b);
}

int
evutil_sockaddr_cmp(const struct sockaddr *sa1, const struct sockaddr *sa2,
                    int include_port)
{
    int r;

    if (sa1 == NULL || sa2 == NULL)
        return (sa1 != NULL) - (sa2 != NULL);
    if (sa1->sa_family != sa2->sa_family)
        return sa1->sa_family < sa2->sa_family ? -1 : 1;
    if (sa1->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)sa1;
        const struct sockaddr_in *b = (const void *)sa2;

        r = cmp_u32(ntohl(a->sin_addr.s_addr), ntohl(b->sin_addr.s_addr));
        if (r == 0 && include_port)
            r = cmp_u32(ntohs(a->sin_port), ntohs(b->sin_port));
    } else if (sa1->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)sa1;
        const struct sockaddr_in6 *b = (const void *)sa2;

        r = memcmp(a->sin6_addr.s6_addr, b->sin6_addr.s6_addr, 16);
        r = (r > 0) - (r < 0);
        /* The same link-local address on two interfaces is two different
         * peers: the zone counts as part of the address. */
        if (r == 0)
            r = cmp_u32(a->sin6_scope_id, b->sin6_scope_id);
        if (r == 0 && include_port)
            r = cmp_u32(ntohs(a->sin6_port), ntohs(b->sin6_port));
    } else {
        /* Other families cannot be compared: never equal. */
        r = 1;
    }
    return r;
}
