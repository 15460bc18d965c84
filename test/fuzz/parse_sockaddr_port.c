/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * parse_sockaddr_port.c: fuzz target for evutil_parse_sockaddr_port.
 *
 * The input, cut at its first NUL, is parsed into output blocks of many
 * sizes, each a heap block of exactly *outlen bytes so that the sanitizers
 * see any write past it.  The result is compared with a small reference
 * parser written here from the documented grammar ("1.2.3.4",
 * "1.2.3.4:80", "[::1]:80", "::1", "[::1]"; ports 1-65535; IPv6 zone ids)
 * on top of the C library's inet_pton(3).  A parsed address is printed
 * back as text and must parse to the same bytes.
 */
#include <event2/util.h>

#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz-check.h"

/* The reference parser, from the documented grammar.  A port: decimal
 * digits, 1 to 65535.  Returns it, or -1. */
static int
reference_port(const char *p, size_t len)
{
    unsigned long v = 0;

    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(p[i] - '0');
        if (v > 65535)
            return -1;
    }
    return v == 0 ? -1 : (int)v;
}

/* A zone: a decimal index or an interface name.  Returns 0 or -1. */
static int
reference_zone(const char *z, unsigned *index)
{
    size_t digits = strspn(z, "0123456789");

    if (z[0] == '\0')
        return -1;
    if (z[digits] == '\0') {
        unsigned long long v = 0;

        for (size_t i = 0; i < digits; i++) {
            v = v * 10 + (unsigned long long)(z[i] - '0');
            if (v > UINT_MAX)
                return -1;
        }
        *index = (unsigned)v;
        return 0;
    }
    if (strlen(z) >= IF_NAMESIZE)
        return -1;
    *index = if_nametoindex(z);
    return *index ? 0 : -1;
}

/* The address part, IPv4 or IPv6 with an optional zone, into *out. */
static int
reference_addr(const char *a, size_t alen, int v6, int portnum,
               struct sockaddr_storage *out)
{
    char *addr = malloc(alen + 1);
    int rv = -1;

    if (addr == NULL)
        abort();
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    if (v6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
        char *pct = strchr(addr, '%');
        unsigned zone = 0;

        if (pct != NULL) {
            *pct = '\0';
            if (reference_zone(pct + 1, &zone) < 0)
                goto done;
        }
        if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
            goto done;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)portnum);
        sin6->sin6_scope_id = zone;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)out;

        if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
            goto done;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)portnum);
    }
    rv = 0;
done:
    free(addr);
    return rv;
}

/* The whole string: fills *out (zeroed) and returns 0, or -1. */
static int
reference(const char *s, struct sockaddr_storage *out)
{
    const char *a, *port = NULL;
    size_t alen, plen = 0;
    int v6, portnum = 0;

    memset(out, 0, sizeof(*out));
    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL)
            return -1;
        a = s + 1;
        alen = (size_t)(close - a);
        if (close[1] == ':') {
            port = close + 2;
            plen = strlen(port);
        } else if (close[1] != '\0') {
            return -1;
        }
        v6 = 1;
    } else {
        const char *c1 = strchr(s, ':');

        a = s;
        alen = strlen(s);
        v6 = c1 != NULL && strchr(c1 + 1, ':') != NULL;
        if (c1 != NULL && !v6) {
            alen = (size_t)(c1 - s);
            port = c1 + 1;
            plen = strlen(port);
        }
    }
    if (port != NULL && (portnum = reference_port(port, plen)) < 0)
        return -1;
    if (reference_addr(a, alen, v6, portnum, out) < 0) {
        memset(out, 0, sizeof(*out));
        return -1;
    }
    return 0;
}

/* Prints a parsed address back as "[v6%zone]:port" or "v4:port" and
 * checks it parses to the same bytes. */
static void
check_round_trip(const struct sockaddr_storage *ss, int len)
{
    char addr[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 32];
    struct sockaddr_storage again;
    int len2 = (int)sizeof(again);

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const void *)ss;

        CHECK(evutil_inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)));
        if (sin->sin_port != 0)
            (void)snprintf(text, sizeof(text), "%s:%u", addr,
                           ntohs(sin->sin_port));
        else
            (void)snprintf(text, sizeof(text), "%s", addr);
    } else {
        const struct sockaddr_in6 *sin6 = (const void *)ss;
        char zone[16] = "";

        CHECK(evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr)));
        if (sin6->sin6_scope_id != 0)
            (void)snprintf(zone, sizeof(zone), "%%%u", sin6->sin6_scope_id);
        if (sin6->sin6_port != 0)
            (void)snprintf(text, sizeof(text), "[%s%s]:%u", addr, zone,
                           ntohs(sin6->sin6_port));
        else
            (void)snprintf(text, sizeof(text), "[%s%s]", addr, zone);
    }
    CHECK(evutil_parse_sockaddr_port(text, (struct sockaddr *)&again, &len2) ==
          0);
    CHECK(len2 == len);
    CHECK(memcmp(&again, ss, (size_t)len) == 0);
    CHECK(evutil_sockaddr_cmp((const struct sockaddr *)&again,
                              (const struct sockaddr *)ss, 1) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int sizes[] = {0, 1, 15, 16, 17, 27, 28, 29, 128};
    struct sockaddr_storage want, got;
    char *s = malloc(size + 1);
    int ref, r, len;

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    ref = reference(s, &want);

    len = (int)sizeof(got);
    memset(&got, 0xee, sizeof(got));
    r = evutil_parse_sockaddr_port(s, (struct sockaddr *)&got, &len);
    CHECK(r == ref);
    if (r == 0) {
        int need = got.ss_family == AF_INET ? (int)sizeof(struct sockaddr_in)
                                            : (int)sizeof(struct sockaddr_in6);

        CHECK(got.ss_family == AF_INET || got.ss_family == AF_INET6);
        CHECK(len == need);
        /* All of the caller's space is defined: the address, then 0s. */
        CHECK(memcmp(&got, &want, sizeof(got)) == 0);
        check_round_trip(&got, len);
    } else {
        CHECK(len == (int)sizeof(got));
    }

    /* Output blocks of exactly *outlen bytes. */
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int outlen = sizes[i];
        unsigned char *out = malloc(outlen ? (size_t)outlen : 1);
        int r2;

        CHECK(out != NULL);
        memset(out, 0xee, outlen ? (size_t)outlen : 1);
        len = outlen;
        r2 =
            evutil_parse_sockaddr_port(s, (struct sockaddr *)(void *)out, &len);
        if (r != 0 || outlen < (ref == 0 && want.ss_family == AF_INET6
                                    ? (int)sizeof(struct sockaddr_in6)
                                    : (int)sizeof(struct sockaddr_in))) {
            /* Refused: nothing written, *outlen kept. */
            CHECK(r2 == -1);
            CHECK(len == outlen);
            for (int j = 0; j < outlen; j++)
                CHECK(out[j] == 0xee);
        } else {
            CHECK(r2 == 0);
            CHECK(memcmp(out, &want, (size_t)len) == 0);
            for (int j = len; j < outlen; j++)
                CHECK(out[j] == 0);
        }
        free(out);
    }
    free(s);
    return 0;
}
