/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_base.c: the resolver object.  Creating and freeing it, its
 * nameservers (each a connected UDP socket of its own), its options, the
 * search list, resolv.conf(5) and hosts(5).  The lookups themselves are in
 * dns_resolve.c.
 *
 * A resolver is used from the thread that runs its event base, as in
 * libevent when the base has no locks.
 */
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evdns-internal.h"

#define RESOLV_CONF "/etc/resolv.conf"
#define HOSTS_FILE "/etc/hosts"

static void
apply_conf_options(struct evdns_base *dns, const struct vg_dns_resolv_conf *c,
                   unsigned mask)
{
    unsigned set = c->set & mask;

    if (set & VG_DNS_OPT_NDOTS)
        dns->ndots = c->ndots;
    if (set & VG_DNS_OPT_TIMEOUT)
        dns->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 1;
    if (set & VG_DNS_OPT_ATTEMPTS)
        dns->attempts = c->attempts;
    if (set & VG_DNS_OPT_MAX_TIMEOUTS)
        dns->max_timeouts = c->max_timeouts < 1 ? 1 : c->max_timeouts;
    if (set & VG_DNS_OPT_MAX_INFLIGHT)
        dns->max_inflight = c->max_inflight < 1 ? 1 : c->max_inflight;
    if (set & VG_DNS_OPT_RANDOMIZE_CASE)
        dns->randomize_case = c->randomize_case;
    if (set & VG_DNS_OPT_INITIAL_PROBE_TIMEOUT) {
        int ms = c->initial_probe_timeout_ms;

        dns->probe_ms = ms < 1                       ? 1
                        : ms > VG_EVDNS_PROBE_MAX_MS ? VG_EVDNS_PROBE_MAX_MS
                                                     : ms;
    }
    if (set & VG_DNS_OPT_GETADDRINFO_ALLOW_SKEW)
        dns->skew_ms = c->getaddrinfo_allow_skew_ms;
    if (set & VG_DNS_OPT_SO_RCVBUF)
        dns->so_rcvbuf = c->so_rcvbuf;
    if (set & VG_DNS_OPT_SO_SNDBUF)
        dns->so_sndbuf = c->so_sndbuf;
}

struct evdns_base *
evdns_base_new(struct event_base *event_base, int flags)
{
    struct evdns_base *dns;

    if (event_base == NULL)
        event_base = vg_evdns_current_base();
    if (event_base == NULL)
        return NULL;
    dns = vg_dns_calloc(1, sizeof(*dns));
    if (dns == NULL)
        return NULL;
    dns->bridge = &vg_evdns_bridge;
    dns->base = event_base;
    dns->flags = flags;
    dns->disable_when_inactive =
        (flags & EVDNS_BASE_DISABLE_WHEN_INACTIVE) != 0;
    dns->ndots = 1;
    dns->timeout_ms = VG_EVDNS_TIMEOUT_MS;
    dns->attempts = VG_EVDNS_ATTEMPTS;
    dns->max_timeouts = VG_EVDNS_MAX_TIMEOUTS;
    dns->max_inflight = VG_EVDNS_MAX_INFLIGHT;
    dns->randomize_case = 1;
    dns->probe_ms = VG_EVDNS_PROBE_MS;
    dns->skew_ms = VG_EVDNS_SKEW_MS;
    if (flags & EVDNS_BASE_INITIALIZE_NAMESERVERS) {
        int opts = DNS_OPTIONS_ALL;

        if (flags & EVDNS_BASE_NAMESERVERS_NO_DEFAULT)
            opts |= DNS_OPTION_NAMESERVERS_NO_DEFAULT;
        if (evdns_base_resolv_conf_parse(dns, opts, RESOLV_CONF) != 0 &&
            (flags & EVDNS_BASE_NAMESERVERS_NO_DEFAULT) && dns->n_ns == 0) {
            evdns_base_free(dns, 0);
            return NULL;
        }
    }
    return dns;
}

void
evdns_base_free(struct evdns_base *dns, int fail_requests)
{
    if (dns == NULL)
        return;
    vg_evdns_fail_all(dns, fail_requests);
    for (int i = 0; i < dns->n_ns; i++)
        vg_evdns_ns_free(dns->ns[i]);
    vg_dns_free(dns->ns);
    evdns_base_search_clear(dns);
    evdns_base_clear_host_addresses(dns);
    vg_dns_free(dns);
}

