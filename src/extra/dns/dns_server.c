/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_server.c: the DNS server of evdns.  A server port reads requests
 * from a UDP socket the caller owns, hands each one to the user's
 * callback as a struct evdns_server_request, collects the records the
 * user adds, and builds and sends the reply (512 bytes at most, with
 * name compression and TC) when the user responds.  Parsing and building
 * go through the sans-I/O layer of dns-internal.h; nothing here reads or
 * writes a packet by hand.
 *
 * Lifetime: a port holds one reference for its owner (dropped by
 * evdns_close_server_port()), one for each request not yet answered or
 * dropped, and one while its read callback runs.  It is freed, and its
 * socket closed, when the last reference goes, so a request may outlive
 * the close and still be answered.
 *
 * Threads: a port is created, read and closed from its base's loop
 * thread, as in libevent.  The state requests share with their port (the
 * reference count and the queue of replies waiting for the socket) is
 * guarded by a small lock of the port's own, so a request may be answered
 * or dropped from another thread when the base was made with locking.
 */
#include <event2/dns.h>
#include <event2/dns_compat.h>
#include <event2/dns_struct.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "evdns-internal.h"

/* The largest request read: bigger datagrams are dropped whole. */
#define SERVER_RECV_MAX 4096
/* Datagrams read per wakeup of the read event, so that a flood on one
 * port cannot keep the loop from everything else. */
#define SERVER_READ_BURST 64
/* Requests a port holds at once (handed to the callback and not yet
 * answered or dropped); requests beyond are dropped unread. */
#define SERVER_MAX_OUTSTANDING 4096
/* Bytes of question text one request may expand to (compressed names
 * grow when written out): a request over it is dropped. */
#define SERVER_MAX_QUESTION_TEXT 8192
/* Bytes of records (uncompressed) one reply may collect; more could
 * never fit a reply anyway. */
#define SERVER_MAX_RR_BYTES VG_DNS_MAX_MESSAGE

/* Header bits a request's flags carry over to its reply (libevent keeps
 * RD and CD), and the bits a user may set on a reply: AA, TC, RD, RA, Z,
 * AD and CD (the opcode, QR and RCODE are the server's). */
#define REQUEST_FLAGS_KEPT (VG_DNS_FLAG_RD | 0x0010)
#define REPLY_FLAGS_USER 0x07f0
/* What the err argument of evdns_server_request_respond() may hold
 * besides the RCODE. */
#define RESPOND_FLAGS (EVDNS_FLAGS_AA | EVDNS_FLAGS_RD)

/* One record of a reply.  For a record whose RDATA is a name, rdata holds
 * the name in wire form (is_name set) so that the builder compresses it. */
struct vg_dns_server_rr {
    struct vg_dns_server_rr *next;
    struct vg_dns_name owner;
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    int is_name;
    size_t rdlength;
    unsigned char rdata[];
};

#define N_SECTIONS 3

struct vg_dns_server_req {
    /* What the callback sees; the pointer it gets is &pub. */
    struct evdns_server_request pub;
    struct evdns_server_port *port;
    /* The request as parsed: its questions are copied into the reply. */
    struct vg_dns_message *msg;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    uint16_t id;
    uint16_t opcode;
    struct vg_dns_server_rr *rr_head[N_SECTIONS];
    struct vg_dns_server_rr **rr_tail[N_SECTIONS];
    size_t rr_bytes;
    /* The next reply waiting for the socket (port->queue_head). */
    struct vg_dns_server_req *next_queued;
    /* The reply, once built (reply_len > 0). */
    size_t reply_len;
    unsigned char reply[VG_DNS_UDP_MAX];
    /* The question pointers and the questions follow. */
};

struct evdns_server_port {
    evutil_socket_t fd;
    struct event *read_ev;
    struct event *write_ev;
    evdns_request_callback_fn_type cb;
    void *cb_arg;
    /* Everything below is guarded by lock. */
    int lock;
    int refs;
    int closing;
    int write_armed;
    int full_warned;
    size_t outstanding;
    struct vg_dns_server_req *queue_head;
    struct vg_dns_server_req *queue_tail;
};

