/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_resolve.c: the lookups of the resolver.  A request walks its search
 * plan (the names vg_dns_search_plan() gives, in order) one name at a
 * time; each name is sent up to "attempts" times, to the nameservers in
 * turn, with a fresh random transaction ID and 0x20 case each time.  A
 * reply is taken only when it comes from the nameserver the query went to
 * (the socket is connected), carries the query's ID, and repeats its
 * question octet for octet (name with its case, type, class); anything
 * else is dropped.  Callbacks always run later from the event loop, from
 * the request's own event, never from inside a public call.
 *
 * Nameserver health: consecutive time-outs mark a nameserver down after
 * "max-timeouts"; a down nameserver is probed after
 * "initial-probe-timeout", then three times as long after each failed
 * probe (at most an hour), and is up again as soon as anything it sends
 * matches a query.
 */
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "evdns-internal.h"

/* IDLE: on no list (between a detach and the next step). */
enum req_state {
    REQ_IDLE,
    REQ_WAITING,
    REQ_INFLIGHT,
    REQ_DONE
};

struct vg_req {
    struct evdns_base *dns;
    struct vg_req *all_prev, *all_next;
    struct vg_req *w_prev, *w_next; /* the waiting queue */
    struct vg_req *id_next;         /* the in-flight table's chain */
    enum req_state state;
    struct vg_ns *ns;   /* where it is in flight */
    struct vg_ns *only; /* set for a probe (only): its nameserver */
    uint16_t id;
    uint16_t qtype;
    int tx_count;    /* transmissions of the current name */
    int reissues;    /* nameserver refusals tolerated so far */
    int listed;      /* in dns->all */
    int have_qid;    /* id and qname chosen for the current name */
    struct event ev; /* the time-out, then the delivery */
    evdns_callback_type cb;
    vg_req_internal_cb icb;
    void *arg;
    struct vg_req_result res;
    struct vg_dns_name qname; /* the name on the wire, 0x20 applied */
    int plan_i, plan_n;
    struct vg_dns_name plan[]; /* plan_n names */
};

static void req_timeout_cb(evutil_socket_t fd, short what, void *arg);
static void req_deliver_cb(evutil_socket_t fd, short what, void *arg);
static void req_event_cb(evutil_socket_t fd, short what, void *arg);

/* ------------------------------------------------------------------ */
/* Lists                                                               */
/* ------------------------------------------------------------------ */

static void
all_add(struct evdns_base *dns, struct vg_req *req)
{
    req->all_prev = dns->all.tail;
    req->all_next = NULL;
    if (dns->all.tail != NULL)
        dns->all.tail->all_next = req;
    else
        dns->all.head = req;
    dns->all.tail = req;
    req->listed = 1;
}

static void
all_remove(struct evdns_base *dns, struct vg_req *req)
{
    if (!req->listed)
        return;
    if (req->all_prev != NULL)
        req->all_prev->all_next = req->all_next;
    else
        dns->all.head = req->all_next;
    if (req->all_next != NULL)
        req->all_next->all_prev = req->all_prev;
    else
        dns->all.tail = req->all_prev;
    req->all_prev = req->all_next = NULL;
    req->listed = 0;
}

static void
wait_push(struct evdns_base *dns, struct vg_req *req, int front)
{
    req->state = REQ_WAITING;
    if (front) {
        req->w_prev = NULL;
        req->w_next = dns->waiting.head;
        if (dns->waiting.head != NULL)
            dns->waiting.head->w_prev = req;
        else
            dns->waiting.tail = req;
        dns->waiting.head = req;
    } else {
        req->w_next = NULL;
        req->w_prev = dns->waiting.tail;
        if (dns->waiting.tail != NULL)
            dns->waiting.tail->w_next = req;
        else
            dns->waiting.head = req;
        dns->waiting.tail = req;
    }
}

