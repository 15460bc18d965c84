/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-dns.c: the scripted fake nameserver of vt-dns.h.  One thread per
 * server polls its UDP socket, parses each query with every read checked
 * against the datagram's end, records it and answers from the table under
 * one mutex.  Replies echo the question exactly as it was sent.
 */
#include "vt-dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_RECORDS 64
#define MAX_RULES 32
#define MAX_LOG 1024
#define NAME_TEXT_MAX 256 /* table names: plain text, no escapes */
#define WIRE_NAME_MAX 255
#define PACKET_MAX 1500
#define LIFETIME_SECONDS 600 /* the thread ends by itself after this */

struct record {
    char name[NAME_TEXT_MAX];
    int type;
    unsigned ttl;
    unsigned char rdata[WIRE_NAME_MAX];
    size_t rdlen;
    char target[NAME_TEXT_MAX]; /* CNAME: where the chain goes on */
};

struct rule {
    int any_name;
    char name[NAME_TEXT_MAX];
    int qtype;
    int action;
    int times; /* queries left before the rule lapses; 0: forever */
};

struct vt_dns {
    int fd, other_fd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    pthread_t thread;
    pthread_mutex_t lock;
    int stop;
    struct record records[MAX_RECORDS];
    int nrecords;
    struct rule rules[MAX_RULES];
    int nrules;
    struct vt_dns_query log[MAX_LOG];
    int datagrams, count;
};

/* A query being answered: the datagram and where its question lies. */
struct query {
    const unsigned char *pkt;
    size_t len;
    size_t qname_end; /* offset just past the question name */
    size_t qend;      /* offset just past the question */
    unsigned id, flags;
    int type, qclass;
    char text[VT_DNS_TEXT_MAX];
};

/* A reply under construction, never longer than PACKET_MAX. */
struct reply {
    unsigned char buf[PACKET_MAX];
    size_t len;
    int overflow;
};

static unsigned
get16(const unsigned char *p)
{
    return ((unsigned)p[0] << 8) | p[1];
}

static void
set16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void
put(struct reply *r, const void *data, size_t n)
{
    if (r->overflow || n > sizeof(r->buf) - r->len) {
        r->overflow = 1;
        return;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
}

static void
put16(struct reply *r, unsigned v)
{
    unsigned char b[2];

    set16(b, v);
    put(r, b, 2);
}

static void
put32(struct reply *r, unsigned long v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    put(r, b, 4);
}

/* Strips one final dot: the copy is what table names are compared by. */
static int
copy_name(char *out, const char *name)
{
    size_t n = strlen(name);

    if (n > 0 && name[n - 1] == '.')
        n--;
    if (n >= NAME_TEXT_MAX)
        return -1;
    memcpy(out, name, n);
    out[n] = '\0';
    return 0;
}

/* Writes a plain dotted name (no escapes) in wire form.  Returns the
 * length, or 0 for a bad name. */
static size_t
name_to_wire(const char *name, unsigned char *out, size_t cap)
{
    size_t pos = 0;
    const char *p = name;

    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t lab = dot != NULL ? (size_t)(dot - p) : strlen(p);

        if (lab == 0 || lab > 63 || pos + 1 + lab + 1 > cap)
            return 0;
        out[pos++] = (unsigned char)lab;
        memcpy(out + pos, p, lab);
        pos += lab;
        p += lab;
        if (*p == '.')
            p++;
    }
    if (pos + 1 > cap)
        return 0;
    out[pos++] = 0;
    return pos;
}

/* Reads the question name at *off as text: labels joined by dots, with
 * '.', '\' and octets outside '!'..'~' escaped as \DDD.  Compression is
 * refused (a query has nothing to point at).  Returns 0, or -1. */
static int
read_qname(const unsigned char *pkt, size_t len, size_t *off, char *text,
           size_t cap)
{
    size_t pos = *off, wire = 0, t = 0;

    for (;;) {
        unsigned lab;

        if (pos >= len)
            return -1;
        lab = pkt[pos++];
        wire++;
        if (lab == 0)
            break;
        if ((lab & 0xc0) != 0 || lab > len - pos)
            return -1;
        wire += lab;
        if (wire > WIRE_NAME_MAX)
            return -1;
        if (t > 0) {
            if (t + 1 >= cap)
                return -1;
            text[t++] = '.';
        }
        for (unsigned i = 0; i < lab; i++) {
            unsigned char c = pkt[pos + i];

            if (t + 5 >= cap)
                return -1;
            if (c == '.' || c == '\\' || c < '!' || c > '~') {
                snprintf(text + t, cap - t, "\\%03u", c);
                t += 4;
            } else {
                text[t++] = (char)c;
            }
        }
        pos += lab;
    }
    text[t] = '\0';
    *off = pos;
    return 0;
}