static struct vg_dns_server_req *
req_of(struct evdns_server_request *pub)
{
    return (
        struct vg_dns_server_req *)(void *)((char *)pub -
                                            offsetof(struct vg_dns_server_req,
                                                     pub));
}

/* ------------------------------------------------------------------ */
/* The port's lock and references                                      */
/* ------------------------------------------------------------------ */

/* A spin lock: every section it guards is a few stores and at most one
 * non-blocking send, and it must not depend on the user's thread
 * callbacks, which a port has no public way to reach. */
static void
port_lock(struct evdns_server_port *port)
{
    while (__atomic_exchange_n(&port->lock, 1, __ATOMIC_ACQUIRE) != 0) {
        while (__atomic_load_n(&port->lock, __ATOMIC_RELAXED) != 0)
            sched_yield();
    }
}

static void
port_unlock(struct evdns_server_port *port)
{
    __atomic_store_n(&port->lock, 0, __ATOMIC_RELEASE);
}

static void
port_free(struct evdns_server_port *port)
{
    if (port->read_ev != NULL)
        event_free(port->read_ev);
    if (port->write_ev != NULL)
        event_free(port->write_ev);
    if (port->fd >= 0)
        evutil_closesocket(port->fd);
    vg_dns_free(port);
}

/* Drops one reference; frees the port when it was the last. */
static void
port_unref(struct evdns_server_port *port)
{
    int last;

    port_lock(port);
    last = --port->refs == 0;
    port_unlock(port);
    if (last)
        port_free(port);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

static void
rr_free_list(struct vg_dns_server_rr *rr)
{
    while (rr != NULL) {
        struct vg_dns_server_rr *next = rr->next;

        vg_dns_free(rr);
        rr = next;
    }
}

/* Frees a request and gives back its reference to the port, which may
 * free the port too. */
static void
request_free(struct vg_dns_server_req *req)
{
    struct evdns_server_port *port = req->port;
    int last;

    for (int s = 0; s < N_SECTIONS; s++)
        rr_free_list(req->rr_head[s]);
    vg_dns_message_free(req->msg);
    vg_dns_free(req);

    port_lock(port);
    port->outstanding--;
    last = --port->refs == 0;
    port_unlock(port);
    if (last)
        port_free(port);
}

/* The presentation text of a question's name, as the callback sees it:
 * libevent gives the root name as "" (not "."). */
static int
question_text(const struct vg_dns_message *msg, size_t i, char *buf,
              size_t size)
{
    struct vg_dns_name name;
    int rc;

    if ((rc = vg_dns_message_name(msg, msg->qd[i].name_off, &name)) != 0)
        return rc;
    if (name.len == 1) {
        buf[0] = '\0';
        return 0;
    }
    return vg_dns_name_to_text(&name, buf, size);
}

static size_t
align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/* Makes the request for a parsed message, in one allocation: the
 * internal request, the question pointers, then each question with its
 * name.  Takes msg on success.  NULL when memory runs out or the
 * questions' text is over SERVER_MAX_QUESTION_TEXT. */
static struct vg_dns_server_req *
request_new(struct evdns_server_port *port, struct vg_dns_message *msg,
            const struct sockaddr_storage *addr, socklen_t addrlen)
{
    const size_t q_align = _Alignof(struct evdns_server_question);
    const size_t q_head = offsetof(struct evdns_server_question, name);
    struct vg_dns_server_req *req = NULL;
    char text[VG_DNS_NAME_TEXT_MAX];
    size_t nq = msg->hdr.qdcount, size, text_total = 0, at;
    int len;

    /* First the size. */
    size = align_up(sizeof(*req), _Alignof(void *));
    size += nq * sizeof(struct evdns_server_question *);
    for (size_t i = 0; i < nq; i++) {
        if ((len = question_text(msg, i, text, sizeof(text))) < 0)
            goto done;
        text_total += (size_t)len + 1;
        if (text_total > SERVER_MAX_QUESTION_TEXT) {
            vg_dns_log(VG_EVDNS_LOG_DEBUG,
                       "evdns server: dropping a request whose questions "
                       "are too long");
            goto done;
        }
        size = align_up(size, q_align) + q_head + (size_t)len + 1;
    }

    if ((req = vg_dns_calloc(1, size)) == NULL)
        goto done;
    req->port = port;
    req->msg = msg;
    memcpy(&req->addr, addr, addrlen);
    req->addrlen = addrlen;
    req->id = msg->hdr.id;
    req->opcode = (uint16_t)VG_DNS_OPCODE(msg->hdr.flags);
    for (int s = 0; s < N_SECTIONS; s++)
        req->rr_tail[s] = &req->rr_head[s];
    req->pub.flags = msg->hdr.flags & REQUEST_FLAGS_KEPT;
    req->pub.nquestions = (int)nq;

    /* Then the questions, written in the same order. */
    at = align_up(sizeof(*req), _Alignof(void *));
    req->pub.questions =
        (struct evdns_server_question **)(void *)((char *)req + at);
    at += nq * sizeof(struct evdns_server_question *);
    for (size_t i = 0; i < nq; i++) {
        struct evdns_server_question *q;

        len = question_text(msg, i, text, sizeof(text));
        at = align_up(at, q_align);
        q = (struct evdns_server_question *)(void *)((char *)req + at);
        q->type = msg->qd[i].type;
        q->dns_question_class = msg->qd[i].qclass;
        memcpy(q->name, text, (size_t)len + 1);
        req->pub.questions[i] = q;
        at += q_head + (size_t)len + 1;
    }
done:
    return req;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */
/* ------------------------------------------------------------------ */

/* Builds the reply of req into req->reply: the questions of the request,
 * then the records of each section in the order they were added.  What
 * does not fit the 512 bytes is left out and TC set (the builder's
 * rules). */
static int
build_reply(struct vg_dns_server_req *req, int err)
{
    const struct vg_dns_message *msg = req->msg;
    struct vg_dns_builder b;
    struct vg_dns_name name, target;
    unsigned flags;
    int rc;

    flags = VG_DNS_FLAG_QR | ((unsigned)req->opcode << 11) |
            ((unsigned)req->pub.flags & REPLY_FLAGS_USER) |
            ((unsigned)err & (RESPOND_FLAGS | 0xf));
    if ((rc = vg_dns_builder_init(&b, req->reply, sizeof(req->reply), req->id,
                                  (uint16_t)flags)) != 0)
        goto done;
    for (size_t i = 0; i < msg->hdr.qdcount; i++) {
        if ((rc = vg_dns_message_name(msg, msg->qd[i].name_off, &name)) != 0)
            goto done;
        rc = vg_dns_builder_question(&b, &name, msg->qd[i].type,
                                     msg->qd[i].qclass);
        if (rc != 0 && rc != VG_DNS_ERR_SPACE)
            goto done;
    }
    for (int s = 0; s < N_SECTIONS; s++) {
        for (const struct vg_dns_server_rr *rr = req->rr_head[s]; rr != NULL;
             rr = rr->next) {
            if (rr->is_name) {
                target.len = (uint8_t)rr->rdlength;
                memcpy(target.wire, rr->rdata, rr->rdlength);
                rc = vg_dns_builder_rr_name(&b, (enum vg_dns_section)s,
                                            &rr->owner, rr->type, rr->rclass,
                                            rr->ttl, &target);
            } else {
                rc = vg_dns_builder_rr(&b, (enum vg_dns_section)s, &rr->owner,
                                       rr->type, rr->rclass, rr->ttl, rr->rdata,
                                       rr->rdlength);
            }
            if (rc != 0 && rc != VG_DNS_ERR_SPACE)
                goto done;
        }
    }
    req->reply_len = vg_dns_builder_finish(&b);
    rc = 0;
done:
    if (rc != 0)
        vg_dns_log(VG_EVDNS_LOG_WARN, "evdns server: cannot build a reply: %s",
                   vg_dns_strerror(rc));
    return rc;
}

/* Sends req's reply once.  Returns 0 when sent, 1 when the socket would
 * block, -1 on another error (errno set).  Called with the lock held. */
static int
send_reply(struct evdns_server_port *port, struct vg_dns_server_req *req)
{
    const struct sockaddr *to = (const struct sockaddr *)&req->addr;
    socklen_t tolen = req->addrlen;
    ssize_t n;

    /* An unnamed peer (an AF_UNIX socketpair) has no address to send to:
     * the socket's own peer is the one. */
    if (tolen <= sizeof(sa_family_t)) {
        to = NULL;
        tolen = 0;
    }
    do
        n = sendto(port->fd, req->reply, req->reply_len,
                   MSG_DONTWAIT | MSG_NOSIGNAL, to, tolen);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return 1;
    return -1;
}

/* The socket can take data again: sends the queued replies in order
 * until it would block, then stops listening for writability once the
 * queue is empty.  Replies that fail for good are logged and dropped. */
static void
server_write_cb(evutil_socket_t fd, short what, void *arg)
{
    struct evdns_server_port *port = arg;
    struct vg_dns_server_req *done = NULL, *req;

    (void)fd;
    (void)what;
    port_lock(port);
    while ((req = port->queue_head) != NULL) {
        int r = send_reply(port, req);

        if (r == 1)
            break;
        if (r < 0)
            vg_dns_log(VG_EVDNS_LOG_WARN,
                       "evdns server: cannot send a queued reply: %s",
                       evutil_socket_error_to_string(errno));
        port->queue_head = req->next_queued;
        if (port->queue_head == NULL)
            port->queue_tail = NULL;
        req->next_queued = done;
        done = req;
    }
    if (port->queue_head == NULL && port->write_armed) {
        event_del(port->write_ev);
        port->write_armed = 0;
    }
    port_unlock(port);
    /* Outside the lock: the last request may free the port. */
    while (done != NULL) {
        req = done;
        done = req->next_queued;
        request_free(req);
    }
}

/* ------------------------------------------------------------------ */
/* Reading requests                                                    */
/* ------------------------------------------------------------------ */

/* Handles one datagram: a standard query goes to the callback, another
 * opcode gets NOTIMP, anything else (malformed, a reply, no question) is
 * dropped as libevent drops it. */
static void
handle_datagram(struct evdns_server_port *port, const unsigned char *buf,
                size_t len, const struct sockaddr_storage *addr,
                socklen_t addrlen)
{
    struct vg_dns_message *msg = NULL;
    struct vg_dns_server_req *req;
    int rc, check, full;

    if ((rc = vg_dns_message_parse(buf, len, &msg)) != 0) {
        vg_dns_log(VG_EVDNS_LOG_DEBUG,
                   "evdns server: dropping a malformed request (%s)",
                   vg_dns_strerror(rc));
        goto done;
    }
    check = vg_dns_request_check(msg);
    if (check == VG_DNS_RCODE_FORMERR) {
        vg_dns_log(VG_EVDNS_LOG_DEBUG,
                   "evdns server: dropping a reply or an empty request");
        goto done;
    }

    port_lock(port);
    full = port->outstanding >= SERVER_MAX_OUTSTANDING;
    if (full && !port->full_warned) {
        port->full_warned = 1;
        vg_dns_log(VG_EVDNS_LOG_WARN,
                   "evdns server: %d requests unanswered; dropping new ones",
                   SERVER_MAX_OUTSTANDING);
    } else if (!full) {
        port->full_warned = 0;
    }
    port_unlock(port);
    if (full)
        goto done;

    if ((req = request_new(port, msg, addr, addrlen)) == NULL)
        goto done;
    msg = NULL;
    port_lock(port);
    port->outstanding++;
    port->refs++;
    port_unlock(port);

    if (check == VG_DNS_RCODE_NOTIMP) {
        if (evdns_server_request_respond(&req->pub, DNS_ERR_NOTIMPL) != 0)
            evdns_server_request_drop(&req->pub);
    } else {
        port->cb(&req->pub, port->cb_arg);
    }
done:
    vg_dns_message_free(msg);
}

static void
server_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct evdns_server_port *port = arg;
    unsigned char buf[SERVER_RECV_MAX];

    (void)what;
    /* The callback may close the port and answer its request: the port
     * stays until this function is done with it. */
    port_lock(port);
    port->refs++;
    port_unlock(port);
    for (int i = 0; i < SERVER_READ_BURST; i++) {
        struct sockaddr_storage addr;
        socklen_t addrlen = sizeof(addr);
        ssize_t n;

        if (__atomic_load_n(&port->closing, __ATOMIC_ACQUIRE))
            break;
        memset(&addr, 0, sizeof(addr));
        n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
                     (struct sockaddr *)&addr, &addrlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                vg_dns_log(VG_EVDNS_LOG_WARN,
                           "evdns server: error reading a request: %s",
                           evutil_socket_error_to_string(errno));
            break;
        }
        if ((size_t)n > sizeof(buf)) {
            vg_dns_log(VG_EVDNS_LOG_DEBUG,
                       "evdns server: dropping a %zd-byte request", n);
            continue;
        }
        if (addrlen > sizeof(addr))
            addrlen = sizeof(addr);
        handle_datagram(port, buf, (size_t)n, &addr, addrlen);
    }
    port_unref(port);
}