void
evdns_base_clear_host_addresses(struct evdns_base *dns)
{
    for (size_t i = 0; i < dns->n_hosts; i++)
        vg_dns_hosts_free(dns->hosts[i]);
    vg_dns_free(dns->hosts);
    dns->hosts = NULL;
    dns->n_hosts = 0;
}

const char *
evdns_err_to_string(int err)
{
    switch (err) {
    case DNS_ERR_NONE:
        return "no error";
    case DNS_ERR_FORMAT:
        return "misformatted query";
    case DNS_ERR_SERVERFAILED:
        return "server failed";
    case DNS_ERR_NOTEXIST:
        return "name does not exist";
    case DNS_ERR_NOTIMPL:
        return "query not implemented";
    case DNS_ERR_REFUSED:
        return "refused";
    case DNS_ERR_TRUNCATED:
        return "reply truncated or ill-formed";
    case DNS_ERR_UNKNOWN:
        return "unknown";
    case DNS_ERR_TIMEOUT:
        return "request timed out";
    case DNS_ERR_SHUTDOWN:
        return "dns subsystem shut down";
    case DNS_ERR_CANCEL:
        return "dns request canceled";
    case DNS_ERR_NODATA:
        return "no records in the reply";
    default:
        return "[Unknown error code]";
    }
}

/* ------------------------------------------------------------------ */
/* Nameservers                                                         */
/* ------------------------------------------------------------------ */

static int
same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
    return evutil_sockaddr_cmp(a, b, 1) == 0;
}

void
vg_evdns_ns_free(struct vg_ns *ns)
{
    if (ns == NULL)
        return;
    if (ns->probe != NULL)
        vg_evdns_abandon(ns->probe);
    event_del(&ns->ev_read);
    event_del(&ns->ev_probe);
    if (ns->fd >= 0)
        evutil_closesocket(ns->fd);
    vg_dns_free(ns);
}

static int
ns_open_socket(struct evdns_base *dns, struct vg_ns *ns)
{
    const struct sockaddr *sa = (const struct sockaddr *)&ns->addr;
    evutil_socket_t fd;

    fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (dns->so_rcvbuf > 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &dns->so_rcvbuf,
                         sizeof(dns->so_rcvbuf));
    if (dns->so_sndbuf > 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &dns->so_sndbuf,
                         sizeof(dns->so_sndbuf));
    if (dns->bind_len > 0 &&
        ((const struct sockaddr *)&dns->bind_addr)->sa_family ==
            sa->sa_family &&
        bind(fd, (const struct sockaddr *)&dns->bind_addr, dns->bind_len) < 0) {
        vg_dns_log(VG_EVDNS_LOG_WARN, "evdns: bind-to failed: %s",
                   strerror(errno));
        evutil_closesocket(fd);
        return -1;
    }
    if (connect(fd, sa, ns->addrlen) < 0) {
        evutil_closesocket(fd);
        return -1;
    }
    ns->fd = fd;
    return 0;
}

int
evdns_base_nameserver_sockaddr_add(struct evdns_base *dns,
                                   const struct sockaddr *sa, ev_socklen_t len,
                                   unsigned flags)
{
    struct vg_ns *ns = NULL;
    int r = 2;

    (void)flags;
    if (dns == NULL || sa == NULL)
        return -1;
    if (!((sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
          (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))))
        return 2;
    len = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                   : sizeof(struct sockaddr_in6);
    for (int i = 0; i < dns->n_ns; i++) {
        if (same_addr((const struct sockaddr *)&dns->ns[i]->addr, sa))
            return 3;
    }
    if (dns->n_ns == dns->cap_ns) {
        int cap = dns->cap_ns ? dns->cap_ns * 2 : 4;
        struct vg_ns **v = vg_dns_realloc(dns->ns, (size_t)cap * sizeof(*v));

        if (v == NULL)
            return 4;
        dns->ns = v;
        dns->cap_ns = cap;
    }
    ns = vg_dns_calloc(1, sizeof(*ns));
    if (ns == NULL)
        return 4;
    ns->dns = dns;
    ns->fd = -1;
    memcpy(&ns->addr, sa, len);
    ns->addrlen = len;
    ns->up = 1;
    ns->probe_ms = dns->probe_ms;
    if (ns_open_socket(dns, ns) < 0)
        goto done;
    if (event_assign(&ns->ev_read, dns->base, ns->fd, EV_READ | EV_PERSIST,
                     vg_evdns_ns_read_cb, ns) < 0 ||
        event_assign(&ns->ev_probe, dns->base, -1, 0, vg_evdns_ns_probe_cb,
                     ns) < 0)
        goto done;
    dns->ns[dns->n_ns++] = ns;
    ns = NULL;
    vg_evdns_ns_read_update(dns->ns[dns->n_ns - 1]);
    vg_evdns_pump(dns);
    r = 0;
done:
    if (ns != NULL)
        vg_evdns_ns_free(ns);
    return r;
}