static int
parse_query(const unsigned char *pkt, size_t len, struct query *q)
{
    size_t off = 12;

    memset(q, 0, sizeof(*q));
    q->pkt = pkt;
    q->len = len;
    if (len < 12)
        return -1;
    q->id = get16(pkt);
    q->flags = get16(pkt + 2);
    if ((q->flags & 0x8000) != 0 || get16(pkt + 4) < 1)
        return -1;
    if (read_qname(pkt, len, &off, q->text, sizeof(q->text)) < 0)
        return -1;
    q->qname_end = off;
    if (len - off < 4)
        return -1;
    q->type = (int)get16(pkt + off);
    q->qclass = (int)get16(pkt + off + 2);
    q->qend = off + 4;
    return 0;
}

/* Looks for a rule for this exact name (any_name 0) or for every name
 * (any_name 1), preferring one for this type.  Returns it, or NULL. */
static const struct rule *
find_rule(const struct vt_dns *srv, int any_name, const char *name, int qtype)
{
    const struct rule *found = NULL;

    for (int i = 0; i < srv->nrules; i++) {
        const struct rule *ru = &srv->rules[i];

        if (ru->any_name != any_name ||
            (!any_name && strcasecmp(ru->name, name) != 0))
            continue;
        if (ru->qtype == qtype)
            return ru;
        if (ru->qtype == 0)
            found = ru;
    }
    return found;
}

/* Applies a rule once: a rule with a count lapses when it runs out. */
static int
use_rule(struct vt_dns *srv, const struct rule *found)
{
    struct rule *ru = &srv->rules[found - srv->rules];
    int action = ru->action;

    if (ru->times > 0 && --ru->times == 0) {
        *ru = srv->rules[srv->nrules - 1];
        srv->nrules--;
    }
    return action;
}

/* Finds the action for a query, with the lock held. */
static int
find_action(struct vt_dns *srv, const char *name, int qtype)
{
    const struct rule *ru = find_rule(srv, 0, name, qtype);

    if (ru != NULL)
        return use_rule(srv, ru);
    for (int i = 0; i < srv->nrecords; i++) {
        if (strcasecmp(srv->records[i].name, name) == 0)
            return VT_DNS_ANSWER;
    }
    ru = find_rule(srv, 1, name, qtype);
    return ru != NULL ? use_rule(srv, ru) : VT_DNS_NXDOMAIN;
}

/* Starts a reply: the header with these counts, then the question exactly
 * as the query had it. */
static void
reply_start(struct reply *r, const struct query *q, unsigned id, unsigned rcode,
            int tc)
{
    unsigned flags = 0x8000 | (q->flags & 0x7900) | 0x0080 | rcode;

    if (tc)
        flags |= 0x0200;
    r->len = 0;
    r->overflow = 0;
    put16(r, id);
    put16(r, flags);
    put16(r, 1);
    put16(r, 0);
    put16(r, 0);
    put16(r, 0);
    put(r, q->pkt + 12, q->qend - 12);
}

static void
put_record(struct reply *r, unsigned name_ptr, const struct record *rec)
{
    put16(r, 0xc000 | name_ptr);
    put16(r, (unsigned)rec->type);
    put16(r, 1);
    put32(r, rec->ttl);
    put16(r, (unsigned)rec->rdlen);
    put(r, rec->rdata, rec->rdlen);
}

/* Adds the answers from the table, with the lock held: the records of the
 * query's type, or a CNAME and then the records of the type for its
 * target. */
static void
add_answers(const struct vt_dns *srv, struct reply *r, const struct query *q)
{
    unsigned count = 0;
    const struct record *cname = NULL;

    for (int i = 0; i < srv->nrecords; i++) {
        const struct record *rec = &srv->records[i];

        if (strcasecmp(rec->name, q->text) != 0)
            continue;
        if (rec->type == q->type) {
            put_record(r, 12, rec);
            count++;
        } else if (rec->type == VT_DNS_CNAME && cname == NULL) {
            cname = rec;
        }
    }
    if (count == 0 && cname != NULL && q->type != VT_DNS_CNAME) {
        /* The CNAME's RDATA is where the target's records point. */
        unsigned target_off = (unsigned)r->len + 12;

        put_record(r, 12, cname);
        count++;
        for (int i = 0; i < srv->nrecords; i++) {
            const struct record *rec = &srv->records[i];

            if (rec->type == q->type &&
                strcasecmp(rec->name, cname->target) == 0) {
                put_record(r, target_off, rec);
                count++;
            }
        }
    }
    set16(r->buf + 6, count);
}