/* ------------------------------------------------------------------ */
/* Ports                                                               */
/* ------------------------------------------------------------------ */

struct evdns_server_port *
evdns_add_server_port_with_base(struct event_base *base, evutil_socket_t socket,
                                int flags,
                                evdns_request_callback_fn_type callback,
                                void *user_data)
{
    struct evdns_server_port *port = NULL;

    if (base == NULL || socket < 0 || flags != 0 || callback == NULL)
        goto done;
    if ((port = vg_dns_calloc(1, sizeof(*port))) == NULL)
        goto done;
    port->fd = socket;
    port->cb = callback;
    port->cb_arg = user_data;
    port->refs = 1;
    port->read_ev =
        event_new(base, socket, EV_READ | EV_PERSIST, server_read_cb, port);
    port->write_ev =
        event_new(base, socket, EV_WRITE | EV_PERSIST, server_write_cb, port);
    if (port->read_ev == NULL || port->write_ev == NULL ||
        event_add(port->read_ev, NULL) != 0) {
        /* The socket stays the caller's when the port cannot be made. */
        port->fd = -1;
        port_free(port);
        port = NULL;
    }
done:
    return port;
}

struct evdns_server_port *
evdns_add_server_port(evutil_socket_t socket, int flags,
                      evdns_request_callback_fn_type callback, void *user_data)
{
    struct event_base *base = vg_evdns_current_base();

    if (base == NULL)
        return NULL;
    return evdns_add_server_port_with_base(base, socket, flags, callback,
                                           user_data);
}