static void
wait_remove(struct evdns_base *dns, struct vg_req *req)
{
    if (req->w_prev != NULL)
        req->w_prev->w_next = req->w_next;
    else
        dns->waiting.head = req->w_next;
    if (req->w_next != NULL)
        req->w_next->w_prev = req->w_prev;
    else
        dns->waiting.tail = req->w_prev;
    req->w_prev = req->w_next = NULL;
}

static struct vg_req **
id_slot(struct evdns_base *dns, uint16_t id)
{
    return &dns->by_id[id % VG_EVDNS_ID_BUCKETS];
}

static struct vg_req *
id_find(struct evdns_base *dns, uint16_t id)
{
    struct vg_req *r;

    for (r = *id_slot(dns, id); r != NULL; r = r->id_next) {
        if (r->id == id)
            return r;
    }
    return NULL;
}

static void
id_remove(struct evdns_base *dns, struct vg_req *req)
{
    struct vg_req **pp = id_slot(dns, req->id);

    while (*pp != NULL && *pp != req)
        pp = &(*pp)->id_next;
    if (*pp == req)
        *pp = req->id_next;
    req->id_next = NULL;
}

/* Takes a request off the wire or out of the queue, whichever it is on
 * (a done one keeps its state: only its delivery is cancelled). */
static void
req_detach(struct vg_req *req)
{
    struct evdns_base *dns = req->dns;

    if (req->state == REQ_INFLIGHT) {
        id_remove(dns, req);
        dns->inflight--;
        req->ns->inflight--;
        vg_evdns_ns_read_update(req->ns);
        req->ns = NULL;
        event_del(&req->ev);
        req->state = REQ_IDLE;
    } else if (req->state == REQ_WAITING) {
        wait_remove(dns, req);
        req->state = REQ_IDLE;
    } else if (req->state == REQ_DONE) {
        event_del(&req->ev);
    }
}

static void
req_free(struct vg_req *req)
{
    vg_dns_free(req->res.addrs);
    vg_dns_free(req->res.canon);
    vg_dns_free(req);
}

/* ------------------------------------------------------------------ */
/* Nameservers                                                         */
/* ------------------------------------------------------------------ */

static const char *
ns_text(const struct vg_ns *ns, char *buf, size_t size)
{
    const struct sockaddr_storage *ss = &ns->addr;
    const void *a =
        ss->ss_family == AF_INET
            ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
            : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

    if (evutil_inet_ntop(ss->ss_family, a, buf, size) == NULL)
        snprintf(buf, size, "?");
    return buf;
}

void
vg_evdns_ns_read_update(struct vg_ns *ns)
{
    int want = !ns->dns->disable_when_inactive || ns->inflight > 0;

    if (want && !ns->read_added) {
        if (event_add(&ns->ev_read, NULL) == 0)
            ns->read_added = 1;
    } else if (!want && ns->read_added) {
        event_del(&ns->ev_read);
        ns->read_added = 0;
    }
}

static void
ns_schedule_probe(struct vg_ns *ns)
{
    struct timeval tv;

    tv.tv_sec = ns->probe_ms / 1000;
    tv.tv_usec = (ns->probe_ms % 1000) * 1000;
    event_add(&ns->ev_probe, &tv);
}

static void
ns_down(struct vg_ns *ns)
{
    char buf[64];

    if (!ns->up)
        return;
    ns->up = 0;
    ns->probe_ms = ns->dns->probe_ms;
    vg_dns_log(VG_EVDNS_LOG_WARN, "Nameserver %s is down: %d time-outs",
               ns_text(ns, buf, sizeof(buf)), ns->timeouts);
    ns_schedule_probe(ns);
}

static void
ns_answered(struct vg_ns *ns)
{
    char buf[64];

    ns->timeouts = 0;
    if (ns->up)
        return;
    ns->up = 1;
    ns->probe_ms = ns->dns->probe_ms;
    event_del(&ns->ev_probe);
    vg_dns_log(VG_EVDNS_LOG_MSG, "Nameserver %s is back up",
               ns_text(ns, buf, sizeof(buf)));
}

