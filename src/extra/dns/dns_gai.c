/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_gai.c: evdns_getaddrinfo(), getaddrinfo() over the resolver.
 * Numeric hosts, a NULL host and hosts-file names are answered before the
 * call returns.  Other names go out as an A and an AAAA lookup in
 * parallel (one of them when the hints or AI_ADDRCONFIG rule the other
 * out); once one of them has addresses, the other gets
 * "getaddrinfo-allow-skew" longer, then is given up.  The result list is
 * made by evutil_getaddrinfo() from each address as text, so its entries
 * are exactly those a numeric lookup gives for the same hints.
 *
 * It also holds the evdns side of the bridge (bridge-internal.h) through
 * which bufferevent_socket_connect_hostname() in the core resolves.
 */
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evdns-internal.h"

struct evdns_getaddrinfo_request {
    struct evdns_base *dns;
    evdns_getaddrinfo_cb cb;
    void *arg;
    struct evutil_addrinfo hints;
    char port[8]; /* the service as a number, or "" */
    char *node;
    struct vg_req *r4, *r6;      /* lookups still running */
    struct vg_req_result res[2]; /* 0: A, 1: AAAA */
    int pending;                 /* lookups not yet back */
    int quiet;                   /* the resolver went away silently */
    int skew_ms;                 /* getaddrinfo-allow-skew when it started */
    struct event_base *base;
    struct event skew;
};

static void
free_result(struct vg_req_result *r)
{
    vg_dns_free(r->addrs);
    vg_dns_free(r->canon);
    r->addrs = NULL;
    r->canon = NULL;
}

static void
gai_free(struct evdns_getaddrinfo_request *g)
{
    event_del(&g->skew);
    free_result(&g->res[0]);
    free_result(&g->res[1]);
    vg_dns_free(g->node);
    vg_dns_free(g);
}

/* Appends the entries for one address (family, 4 or 16 bytes) to *list. */
static int
append_addr(const struct evdns_getaddrinfo_request *g, int family,
            const void *addr, struct evutil_addrinfo **list,
            struct evutil_addrinfo **tail)
{
    struct evutil_addrinfo hints = g->hints, *ai = NULL;
    char text[64];
    int err;

    if (evutil_inet_ntop(family, addr, text, sizeof(text)) == NULL)
        return EVUTIL_EAI_FAIL;
    hints.ai_family = family;
    hints.ai_flags = (hints.ai_flags & ~EVUTIL_AI_CANONNAME) |
                     EVUTIL_AI_NUMERICHOST | EVUTIL_AI_NUMERICSERV;
    err = evutil_getaddrinfo(text, g->port[0] ? g->port : NULL, &hints, &ai);
    if (err != 0)
        return err;
    if (*tail != NULL)
        (*tail)->ai_next = ai;
    else
        *list = ai;
    while (ai->ai_next != NULL)
        ai = ai->ai_next;
    *tail = ai;
    return 0;
}

static int
set_canon(struct evutil_addrinfo *list, const char *name)
{
    if (list == NULL || name == NULL)
        return 0;
    list->ai_canonname = vg_dns_strdup(name);
    return list->ai_canonname != NULL ? 0 : EVUTIL_EAI_MEMORY;
}

/* libevent's mapping: every failure but NXDOMAIN (and no data), a
 * time-out included, is EVUTIL_EAI_FAIL. */
static int
dns_err_to_eai(int err)
{
    switch (err) {
    case DNS_ERR_NONE:
        return 0;
    case DNS_ERR_NOTEXIST:
        return EVUTIL_EAI_NONAME;
    case DNS_ERR_NODATA:
        return EVUTIL_EAI_NODATA;
    case DNS_ERR_CANCEL:
        return EVUTIL_EAI_CANCEL;
    default:
        return EVUTIL_EAI_FAIL;
    }
}

/* Both lookups are over (or given up): hand the result to the user. */
static void
gai_complete(struct evdns_getaddrinfo_request *g)
{
    struct evutil_addrinfo *list = NULL, *tail = NULL;
    const char *canon = NULL;
    int err = 0, first_err = DNS_ERR_NONE;

    if (g->quiet) {
        gai_free(g);
        return;
    }
    for (int i = 0; i < 2 && err == 0; i++) {
        const struct vg_req_result *r = &g->res[i];
        int family = i == 0 ? AF_INET : AF_INET6;
        size_t unit = i == 0 ? 4 : 16;

        if (r->err != DNS_ERR_NONE) {
            if (first_err == DNS_ERR_NONE || first_err == DNS_ERR_NODATA ||
                first_err == DNS_ERR_CANCEL)
                first_err = r->err;
            continue;
        }
        for (int k = 0; k < r->count && err == 0; k++)
            err = append_addr(
                g, family, (const unsigned char *)r->addrs + unit * (size_t)k,
                &list, &tail);
        /* Like libevent, a canonical name only when the answer went
         * through a CNAME. */
        if (canon == NULL && r->count > 0)
            canon = r->canon;
    }
    if (err == 0 && list == NULL)
        err = dns_err_to_eai(first_err == DNS_ERR_NONE ? DNS_ERR_NODATA
                                                       : first_err);
    if (err == 0 && (g->hints.ai_flags & EVUTIL_AI_CANONNAME))
        err = set_canon(list, canon);
    if (err != 0) {
        evutil_freeaddrinfo(list);
        list = NULL;
    }
    g->cb(err, list, g->arg);
    gai_free(g);
}