void
evdns_close_server_port(struct evdns_server_port *port)
{
    int last;

    if (port == NULL)
        return;
    /* No new requests from now on; those handed out may still be
     * answered, through the socket, which closes with the last one. */
    event_del(port->read_ev);
    port_lock(port);
    if (port->closing) {
        port_unlock(port);
        return;
    }
    __atomic_store_n(&port->closing, 1, __ATOMIC_RELEASE);
    last = --port->refs == 0;
    port_unlock(port);
    if (last)
        port_free(port);
}

/* ------------------------------------------------------------------ */
/* Building a reply                                                    */
/* ------------------------------------------------------------------ */

void
evdns_server_request_set_flags(struct evdns_server_request *pub, int flags)
{
    if (pub == NULL)
        return;
    /* As in libevent, the two public bits are replaced and the others
     * added; bits that are not flags (QR, opcode, RCODE) are ignored. */
    pub->flags &= ~(EVDNS_FLAGS_AA | EVDNS_FLAGS_RD);
    pub->flags |= flags & REPLY_FLAGS_USER;
}

/* Appends one record to a section of req. */
static int
add_rr(struct vg_dns_server_req *req, int section,
       const struct vg_dns_name *owner, int type, int rclass, int ttl,
       int is_name, const void *rdata, size_t rdlength)
{
    struct vg_dns_server_rr *rr;
    size_t cost = (size_t)owner->len + 10 + rdlength;

    if (req->rr_bytes + cost > SERVER_MAX_RR_BYTES)
        return -1;
    if ((rr = vg_dns_malloc(sizeof(*rr) + rdlength)) == NULL)
        return -1;
    rr->next = NULL;
    rr->owner = *owner;
    rr->type = (uint16_t)type;
    rr->rclass = (uint16_t)rclass;
    /* RFC 2181 8: a TTL with the top bit set means zero. */
    rr->ttl = ttl < 0 ? 0 : (uint32_t)ttl;
    rr->is_name = is_name;
    rr->rdlength = rdlength;
    if (rdlength > 0)
        memcpy(rr->rdata, rdata, rdlength);
    *req->rr_tail[section] = rr;
    req->rr_tail[section] = &rr->next;
    req->rr_bytes += cost;
    return 0;
}

