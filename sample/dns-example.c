/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns-example: both halves of evdns.  It resolves each NAME given (an
 * IPv4 address, or with -x the host name of an address) through an
 * evdns_base and prints the answers; with -s it also serves a small
 * built-in zone, example.vigil, on 127.0.0.1 through a DNS server port,
 * until Ctrl-C (SIGINT), SIGTERM or the time limit of -t.
 *
 *   usage: dns-example [-v] [-s] [-p PORT] [-t SECONDS]
 *                      [-n NAMESERVER[:PORT]] [-x] [NAME...]
 *
 *   -v  print each request served, and evdns's own log, too
 *   -s  serve example.vigil on 127.0.0.1:PORT (default 10053; 0 lets the
 *       system choose; the address is printed at start)
 *   -p  the port to serve on
 *   -t  stop after this many seconds
 *   -n  ask this nameserver instead of those of /etc/resolv.conf
 *   -x  the NAMEs are addresses (IPv4 or IPv6): look up their names
 *
 *   then:  dig @127.0.0.1 -p PORT www.example.vigil
 *     or:  dns-example -n 127.0.0.1:PORT www.example.vigil
 *
 * The zone: www.example.vigil (A 192.0.2.1, AAAA 2001:db8::1),
 * mail.example.vigil (A 192.0.2.25), alias.example.vigil (CNAME www),
 * and PTR records for the three addresses.  Any other name is NXDOMAIN.
 * Exit status: 0 when every lookup succeeded, 1 when one failed or the
 * server could not start, 2 for a usage error.
 */
#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/event.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample-util.h"

static const char *prog = "dns-example";
static int verbose;
static struct event_base *base;
/* Lookups still running, and whether any failed. */
static int pending;
static int failures;
static int serving;
static int stopping;

/* ------------------------------------------------------------------ */
/* The zone                                                            */
/* ------------------------------------------------------------------ */

#define ZONE_TTL 300

struct zone_rr {
    const char *name;
    int type;
    const char *data; /* an address, or a name */
};

static const struct zone_rr zone[] = {
    {"www.example.vigil", EVDNS_TYPE_A, "192.0.2.1"},
    {"www.example.vigil", EVDNS_TYPE_AAAA, "2001:db8::1"},
    {"mail.example.vigil", EVDNS_TYPE_A, "192.0.2.25"},
    {"alias.example.vigil", EVDNS_TYPE_CNAME, "www.example.vigil"},
    {"1.2.0.192.in-addr.arpa", EVDNS_TYPE_PTR, "www.example.vigil"},
    {"25.2.0.192.in-addr.arpa", EVDNS_TYPE_PTR, "mail.example.vigil"},
    {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
     "ip6.arpa",
     EVDNS_TYPE_PTR, "www.example.vigil"},
};

#define ZONE_SIZE (sizeof(zone) / sizeof(zone[0]))

/* Names compare without regard to ASCII case or a final dot. */
static int
same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la > 0 && a[la - 1] == '.')
        la--;
    if (lb > 0 && b[lb - 1] == '.')
        lb--;
    return la == lb && evutil_ascii_strncasecmp(a, b, la) == 0;
}

static int
name_exists(const char *name)
{
    for (size_t i = 0; i < ZONE_SIZE; i++) {
        if (same_name(zone[i].name, name))
            return 1;
    }
    return 0;
}

/* Adds one zone record to the reply, under the owner name owner. */
static int
add_record(struct evdns_server_request *req, const char *owner,
           const struct zone_rr *rr)
{
    unsigned char addr[16];

    switch (rr->type) {
    case EVDNS_TYPE_A:
        if (evutil_inet_pton(AF_INET, rr->data, addr) != 1)
            return -1;
        return evdns_server_request_add_a_reply(req, owner, 1, addr, ZONE_TTL);
    case EVDNS_TYPE_AAAA:
        if (evutil_inet_pton(AF_INET6, rr->data, addr) != 1)
            return -1;
        return evdns_server_request_add_aaaa_reply(req, owner, 1, addr,
                                                   ZONE_TTL);
    case EVDNS_TYPE_CNAME:
        return evdns_server_request_add_cname_reply(req, owner, rr->data,
                                                    ZONE_TTL);
    case EVDNS_TYPE_PTR:
        return evdns_server_request_add_ptr_reply(req, NULL, owner, rr->data,
                                                  ZONE_TTL);
    }
    return -1;
}

/* Answers one question: a CNAME first when the name is an alias (and the
 * question is not for the CNAME itself), then the records of the type
 * asked for (every type for ANY).  Returns how many records it added. */