/* Builds the reply for an action, with the lock held.  Returns 0 when
 * nothing is to be sent. */
static int
build_reply(const struct vt_dns *srv, struct reply *r, const struct query *q,
            int action)
{
    switch (action) {
    case VT_DNS_NXDOMAIN:
        reply_start(r, q, q->id, 3, 0);
        break;
    case VT_DNS_SERVFAIL:
        reply_start(r, q, q->id, 2, 0);
        break;
    case VT_DNS_REFUSED:
        reply_start(r, q, q->id, 5, 0);
        break;
    case VT_DNS_FORMERR:
        reply_start(r, q, q->id, 1, 0);
        break;
    case VT_DNS_NOTIMPL:
        reply_start(r, q, q->id, 4, 0);
        break;
    case VT_DNS_DROP:
        return 0;
    case VT_DNS_TRUNCATED:
        reply_start(r, q, q->id, 0, 1);
        break;
    case VT_DNS_WRONG_ID:
        reply_start(r, q, (q->id + 1) & 0xffff, 0, 0);
        add_answers(srv, r, q);
        break;
    case VT_DNS_WRONG_CASE:
        reply_start(r, q, q->id, 0, 0);
        add_answers(srv, r, q);
        /* Label lengths are below 64, so no length octet is a letter. */
        for (size_t i = 12; i < q->qname_end - 1 && i < r->len; i++) {
            unsigned char c = r->buf[i];

            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
                r->buf[i] = (unsigned char)(c ^ 0x20);
        }
        break;
    case VT_DNS_BAD_POINTER: {
        size_t end = 12 + (q->qend - 12) + 2 + 10 + 4;
        unsigned past = (unsigned)(end + 16);
        struct record rec;

        reply_start(r, q, q->id, 0, 0);
        set16(r->buf + 6, 1);
        memset(&rec, 0, sizeof(rec));
        rec.type = VT_DNS_A;
        rec.ttl = 60;
        rec.rdlen = 4;
        memcpy(rec.rdata, "\x7f\x00\x00\x01", 4);
        put_record(r, past, &rec);
        break;
    }
    case VT_DNS_LOOP: {
        struct record rec;
        unsigned self;

        reply_start(r, q, q->id, 0, 0);
        set16(r->buf + 6, 1);
        self = (unsigned)r->len;
        memset(&rec, 0, sizeof(rec));
        rec.type = VT_DNS_A;
        rec.ttl = 60;
        rec.rdlen = 4;
        memcpy(rec.rdata, "\x7f\x00\x00\x01", 4);
        put_record(r, self, &rec);
        break;
    }
    case VT_DNS_BIG_COUNTS:
        reply_start(r, q, q->id, 0, 0);
        set16(r->buf + 6, 0xffff);
        set16(r->buf + 8, 0xffff);
        break;
    case VT_DNS_EMPTY:
        r->len = 0;
        r->overflow = 0;
        break;
    case VT_DNS_ANSWER:
    case VT_DNS_OTHER_PORT:
    default:
        reply_start(r, q, q->id, 0, 0);
        add_answers(srv, r, q);
        break;
    }
    return !r->overflow;
}

static void
record_query(struct vt_dns *srv, const struct query *q,
             const struct sockaddr_storage *from)
{
    struct vt_dns_query *e;

    srv->count++;
    if (srv->count > MAX_LOG)
        return;
    e = &srv->log[srv->count - 1];
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", q->text);
    e->type = q->type;
    e->qclass = q->qclass;
    e->id = q->id;
    e->flags = q->flags;
    if (from->ss_family == AF_INET)
        e->from_port = ntohs(((const struct sockaddr_in *)from)->sin_port);
    else
        e->from_port = ntohs(((const struct sockaddr_in6 *)from)->sin6_port);
}