/* A request that may still take records: not yet built into a reply. */
static struct vg_dns_server_req *
open_request(struct evdns_server_request *pub)
{
    struct vg_dns_server_req *req;

    if (pub == NULL)
        return NULL;
    req = req_of(pub);
    return req->reply_len == 0 ? req : NULL;
}

int
evdns_server_request_add_reply(struct evdns_server_request *pub, int section,
                               const char *name, int type, int dns_class,
                               int ttl, int datalen, int is_name,
                               const char *data)
{
    struct vg_dns_server_req *req = open_request(pub);
    struct vg_dns_name owner, target;
    int rc = -1;

    if (req == NULL || name == NULL || section < EVDNS_ANSWER_SECTION ||
        section > EVDNS_ADDITIONAL_SECTION || type < 0 || type > 0xffff ||
        dns_class < 0 || dns_class > 0xffff ||
        vg_dns_name_from_text(name, &owner) != 0)
        goto done;
    if (is_name) {
        if (data == NULL || vg_dns_name_from_text(data, &target) != 0)
            goto done;
        rc = add_rr(req, section, &owner, type, dns_class, ttl, 1, target.wire,
                    target.len);
    } else {
        if (datalen < 0 || datalen > 0xffff || (datalen > 0 && data == NULL))
            goto done;
        rc = add_rr(req, section, &owner, type, dns_class, ttl, 0, data,
                    (size_t)datalen);
    }
done:
    return rc;
}