/* The next nameserver in turn, preferring those that are up. */
static struct vg_ns *
ns_pick(struct evdns_base *dns)
{
    int n = dns->n_ns;

    if (n == 0)
        return NULL;
    for (int i = 0; i < n; i++) {
        struct vg_ns *ns = dns->ns[(dns->next_ns + i) % n];

        if (ns->up) {
            dns->next_ns = (dns->next_ns + i + 1) % n;
            return ns;
        }
    }
    /* All down: keep trying them in turn rather than fail at once. */
    dns->next_ns = (dns->next_ns + 1) % n;
    return dns->ns[(dns->next_ns + n - 1) % n];
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

static void
arm_timeout(struct vg_req *req)
{
    struct evdns_base *dns = req->dns;

    if (dns->timeout_tv_ms != dns->timeout_ms) {
        /* Every request waits the same time: a common time-out makes
         * adding and removing it O(1). */
        struct timeval tv;
        const struct timeval *common;

        tv.tv_sec = dns->timeout_ms / 1000;
        tv.tv_usec = (dns->timeout_ms % 1000) * 1000;
        common = event_base_init_common_timeout(dns->base, &tv);
        dns->timeout_tv = common != NULL ? *common : tv;
        dns->timeout_tv_ms = dns->timeout_ms;
    }
    event_add(&req->ev, &dns->timeout_tv);
}

/* Puts req on the wire.  Returns 0, or -1 when there is no nameserver or
 * no free ID (the caller queues it again). */
static int
transmit(struct vg_req *req)
{
    struct evdns_base *dns = req->dns;
    unsigned char rnd[2 + VG_DNS_CASE_RANDOM_BYTES];
    unsigned char pkt[VG_DNS_UDP_MAX];
    struct vg_ns *ns = req->only != NULL ? req->only : ns_pick(dns);
    size_t nrnd = 2;
    uint16_t id;
    int len, tries;

    if (ns == NULL)
        return -1;
    /* A retransmission repeats the query (ID and case), as libevent does,
     * unless another request took the ID while this one waited. */
    if (!req->have_qid || id_find(dns, req->id) != NULL) {
        req->qname = req->plan[req->plan_i];
        if (dns->randomize_case && req->only == NULL) {
            nrnd += (size_t)(req->qname.len + 7) / 8;
            if (nrnd > sizeof(rnd))
                nrnd = sizeof(rnd);
        }
        for (tries = 0; tries < 64; tries++) {
            evutil_secure_rng_get_bytes(rnd, nrnd);
            id = (uint16_t)(rnd[0] << 8 | rnd[1]);
            if (id_find(dns, id) == NULL)
                break;
        }
        if (tries == 64)
            return -1;
        if (nrnd > 2)
            vg_dns_name_randomize_case(&req->qname, rnd + 2, nrnd - 2);
        req->id = id;
        req->have_qid = 1;
    }
    id = req->id;
    len = vg_dns_build_query(pkt, sizeof(pkt), id, 1, &req->qname, req->qtype,
                             VG_DNS_CLASS_IN);
    if (len < 0)
        return -1;
    req->ns = ns;
    req->state = REQ_INFLIGHT;
    req->id_next = *id_slot(dns, id);
    *id_slot(dns, id) = req;
    dns->inflight++;
    ns->inflight++;
    vg_evdns_ns_read_update(ns);
    /* A datagram the kernel will not take now counts as lost: the
     * time-out sends it again. */
    if (send(ns->fd, pkt, (size_t)len, MSG_NOSIGNAL) < 0)
        vg_dns_log(VG_EVDNS_LOG_DEBUG, "evdns: send: %s", strerror(errno));
    arm_timeout(req);
    return 0;
}

void
vg_evdns_pump(struct evdns_base *dns)
{
    while (dns->waiting.head != NULL && !dns->suspended && dns->n_ns > 0 &&
           dns->inflight < dns->max_inflight) {
        struct vg_req *req = dns->waiting.head;

        wait_remove(dns, req);
        if (transmit(req) < 0) {
            wait_push(dns, req, 1);
            break;
        }
    }
}

/* Sends req now if a slot is free, else queues it. */
static void
submit(struct vg_req *req)
{
    struct evdns_base *dns = req->dns;

    if (!dns->suspended && dns->n_ns > 0 && dns->inflight < dns->max_inflight &&
        dns->waiting.head == NULL && transmit(req) == 0)
        return;
    wait_push(dns, req, 0);
}

/* ------------------------------------------------------------------ */
/* Finishing                                                           */
/* ------------------------------------------------------------------ */

/* Makes req's result the error err, with no answers. */
static void
result_fail(struct vg_req *req, int err)
{
    vg_dns_free(req->res.addrs);
    req->res.addrs = NULL;
    req->res.count = 0;
    req->res.ttl = 0;
    req->res.err = err;
}

/* Ends req with err; the callback runs from the loop. */
static void
finish(struct vg_req *req, int err)
{
    struct evdns_base *dns = req->dns;

    req_detach(req);
    req->state = REQ_DONE;
    if (err != DNS_ERR_NONE)
        result_fail(req, err);
    req->res.err = err;
    event_active(&req->ev, EV_TIMEOUT, 1);
    vg_evdns_pump(dns);
}

static void
call_back(struct vg_req *req)
{
    struct vg_req_result *res = &req->res;

    if (req->icb != NULL) {
        req->icb(res, req->arg);
        res->addrs = NULL; /* the internal callback owns them */
        res->canon = NULL;
    } else if (req->cb != NULL) {
        /* A PTR answer reaches the callback as a char ** (a pointer to
         * the name), as in libevent; a failure has type 0. */
        char *name = res->addrs;
        void *addrs =
            res->type == DNS_PTR && name != NULL ? (void *)&name : res->addrs;

        req->cb(res->err, res->err == DNS_ERR_NONE ? res->type : 0, res->count,
                res->ttl, addrs, req->arg);
    }
}

/* The request's one event: its time-out while it is on the wire, its
 * delivery once it is done. */
static void
req_event_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_req *req = arg;

    if (req->state == REQ_DONE)
        req_deliver_cb(fd, what, arg);
    else
        req_timeout_cb(fd, what, arg);
}