static void
gai_skew_cb(evutil_socket_t fd, short what, void *arg)
{
    struct evdns_getaddrinfo_request *g = arg;

    (void)fd;
    (void)what;
    for (int i = 0; i < 2; i++) {
        struct vg_req **r = i == 0 ? &g->r4 : &g->r6;

        if (*r != NULL) {
            vg_evdns_abandon(*r);
            *r = NULL;
            g->res[i].err = DNS_ERR_TIMEOUT;
            g->pending--;
        }
    }
    gai_complete(g);
}

static void
gai_got(struct evdns_getaddrinfo_request *g, int i, struct vg_req_result *res)
{
    struct timeval tv;

    if (i == 0)
        g->r4 = NULL;
    else
        g->r6 = NULL;
    g->res[i] = *res;
    g->pending--;
    if (res->quiet)
        g->quiet = 1;
    if (g->pending > 0) {
        if (res->err == DNS_ERR_NONE && !g->quiet) {
            tv.tv_sec = g->skew_ms / 1000;
            tv.tv_usec = (g->skew_ms % 1000) * 1000;
            event_add(&g->skew, &tv);
        }
        return;
    }
    gai_complete(g);
}

static void
gai_got4(struct vg_req_result *res, void *arg)
{
    gai_got(arg, 0, res);
}

static void
gai_got6(struct vg_req_result *res, void *arg)
{
    gai_got(arg, 1, res);
}

/* Which families have an address other than loopback (AI_ADDRCONFIG). */
static void
configured_families(int *v4, int *v6)
{
    struct ifaddrs *ifa = NULL, *i;

    *v4 = *v6 = 0;
    if (getifaddrs(&ifa) != 0) {
        *v4 = *v6 = 1;
        return;
    }
    for (i = ifa; i != NULL; i = i->ifa_next) {
        /* Copied out: an ifaddrs address need not be aligned for the
         * family's structure. */
        if (i->ifa_addr == NULL)
            continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            struct sockaddr_in sin;

            memcpy(&sin, i->ifa_addr, sizeof(sin));
            if ((ntohl(sin.sin_addr.s_addr) >> 24) != 127)
                *v4 = 1;
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            struct sockaddr_in6 sin6;

            memcpy(&sin6, i->ifa_addr, sizeof(sin6));
            if (!IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr))
                *v6 = 1;
        }
    }
    freeifaddrs(ifa);
}

/* Answers from the hosts tables.  Returns 1 with *out set (or *err set)
 * when the name is there, 0 when it is not. */
static int
from_hosts(struct evdns_getaddrinfo_request *g, int *err,
           struct evutil_addrinfo **out)
{
    struct evutil_addrinfo *list = NULL, *tail = NULL;
    const struct vg_dns_host_entry *e;
    int fams[2] = {AF_INET, AF_INET6};
    int found = 0;

    *err = 0;
    for (int f = 0; f < 2 && *err == 0; f++) {
        size_t pos = 0;

        if (g->hints.ai_family != AF_UNSPEC && g->hints.ai_family != fams[f])
            continue;
        while (*err == 0 && (e = vg_evdns_hosts_find(g->dns, g->node, fams[f],
                                                     &pos)) != NULL) {
            found = 1;
            *err = append_addr(g, e->family, e->addr, &list, &tail);
        }
    }
    if (!found)
        return 0;
    if (*err != 0) {
        evutil_freeaddrinfo(list);
        list = NULL;
    }
    *out = list;
    return 1;
}

/* The service as a port number, for the numeric lookups of each
 * address.  Returns 0 or an EVUTIL_EAI_* error. */
static int
service_port(struct evdns_getaddrinfo_request *g, const char *servname)
{
    struct evutil_addrinfo hints, *ai = NULL;
    int err, port = 0;

    g->port[0] = '\0';
    if (servname == NULL)
        return 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICHOST |
                     (g->hints.ai_flags & EVUTIL_AI_NUMERICSERV);
    hints.ai_socktype = g->hints.ai_socktype;
    hints.ai_protocol = g->hints.ai_protocol;
    err = evutil_getaddrinfo(NULL, servname, &hints, &ai);
    if (err != 0)
        return err == EVUTIL_EAI_SERVICE ? EVUTIL_EAI_NONAME : err;
    if (ai != NULL && ai->ai_addr != NULL) {
        struct sockaddr_in sin;

        memcpy(&sin, ai->ai_addr, sizeof(sin));
        port = ntohs(sin.sin_port);
    }
    evutil_freeaddrinfo(ai);
    snprintf(g->port, sizeof(g->port), "%d", port);
    return 0;
}