/* n address records of size bytes each, all or none. */
static int
add_addresses(struct evdns_server_request *pub, const char *name, int type,
              int n, const void *addrs, size_t size, int ttl)
{
    struct vg_dns_server_req *req = open_request(pub);
    struct vg_dns_server_rr **mark_tail, *undo;
    struct vg_dns_name owner;
    size_t mark_bytes;
    int rc = -1;

    if (req == NULL || name == NULL || n <= 0 || addrs == NULL ||
        vg_dns_name_from_text(name, &owner) != 0)
        goto done;
    mark_tail = req->rr_tail[EVDNS_ANSWER_SECTION];
    mark_bytes = req->rr_bytes;
    for (int i = 0; i < n; i++) {
        if (add_rr(req, EVDNS_ANSWER_SECTION, &owner, type, EVDNS_CLASS_INET,
                   ttl, 0, (const unsigned char *)addrs + (size_t)i * size,
                   size) != 0) {
            undo = *mark_tail;
            *mark_tail = NULL;
            rr_free_list(undo);
            req->rr_tail[EVDNS_ANSWER_SECTION] = mark_tail;
            req->rr_bytes = mark_bytes;
            goto done;
        }
    }
    rc = 0;
done:
    return rc;
}

int
evdns_server_request_add_a_reply(struct evdns_server_request *pub,
                                 const char *name, int n, const void *addrs,
                                 int ttl)
{
    /* One record per address (libevent 2.1.12 makes one record holding
     * all n addresses, which is not a valid A record when n > 1). */
    return add_addresses(pub, name, EVDNS_TYPE_A, n, addrs, 4, ttl);
}