static void
req_deliver_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_req *req = arg;

    (void)fd;
    (void)what;
    if (req->listed)
        all_remove(req->dns, req);
    call_back(req);
    req_free(req);
}

/* Moves to the next name of the plan, or ends with err. */
static void
next_name_or_finish(struct vg_req *req, int err)
{
    if (req->plan_i + 1 < req->plan_n) {
        req_detach(req);
        req->plan_i++;
        req->tx_count = 0;
        req->have_qid = 0;
        submit(req);
        return;
    }
    finish(req, err);
}

/* Sends req again (a time-out or a refusal), or ends it. */
static void
retry_or_finish(struct vg_req *req, int err)
{
    struct evdns_base *dns = req->dns;

    if (req->tx_count >= dns->attempts) {
        finish(req, err);
        return;
    }
    req_detach(req);
    wait_push(dns, req, 1);
    vg_evdns_pump(dns);
}

static void
probe_done(struct vg_ns *ns, int answered)
{
    struct vg_req *req = ns->probe;

    ns->probe = NULL;
    if (req != NULL)
        vg_evdns_abandon(req);
    if (answered) {
        ns_answered(ns);
    } else {
        ns->probe_ms = ns->probe_ms > VG_EVDNS_PROBE_MAX_MS / 3
                           ? VG_EVDNS_PROBE_MAX_MS
                           : ns->probe_ms * 3;
        ns_schedule_probe(ns);
    }
}

static void
req_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_req *req = arg;
    struct vg_ns *ns = req->ns;

    (void)fd;
    (void)what;
    ns->timeouts++;
    if (req->only != NULL) {
        probe_done(ns, 0);
        return;
    }
    req->tx_count++;
    /* max-timeouts in a row mark a nameserver down, and so does a request
     * that gives up on it (libevent's rule). */
    if (ns->timeouts >= req->dns->max_timeouts ||
        req->tx_count >= req->dns->attempts)
        ns_down(ns);
    retry_or_finish(req, DNS_ERR_TIMEOUT);
}

