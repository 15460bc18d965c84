/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns-peer-client: a black-box resolver client for the real-peer tests
 * (dnsmasq-peer.sh).  It uses only libevent's public API, so the same
 * source builds against Vigil and against Debian's libevent 2.1.12, and
 * prints one normalised line per lookup, in the order of the commands,
 * whatever order the answers arrive in:
 *
 *   a www.zone.test ok 192.0.2.1,192.0.2.2 ttl=300
 *   a nope.zone.test NXDOMAIN
 *   ptr 192.0.2.9 ok printer.zone.test ttl=300
 *   gai dual.zone.test ok 192.0.2.3,2001:db8::3
 *
 * Addresses are sorted, so the order a server lists them in does not
 * matter.  Errors print as the DNS_ERR_* name without its prefix
 * (NXDOMAIN for DNS_ERR_NOTEXIST, SERVFAIL for DNS_ERR_SERVERFAILED) or,
 * for gai, the EVUTIL_EAI_* name.
 *
 *   usage: dns-peer-client [-s NAMESERVER]... [-B] [-S] [-t TIMEOUT]
 *                          [-a ATTEMPTS] [-w SECONDS] COMMAND ARG ...
 *
 *   -s NS   a nameserver, as evdns_base_nameserver_ip_add() takes it
 *           ("127.0.0.1:5353"); repeatable, tried in the order given
 *   -B      first add a nameserver that never answers: a UDP socket bound
 *           on 127.0.0.1 that is not read until the end, when the program
 *           prints "blackhole tried" if any query reached it (else
 *           "blackhole untried")
 *   -S      one lookup at a time, each started when the one before it
 *           completed (default: all at once)
 *   -t T    evdns_base_set_option "timeout:" (seconds, may be fractional)
 *   -a N    evdns_base_set_option "attempts:"
 *   -w S    give up after S seconds (default 20): exit status 1
 *
 * Commands: "a NAME", "aaaa NAME", "ptr ADDRESS" (IPv4 or IPv6), and
 * "gai NAME" (evdns_getaddrinfo with AF_UNSPEC and SOCK_STREAM).  Without
 * -S every lookup starts at once and they run concurrently.  Exit status 0 when
 * every lookup completed (whatever its result), 1 on a give-up, 2 on bad usage.
 */
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum kind {
    KIND_A,
    KIND_AAAA,
    KIND_PTR,
    KIND_GAI
};

struct lookup {
    enum kind kind;
    const char *cmd;
    const char *arg;
    char *line; /* the result line, once the lookup completed */
    struct client *client;
};

struct client {
    struct event_base *base;
    struct evdns_base *dns;
    struct lookup *lookups;
    int n;
    int next;       /* the next lookup to start */
    int pending;    /* lookups not yet completed */
    int sequential; /* one lookup at a time */
    int gave_up;
};

static void start_next(struct client *c);

/* The text of an address list: at most this many addresses are kept. */
#define MAX_ADDRS 64

static const char *
dns_err_name(int err)
{
    switch (err) {
    case DNS_ERR_NONE:
        return "NOERROR";
    case DNS_ERR_FORMAT:
        return "FORMAT";
    case DNS_ERR_SERVERFAILED:
        return "SERVFAIL";
    case DNS_ERR_NOTEXIST:
        return "NXDOMAIN";
    case DNS_ERR_NOTIMPL:
        return "NOTIMPL";
    case DNS_ERR_REFUSED:
        return "REFUSED";
    case DNS_ERR_TRUNCATED:
        return "TRUNCATED";
    case DNS_ERR_UNKNOWN:
        return "UNKNOWN";
    case DNS_ERR_TIMEOUT:
        return "TIMEOUT";
    case DNS_ERR_SHUTDOWN:
        return "SHUTDOWN";
    case DNS_ERR_CANCEL:
        return "CANCEL";
    case DNS_ERR_NODATA:
        return "NODATA";
    default:
        return NULL;
    }
}