static int
answer_question(struct evdns_server_request *req,
                const struct evdns_server_question *q)
{
    const char *name = q->name;
    int added = 0;

    if (q->type != EVDNS_TYPE_CNAME && q->type != EVDNS_QTYPE_ALL) {
        for (size_t i = 0; i < ZONE_SIZE; i++) {
            if (zone[i].type == EVDNS_TYPE_CNAME &&
                same_name(zone[i].name, name)) {
                if (add_record(req, q->name, &zone[i]) == 0)
                    added++;
                name = zone[i].data;
                break;
            }
        }
    }
    for (size_t i = 0; i < ZONE_SIZE; i++) {
        if (!same_name(zone[i].name, name))
            continue;
        if (q->type != EVDNS_QTYPE_ALL && q->type != zone[i].type)
            continue;
        /* The owner as asked (its case kept), or the CNAME's target. */
        if (add_record(req, name == q->name ? q->name : zone[i].name,
                       &zone[i]) == 0)
            added++;
    }
    return added;
}

static const char *
rcode_name(int rcode)
{
    switch (rcode) {
    case DNS_ERR_NONE:
        return "NOERROR";
    case DNS_ERR_NOTEXIST:
        return "NXDOMAIN";
    case DNS_ERR_REFUSED:
        return "REFUSED";
    }
    return "?";
}