void
vg_evdns_ns_probe_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_ns *ns = arg;
    struct evdns_base *dns = ns->dns;
    struct vg_req *req;

    (void)fd;
    (void)what;
    if (ns->up || ns->probe != NULL)
        return;
    req = vg_dns_calloc(1, sizeof(*req) + sizeof(struct vg_dns_name));
    if (req == NULL) {
        ns_schedule_probe(ns);
        return;
    }
    req->dns = dns;
    req->only = ns;
    req->qtype = VG_DNS_TYPE_NS;
    req->plan_n = 1;
    (void)vg_dns_name_from_text(".", &req->plan[0]);
    event_assign(&req->ev, dns->base, -1, 0, req_event_cb, req);
    if (transmit(req) < 0) {
        vg_dns_free(req);
        ns_schedule_probe(ns);
        return;
    }
    ns->probe = req;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */
/* ------------------------------------------------------------------ */

#define MAX_CHAIN 8

/* 1 if the name at off is the question's own name: the question itself,
 * or a compression pointer straight to it (what nearly every answer
 * holds).  The parser has checked both already. */
static int
is_question_name(const struct vg_dns_message *msg, size_t off)
{
    size_t q;

    if (msg->hdr.qdcount != 1)
        return 0;
    q = msg->qd[0].name_off;
    if (off == q)
        return 1;
    return off + 1 < msg->packet_len && (msg->packet[off] & 0xc0) == 0xc0 &&
           (((size_t)(msg->packet[off] & 0x3f) << 8) | msg->packet[off + 1]) ==
               q;
}

/* Takes the answers of msg for req: follows CNAMEs from the question
 * (at most MAX_CHAIN), then keeps the records of the asked type whose
 * owner is on the chain.  Returns how many were taken. */
static int
collect(struct vg_req *req, const struct vg_dns_message *msg)
{
    struct vg_dns_name chain[MAX_CHAIN + 1];
    struct vg_dns_name owner, target;
    const struct vg_dns_rr *rr;
    size_t n_an, i;
    int n_chain = 1, grew, count = 0;
    uint32_t ttl = UINT32_MAX;
    size_t unit;

    rr = vg_dns_message_section(msg, VG_DNS_SECTION_ANSWER, &n_an);
    chain[0] = req->qname;
    grew = 0;
    for (i = 0; i < n_an && !grew; i++)
        grew = rr[i].type == VG_DNS_TYPE_CNAME;
    while (grew && n_chain <= MAX_CHAIN) {
        grew = 0;
        for (i = 0; i < n_an && n_chain <= MAX_CHAIN; i++) {
            if (rr[i].type != VG_DNS_TYPE_CNAME ||
                rr[i].rclass != VG_DNS_CLASS_IN || rr[i].target_off == 0 ||
                vg_dns_message_name(msg, rr[i].name_off, &owner) != 0 ||
                !vg_dns_name_equal_nocase(&owner, &chain[n_chain - 1]) ||
                vg_dns_message_name(msg, rr[i].target_off, &target) != 0)
                continue;
            chain[n_chain++] = target;
            grew = 1;
            break;
        }
    }

    unit = req->qtype == VG_DNS_TYPE_A      ? 4
           : req->qtype == VG_DNS_TYPE_AAAA ? 16
                                            : 0;
    for (i = 0; i < n_an; i++) {
        int on_chain = 0;

        if (rr[i].type != req->qtype || rr[i].rclass != VG_DNS_CLASS_IN)
            continue;
        /* The question matched req->qname already (question_matches). */
        on_chain = is_question_name(msg, rr[i].name_off);
        if (!on_chain && vg_dns_message_name(msg, rr[i].name_off, &owner) != 0)
            continue;
        for (int c = 0; c < n_chain && !on_chain; c++)
            on_chain = vg_dns_name_equal_nocase(&owner, &chain[c]);
        if (!on_chain)
            continue;
        if (unit != 0) {
            if (count == VG_EVDNS_MAX_ADDRS)
                continue;
            if (req->res.addrs == NULL) {
                req->res.addrs = vg_dns_malloc(unit * VG_EVDNS_MAX_ADDRS);
                if (req->res.addrs == NULL)
                    return 0;
            }
            memcpy((unsigned char *)req->res.addrs + unit * (size_t)count,
                   msg->packet + rr[i].rdata_off, unit);
        } else {
            char text[VG_DNS_NAME_TEXT_MAX];

            if (count > 0 || rr[i].target_off == 0 ||
                vg_dns_message_name(msg, rr[i].target_off, &target) != 0 ||
                vg_dns_name_to_text(&target, text, sizeof(text)) < 0)
                continue;
            req->res.addrs = vg_dns_strdup(text);
            if (req->res.addrs == NULL)
                return 0;
        }
        if (rr[i].ttl < ttl)
            ttl = rr[i].ttl;
        count++;
    }
    if (count > 0) {
        req->res.count = count;
        req->res.ttl = ttl > INT32_MAX ? INT32_MAX : (int)ttl;
        if (n_chain > 1) {
            char text[VG_DNS_NAME_TEXT_MAX];

            if (vg_dns_name_to_text(&chain[n_chain - 1], text, sizeof(text)) >=
                0)
                req->res.canon = vg_dns_strdup(text);
        }
    }
    return count;
}

