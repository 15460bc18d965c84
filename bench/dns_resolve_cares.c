/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_resolve_cares: the resolver benchmark's workload (dns-common.h) on
 * c-ares, for comparison with dns_resolve.c on evdns: NAMES distinct A
 * lookups, up to INFLIGHT at a time, against dns_responder, driven by a
 * raw epoll loop that c-ares's socket state callback keeps
 * (ares_process_fd on readiness, ares_timeout for the wait).
 *
 * Each lookup is ares_query() for class IN, type A, its answer read with
 * ares_parse_a_reply(): the same work as evdns_base_resolve_ipv4(), a
 * query and its addresses.  With -g it is ares_gethostbyname(AF_INET)
 * instead, which c-ares 1.16 and later run through ares_getaddrinfo() and
 * its RFC 6724 sort: that sort opens and connects a UDP socket per address
 * to learn its source address, four more system calls per lookup that the
 * evdns call does not make, so it is not bench/run's comparison.
 *
 * The channel is set up like the evdns one: the responder as its only
 * server, no search domains, DNS only (no hosts file), a 5 s timeout and
 * 3 tries, and socket buffers of 1 MiB.  c-ares does not randomize the
 * case of names (evdns does, by default).
 */
#include <ares.h>

#include <netdb.h>
#include <sys/epoll.h>

#include "dns-common.h"

#define MAX_FDS 65536

struct bench {
    struct dns_bench_work w;
    ares_channel channel;
    int ep;
    unsigned char watched[MAX_FDS]; /* fds in the epoll set */
    int gethostbyname;              /* -g */
};

/* c-ares says which of its sockets to watch, and for what. */
static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct bench *b = data;
    struct epoll_event ev;
    int op;

    if (fd < 0 || fd >= MAX_FDS) {
        fprintf(stderr, "dns_resolve_cares: fd %d out of range\n", (int)fd);
        exit(1);
    }
    if (!readable && !writable) {
        if (b->watched[fd])
            epoll_ctl(b->ep, EPOLL_CTL_DEL, fd, NULL);
        b->watched[fd] = 0;
        return;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    op = b->watched[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(b->ep, op, fd, &ev) != 0) {
        perror("dns_resolve_cares: epoll_ctl");
        exit(1);
    }
    b->watched[fd] = 1;
}

static void start_one(struct bench *b);
static void completed(struct bench *b);

static void
resolved(void *arg, int status, int timeouts, struct hostent *h)
{
    struct bench *b = arg;

    (void)timeouts;
    if (status != ARES_SUCCESS)
        dns_bench_fail(&b->w, ares_strerror(status));
    else if (h == NULL || h->h_addrtype != AF_INET || h->h_length != 4 ||
             h->h_addr_list[0] == NULL || h->h_addr_list[1] != NULL ||
             memcmp(h->h_addr_list[0], DNS_BENCH_ANSWER, 4) != 0)
        dns_bench_fail(&b->w, "not the expected answer");
    completed(b);
}

/* One lookup is over: the next one starts. */
static void
completed(struct bench *b)
{
    b->w.done++;
    if (b->w.next < b->w.n)
        start_one(b);
}

static void
answered(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct bench *b = arg;
    struct ares_addrttl addrs[2];
    int naddrs = 2, rc;

    (void)timeouts;
    if (status != ARES_SUCCESS) {
        dns_bench_fail(&b->w, ares_strerror(status));
    } else {
        rc = ares_parse_a_reply(abuf, alen, NULL, addrs, &naddrs);
        if (rc != ARES_SUCCESS)
            dns_bench_fail(&b->w, ares_strerror(rc));
        else if (naddrs != 1 ||
                 memcmp(&addrs[0].ipaddr, DNS_BENCH_ANSWER, 4) != 0)
            dns_bench_fail(&b->w, "not the expected answer");
    }
    completed(b);
}

static void
start_one(struct bench *b)
{
    const char *name = dns_bench_next_name(&b->w);

    if (b->gethostbyname)
        ares_gethostbyname(b->channel, name, AF_INET, resolved, b);
    else
        ares_query(b->channel, name, 1 /* C_IN */, 1 /* T_A */, answered, b);
}

/* One round (dns_bench_run): every name looked up; returns the lookups
 * per second. */
static BENCH_MEASURED double
resolve_round(void *arg, int inflight)
{
    struct bench *b = arg;
    struct epoll_event evs[64];
    int64_t t0 = bench_now_ns();
    int i;

    for (i = 0; i < inflight && b->w.next < b->w.n; i++)
        start_one(b);
    while (b->w.done < b->w.n) {
        struct timeval tv, *tvp;
        int n, ms = -1;

        tvp = ares_timeout(b->channel, NULL, &tv);
        if (tvp != NULL)
            ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
        n = epoll_wait(b->ep, evs, 64, ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("dns_resolve_cares: epoll_wait");
            exit(1);
        }
        if (n == 0) {
            /* Only the timeouts are due. */
            ares_process_fd(b->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (i = 0; i < n; i++) {
            ares_socket_t fd = evs[i].data.fd;
            uint32_t e = evs[i].events;

            ares_process_fd(
                b->channel,
                (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? fd : ARES_SOCKET_BAD,
                (e & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
        }
    }
    return (double)b->w.n / ((double)(bench_now_ns() - t0) / 1e9);
}

int
main(int argc, char **argv)
{
    static struct bench b;
    struct dns_bench_opts o;
    struct ares_options ao;
    char server[32], lookups[] = "b";
    int rc, mask, status;

    dns_bench_parse(argc, argv, &o);
    b.w.prog = "dns_resolve_cares";
    b.gethostbyname = o.g;
    b.ep = epoll_create1(EPOLL_CLOEXEC);
    if (b.ep < 0) {
        perror("dns_resolve_cares: epoll_create1");
        return 1;
    }
    rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        fprintf(stderr, "dns_resolve_cares: ares_library_init: %s\n",
                ares_strerror(rc));
        return 1;
    }
    memset(&ao, 0, sizeof(ao));
    ao.flags = ARES_FLAG_NOSEARCH;
    ao.timeout = 5000;
    ao.tries = 3;
    ao.ndots = 1;
    ao.domains = NULL;
    ao.ndomains = 0;
    ao.lookups = lookups;
    ao.sock_state_cb = sock_state;
    ao.sock_state_cb_data = &b;
    ao.socket_send_buffer_size = DNS_BENCH_SOCKBUF;
    ao.socket_receive_buffer_size = DNS_BENCH_SOCKBUF;
    mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
           ARES_OPT_NDOTS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS |
           ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_SNDBUF | ARES_OPT_SOCK_RCVBUF;
    rc = ares_init_options(&b.channel, &ao, mask);
    if (rc != ARES_SUCCESS) {
        fprintf(stderr, "dns_resolve_cares: ares_init_options: %s\n",
                ares_strerror(rc));
        return 1;
    }
    snprintf(server, sizeof(server), "127.0.0.1:%d", o.port);
    rc = ares_set_servers_ports_csv(b.channel, server);
    if (rc != ARES_SUCCESS) {
        fprintf(stderr, "dns_resolve_cares: ares_set_servers_ports_csv: %s\n",
                ares_strerror(rc));
        return 1;
    }

    status = dns_bench_run(&o, &b.w, resolve_round, &b);
    ares_destroy(b.channel);
    ares_library_cleanup();
    close(b.ep);
    return status;
}