int
evdns_base_nameserver_add(struct evdns_base *dns, unsigned long int address)
{
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = (in_addr_t)address;
    sin.sin_port = htons(53);
    return evdns_base_nameserver_sockaddr_add(
        dns, (const struct sockaddr *)&sin, sizeof(sin), 0);
}

int
evdns_base_nameserver_ip_add(struct evdns_base *dns, const char *ip_as_string)
{
    struct sockaddr_storage ss;
    int len = (int)sizeof(ss);

    if (dns == NULL || ip_as_string == NULL)
        return -1;
    memset(&ss, 0, sizeof(ss));
    if (evutil_parse_sockaddr_port(ip_as_string, (struct sockaddr *)&ss, &len) <
        0)
        return 4;
    if (ss.ss_family == AF_INET && ((struct sockaddr_in *)&ss)->sin_port == 0)
        ((struct sockaddr_in *)&ss)->sin_port = htons(53);
    else if (ss.ss_family == AF_INET6 &&
             ((struct sockaddr_in6 *)&ss)->sin6_port == 0)
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(53);
    return evdns_base_nameserver_sockaddr_add(dns, (struct sockaddr *)&ss,
                                              (ev_socklen_t)len, 0);
}

int
evdns_base_count_nameservers(struct evdns_base *dns)
{
    return dns != NULL ? dns->n_ns : 0;
}

int
evdns_base_get_nameserver_addr(struct evdns_base *dns, int idx,
                               struct sockaddr *sa, ev_socklen_t len)
{
    const struct vg_ns *ns;

    if (dns == NULL || idx < 0 || idx >= dns->n_ns)
        return -1;
    /* libevent's order: the first nameserver added, then the others,
     * newest first. */
    ns = dns->ns[idx == 0 ? 0 : dns->n_ns - idx];
    if (sa != NULL && ns->addrlen <= len)
        memcpy(sa, &ns->addr, ns->addrlen);
    return (int)ns->addrlen;
}

int
evdns_base_clear_nameservers_and_suspend(struct evdns_base *dns)
{
    if (dns == NULL)
        return -1;
    dns->suspended = 1;
    vg_evdns_requeue_all(dns);
    for (int i = 0; i < dns->n_ns; i++)
        vg_evdns_ns_free(dns->ns[i]);
    dns->n_ns = 0;
    dns->next_ns = 0;
    return 0;
}