/* The reply repeats the question: octet for octet when the case was
 * randomised (the 0x20 check), ignoring case otherwise (names compare
 * without case, RFC 4343). */
static int
question_matches(const struct vg_req *req, const struct vg_dns_message *msg)
{
    struct vg_dns_name name;

    if (req->dns->randomize_case && req->only == NULL)
        return vg_dns_question_matches(msg, &req->qname, req->qtype,
                                       VG_DNS_CLASS_IN);
    return msg->hdr.qdcount == 1 && msg->qd[0].type == req->qtype &&
           msg->qd[0].qclass == VG_DNS_CLASS_IN &&
           vg_dns_message_name(msg, msg->qd[0].name_off, &name) == 0 &&
           vg_dns_name_equal_nocase(&name, &req->qname);
}

static void
handle_reply(struct vg_ns *ns, const unsigned char *pkt, size_t len)
{
    struct evdns_base *dns = ns->dns;
    struct vg_dns_question qd[2];
    struct vg_dns_rr rrs[32];
    struct vg_dns_message m, *msg = &m;
    struct vg_req *req;
    uint16_t id, flags;

    if (len < VG_DNS_HEADER_LEN)
        return;
    id = (uint16_t)(pkt[0] << 8 | pkt[1]);
    req = id_find(dns, id);
    if (req == NULL || req->ns != ns) {
        vg_dns_log(VG_EVDNS_LOG_DEBUG, "evdns: reply with unknown ID %u",
                   (unsigned)id);
        return;
    }
    /* Parsed in place, into arrays on the stack for a usual reply. */
    if (vg_dns_message_parse_view(pkt, len, msg, qd, 2, rrs, 32) != 0) {
        vg_dns_log(VG_EVDNS_LOG_DEBUG, "evdns: malformed reply dropped");
        return;
    }
    flags = msg->hdr.flags;
    if (!(flags & VG_DNS_FLAG_QR) || !question_matches(req, msg)) {
        vg_dns_log(VG_EVDNS_LOG_DEBUG,
                   "evdns: reply does not match its question, dropped");
        goto done;
    }
    ns_answered(ns);
    if (req->only != NULL) {
        probe_done(ns, 1);
        goto done;
    }
    if (flags & VG_DNS_FLAG_TC) {
        finish(req, DNS_ERR_TRUNCATED);
        goto done;
    }
    switch (VG_DNS_RCODE(flags)) {
    case VG_DNS_RCODE_NOERROR:
        if (collect(req, msg) > 0)
            finish(req, DNS_ERR_NONE);
        else
            next_name_or_finish(req, DNS_ERR_NODATA);
        break;
    case VG_DNS_RCODE_NXDOMAIN:
        next_name_or_finish(req, DNS_ERR_NOTEXIST);
        break;
    case VG_DNS_RCODE_NOTIMP:
    case VG_DNS_RCODE_REFUSED:
        /* This nameserver will not help: another may. */
        if (dns->n_ns > 1 && req->reissues < dns->attempts) {
            req->reissues++;
            retry_or_finish(req, VG_DNS_RCODE(flags));
        } else {
            finish(req, VG_DNS_RCODE(flags));
        }
        break;
    case VG_DNS_RCODE_SERVFAIL:
        /* Often a nameserver's passing trouble: like libevent, count it
         * as a lost attempt and send again (to the next nameserver), and
         * end with a time-out when the attempts run out. */
        req->tx_count++;
        retry_or_finish(req, DNS_ERR_TIMEOUT);
        break;
    case VG_DNS_RCODE_FORMERR:
        finish(req, DNS_ERR_FORMAT);
        break;
    default:
        finish(req, DNS_ERR_UNKNOWN);
        break;
    }
done:
    vg_dns_message_release(msg);
}

