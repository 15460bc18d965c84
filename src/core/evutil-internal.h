/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil-internal.h: what the evutil files share with each other and with
 * the rest of the library.  Never installed.
 *
 * What it holds: the layout of struct evutil_monotonic_timer (opaque in
 * the public header) and the strict address parsers that the evutil
 * address and resolver code (evutil_addr.c, evutil_gai.c) shares.
 *
 * Who may include it: any layer (it is part of util, the bottom one).  It
 * includes only public and system headers.
 *
 * Locking and ownership: none.  The parsers are pure functions writing
 * only to the caller's buffers; a monotonic timer belongs to whoever
 * embeds or allocates it, and is not shared between threads without the
 * owner's lock.
 */
#ifndef VIGIL_EVUTIL_INTERNAL_H
#define VIGIL_EVUTIL_INTERNAL_H

#include <event2/util.h>

#include <stddef.h>
#include <sys/time.h>
#include <time.h>

/*
 * A monotonic timer.  The public header keeps it opaque; the core may embed
 * one in a structure of its own and set it up with
 * evutil_configure_monotonic_time() like any other.
 */
struct evutil_monotonic_timer {
    /* The clock read by evutil_gettime_monotonic(), or -1 for the
     * wall-clock fallback (EV_MONOT_FALLBACK). */
    clockid_t clock;
    /* The flags the timer was configured with. */
    int flags;
    /* Fallback only: the last wall-clock reading, and the amount added to
     * every reading so that the result never goes backwards. */
    struct timeval last_wall;
    struct timeval adjust;
};

/* The text forms of the longest addresses, with their NUL. */
#define VG_EVUTIL_INET_ADDRSTRLEN 16
#define VG_EVUTIL_INET6_ADDRSTRLEN 46

/*
 * Strict parsers for exactly len bytes of text (no NUL needed, none read
 * past len), with the rules of inet_pton(3): four decimal octets without
 * leading zeros; eight hexadecimal groups of at most four digits, one "::"
 * and an optional dotted-quad tail.  Each returns 1 and fills out on
 * success, 0 (out untouched) otherwise.
 */
int vg_evutil_parse_ipv4(const char *s, size_t len, unsigned char out[4]);
int vg_evutil_parse_ipv6(const char *s, size_t len, unsigned char out[16]);

/*
 * Parses an IPv6 address with an optional "%zone" suffix (a decimal
 * interface index or an interface name) from exactly len bytes.  Returns 1
 * and fills out and *scope (0 without a zone), or 0.
 */
int vg_evutil_parse_ipv6_scoped(const char *s, size_t len,
                                unsigned char out[16], unsigned *scope);

#endif