int
evdns_base_resume(struct evdns_base *dns)
{
    if (dns == NULL)
        return -1;
    dns->suspended = 0;
    vg_evdns_pump(dns);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Options and search                                                  */
/* ------------------------------------------------------------------ */

/* A whole number as libevent reads option values: strtol() over the
 * whole text (so "" is 0 and " 5" or "+5" are 5), never negative;
 * too large reads as INT_MAX. */
static int
option_int(const char *val, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(val, &end, 10);
    if (*end != '\0' || v < 0)
        return -1;
    *out = errno != 0 || v > INT_MAX ? INT_MAX : (int)v;
    return 0;
}

/* A duration in seconds, as strtod() reads it over the whole text, in
 * milliseconds; at least 1 ms, at most an hour. */
static int
option_ms(const char *val, int *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(val, &end);
    if (*end != '\0' || errno != 0 || !(v >= 0.001))
        return -1;
    *out = v > 3600.0 ? 3600000 : (int)(v * 1000.0 + 0.5);
    return 0;
}

static int
clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int
evdns_base_set_option(struct evdns_base *dns, const char *option,
                      const char *val)
{
    char name[32];
    size_t namelen;
    int v;

    if (dns == NULL || option == NULL)
        return -1;
    namelen = strlen(option);
    if (namelen > 0 && option[namelen - 1] == ':')
        namelen--;
    if (namelen >= sizeof(name))
        return 0; /* unknown: ignored, as libevent does */
    memcpy(name, option, namelen);
    name[namelen] = '\0';
    if (val == NULL)
        val = "";
    if (strcmp(name, "bind-to") == 0) {
        struct sockaddr_storage ss;
        int len = (int)sizeof(ss);

        memset(&ss, 0, sizeof(ss));
        if (evutil_parse_sockaddr_port(val, (struct sockaddr *)&ss, &len) < 0)
            return -1;
        memcpy(&dns->bind_addr, &ss, (size_t)len);
        dns->bind_len = (ev_socklen_t)len;
    } else if (strcmp(name, "ndots") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->ndots = v;
    } else if (strcmp(name, "timeout") == 0) {
        if (option_ms(val, &v) < 0)
            return -1;
        dns->timeout_ms = v;
    } else if (strcmp(name, "initial-probe-timeout") == 0) {
        if (option_ms(val, &v) < 0)
            return -1;
        dns->probe_ms = v;
    } else if (strcmp(name, "getaddrinfo-allow-skew") == 0) {
        if (option_ms(val, &v) < 0)
            return -1;
        dns->skew_ms = v;
    } else if (strcmp(name, "max-timeouts") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->max_timeouts = clamp(v, 1, 255);
    } else if (strcmp(name, "max-inflight") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->max_inflight = clamp(v, 1, 65535);
        vg_evdns_pump(dns);
    } else if (strcmp(name, "attempts") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->attempts = clamp(v, 1, 255);
    } else if (strcmp(name, "randomize-case") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->randomize_case = v != 0;
    } else if (strcmp(name, "so-rcvbuf") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->so_rcvbuf = v;
    } else if (strcmp(name, "so-sndbuf") == 0) {
        if (option_int(val, &v) < 0)
            return -1;
        dns->so_sndbuf = v;
    }
    /* Any other name is ignored and succeeds, as in libevent. */
    return 0;
}

void
evdns_base_search_clear(struct evdns_base *dns)
{
    for (int i = 0; i < dns->n_search; i++)
        vg_dns_free(dns->search[i]);
    vg_dns_free(dns->search);
    dns->search = NULL;
    dns->n_search = 0;
}

void
evdns_base_search_add(struct evdns_base *dns, const char *domain)
{
    char **v;
    char *copy;

    if (dns == NULL || domain == NULL)
        return;
    while (*domain == '.')
        domain++;
    copy = vg_dns_strdup(domain);
    if (copy == NULL)
        return;
    for (size_t n = strlen(copy); n > 0 && copy[n - 1] == '.'; n--)
        copy[n - 1] = '\0';
    v = vg_dns_realloc(dns->search, (size_t)(dns->n_search + 1) * sizeof(*v));
    if (v == NULL) {
        vg_dns_free(copy);
        return;
    }
    dns->search = v;
    /* The new domain goes first, as in libevent. */
    memmove(v + 1, v, (size_t)dns->n_search * sizeof(*v));
    v[0] = copy;
    dns->n_search++;
}

void
evdns_base_search_ndots_set(struct evdns_base *dns, const int ndots)
{
    if (dns != NULL)
        dns->ndots = ndots < 0 ? 0 : ndots;
}

/* libevent's default search domain: what follows the first dot of the
 * host name, if anything does. */
static void
search_from_hostname(struct evdns_base *dns)
{
    char host[256];
    const char *dot;

    evdns_base_search_clear(dns);
    if (gethostname(host, sizeof(host) - 1) != 0)
        return;
    host[sizeof(host) - 1] = '\0';
    dot = strchr(host, '.');
    if (dot != NULL && dot[1] != '\0')
        evdns_base_search_add(dns, dot + 1);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

/* Reads a whole file of at most max bytes.  Returns 0, or the
 * resolv_conf_parse code: 1 cannot open, 2 cannot stat, 3 too large, 4
 * no memory, 5 short read. */
static int
read_file(const char *path, size_t max, char **out, size_t *outlen)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, r;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    if (fstat(fd, &st) < 0) {
        r = 2;
        goto done;
    }
    if ((size_t)st.st_size > max) {
        r = 3;
        goto done;
    }
    buf = vg_dns_malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        r = 4;
        goto done;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != (size_t)st.st_size) {
        r = 5;
        goto done;
    }
    buf[got] = '\0';
    *out = buf;
    *outlen = got;
    buf = NULL;
    r = 0;
done:
    vg_dns_free(buf);
    close(fd);
    return r;
}