static void
handle_datagram(struct vt_dns *srv, const unsigned char *pkt, size_t len,
                const struct sockaddr_storage *from, socklen_t fromlen)
{
    struct query q;
    struct reply first, second;
    int action, misbehaviour, then_answer, send_first, send_second = 0;

    pthread_mutex_lock(&srv->lock);
    srv->datagrams++;
    if (parse_query(pkt, len, &q) < 0) {
        pthread_mutex_unlock(&srv->lock);
        return;
    }
    record_query(srv, &q, from);
    action = find_action(srv, q.text, q.type);
    then_answer = (action & VT_DNS_THEN_ANSWER) != 0;
    misbehaviour = action & ~VT_DNS_THEN_ANSWER;
    send_first = build_reply(srv, &first, &q, misbehaviour);
    if (then_answer && misbehaviour >= VT_DNS_TRUNCATED)
        send_second = build_reply(srv, &second, &q, VT_DNS_ANSWER);
    pthread_mutex_unlock(&srv->lock);

    if (send_first) {
        int fd = misbehaviour == VT_DNS_OTHER_PORT ? srv->other_fd : srv->fd;

        (void)sendto(fd, first.buf, first.len, 0, (const struct sockaddr *)from,
                     fromlen);
    }
    if (send_second)
        (void)sendto(srv->fd, second.buf, second.len, 0,
                     (const struct sockaddr *)from, fromlen);
}

static void *
server_main(void *arg)
{
    struct vt_dns *srv = arg;
    struct timespec start, now;

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd pfd = {srv->fd, POLLIN, 0};
        unsigned char pkt[PACKET_MAX];
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof(from);
        ssize_t n;
        int stop;

        pthread_mutex_lock(&srv->lock);
        stop = srv->stop;
        pthread_mutex_unlock(&srv->lock);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (stop || now.tv_sec - start.tv_sec > LIFETIME_SECONDS)
            break;
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        n = recvfrom(srv->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from,
                     &fromlen);
        if (n < 0)
            continue;
        handle_datagram(srv, pkt, (size_t)n, &from, fromlen);
    }
    return NULL;
}

/* A UDP socket bound to the loopback address of the family, port chosen
 * by the kernel. */
static int
udp_socket(int family, struct sockaddr_storage *addr, socklen_t *len)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(addr, 0, sizeof(*addr));
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)addr;

        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;
        int one = 1;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = in6addr_loopback;
        *len = sizeof(*sin6);
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (bind(fd, (struct sockaddr *)addr, *len) < 0 ||
        getsockname(fd, (struct sockaddr *)addr, len) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static struct vt_dns *
start_family(int family)
{
    struct vt_dns *srv = calloc(1, sizeof(*srv));
    struct sockaddr_storage other;
    socklen_t other_len;

    if (srv == NULL)
        return NULL;
    srv->fd = udp_socket(family, &srv->addr, &srv->addrlen);
    srv->other_fd = srv->fd < 0 ? -1 : udp_socket(family, &other, &other_len);
    if (srv->other_fd < 0 || pthread_mutex_init(&srv->lock, NULL) != 0)
        goto fail;
    if (pthread_create(&srv->thread, NULL, server_main, srv) != 0) {
        pthread_mutex_destroy(&srv->lock);
        goto fail;
    }
    return srv;
fail:
    if (srv->fd >= 0)
        close(srv->fd);
    if (srv->other_fd >= 0)
        close(srv->other_fd);
    free(srv);
    return NULL;
}

struct vt_dns *
vt_dns_start(void)
{
    return start_family(AF_INET);
}

struct vt_dns *
vt_dns_start6(void)
{
    return start_family(AF_INET6);
}

void
vt_dns_stop(struct vt_dns *srv)
{
    if (srv == NULL)
        return;
    pthread_mutex_lock(&srv->lock);
    srv->stop = 1;
    pthread_mutex_unlock(&srv->lock);
    pthread_join(srv->thread, NULL);
    pthread_mutex_destroy(&srv->lock);
    close(srv->fd);
    close(srv->other_fd);
    free(srv);
}

int
vt_dns_port(const struct vt_dns *srv)
{
    if (srv->addr.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&srv->addr)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)&srv->addr)->sin6_port);
}

const char *
vt_dns_addr_text(const struct vt_dns *srv, char *buf, size_t len)
{
    if (srv->addr.ss_family == AF_INET)
        snprintf(buf, len, "127.0.0.1:%d", vt_dns_port(srv));
    else
        snprintf(buf, len, "[::1]:%d", vt_dns_port(srv));
    return buf;
}

socklen_t
vt_dns_sockaddr(const struct vt_dns *srv, struct sockaddr_storage *out)
{
    memcpy(out, &srv->addr, sizeof(*out));
    return srv->addrlen;
}

/* Adds a record with the given RDATA (or a name as RDATA when target is
 * set). */
