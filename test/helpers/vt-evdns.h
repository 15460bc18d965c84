/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-evdns.h: helpers for the evdns black-box tests (dns_resolver.c,
 * dns_gai.c, dns_compat.c; evutil_gai.c uses the getaddrinfo ones): a
 * recorder for the resolve callbacks and for evdns_getaddrinfo, a base
 * with the fake nameserver of vt-dns.h as its only nameserver, checks of
 * the queries that server got, and waiting with a safety net.
 * Header-only, like vt-event.h, because it calls the library each test is
 * built against.
 */
#ifndef VIGIL_VT_EVDNS_H
#define VIGIL_VT_EVDNS_H

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vt-dns.h"
#include "vt-event.h"

/* What one resolve callback (evdns_callback_type) saw. */
struct vt_res {
    int calls;
    int result;
    int type;
    int count;
    int ttl;
    int addrs_null;          /* the addresses pointer was NULL */
    char addr[8][64];        /* A and AAAA answers as text, first 8 */
    char ptr[256];           /* a PTR answer */
    int in_call;             /* set by the test around calls that may call */
    int called_inside;       /* callbacks that ran while in_call was set */
    struct event_base *base; /* if set, loopexit when the callback runs */
};

static inline void
vt_res_cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
    struct vt_res *r = arg;

    r->calls++;
    r->result = result;
    r->type = type;
    r->count = count;
    r->ttl = ttl;
    r->addrs_null = addresses == NULL;
    if (r->in_call)
        r->called_inside++;
    if (result == DNS_ERR_NONE && addresses != NULL) {
        for (int i = 0; i < count && i < 8; i++) {
            if (type == DNS_IPv4_A)
                evutil_inet_ntop(AF_INET, (const char *)addresses + 4 * i,
                                 r->addr[i], sizeof(r->addr[i]));
            else if (type == DNS_IPv6_AAAA)
                evutil_inet_ntop(AF_INET6, (const char *)addresses + 16 * i,
                                 r->addr[i], sizeof(r->addr[i]));
        }
        /* libevent 2.1 passes a pointer to the name's pointer for PTR,
         * not the name itself as its header says. */
        if (type == DNS_PTR)
            snprintf(r->ptr, sizeof(r->ptr), "%s", *(char **)addresses);
    }
    if (r->base != NULL)
        event_base_loopexit(r->base, NULL);
}

/* What one evdns_getaddrinfo callback saw.  The test owns res and frees
 * it with evutil_freeaddrinfo. */
struct vt_gai {
    int calls;
    int result;
    struct evutil_addrinfo *res;
    int in_call;
    int called_inside;
};

static inline void
vt_gai_cb(int result, struct evutil_addrinfo *res, void *arg)
{
    struct vt_gai *g = arg;

    g->calls++;
    g->result = result;
    g->res = res;
    if (g->in_call)
        g->called_inside++;
}

/* Counts getaddrinfo results of a family (0: any). */
static inline int
vt_gai_count(const struct evutil_addrinfo *res, int family)
{
    int n = 0;

    for (; res != NULL; res = res->ai_next) {
        if (family == 0 || res->ai_family == family)
            n++;
    }
    return n;
}

/* The address and port of a getaddrinfo result as text. */
static inline void
vt_gai_describe(const struct evutil_addrinfo *ai, char *buf, size_t len,
                int *port)
{
    if (ai->ai_family == AF_INET) {
        const struct sockaddr_in *sin = (const void *)ai->ai_addr;

        ck_assert_uint_eq(ai->ai_addrlen, sizeof(*sin));
        ck_assert_int_eq(sin->sin_family, AF_INET);
        ck_assert_ptr_nonnull(
            evutil_inet_ntop(AF_INET, &sin->sin_addr, buf, len));
        *port = ntohs(sin->sin_port);
    } else {
        const struct sockaddr_in6 *sin6 = (const void *)ai->ai_addr;

        ck_assert_int_eq(ai->ai_family, AF_INET6);
        ck_assert_uint_eq(ai->ai_addrlen, sizeof(*sin6));
        ck_assert_int_eq(sin6->sin6_family, AF_INET6);
        ck_assert_ptr_nonnull(
            evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len));
        *port = ntohs(sin6->sin6_port);
    }
}

/* Keeps evdns's log lines out of the test output. */
static inline void
vt_evdns_quiet_log(int is_warning, const char *msg)
{
    (void)is_warning;
    (void)msg;
}

/* Sets an option that must be accepted. */
static inline void
vt_evdns_option(struct evdns_base *dns, const char *name, const char *value)
{
    ck_assert_int_eq(evdns_base_set_option(dns, name, value), 0);
}

/* Adds the fake server as a nameserver by its "127.0.0.1:PORT" text. */
static inline void
vt_evdns_add_server(struct evdns_base *dns, const struct vt_dns *srv)
{
    char text[64];

    vt_dns_addr_text(srv, text, sizeof(text));
    ck_assert_int_eq(evdns_base_nameserver_ip_add(dns, text), 0);
}

/* A new evdns_base on base with these flags, its log kept quiet. */
static inline struct evdns_base *
vt_evdns_base(struct event_base *base, int flags)
{
    struct evdns_base *dns;

    evdns_set_log_fn(vt_evdns_quiet_log);
    dns = evdns_base_new(base, flags);
    ck_assert_ptr_nonnull(dns);
    return dns;
}