int
evdns_base_resolv_conf_parse(struct evdns_base *dns, int flags,
                             const char *const filename)
{
    struct vg_dns_resolv_conf *conf = NULL;
    char *text = NULL;
    size_t len = 0;
    int add_default = (flags & DNS_OPTION_NAMESERVERS) &&
                      !(flags & DNS_OPTION_NAMESERVERS_NO_DEFAULT);
    int r;

    if (dns == NULL || filename == NULL)
        return -1;
    if (flags & DNS_OPTION_HOSTSFILE)
        (void)evdns_base_load_hosts(dns, HOSTS_FILE);
    r = read_file(filename, VG_DNS_CONF_MAX_BYTES, &text, &len);
    if (r == 1) {
        /* No file: libevent's defaults. */
        if (flags & DNS_OPTION_SEARCH)
            search_from_hostname(dns);
        if (add_default)
            (void)evdns_base_nameserver_ip_add(dns, "127.0.0.1");
        goto done;
    }
    if (r != 0)
        goto done;
    if (vg_dns_resolv_conf_parse(text, len, &conf) != 0) {
        r = 4;
        goto done;
    }
    if (flags & DNS_OPTION_NAMESERVERS) {
        for (int i = 0; i < conf->n_ns; i++)
            (void)evdns_base_nameserver_sockaddr_add(
                dns, (const struct sockaddr *)&conf->ns[i].addr,
                conf->ns[i].addrlen, 0);
    }
    if (flags & DNS_OPTION_SEARCH) {
        if (conf->has_search) {
            /* evdns_base_search_add() puts each domain first: add them
             * backwards to keep the file's order. */
            evdns_base_search_clear(dns);
            for (int i = conf->n_search - 1; i >= 0; i--)
                evdns_base_search_add(dns, conf->search[i]);
        } else if (dns->n_search == 0) {
            search_from_hostname(dns);
        }
        apply_conf_options(dns, conf, VG_DNS_OPT_NDOTS);
    }
    if (flags & DNS_OPTION_MISC)
        apply_conf_options(dns, conf, ~(unsigned)VG_DNS_OPT_NDOTS);
    if (add_default && conf->n_ns == 0) {
        if (dns->n_ns == 0)
            (void)evdns_base_nameserver_ip_add(dns, "127.0.0.1");
        r = 6;
    }
done:
    vg_dns_resolv_conf_free(conf);
    vg_dns_free(text);
    return r;
}

static int
hosts_append(struct evdns_base *dns, struct vg_dns_hosts *h)
{
    struct vg_dns_hosts **v;

    v = vg_dns_realloc(dns->hosts, (dns->n_hosts + 1) * sizeof(*v));
    if (v == NULL) {
        vg_dns_hosts_free(h);
        return -1;
    }
    dns->hosts = v;
    dns->hosts[dns->n_hosts++] = h;
    return 0;
}

int
evdns_base_load_hosts(struct evdns_base *dns, const char *hosts_fname)
{
    static const char fallback[] = "127.0.0.1 localhost\n::1 localhost\n";
    struct vg_dns_hosts *h = NULL;
    char *text = NULL;
    size_t len = 0;
    int r = -1;

    if (dns == NULL)
        return -1;
    if (hosts_fname == NULL ||
        read_file(hosts_fname, VG_DNS_HOSTS_MAX_BYTES, &text, &len) != 0) {
        if (vg_dns_hosts_parse(fallback, sizeof(fallback) - 1, &h) == 0)
            (void)hosts_append(dns, h);
        return hosts_fname == NULL ? 0 : -1;
    }
    if (vg_dns_hosts_parse(text, len, &h) == 0)
        r = hosts_append(dns, h);
    vg_dns_free(text);
    return r;
}

const struct vg_dns_host_entry *
vg_evdns_hosts_find(struct evdns_base *dns, const char *name, int family,
                    size_t *pos)
{
    /* *pos counts entries across every table, in load order; first is
     * where the table in hand starts in that count. */
    size_t first = 0;

    for (size_t t = 0; t < dns->n_hosts; first += dns->hosts[t++]->n) {
        const struct vg_dns_host_entry *e;
        size_t i;

        if (*pos >= first + dns->hosts[t]->n)
            continue;
        i = *pos > first ? *pos - first : 0;
        e = vg_dns_hosts_find(dns->hosts[t], name, family, &i);
        if (e != NULL) {
            *pos = first + i;
            return e;
        }
    }
    return NULL;
}
