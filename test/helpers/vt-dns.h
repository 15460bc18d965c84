/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-dns.h: a scripted fake nameserver for the evdns tests.  It binds a
 * UDP socket on loopback with a port the kernel chooses and answers in its
 * own thread from a small table the test fills in: addresses, PTR and
 * CNAME records per name, error codes, silence, and the misbehaviours a
 * resolver must survive (a wrong ID, a changed case, a reply from another
 * port, broken compression, lying counts, an empty datagram).  It records
 * every query it gets, exactly as sent, for the test to inspect.  Like
 * vtest.c it uses only libc, never a libevent header.
 */
#ifndef VIGIL_TEST_VT_DNS_H
#define VIGIL_TEST_VT_DNS_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

/* Query types the table knows by name (RFC 1035, RFC 3596). */
#define VT_DNS_A 1
#define VT_DNS_CNAME 5
#define VT_DNS_PTR 12
#define VT_DNS_AAAA 28

/* What the server does with a query. */
enum vt_dns_action {
    VT_DNS_ANSWER = 0,  /* the records of the name (none: NOERROR, NODATA) */
    VT_DNS_NXDOMAIN,    /* rcode 3 */
    VT_DNS_SERVFAIL,    /* rcode 2 */
    VT_DNS_REFUSED,     /* rcode 5 */
    VT_DNS_FORMERR,     /* rcode 1 */
    VT_DNS_NOTIMPL,     /* rcode 4 */
    VT_DNS_DROP,        /* no reply at all */
    VT_DNS_TRUNCATED,   /* TC set, no answers */
    VT_DNS_WRONG_ID,    /* the good reply, with the ID plus one */
    VT_DNS_WRONG_CASE,  /* the good reply, every letter of the question's
                           name (and so of the answer's) case-flipped */
    VT_DNS_OTHER_PORT,  /* the good reply, sent from another socket */
    VT_DNS_BAD_POINTER, /* an answer whose name is a compression pointer
                           past the end of the packet (CVE-2016-10195) */
    VT_DNS_LOOP,        /* an answer whose name is a pointer to itself */
    VT_DNS_BIG_COUNTS,  /* the question, then answer and authority counts
                           of 0xffff with nothing after */
    VT_DNS_EMPTY        /* a datagram of zero bytes */
};

/* Or'ed into a misbehaviour (VT_DNS_TRUNCATED and later): send the good
 * reply right after the bad one. */
#define VT_DNS_THEN_ANSWER 0x100

/* The longest name in text form the server records (with \DDD escapes). */
#define VT_DNS_TEXT_MAX 1024

/* One query as the server received it. */
struct vt_dns_query {
    char name[VT_DNS_TEXT_MAX]; /* as sent, case kept, no final dot */
    int type, qclass;
    unsigned id, flags;
    int from_port; /* the resolver's source port */
};

struct vt_dns;

/* Starts a server on 127.0.0.1 (vt_dns_start) or ::1 (vt_dns_start6).
 * Returns NULL when the socket or the thread cannot be made (for ::1:
 * when the host has no IPv6 loopback). */
struct vt_dns *vt_dns_start(void);
struct vt_dns *vt_dns_start6(void);

/* Stops the thread, closes the sockets and frees everything.  NULL is
 * allowed. */
void vt_dns_stop(struct vt_dns *srv);

/* The server's port, and its address as "127.0.0.1:PORT" or
 * "[::1]:PORT" in buf (at least 64 bytes). */
int vt_dns_port(const struct vt_dns *srv);
const char *vt_dns_addr_text(const struct vt_dns *srv, char *buf, size_t len);
/* Its socket address; returns the length stored. */
socklen_t vt_dns_sockaddr(const struct vt_dns *srv,
                          struct sockaddr_storage *out);

/* Adds a record for name (matched without regard to case; a final dot is
 * ignored).  The address is text for inet_pton; target is a name.  Each
 * call adds one more record, so a name can have several addresses.
 * Returns 0, or -1 when the table is full or the input is bad. */
int vt_dns_add_a(struct vt_dns *srv, const char *name, const char *addr,
                 unsigned ttl);
int vt_dns_add_aaaa(struct vt_dns *srv, const char *name, const char *addr,
                    unsigned ttl);
int vt_dns_add_ptr(struct vt_dns *srv, const char *name, const char *target,
                   unsigned ttl);
/* A query of any type for name gets the CNAME, then the records of that
 * type for target. */
int vt_dns_add_cname(struct vt_dns *srv, const char *name, const char *target,
                     unsigned ttl);

/* Sets what the server does with queries for name (NULL: every name not
 * otherwise listed) of type qtype (0: every type).  The most specific
 * rule wins.  With no rule a name with records is answered from them, and
 * any other name gets the NULL rule's action, NXDOMAIN if there is none.
 * Returns 0, or -1 when the table is full. */
int vt_dns_set_action(struct vt_dns *srv, const char *name, int qtype,
                      int action);

/* The same for the next `times` queries it matches only; then the rule
 * lapses as if it had never been set. */
int vt_dns_set_action_times(struct vt_dns *srv, const char *name, int qtype,
                            int action, int times);

/* Forgets every record and rule (the recorded queries stay). */
void vt_dns_clear_table(struct vt_dns *srv);

/* The number of datagrams received (including malformed ones), and of
 * those that parsed as a query. */
int vt_dns_datagrams(struct vt_dns *srv);
int vt_dns_count(struct vt_dns *srv);
/* Copies the i-th recorded query (from 0) to *out.  Returns 0, or -1 when
 * there is no such query (at most 1024 are kept). */
int vt_dns_query(struct vt_dns *srv, int i, struct vt_dns_query *out);
/* Counts the queries for name (without regard to case) of type qtype (0:
 * any). */
int vt_dns_count_name(struct vt_dns *srv, const char *name, int qtype);
/* Forgets the recorded queries and resets the counts. */
void vt_dns_clear_log(struct vt_dns *srv);

#endif
