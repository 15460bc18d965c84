/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns-common.h: what the resolver benchmark's programs share:
 * dns_resolve.c (libevent's evdns API, built against Vigil and Debian's
 * libevent), dns_resolve_cares.c (the same workload on c-ares) and
 * dns_responder.c (their peer).
 *
 * The workload: NAMES distinct names (h0000.r1.bench.test, ...), each
 * looked up once for its A record, at most INFLIGHT lookups at a time (a
 * new one starts as soon as one completes), against dns_responder on
 * 127.0.0.1:PORT, which answers each with 192.0.2.1.  Each round uses
 * names never asked before (the round number is a label), so no cache can
 * answer.  One round warms up, ROUNDS more are timed; the program prints
 * the median of their rates:
 *
 *   dns_resolve names=N inflight=I iters=Q queries_per_sec=X
 *
 * where Q counts every lookup made, the warm-up included (bench/run
 * --callgrind divides the instructions by it, and drops it elsewhere).
 * Every answer is checked (one address, 192.0.2.1): a failed lookup makes
 * the program fail.
 *
 *   usage: PROGRAM -p PORT [-n NAMES] [-i INFLIGHT] [-r ROUNDS] [-g]
 *
 * (-g: dns_resolve_cares only, ares_gethostbyname instead of ares_query.)
 */
#ifndef VIGIL_BENCH_DNS_COMMON_H
#define VIGIL_BENCH_DNS_COMMON_H

#include "bench-common.h"

#include <unistd.h>

/* The address every answer carries, 192.0.2.1, as four octets. */
#define DNS_BENCH_ANSWER "\xc0\x00\x02\x01"

/* The longest name the workload makes, with its NUL. */
#define DNS_BENCH_NAME_MAX 40

/* Socket buffers the resolvers ask for: room for a burst of answers. */
#define DNS_BENCH_SOCKBUF (1 << 20)

struct dns_bench_opts {
    int port;
    int names;
    int inflight;
    int rounds;
    int g; /* -g: the c-ares program's other API (dns_resolve_cares.c) */
};

static inline void
dns_bench_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s -p PORT [-n NAMES] [-i INFLIGHT] [-r ROUNDS] [-g]\n",
            prog);
    exit(2);
}

static inline void
dns_bench_parse(int argc, char **argv, struct dns_bench_opts *o)
{
    int opt;

    o->port = 0;
    o->names = 10000;
    o->inflight = 500;
    o->rounds = 5;
    o->g = 0;
    while ((opt = getopt(argc, argv, "p:n:i:r:g")) != -1) {
        switch (opt) {
        case 'p':
            o->port = (int)bench_parse_long(optarg, "-p", 1, 65535);
            break;
        case 'n':
            o->names = (int)bench_parse_long(optarg, "-n", 1, 1000000);
            break;
        case 'i':
            o->inflight = (int)bench_parse_long(optarg, "-i", 1, 65535);
            break;
        case 'r':
            o->rounds = (int)bench_parse_long(optarg, "-r", 1, 1000);
            break;
        case 'g':
            o->g = 1;
            break;
        default:
            dns_bench_usage(argv[0]);
        }
    }
    if (o->port == 0 || optind != argc)
        dns_bench_usage(argv[0]);
}

/*
 * The names of one round, written before it starts so that making them is
 * not measured: name i, "h<i>.r<round>.bench.test", starts at offset
 * i * DNS_BENCH_NAME_MAX.  Free the block with free().
 */
static inline char *
dns_bench_names(int n, int round)
{
    char *names = bench_calloc((size_t)n, DNS_BENCH_NAME_MAX);
    int i;

    for (i = 0; i < n; i++)
        snprintf(names + (size_t)i * DNS_BENCH_NAME_MAX, DNS_BENCH_NAME_MAX,
                 "h%04d.r%d.bench.test", i, round);
    return names;
}

/* How far the workload is, the same in both programs. */
struct dns_bench_work {
    const char *prog;  /* for messages */
    const char *names; /* the round's, from dns_bench_names() */
    int n;             /* names in a round */
    int next;          /* the next name to look up */
    int done;          /* lookups completed */
    long failures;
};

/* Counts a failed lookup; the first one's reason is printed. */
static inline void
dns_bench_fail(struct dns_bench_work *w, const char *why)
{
    if (w->failures++ == 0)
        fprintf(stderr, "%s: first failed lookup: %s\n", w->prog, why);
}

/* The name to look up next, counted as started. */
static inline const char *
dns_bench_next_name(struct dns_bench_work *w)
{
    return w->names + (size_t)w->next++ * DNS_BENCH_NAME_MAX;
}

/*
 * Runs the warm-up round and the timed ones, each on names never asked
 * before: round(arg, inflight) looks up every name of w and returns the
 * lookups per second.  Then prints the result line from the median of the
 * timed rounds' rates.  Returns the exit status: 1 when a lookup failed.
 */
static inline int
dns_bench_run(const struct dns_bench_opts *o, struct dns_bench_work *w,
              double (*round)(void *arg, int inflight), void *arg)
{
    double *rates = bench_calloc((size_t)o->rounds, sizeof(*rates));
    int r, status = 0;

    w->n = o->names;
    for (r = 0; r <= o->rounds; r++) {
        char *names = dns_bench_names(o->names, r);
        double rate;

        w->names = names;
        w->next = 0;
        w->done = 0;
        rate = round(arg, o->inflight);
        w->names = NULL;
        free(names);
        if (r > 0)
            rates[r - 1] = rate;
    }
    if (w->failures != 0) {
        fprintf(stderr, "%s: %ld of %ld lookups failed\n", w->prog, w->failures,
                (long)o->names * (o->rounds + 1));
        status = 1;
    } else {
        printf("dns_resolve names=%d inflight=%d iters=%ld "
               "queries_per_sec=%.0f\n",
               o->names, o->inflight, (long)o->names * (o->rounds + 1),
               bench_median(rates, (size_t)o->rounds));
    }
    free(rates);
    return status;
}

#endif /* VIGIL_BENCH_DNS_COMMON_H */