struct evdns_getaddrinfo_request *
evdns_getaddrinfo(struct evdns_base *dns, const char *nodename,
                  const char *servname, const struct evutil_addrinfo *hints_in,
                  evdns_getaddrinfo_cb cb, void *arg)
{
    struct evdns_getaddrinfo_request *g = NULL;
    struct evutil_addrinfo hints, *res = NULL;
    int err, want4, want6;

    if (cb == NULL)
        return NULL;
    if (hints_in != NULL)
        hints = *hints_in;
    else
        memset(&hints, 0, sizeof(hints));
    hints.ai_canonname = NULL;
    hints.ai_addr = NULL;
    hints.ai_next = NULL;

    /* A NULL host, or a numeric one: answered now. */
    {
        struct evutil_addrinfo h = hints;

        h.ai_flags |= EVUTIL_AI_NUMERICHOST;
        err = evutil_getaddrinfo(nodename, servname, &h, &res);
        /* libevent reports an unknown service as EVUTIL_EAI_NONAME. */
        if (err == EVUTIL_EAI_SERVICE)
            err = EVUTIL_EAI_NONAME;
        if (err != EVUTIL_EAI_NONAME || nodename == NULL ||
            (hints.ai_flags & EVUTIL_AI_NUMERICHOST) || dns == NULL) {
            cb(err, err == 0 ? res : NULL, arg);
            return NULL;
        }
    }
    if (hints.ai_family != AF_UNSPEC && hints.ai_family != AF_INET &&
        hints.ai_family != AF_INET6) {
        cb(EVUTIL_EAI_FAMILY, NULL, arg);
        return NULL;
    }
    g = vg_dns_calloc(1, sizeof(*g));
    if (g == NULL || (g->node = vg_dns_strdup(nodename)) == NULL) {
        vg_dns_free(g);
        cb(EVUTIL_EAI_MEMORY, NULL, arg);
        return NULL;
    }
    g->dns = dns;
    g->skew_ms = dns->skew_ms;
    g->base = dns->base;
    g->cb = cb;
    g->arg = arg;
    g->hints = hints;
    event_assign(&g->skew, dns->base, -1, 0, gai_skew_cb, g);
    if ((err = service_port(g, servname)) != 0)
        goto fail_now;
    if (from_hosts(g, &err, &res)) {
        cb(err, res, arg);
        gai_free(g);
        return NULL;
    }

    want4 = hints.ai_family != AF_INET6;
    want6 = hints.ai_family != AF_INET;
    if (hints.ai_flags & EVUTIL_AI_ADDRCONFIG) {
        int v4, v6;

        configured_families(&v4, &v6);
        if (want4 && want6 && (v4 || v6)) {
            want4 = v4;
            want6 = v6;
        }
    }
    g->res[0].err = g->res[1].err = DNS_ERR_NODATA;
    if (want4) {
        g->r4 =
            vg_evdns_lookup(dns, nodename, VG_DNS_TYPE_A, 0, NULL, gai_got4, g);
        if (g->r4 != NULL)
            g->pending++;
    }
    if (want6) {
        g->r6 = vg_evdns_lookup(dns, nodename, VG_DNS_TYPE_AAAA, 0, NULL,
                                gai_got6, g);
        if (g->r6 != NULL)
            g->pending++;
    }
    if (g->pending == 0) {
        err = EVUTIL_EAI_NONAME;
        goto fail_now;
    }
    return g;

fail_now:
    gai_free(g);
    cb(err, NULL, arg);
    return NULL;
}

static void
gai_cancelled_cb(evutil_socket_t fd, short what, void *arg)
{
    struct evdns_getaddrinfo_request *g = arg;

    (void)fd;
    (void)what;
    g->cb(EVUTIL_EAI_CANCEL, NULL, g->arg);
    gai_free(g);
}

void
evdns_getaddrinfo_cancel(struct evdns_getaddrinfo_request *g)
{
    if (g == NULL)
        return;
    if (g->r4 != NULL)
        vg_evdns_abandon(g->r4);
    if (g->r6 != NULL)
        vg_evdns_abandon(g->r6);
    g->r4 = g->r6 = NULL;
    /* The callback runs from the loop, as in libevent. */
    event_del(&g->skew);
    event_assign(&g->skew, g->base, -1, 0, gai_cancelled_cb, g);
    event_active(&g->skew, EV_TIMEOUT, 1);
}

/* ------------------------------------------------------------------ */
/* The bridge the core resolves through                                */
/* ------------------------------------------------------------------ */

static void *
bridge_getaddrinfo(struct evdns_base *dns, const char *node,
                   const char *service, const struct evutil_addrinfo *hints,
                   vg_gai_cb cb, void *arg)
{
    return evdns_getaddrinfo(dns, node, service, hints, cb, arg);
}

static void
bridge_cancel(void *req)
{
    evdns_getaddrinfo_cancel(req);
}

const struct vg_dns_bridge vg_evdns_bridge = {
    .size = sizeof(struct vg_dns_bridge),
    .getaddrinfo = bridge_getaddrinfo,
    .getaddrinfo_cancel = bridge_cancel,
};