int
evdns_server_request_add_aaaa_reply(struct evdns_server_request *pub,
                                    const char *name, int n, const void *addrs,
                                    int ttl)
{
    return add_addresses(pub, name, EVDNS_TYPE_AAAA, n, addrs, 16, ttl);
}

int
evdns_server_request_add_ptr_reply(struct evdns_server_request *pub,
                                   struct in_addr *in, const char *inaddr_name,
                                   const char *hostname, int ttl)
{
    struct vg_dns_server_req *req = open_request(pub);
    struct vg_dns_name owner, target;
    int rc = -1;

    if (req == NULL || hostname == NULL ||
        (in == NULL) == (inaddr_name == NULL))
        goto done;
    if (in != NULL)
        vg_dns_reverse_ipv4((const unsigned char *)&in->s_addr, &owner);
    else if (vg_dns_name_from_text(inaddr_name, &owner) != 0)
        goto done;
    if (vg_dns_name_from_text(hostname, &target) != 0)
        goto done;
    rc = add_rr(req, EVDNS_ANSWER_SECTION, &owner, EVDNS_TYPE_PTR,
                EVDNS_CLASS_INET, ttl, 1, target.wire, target.len);
done:
    return rc;
}

int
evdns_server_request_add_cname_reply(struct evdns_server_request *pub,
                                     const char *name, const char *cname,
                                     int ttl)
{
    return evdns_server_request_add_reply(pub, EVDNS_ANSWER_SECTION, name,
                                          EVDNS_TYPE_CNAME, EVDNS_CLASS_INET,
                                          ttl, 0, 1, cname);
}

/* ------------------------------------------------------------------ */
/* Answering                                                           */
/* ------------------------------------------------------------------ */

int
evdns_server_request_respond(struct evdns_server_request *pub, int err)
{
    struct vg_dns_server_req *req;
    struct evdns_server_port *port;
    int rc = -1, r, send_errno = 0;

    if (pub == NULL || err < 0 || (err & ~(RESPOND_FLAGS | 0xf)) != 0)
        goto done;
    req = req_of(pub);
    port = req->port;
    if (req->reply_len == 0 && build_reply(req, err) != 0)
        goto done;

    port_lock(port);
    /* Replies leave in order: behind a queue, a reply joins it. */
    r = port->queue_head != NULL ? 1 : send_reply(port, req);
    send_errno = errno;
    if (r == 1) {
        if (!port->write_armed && event_add(port->write_ev, NULL) != 0) {
            r = -1;
            send_errno = ENOMEM;
        } else {
            port->write_armed = 1;
            req->next_queued = NULL;
            if (port->queue_tail != NULL)
                port->queue_tail->next_queued = req;
            else
                port->queue_head = req;
            port->queue_tail = req;
        }
    }
    port_unlock(port);

    if (r < 0) {
        /* Nothing was sent: the request is still the caller's, to
         * respond to again or to drop. */
        vg_dns_log(VG_EVDNS_LOG_WARN, "evdns server: cannot send a reply: %s",
                   evutil_socket_error_to_string(send_errno));
        errno = send_errno;
        goto done;
    }
    if (r == 0)
        request_free(req);
    rc = 0;
done:
    return rc;
}

int
evdns_server_request_drop(struct evdns_server_request *pub)
{
    if (pub == NULL)
        return -1;
    request_free(req_of(pub));
    return 0;
}

int
evdns_server_request_get_requesting_addr(struct evdns_server_request *pub,
                                         struct sockaddr *sa, int addr_len)
{
    struct vg_dns_server_req *req;

    if (pub == NULL || sa == NULL || addr_len < 0)
        return -1;
    req = req_of(pub);
    if ((size_t)addr_len < req->addrlen)
        return -1;
    memcpy(sa, &req->addr, req->addrlen);
    /* libevent returns the address's length (its documentation says 0). */
    return (int)req->addrlen;
}