static const char *
eai_name(int err)
{
    switch (err) {
    case EVUTIL_EAI_ADDRFAMILY:
        return "EAI_ADDRFAMILY";
    case EVUTIL_EAI_AGAIN:
        return "EAI_AGAIN";
    case EVUTIL_EAI_BADFLAGS:
        return "EAI_BADFLAGS";
    case EVUTIL_EAI_FAIL:
        return "EAI_FAIL";
    case EVUTIL_EAI_FAMILY:
        return "EAI_FAMILY";
    case EVUTIL_EAI_MEMORY:
        return "EAI_MEMORY";
    case EVUTIL_EAI_NODATA:
        return "EAI_NODATA";
    case EVUTIL_EAI_NONAME:
        return "EAI_NONAME";
    case EVUTIL_EAI_SERVICE:
        return "EAI_SERVICE";
    case EVUTIL_EAI_SOCKTYPE:
        return "EAI_SOCKTYPE";
    case EVUTIL_EAI_SYSTEM:
        return "EAI_SYSTEM";
    case EVUTIL_EAI_CANCEL:
        return "EAI_CANCEL";
    default:
        return NULL;
    }
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Sorts the address texts and joins them with commas into out.  Returns 0,
 * or -1 if they do not fit.
 */
static int
join_sorted(char texts[][INET6_ADDRSTRLEN], int n, char *out, size_t outlen)
{
    char *ptrs[MAX_ADDRS];
    size_t used = 0;
    int i, rc = -1;

    for (i = 0; i < n; i++)
        ptrs[i] = texts[i];
    qsort(ptrs, (size_t)n, sizeof(ptrs[0]), compare_strings);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        int w =
            snprintf(out + used, outlen - used, "%s%s", i ? "," : "", ptrs[i]);

        if (w < 0 || (size_t)w >= outlen - used)
            goto done;
        used += (size_t)w;
    }
    rc = 0;
done:
    return rc;
}

/*
 * Records a lookup's line, "COMMAND ARG STATUS[ DETAIL][SUFFIX]", and stops
 * the loop after the last one (or starts the next, one at a time).
 */
static void
finish(struct lookup *l, const char *status, const char *detail,
       const char *suffix)
{
    char buf[4096];
    int w;

    w = snprintf(buf, sizeof(buf), "%s %s %s%s%s%s", l->cmd, l->arg, status,
                 detail[0] ? " " : "", detail, suffix);
    if (w < 0 || (size_t)w >= sizeof(buf))
        snprintf(buf, sizeof(buf), "%s %s (line too long)", l->cmd, l->arg);
    l->line = strdup(buf);
    if (l->line == NULL) {
        fprintf(stderr, "dns-peer-client: out of memory\n");
        exit(1);
    }
    if (--l->client->pending == 0)
        event_base_loopbreak(l->client->base);
    else if (l->client->sequential)
        start_next(l->client);
}

/* Records an error result: its name, or its number when it has none. */
static void
finish_error(struct lookup *l, const char *name, int err)
{
    char num[32];

    if (name == NULL) {
        snprintf(num, sizeof(num), "error=%d", err);
        name = num;
    }
    finish(l, name, "", "");
}

static void
resolve_cb(int result, char type, int count, int ttl, void *addresses,
           void *arg)
{
    struct lookup *l = arg;
    char texts[MAX_ADDRS][INET6_ADDRSTRLEN];
    char list[MAX_ADDRS * INET6_ADDRSTRLEN];
    char tail[64];
    int want, i;

    if (result != DNS_ERR_NONE) {
        finish_error(l, dns_err_name(result), result);
        return;
    }
    want = l->kind == KIND_A      ? DNS_IPv4_A
           : l->kind == KIND_AAAA ? DNS_IPv6_AAAA
                                  : DNS_PTR;
    if (type != want) {
        snprintf(tail, sizeof(tail), "wrong-type=%d", (int)type);
        finish(l, tail, "", "");
        return;
    }
    snprintf(tail, sizeof(tail), " ttl=%d", ttl);
    if (type == DNS_PTR) {
        const char *name = count > 0 ? *(char **)addresses : NULL;

        if (count != 1 || name == NULL) {
            snprintf(tail, sizeof(tail), "ptr-count=%d", count);
            finish(l, tail, "", "");
            return;
        }
        finish(l, "ok", name, tail);
        return;
    }
    if (count <= 0 || count > MAX_ADDRS) {
        snprintf(list, sizeof(list), "count=%d", count);
        finish(l, "ok", list, tail);
        return;
    }
    for (i = 0; i < count; i++) {
        const void *src =
            type == DNS_IPv4_A
                ? (const void *)((const unsigned char *)addresses + 4 * i)
                : (const void *)((const unsigned char *)addresses + 16 * i);

        if (evutil_inet_ntop(type == DNS_IPv4_A ? AF_INET : AF_INET6, src,
                             texts[i], sizeof(texts[i])) == NULL)
            strcpy(texts[i], "?");
    }
    if (join_sorted(texts, count, list, sizeof(list)) != 0)
        strcpy(list, "(too long)");
    finish(l, "ok", list, tail);
}

