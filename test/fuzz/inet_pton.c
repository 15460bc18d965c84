/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * inet_pton.c: fuzz target for evutil_inet_pton, evutil_inet_pton_scope
 * and evutil_inet_ntop.
 *
 * The input, cut at its first NUL, is parsed as IPv4 and IPv6 text and
 * compared with the C library's inet_pton(3), which Vigil must match
 * exactly.  Every address parsed is printed again into buffers of every
 * size up to the one it needs (heap blocks of exactly that size, so that
 * the sanitizers see a byte written past the end), and the text must parse
 * back to the same address.  The first 16 bytes of the input are also
 * printed as a binary address and must round-trip.
 */
#include <event2/util.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

/* Stops the run with a crash the fuzzer records. */

/* Prints addr (4 or 16 bytes) into buffers of every size from 0 to what
 * it needs, checks the text parses back to addr, and returns nothing. */
static void
check_ntop(int af, const unsigned char *addr)
{
    size_t alen = af == AF_INET ? 4 : 16;
    char text[INET6_ADDRSTRLEN + 8];
    unsigned char back[16];
    size_t need;

    CHECK(evutil_inet_ntop(af, addr, text, sizeof(text)) == text);
    need = strlen(text) + 1;
    CHECK(need <=
          (af == AF_INET ? (size_t)INET_ADDRSTRLEN : (size_t)INET6_ADDRSTRLEN));
    CHECK(evutil_inet_pton(af, text, back) == 1);
    CHECK(memcmp(back, addr, alen) == 0);
    /* The C library reads it as the same address. */
    CHECK(inet_pton(af, text, back) == 1);
    CHECK(memcmp(back, addr, alen) == 0);
    if (af == AF_INET) {
        char sys[INET_ADDRSTRLEN];

        CHECK(inet_ntop(AF_INET, addr, sys, sizeof(sys)) != NULL);
        CHECK(strcmp(sys, text) == 0);
    }

    for (size_t len = 0; len <= need; len++) {
        char *buf = malloc(len ? len : 1);
        const char *r;

        CHECK(buf != NULL);
        r = evutil_inet_ntop(af, addr, buf, len);
        if (len < need) {
            CHECK(r == NULL);
        } else {
            CHECK(r == buf);
            CHECK(strcmp(buf, text) == 0);
        }
        free(buf);
    }
}

/* Parses s as af with Vigil and with the C library, each into a heap
 * block of exactly the address size; they must agree. */
static void
check_pton(int af, const char *s)
{
    size_t alen = af == AF_INET ? 4 : 16;
    unsigned char *mine = malloc(alen);
    unsigned char *sys = malloc(alen);
    int r, want;

    CHECK(mine != NULL && sys != NULL);
    r = evutil_inet_pton(af, s, mine);
    want = inet_pton(af, s, sys);
    CHECK(r == want);
    if (r == 1) {
        CHECK(memcmp(mine, sys, alen) == 0);
        check_ntop(af, mine);
    }
    free(mine);
    free(sys);
}

/* evutil_inet_pton_scope: without a '%' it is evutil_inet_pton; with one,
 * the part before it must be an IPv6 address, and a numeric zone must be
 * the index. */
static void
check_scope(const char *s)
{
    const char *pct = strchr(s, '%');
    unsigned char a[16], b[16];
    unsigned idx = 12345;
    int r;

    r = evutil_inet_pton_scope(AF_INET6, s, a, &idx);
    CHECK(r == 0 || r == 1);
    if (pct == NULL) {
        CHECK(r == evutil_inet_pton(AF_INET6, s, b));
        if (r == 1) {
            CHECK(idx == 0);
            CHECK(memcmp(a, b, 16) == 0);
        }
        return;
    }
    if (r == 1) {
        size_t alen = (size_t)(pct - s);
        char *head = malloc(alen + 1);
        const char *z = pct + 1;
        size_t digits = strspn(z, "0123456789");

        CHECK(head != NULL);
        memcpy(head, s, alen);
        head[alen] = '\0';
        CHECK(inet_pton(AF_INET6, head, b) == 1);
        CHECK(memcmp(a, b, 16) == 0);
        free(head);
        CHECK(z[0] != '\0');
        if (z[digits] == '\0') {
            unsigned long long v = strtoull(z, NULL, 10);

            CHECK(v <= UINT_MAX);
            CHECK(idx == (unsigned)v);
        } else {
            CHECK(idx != 0);
        }
    }
    /* IPv4 text never takes a zone. */
    CHECK(evutil_inet_pton_scope(AF_INET, s, a, &idx) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    check_pton(AF_INET, s);
    check_pton(AF_INET6, s);
    check_scope(s);

    /* The raw bytes as binary addresses. */
    if (size >= 4)
        check_ntop(AF_INET, data);
    if (size >= 16)
        check_ntop(AF_INET6, data);

    free(s);
    return 0;
}
