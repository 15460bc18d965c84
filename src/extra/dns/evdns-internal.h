/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evdns-internal.h: what the files of evdns (resolver, server,
 * getaddrinfo, compat) share above the sans-I/O protocol layer of
 * dns-internal.h: evdns's own log, the resolver's structures and the
 * request API.
 */
#ifndef VIGIL_EVDNS_INTERNAL_H
#define VIGIL_EVDNS_INTERNAL_H

#include <stdarg.h>

#include "bridge-internal.h"
#include "dns-internal.h"

/* Log severities of evdns, libevent's values (EVENT_LOG_DEBUG, _MSG,
 * _WARN). */
#define VG_EVDNS_LOG_DEBUG 0
#define VG_EVDNS_LOG_MSG 1
#define VG_EVDNS_LOG_WARN 2

/* Formats and emits one message: to the function evdns_set_log_fn() set
 * (is_warning = severity is WARN), else to the event log. */
void vg_dns_log(int severity, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define vg_dns_strdup(s) vg_extra_strdup(s)

/* ------------------------------------------------------------------ */
/* The resolver (dns_base.c, dns_resolve.c)                            */
/* ------------------------------------------------------------------ */

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

/* Defaults, libevent's. */
#define VG_EVDNS_TIMEOUT_MS 5000
#define VG_EVDNS_ATTEMPTS 3
#define VG_EVDNS_MAX_TIMEOUTS 3
#define VG_EVDNS_MAX_INFLIGHT 64
#define VG_EVDNS_PROBE_MS 10000
#define VG_EVDNS_PROBE_MAX_MS 3600000
#define VG_EVDNS_SKEW_MS 3000
/* Most addresses one answer hands to a callback (more are dropped). */
#define VG_EVDNS_MAX_ADDRS 32
/* Buckets of the in-flight table (by transaction ID). */
#define VG_EVDNS_ID_BUCKETS 256

struct vg_req;

/* One nameserver: a connected UDP socket of its own, so the kernel drops
 * datagrams from any other address and port. */
struct vg_ns {
    struct evdns_base *dns;
    struct sockaddr_storage addr;
    ev_socklen_t addrlen;
    evutil_socket_t fd;
    struct event ev_read;
    struct event ev_probe;
    int read_added; /* ev_read is pending */
    int up;         /* answering, as far as we know */
    int timeouts;   /* consecutive time-outs */
    int probe_ms;   /* the next probe's delay when down */
    int inflight;   /* requests sent here and not answered */
    struct vg_req *probe;
};

/* A queue of requests (waiting for a slot, or in flight). */
struct vg_req_list {
    struct vg_req *head, *tail;
};

struct evdns_base {
    /* Must stay first: the core reads it (bridge-internal.h). */
    const struct vg_dns_bridge *bridge;
    struct event_base *base;
    int flags; /* EVDNS_BASE_* given to evdns_base_new */
    int disable_when_inactive;

    struct vg_ns **ns;
    int n_ns, cap_ns;
    int next_ns; /* round robin */
    int suspended;
    int freeing; /* evdns_base_free is running: no new lookups */

    /* Requests: every live one in all (for free), the waiting ones in
     * waiting, the ones on the wire in the ID table. */
    struct vg_req_list all;
    struct vg_req_list waiting;
    struct vg_req *by_id[VG_EVDNS_ID_BUCKETS];
    int inflight;

    /* Search. */
    char **search;
    int n_search;
    int ndots;

    /* Options. */
    int timeout_ms;
    /* timeout_ms as a common time-out of the base (O(1) to add), and the
     * value it was made for. */
    struct timeval timeout_tv;
    int timeout_tv_ms;
    int attempts;
    int max_timeouts;
    int max_inflight;
    int randomize_case;
    int probe_ms;
    int skew_ms;
    int so_rcvbuf, so_sndbuf;
    struct sockaddr_storage bind_addr;
    ev_socklen_t bind_len; /* 0: no bind-to */

    struct vg_dns_hosts **hosts; /* loaded tables, in order */
    size_t n_hosts;
};

/* What a finished lookup hands to the callback. */
struct vg_req_result {
    int err;   /* DNS_ERR_* */
    char type; /* DNS_IPv4_A, DNS_PTR, DNS_IPv6_AAAA */
    int count;
    int ttl;
    void *addrs; /* count addresses, or the PTR name */
    char *canon; /* the last CNAME target followed, or NULL */
    int quiet;   /* the resolver is being freed without callbacks */
};

/* An internal callback: gets the result, and owns addrs and canon (it
 * must free them with vg_dns_free). */
typedef void (*vg_req_internal_cb)(struct vg_req_result *res, void *arg);

/* Starts a lookup of text (A, AAAA) or of a reverse name (PTR: text is
 * the reverse name itself, searched never).  Exactly one of cb and icb
 * is set.  Returns the request, or NULL when text is not a valid name or
 * memory runs out. */
struct vg_req *vg_evdns_lookup(struct evdns_base *dns, const char *text,
                               int qtype, int flags, evdns_callback_type cb,
                               vg_req_internal_cb icb, void *arg);
/* Ends a lookup without any callback (internal users only). */
void vg_evdns_abandon(struct vg_req *req);

/* Nameserver machinery for dns_base.c. */
void vg_evdns_ns_free(struct vg_ns *ns);
void vg_evdns_ns_read_update(struct vg_ns *ns);
void vg_evdns_pump(struct evdns_base *dns);
/* Puts every request on the wire back in the waiting queue (their
 * nameserver is going away). */
void vg_evdns_requeue_all(struct evdns_base *dns);
/* Ends every request: with DNS_ERR_SHUTDOWN to the callback when fail is
 * set, silently otherwise. */
void vg_evdns_fail_all(struct evdns_base *dns, int fail);
void vg_evdns_ns_read_cb(evutil_socket_t fd, short what, void *arg);
void vg_evdns_ns_probe_cb(evutil_socket_t fd, short what, void *arg);

/* The first hosts entry for name and family (AF_UNSPEC: any), looking in
 * every loaded table; *pos iterates (start at 0). */
const struct vg_dns_host_entry *vg_evdns_hosts_find(struct evdns_base *dns,
                                                    const char *name,
                                                    int family, size_t *pos);

/* The base event_init() made last, or NULL (dns_compat.c). */
struct event_base *vg_evdns_current_base(void);

/* The evdns_getaddrinfo() entry points the core calls (dns_gai.c). */
extern const struct vg_dns_bridge vg_evdns_bridge;

#endif