void
vg_evdns_ns_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct vg_ns *ns = arg;
    unsigned char buf[4096];

    (void)what;
    /* Bounded, so that one busy nameserver cannot starve the loop. */
    for (int i = 0; i < 64; i++) {
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* EAGAIN, or an ICMP error reported on the connected socket
             * (the time-out deals with the request). */
            if (errno != EAGAIN && errno != EWOULDBLOCK &&
                errno != ECONNREFUSED)
                vg_dns_log(VG_EVDNS_LOG_DEBUG, "evdns: recv: %s",
                           strerror(errno));
            if (errno == ECONNREFUSED)
                continue;
            return;
        }
        if ((size_t)n > sizeof(buf))
            continue; /* over-long datagram: not a reply of ours */
        handle_reply(ns, buf, (size_t)n);
    }
}

/* ------------------------------------------------------------------ */
/* Starting, cancelling, ending                                        */
/* ------------------------------------------------------------------ */

static char
result_type(int qtype)
{
    return qtype == VG_DNS_TYPE_A      ? DNS_IPv4_A
           : qtype == VG_DNS_TYPE_AAAA ? DNS_IPv6_AAAA
                                       : DNS_PTR;
}

struct vg_req *
vg_evdns_lookup(struct evdns_base *dns, const char *text, int qtype, int flags,
                evdns_callback_type cb, vg_req_internal_cb icb, void *arg)
{
    struct vg_dns_name plan[1 + VG_DNS_CONF_MAX_SEARCH];
    struct vg_req *req;
    int n, n_search;

    if (dns == NULL || text == NULL || dns->freeing)
        return NULL;
    n_search = (flags & DNS_QUERY_NO_SEARCH) || qtype == VG_DNS_TYPE_PTR
                   ? 0
                   : dns->n_search;
    if (n_search > VG_DNS_CONF_MAX_SEARCH)
        n_search = VG_DNS_CONF_MAX_SEARCH;
    n = vg_dns_search_plan(text, dns->ndots, dns->search, n_search, plan,
                           1 + (size_t)n_search);
    if (n <= 0)
        return NULL;
    req = vg_dns_calloc(1, sizeof(*req) + (size_t)n * sizeof(plan[0]));
    if (req == NULL)
        return NULL;
    memcpy(req->plan, plan, (size_t)n * sizeof(plan[0]));
    req->plan_n = n;
    req->dns = dns;
    req->qtype = (uint16_t)qtype;
    req->cb = cb;
    req->icb = icb;
    req->arg = arg;
    req->res.type = result_type(qtype);
    event_assign(&req->ev, dns->base, -1, 0, req_event_cb, req);
    all_add(dns, req);
    submit(req);
    return req;
}

void
vg_evdns_abandon(struct vg_req *req)
{
    req_detach(req);
    req->state = REQ_DONE;
    all_remove(req->dns, req);
    if (req->only != NULL && req->only->probe == req)
        req->only->probe = NULL;
    req_free(req);
    /* No pump here: callers are in the middle of tearing down. */
}

