/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_resolve: the resolver benchmark on libevent's evdns API (public API
 * only, so that the same source builds against Vigil and against Debian's
 * libevent): NAMES distinct A lookups with evdns_base_resolve_ipv4(), up
 * to INFLIGHT at a time, against dns_responder.  dns-common.h describes
 * the workload, the options and the output; dns_resolve_cares.c does the
 * same on c-ares.
 *
 * The resolver is evdns_base_new(base, 0) with the responder as its one
 * nameserver and libevent's defaults (timeout 5 s, 3 attempts,
 * randomize-case on), except max-inflight, raised from 64 to INFLIGHT so
 * that the lookups really are in flight together, and socket buffers of
 * 1 MiB (so-rcvbuf, so-sndbuf), as the c-ares program asks for too.
 */
#include <event2/dns.h>
#include <event2/event.h>

#include "dns-common.h"

struct bench {
    struct dns_bench_work w;
    struct event_base *base;
    struct evdns_base *dns;
};

static void start_one(struct bench *b);

/* One lookup is over: the next one starts, or the round ends. */
static void
completed(struct bench *b)
{
    b->w.done++;
    if (b->w.next < b->w.n)
        start_one(b);
    else if (b->w.done == b->w.n)
        event_base_loopbreak(b->base);
}

static void
resolved(int result, char type, int count, int ttl, void *addresses, void *arg)
{
    struct bench *b = arg;

    (void)ttl;
    if (result != DNS_ERR_NONE)
        dns_bench_fail(&b->w, evdns_err_to_string(result));
    else if (type != DNS_IPv4_A || count != 1 ||
             memcmp(addresses, DNS_BENCH_ANSWER, 4) != 0)
        dns_bench_fail(&b->w, "not the expected answer");
    completed(b);
}

static void
start_one(struct bench *b)
{
    const char *name = dns_bench_next_name(&b->w);

    if (evdns_base_resolve_ipv4(b->dns, name, DNS_QUERY_NO_SEARCH, resolved,
                                b) == NULL) {
        dns_bench_fail(&b->w, "evdns_base_resolve_ipv4 returned NULL");
        completed(b);
    }
}

/* One round (dns_bench_run): every name looked up; returns the lookups
 * per second. */
static BENCH_MEASURED double
resolve_round(void *arg, int inflight)
{
    struct bench *b = arg;
    int64_t t0 = bench_now_ns();
    int i;

    for (i = 0; i < inflight && b->w.next < b->w.n; i++)
        start_one(b);
    if (b->w.done < b->w.n && event_base_dispatch(b->base) < 0) {
        fprintf(stderr, "dns_resolve: event_base_dispatch failed\n");
        exit(1);
    }
    if (b->w.done != b->w.n) {
        fprintf(stderr, "dns_resolve: the loop ended with %d of %d done\n",
                b->w.done, b->w.n);
        exit(1);
    }
    return (double)b->w.n / ((double)(bench_now_ns() - t0) / 1e9);
}

static void
set_option(struct evdns_base *dns, const char *option, long value)
{
    char text[32];

    snprintf(text, sizeof(text), "%ld", value);
    if (evdns_base_set_option(dns, option, text) != 0) {
        fprintf(stderr, "dns_resolve: evdns_base_set_option %s %s failed\n",
                option, text);
        exit(1);
    }
}

int
main(int argc, char **argv)
{
    struct dns_bench_opts o;
    struct bench b;
    char server[32];
    int status;

    dns_bench_parse(argc, argv, &o);
    if (o.g)
        dns_bench_usage(argv[0]); /* -g is the c-ares program's */
    memset(&b, 0, sizeof(b));
    b.w.prog = "dns_resolve";
    b.base = event_base_new();
    if (b.base == NULL) {
        fprintf(stderr, "dns_resolve: event_base_new failed\n");
        return 1;
    }
    b.dns = evdns_base_new(b.base, 0);
    if (b.dns == NULL) {
        fprintf(stderr, "dns_resolve: evdns_base_new failed\n");
        return 1;
    }
    /* Before the nameserver: its socket takes the buffer sizes set. */
    set_option(b.dns, "max-inflight:", o.inflight);
    set_option(b.dns, "so-rcvbuf:", DNS_BENCH_SOCKBUF);
    set_option(b.dns, "so-sndbuf:", DNS_BENCH_SOCKBUF);
    snprintf(server, sizeof(server), "127.0.0.1:%d", o.port);
    if (evdns_base_nameserver_ip_add(b.dns, server) != 0) {
        fprintf(stderr, "dns_resolve: cannot add the nameserver %s\n", server);
        return 1;
    }

    status = dns_bench_run(&o, &b.w, resolve_round, &b);
    evdns_base_free(b.dns, 0);
    event_base_free(b.base);
    return status;
}