/* An evdns_base on base with srv as its only nameserver, a short timeout
 * (seconds as text) and this many attempts. */
static inline struct evdns_base *
vt_evdns_new(struct event_base *base, const struct vt_dns *srv,
             const char *timeout, const char *attempts)
{
    struct evdns_base *dns = vt_evdns_base(base, 0);

    vt_evdns_option(dns, "timeout:", timeout);
    vt_evdns_option(dns, "attempts:", attempts);
    if (srv != NULL)
        vt_evdns_add_server(dns, srv);
    return dns;
}

/* One test's world: an event base, the fake server and a resolver that
 * uses only that server. */
struct vt_evdns_ctx {
    struct event_base *base;
    struct vt_dns *srv;
    struct evdns_base *dns;
};

/* Makes the three, the resolver with this timeout and attempts. */
static inline void
vt_evdns_open(struct vt_evdns_ctx *c, const char *timeout, const char *attempts)
{
    c->base = event_base_new();
    ck_assert_ptr_nonnull(c->base);
    c->srv = vt_dns_start();
    ck_assert_ptr_nonnull(c->srv);
    c->dns = vt_evdns_new(c->base, c->srv, timeout, attempts);
}

/* Frees the three (the resolver may be gone already: NULL). */
static inline void
vt_evdns_close(struct vt_evdns_ctx *c)
{
    if (c->dns != NULL)
        evdns_base_free(c->dns, 0);
    event_base_free(c->base);
    vt_dns_stop(c->srv);
}

/* Runs the loop until *calls reaches want, with a safety net of seconds. */
static inline int
vt_evdns_wait(struct event_base *base, const int *calls, int want, int seconds)
{
    return vt_wait_for_within(base, calls, want, seconds);
}

/* Checks a callback that brought answers: DNS_ERR_NONE, the type, the
 * TTL, and the answers in order (addresses as text, or the one name of a
 * PTR answer); answers ends with NULL. */
static inline void
vt_res_expect_answers(const struct vt_res *r, int type, int ttl,
                      const char *const *answers)
{
    int n = 0;

    ck_assert_int_eq(r->calls, 1);
    ck_assert_int_eq(r->result, DNS_ERR_NONE);
    ck_assert_int_eq(r->type, type);
    ck_assert_int_eq(r->ttl, ttl);
    for (; answers[n] != NULL; n++)
        ck_assert_str_eq(type == DNS_PTR ? r->ptr : r->addr[n], answers[n]);
    ck_assert_int_eq(r->count, n);
}

/* After a call that must leave the callback to the loop (made with the
 * recorder's in_call set; label names it): the callback has not run yet,
 * then runs from the loop within 5 seconds, and never ran inside. */
static inline void
vt_evdns_wait_deferred(struct event_base *base, const int *calls,
                       const int *called_inside, const char *label)
{
    int n;

    ck_assert_msg(*calls == 0, "%s: %d callbacks before the loop ran", label,
                  *calls);
    n = vt_evdns_wait(base, calls, 1, 5);
    ck_assert_msg(n == 1, "%s: %d callbacks from the loop, not 1", label, n);
    ck_assert_msg(*called_inside == 0, "%s: %d callbacks inside the call",
                  label, *called_inside);
}

/* Runs the loop for ms milliseconds, for checking that no callback (or no
 * more) comes: *calls stays at want (label names the case). */
static inline void
vt_evdns_calls_stay(struct event_base *base, const int *calls, int want, int ms,
                    const char *label)
{
    vt_run_for(base, ms);
    ck_assert_msg(*calls == want, "%s: %d callbacks after %d ms, not %d", label,
                  *calls, ms, want);
}

/* Checks the names and types of the queries srv got, in order, and that
 * there were no others; names ends with NULL.  With fold_case the names
 * compare without regard to case (for a resolver that randomizes it). */
static inline void
vt_evdns_expect_queries(struct vt_dns *srv, const char *const *names, int type,
                        int fold_case)
{
    int n = 0;

    for (; names[n] != NULL; n++) {
        struct vt_dns_query q;

        ck_assert_msg(vt_dns_query(srv, n, &q) == 0, "no query %d (for \"%s\")",
                      n, names[n]);
        ck_assert_msg((fold_case ? strcasecmp(q.name, names[n])
                                 : strcmp(q.name, names[n])) == 0,
                      "query %d was for \"%s\", not \"%s\"", n, q.name,
                      names[n]);
        ck_assert_msg(q.type == type, "query %d (%s): type %d, not %d", n,
                      names[n], q.type, type);
        ck_assert_msg(q.qclass == 1, "query %d (%s): class %d, not 1", n,
                      names[n], q.qclass);
    }
    ck_assert_int_eq(vt_dns_count(srv), n);
}

/* A name no resolver may send: 300 characters (over the 255-octet limit)
 * in labels of 49.  buf holds at least 301 bytes. */
static inline char *
vt_evdns_overlong_name(char *buf)
{
    memset(buf, 'a', 300);
    buf[300] = '\0';
    for (int i = 49; i < 300; i += 50)
        buf[i] = '.';
    return buf;
}

/* Writes text to a new temporary file and stores its path in path (at
 * least 64 bytes).  The test unlinks it. */
static inline void
vt_temp_file(char *path, size_t len, const char *text)
{
    int fd;
    size_t n = strlen(text);

    snprintf(path, len, "/tmp/vt-dns-XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
    ck_assert_int_eq(close(fd), 0);
}

#endif