static int
add_record(struct vt_dns *srv, const char *name, int type, unsigned ttl,
           const void *rdata, size_t rdlen, const char *target)
{
    struct record rec;
    int rc = -1;

    memset(&rec, 0, sizeof(rec));
    if (copy_name(rec.name, name) < 0)
        return -1;
    rec.type = type;
    rec.ttl = ttl;
    if (target != NULL) {
        if (copy_name(rec.target, target) < 0)
            return -1;
        rec.rdlen = name_to_wire(rec.target, rec.rdata, sizeof(rec.rdata));
        if (rec.rdlen == 0)
            return -1;
    } else {
        memcpy(rec.rdata, rdata, rdlen);
        rec.rdlen = rdlen;
    }
    pthread_mutex_lock(&srv->lock);
    if (srv->nrecords < MAX_RECORDS) {
        srv->records[srv->nrecords++] = rec;
        rc = 0;
    }
    pthread_mutex_unlock(&srv->lock);
    return rc;
}

int
vt_dns_add_a(struct vt_dns *srv, const char *name, const char *addr,
             unsigned ttl)
{
    struct in_addr in;

    if (inet_pton(AF_INET, addr, &in) != 1)
        return -1;
    return add_record(srv, name, VT_DNS_A, ttl, &in, 4, NULL);
}

int
vt_dns_add_aaaa(struct vt_dns *srv, const char *name, const char *addr,
                unsigned ttl)
{
    struct in6_addr in6;

    if (inet_pton(AF_INET6, addr, &in6) != 1)
        return -1;
    return add_record(srv, name, VT_DNS_AAAA, ttl, &in6, 16, NULL);
}

int
vt_dns_add_ptr(struct vt_dns *srv, const char *name, const char *target,
               unsigned ttl)
{
    return add_record(srv, name, VT_DNS_PTR, ttl, NULL, 0, target);
}

int
vt_dns_add_cname(struct vt_dns *srv, const char *name, const char *target,
                 unsigned ttl)
{
    return add_record(srv, name, VT_DNS_CNAME, ttl, NULL, 0, target);
}

int
vt_dns_set_action(struct vt_dns *srv, const char *name, int qtype, int action)
{
    return vt_dns_set_action_times(srv, name, qtype, action, 0);
}

int
vt_dns_set_action_times(struct vt_dns *srv, const char *name, int qtype,
                        int action, int times)
{
    struct rule ru;
    int rc = -1;

    memset(&ru, 0, sizeof(ru));
    ru.any_name = name == NULL;
    if (name != NULL && copy_name(ru.name, name) < 0)
        return -1;
    ru.qtype = qtype;
    ru.action = action;
    ru.times = times > 0 ? times : 0;
    pthread_mutex_lock(&srv->lock);
    /* A rule for the same name and type replaces the old one. */
    for (int i = 0; i < srv->nrules; i++) {
        struct rule *old = &srv->rules[i];

        if (old->any_name == ru.any_name && old->qtype == qtype &&
            (ru.any_name || strcasecmp(old->name, ru.name) == 0)) {
            old->action = action;
            old->times = ru.times;
            rc = 0;
            goto done;
        }
    }
    if (srv->nrules < MAX_RULES) {
        srv->rules[srv->nrules++] = ru;
        rc = 0;
    }
done:
    pthread_mutex_unlock(&srv->lock);
    return rc;
}

void
vt_dns_clear_table(struct vt_dns *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->nrecords = 0;
    srv->nrules = 0;
    pthread_mutex_unlock(&srv->lock);
}

int
vt_dns_datagrams(struct vt_dns *srv)
{
    int n;

    pthread_mutex_lock(&srv->lock);
    n = srv->datagrams;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

int
vt_dns_count(struct vt_dns *srv)
{
    int n;

    pthread_mutex_lock(&srv->lock);
    n = srv->count;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

int
vt_dns_query(struct vt_dns *srv, int i, struct vt_dns_query *out)
{
    int rc = -1;

    pthread_mutex_lock(&srv->lock);
    if (i >= 0 && i < srv->count && i < MAX_LOG) {
        *out = srv->log[i];
        rc = 0;
    }
    pthread_mutex_unlock(&srv->lock);
    return rc;
}

int
vt_dns_count_name(struct vt_dns *srv, const char *name, int qtype)
{
    char want[NAME_TEXT_MAX];
    int n = 0;

    if (copy_name(want, name) < 0)
        return 0;
    pthread_mutex_lock(&srv->lock);
    for (int i = 0; i < srv->count && i < MAX_LOG; i++) {
        if (strcasecmp(srv->log[i].name, want) == 0 &&
            (qtype == 0 || srv->log[i].type == qtype))
            n++;
    }
    pthread_mutex_unlock(&srv->lock);
    return n;
}

void
vt_dns_clear_log(struct vt_dns *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->count = 0;
    srv->datagrams = 0;
    pthread_mutex_unlock(&srv->lock);
}