static void
on_request(struct evdns_server_request *req, void *arg)
{
    int rcode = DNS_ERR_NOTEXIST, answers = 0;

    (void)arg;
    for (int i = 0; i < req->nquestions; i++) {
        const struct evdns_server_question *q = req->questions[i];

        if (q->dns_question_class != EVDNS_CLASS_INET) {
            rcode = DNS_ERR_REFUSED;
            break;
        }
        /* A name that exists answers NOERROR, with or without records
         * of the type asked for. */
        if (name_exists(q->name))
            rcode = DNS_ERR_NONE;
        answers += answer_question(req, q);
    }
    if (verbose) {
        struct sockaddr_storage ss;
        char host[64] = "?";
        int port = 0;

        if (evdns_server_request_get_requesting_addr(
                req, (struct sockaddr *)&ss, (int)sizeof(ss)) >= 0 &&
            ss.ss_family == AF_INET) {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

            evutil_inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
            port = ntohs(sin->sin_port);
        }
        printf("%s: request from %s:%d for %s type %d: %s, %d answer%s\n", prog,
               host, port,
               req->nquestions > 0 ? req->questions[0]->name : "(none)",
               req->nquestions > 0 ? req->questions[0]->type : 0,
               rcode_name(rcode), answers, answers == 1 ? "" : "s");
        fflush(stdout);
    }
    evdns_server_request_set_flags(req, EVDNS_FLAGS_AA);
    if (evdns_server_request_respond(req, rcode) != 0) {
        fprintf(stderr, "%s: cannot send a reply\n", prog);
        evdns_server_request_drop(req);
    }
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

static void
lookup_done(void)
{
    if (--pending == 0 && !serving)
        event_base_loopexit(base, NULL);
}

static void
on_resolved(int result, char type, int count, int ttl, void *addresses,
            void *arg)
{
    const char *name = arg;

    if (stopping)
        return;
    if (result != DNS_ERR_NONE) {
        printf("%s: error: %s\n", name, evdns_err_to_string(result));
        failures++;
    } else if (count == 0) {
        printf("%s: no answer\n", name);
        failures++;
    }
    for (int i = 0; result == DNS_ERR_NONE && i < count; i++) {
        char text[INET6_ADDRSTRLEN];

        switch (type) {
        case DNS_IPv4_A:
            evutil_inet_ntop(AF_INET, (const char *)addresses + 4 * i, text,
                             sizeof(text));
            printf("%s: A %s (ttl %d)\n", name, text, ttl);
            break;
        case DNS_IPv6_AAAA:
            evutil_inet_ntop(AF_INET6, (const char *)addresses + 16 * i, text,
                             sizeof(text));
            printf("%s: AAAA %s (ttl %d)\n", name, text, ttl);
            break;
        case DNS_PTR:
            printf("%s: PTR %s (ttl %d)\n", name, ((char **)addresses)[i], ttl);
            break;
        default:
            printf("%s: answer of type %d\n", name, type);
            break;
        }
    }
    fflush(stdout);
    lookup_done();
}

/* Starts the lookup of one NAME.  Returns 0, or -1 after printing why. */
static int
start_lookup(struct evdns_base *dns, const char *name, int reverse)
{
    struct evdns_request *r;

    if (reverse) {
        struct in_addr in4;
        struct in6_addr in6;

        if (evutil_inet_pton(AF_INET, name, &in4) == 1)
            r = evdns_base_resolve_reverse(dns, &in4, 0, on_resolved,
                                           (void *)name);
        else if (evutil_inet_pton(AF_INET6, name, &in6) == 1)
            r = evdns_base_resolve_reverse_ipv6(dns, &in6, 0, on_resolved,
                                                (void *)name);
        else {
            fprintf(stderr, "%s: -x: '%s' is not an IP address\n", prog, name);
            return -1;
        }
    } else {
        r = evdns_base_resolve_ipv4(dns, name, 0, on_resolved, (void *)name);
    }
    /* A lookup that ended at once (a failure) has run its callback. */
    (void)r;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

static void
on_log(int is_warning, const char *msg)
{
    fprintf(stderr, "%s: evdns %s: %s\n", prog, is_warning ? "warning" : "note",
            msg);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    event_base_loopexit(base, NULL);
}

static int
usage(void)
{
    fprintf(stderr,
            "usage: %s [-v] [-s] [-p PORT] [-t SECONDS] "
            "[-n NAMESERVER[:PORT]] [-x] [NAME...]\n",
            prog);
    return 2;
}

int
main(int argc, char **argv)
{
    struct evdns_server_port *port = NULL;
    struct evdns_base *dns = NULL;
    struct event *sigint = NULL, *sigterm = NULL, *timer = NULL;
    const char *nameserver = NULL;
    unsigned short udp_port = 10053;
    long seconds = 0;
    int opt, reverse = 0, rc = 1, fd;
    char *end;

    while ((opt = getopt(argc, argv, "vsp:t:n:x")) != -1) {
        switch (opt) {
        case 'v':
            verbose = 1;
            break;
        case 's':
            serving = 1;
            break;
        case 'p':
            if (sample_parse_port(prog, optarg, &udp_port) != 0)
                return 2;
            break;
        case 't':
            errno = 0;
            seconds = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || seconds <= 0 ||
                seconds > 86400) {
                fprintf(stderr,
                        "%s: bad time limit '%s': give seconds from 1 to "
                        "86400\n",
                        prog, optarg);
                return 2;
            }
            break;
        case 'n':
            nameserver = optarg;
            break;
        case 'x':
            reverse = 1;
            break;
        default:
            return usage();
        }
    }
    if (!serving && optind == argc)
        return usage();
    if (verbose)
        evdns_set_log_fn(on_log);

    if ((base = event_base_new()) == NULL) {
        fprintf(stderr, "%s: cannot make an event base\n", prog);
        goto done;
    }
    sigint = evsignal_new(base, SIGINT, on_stop, NULL);
    sigterm = evsignal_new(base, SIGTERM, on_stop, NULL);
    if (sigint == NULL || sigterm == NULL || evsignal_add(sigint, NULL) != 0 ||
        evsignal_add(sigterm, NULL) != 0) {
        fprintf(stderr, "%s: cannot watch for signals\n", prog);
        goto done;
    }
    if (seconds > 0) {
        struct timeval limit = {seconds, 0};

        timer = evtimer_new(base, on_stop, NULL);
        if (timer == NULL || evtimer_add(timer, &limit) != 0) {
            fprintf(stderr, "%s: cannot set the time limit\n", prog);
            goto done;
        }
    }

    if (serving) {
        fd = sample_listen(prog, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                           udp_port);
        if (fd < 0)
            goto done;
        port = evdns_add_server_port_with_base(base, fd, 0, on_request, NULL);
        if (port == NULL) {
            fprintf(stderr, "%s: cannot start the DNS server\n", prog);
            close(fd);
            goto done;
        }
        printf("%s: serving the zone example.vigil\n", prog);
        fflush(stdout);
    }

    if (optind < argc) {
        dns = evdns_base_new(
            base, nameserver != NULL ? 0 : EVDNS_BASE_INITIALIZE_NAMESERVERS);
        if (dns == NULL) {
            fprintf(stderr, "%s: cannot make a resolver\n", prog);
            goto done;
        }
        if (nameserver != NULL &&
            evdns_base_nameserver_ip_add(dns, nameserver) != 0) {
            fprintf(stderr, "%s: bad nameserver '%s'\n", prog, nameserver);
            rc = 2;
            goto done;
        }
        pending = argc - optind;
        for (int i = optind; i < argc; i++) {
            if (start_lookup(dns, argv[i], reverse) != 0) {
                rc = 2;
                goto done;
            }
        }
    }

    if (event_base_dispatch(base) < 0) {
        fprintf(stderr, "%s: the event loop failed\n", prog);
        goto done;
    }
    if (pending > 0) {
        printf("%s: %d lookup%s unfinished\n", prog, pending,
               pending == 1 ? "" : "s");
        failures++;
    }
    rc = failures > 0 ? 1 : 0;
done:
    stopping = 1;
    if (dns != NULL)
        evdns_base_free(dns, 1);
    if (port != NULL)
        evdns_close_server_port(port);
    if (timer != NULL)
        event_free(timer);
    if (sigint != NULL)
        event_free(sigint);
    if (sigterm != NULL)
        event_free(sigterm);
    if (base != NULL)
        event_base_free(base);
    return rc;
}