static void
gai_cb(int result, struct evutil_addrinfo *res, void *arg)
{
    struct lookup *l = arg;
    char texts[MAX_ADDRS][INET6_ADDRSTRLEN];
    char list[MAX_ADDRS * INET6_ADDRSTRLEN];
    struct evutil_addrinfo *ai;
    int n = 0;

    if (result != 0) {
        finish_error(l, eai_name(result), result);
        goto done;
    }
    for (ai = res; ai != NULL && n < MAX_ADDRS; ai = ai->ai_next) {
        const void *src = NULL;

        if (ai->ai_family == AF_INET)
            src = &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr;
        else if (ai->ai_family == AF_INET6)
            src = &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr;
        if (src == NULL || evutil_inet_ntop(ai->ai_family, src, texts[n],
                                            sizeof(texts[n])) == NULL)
            strcpy(texts[n], "?");
        n++;
    }
    if (n == 0)
        strcpy(list, "(empty)");
    else if (join_sorted(texts, n, list, sizeof(list)) != 0)
        strcpy(list, "(too long)");
    finish(l, "ok", list, "");
done:
    if (res != NULL)
        evutil_freeaddrinfo(res);
}

/* Starts one lookup; returns 0, or -1 if it could not start. */
static int
start(struct evdns_base *dns, struct lookup *l)
{
    struct in_addr in4;
    struct in6_addr in6;
    struct evutil_addrinfo hints;

    switch (l->kind) {
    case KIND_A:
        if (evdns_base_resolve_ipv4(dns, l->arg, 0, resolve_cb, l) == NULL)
            return -1;
        return 0;
    case KIND_AAAA:
        if (evdns_base_resolve_ipv6(dns, l->arg, 0, resolve_cb, l) == NULL)
            return -1;
        return 0;
    case KIND_PTR:
        if (evutil_inet_pton(AF_INET, l->arg, &in4) == 1) {
            if (evdns_base_resolve_reverse(dns, &in4, 0, resolve_cb, l) == NULL)
                return -1;
        } else if (evutil_inet_pton(AF_INET6, l->arg, &in6) == 1) {
            if (evdns_base_resolve_reverse_ipv6(dns, &in6, 0, resolve_cb, l) ==
                NULL)
                return -1;
        } else {
            fprintf(stderr, "dns-peer-client: not an address: %s\n", l->arg);
            return -1;
        }
        return 0;
    case KIND_GAI:
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        /* A NULL return is fine: the callback may have run already. */
        evdns_getaddrinfo(dns, l->arg, NULL, &hints, gai_cb, l);
        return 0;
    }
    return -1;
}

/*
 * Starts the next lookup, or (not sequential) all the rest.  A lookup that
 * cannot start completes at once with the line "not-started".
 */
static void
start_next(struct client *c)
{
    do {
        struct lookup *l;

        if (c->next >= c->n)
            return;
        l = &c->lookups[c->next++];
        if (start(c->dns, l) != 0)
            finish(l, "not-started", "", "");
    } while (!c->sequential);
}

static void
give_up_cb(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;

    (void)fd;
    (void)what;
    c->gave_up = 1;
    event_base_loopbreak(c->base);
}

/* Binds the never-answering nameserver; returns its fd and sets text. */
static int
open_blackhole(char *text, size_t len)
{
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
        perror("dns-peer-client: blackhole socket");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    snprintf(text, len, "127.0.0.1:%u", (unsigned)ntohs(sin.sin_port));
    return fd;
}