/* Probes are never in dns->all: vg_evdns_ns_free() ends them. */
void
vg_evdns_requeue_all(struct evdns_base *dns)
{
    struct vg_req *req, *next;

    for (req = dns->all.head; req != NULL; req = next) {
        next = req->all_next;
        if (req->state == REQ_INFLIGHT) {
            req_detach(req);
            wait_push(dns, req, 1);
        }
    }
}

void
vg_evdns_fail_all(struct evdns_base *dns, int fail)
{
    dns->freeing = 1;
    while (dns->all.head != NULL) {
        struct vg_req *req = dns->all.head;
        int done = req->state == REQ_DONE;

        req_detach(req);
        all_remove(dns, req);
        if (!done) {
            req->state = REQ_DONE;
            result_fail(req, DNS_ERR_SHUTDOWN);
        }
        req->res.quiet = !fail;
        if (fail) {
            /* As in libevent, the callbacks run from the loop after the
             * resolver is gone: the request no longer names it. */
            event_active(&req->ev, EV_TIMEOUT, 1);
            continue;
        }
        if (req->icb != NULL)
            call_back(req); /* internal users free their state */
        req_free(req);
    }
    /* Probes are not in dns->all: each nameserver ends its own
     * (vg_evdns_ns_free). */
}

void
evdns_cancel_request(struct evdns_base *base, struct evdns_request *handle)
{
    struct vg_req *req = (struct vg_req *)handle;

    (void)base;
    if (req == NULL)
        return;
    if (req->state == REQ_DONE) {
        /* The answer is in but not yet delivered: deliver a cancel. */
        result_fail(req, DNS_ERR_CANCEL);
        return;
    }
    finish(req, DNS_ERR_CANCEL);
}

struct evdns_request *
evdns_base_resolve_ipv4(struct evdns_base *base, const char *name, int flags,
                        evdns_callback_type callback, void *ptr)
{
    if (callback == NULL)
        return NULL;
    return (struct evdns_request *)vg_evdns_lookup(base, name, VG_DNS_TYPE_A,
                                                   flags, callback, NULL, ptr);
}

struct evdns_request *
evdns_base_resolve_ipv6(struct evdns_base *base, const char *name, int flags,
                        evdns_callback_type callback, void *ptr)
{
    if (callback == NULL)
        return NULL;
    return (struct evdns_request *)vg_evdns_lookup(base, name, VG_DNS_TYPE_AAAA,
                                                   flags, callback, NULL, ptr);
}

static struct evdns_request *
resolve_reverse_name(struct evdns_base *base, const struct vg_dns_name *rev,
                     int flags, evdns_callback_type callback, void *ptr)
{
    char text[VG_DNS_NAME_TEXT_MAX];

    if (callback == NULL || vg_dns_name_to_text(rev, text, sizeof(text)) < 0)
        return NULL;
    return (struct evdns_request *)vg_evdns_lookup(base, text, VG_DNS_TYPE_PTR,
                                                   flags | DNS_QUERY_NO_SEARCH,
                                                   callback, NULL, ptr);
}

struct evdns_request *
evdns_base_resolve_reverse(struct evdns_base *base, const struct in_addr *in,
                           int flags, evdns_callback_type callback, void *ptr)
{
    struct vg_dns_name rev;

    if (in == NULL)
        return NULL;
    vg_dns_reverse_ipv4((const unsigned char *)&in->s_addr, &rev);
    return resolve_reverse_name(base, &rev, flags, callback, ptr);
}

struct evdns_request *
evdns_base_resolve_reverse_ipv6(struct evdns_base *base,
                                const struct in6_addr *in, int flags,
                                evdns_callback_type callback, void *ptr)
{
    struct vg_dns_name rev;

    if (in == NULL)
        return NULL;
    vg_dns_reverse_ipv6(in->s6_addr, &rev);
    return resolve_reverse_name(base, &rev, flags, callback, ptr);
}