/* Whether any datagram reached the blackhole (read without waiting). */
static int
blackhole_tried(int fd)
{
    char buf[1500];
    int seen = 0;

    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
        seen = 1;
    return seen;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: dns-peer-client [-s NAMESERVER]... [-B] [-S] [-t TIMEOUT] "
            "[-a ATTEMPTS] [-w SECONDS] COMMAND ARG ...\n"
            "commands: a NAME, aaaa NAME, ptr ADDRESS, gai NAME\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    struct client c;
    struct evdns_base *dns = NULL;
    struct event *guard = NULL;
    struct timeval tv;
    const char *servers[16];
    const char *timeout = NULL, *attempts = NULL;
    char bh_text[64];
    int nservers = 0, blackhole = 0, bh_fd = -1;
    long wait_s = 20;
    int opt, i, rc = 1;

    memset(&c, 0, sizeof(c));
    while ((opt = getopt(argc, argv, "s:BSt:a:w:")) != -1) {
        switch (opt) {
        case 'S':
            c.sequential = 1;
            break;
        case 's':
            if (nservers == (int)(sizeof(servers) / sizeof(servers[0])))
                usage();
            servers[nservers++] = optarg;
            break;
        case 'B':
            blackhole = 1;
            break;
        case 't':
            timeout = optarg;
            break;
        case 'a':
            attempts = optarg;
            break;
        case 'w':
            wait_s = strtol(optarg, NULL, 10);
            if (wait_s <= 0 || wait_s > 3600)
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind >= argc || (argc - optind) % 2 != 0)
        usage();
    c.n = (argc - optind) / 2;
    c.lookups = calloc((size_t)c.n, sizeof(*c.lookups));
    if (c.lookups == NULL) {
        fprintf(stderr, "dns-peer-client: out of memory\n");
        goto done;
    }
    for (i = 0; i < c.n; i++) {
        struct lookup *l = &c.lookups[i];

        l->cmd = argv[optind + 2 * i];
        l->arg = argv[optind + 2 * i + 1];
        l->client = &c;
        if (strcmp(l->cmd, "a") == 0)
            l->kind = KIND_A;
        else if (strcmp(l->cmd, "aaaa") == 0)
            l->kind = KIND_AAAA;
        else if (strcmp(l->cmd, "ptr") == 0)
            l->kind = KIND_PTR;
        else if (strcmp(l->cmd, "gai") == 0)
            l->kind = KIND_GAI;
        else
            usage();
    }

    c.base = event_base_new();
    if (c.base == NULL) {
        fprintf(stderr, "dns-peer-client: event_base_new failed\n");
        goto done;
    }
    dns = evdns_base_new(c.base, 0);
    if (dns == NULL) {
        fprintf(stderr, "dns-peer-client: evdns_base_new failed\n");
        goto done;
    }
    if (blackhole) {
        bh_fd = open_blackhole(bh_text, sizeof(bh_text));
        if (bh_fd < 0)
            goto done;
        if (evdns_base_nameserver_ip_add(dns, bh_text) != 0) {
            fprintf(stderr, "dns-peer-client: cannot add %s\n", bh_text);
            goto done;
        }
    }
    for (i = 0; i < nservers; i++) {
        if (evdns_base_nameserver_ip_add(dns, servers[i]) != 0) {
            fprintf(stderr, "dns-peer-client: cannot add nameserver %s\n",
                    servers[i]);
            goto done;
        }
    }
    if (timeout != NULL &&
        evdns_base_set_option(dns, "timeout:", timeout) != 0) {
        fprintf(stderr, "dns-peer-client: bad timeout %s\n", timeout);
        goto done;
    }
    if (attempts != NULL &&
        evdns_base_set_option(dns, "attempts:", attempts) != 0) {
        fprintf(stderr, "dns-peer-client: bad attempts %s\n", attempts);
        goto done;
    }

    guard = evtimer_new(c.base, give_up_cb, &c);
    tv.tv_sec = wait_s;
    tv.tv_usec = 0;
    if (guard == NULL || evtimer_add(guard, &tv) != 0) {
        fprintf(stderr, "dns-peer-client: cannot arm the give-up timer\n");
        goto done;
    }
    /* Counted first: a getaddrinfo may complete inside its start. */
    c.pending = c.n;
    c.dns = dns;
    start_next(&c);
    if (c.pending > 0 && event_base_dispatch(c.base) < 0) {
        fprintf(stderr, "dns-peer-client: event_base_dispatch failed\n");
        goto done;
    }
    for (i = 0; i < c.n; i++) {
        struct lookup *l = &c.lookups[i];

        if (l->line != NULL)
            printf("%s\n", l->line);
        else
            printf("%s %s unanswered\n", l->cmd, l->arg);
    }
    if (blackhole)
        printf("blackhole %s\n", blackhole_tried(bh_fd) ? "tried" : "untried");
    if (c.gave_up) {
        fprintf(stderr, "dns-peer-client: %d lookups unanswered after %ld s\n",
                c.pending, wait_s);
        goto done;
    }
    rc = 0;
done:
    fflush(stdout);
    if (guard != NULL)
        event_free(guard);
    if (dns != NULL)
        evdns_base_free(dns, 0);
    if (c.base != NULL)
        event_base_free(c.base);
    if (bh_fd >= 0)
        close(bh_fd);
    if (c.lookups != NULL) {
        for (i = 0; i < c.n; i++)
            free(c.lookups[i].line);
        free(c.lookups);
    }
    return rc;
}
