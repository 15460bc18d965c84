/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * dns_conf.c: the resolv.conf(5) and hosts(5) parsers.  Both take text
 * and a length (no NUL needed, NULs inside are ordinary bytes that make a
 * word invalid) and return a structure; neither opens a file.  Every read
 * of the text is an index checked against its length.
 */
#include "dns-internal.h"

#include <event2/util.h>

#include <limits.h>
#include <netinet/in.h>
#include <string.h>

/* A line split into words: the offsets and lengths of at most MAX_WORDS
 * words (more are dropped). */
#define MAX_WORDS 40
#define MAX_WORD 255

struct line {
    size_t n;
    size_t off[MAX_WORDS];
    size_t len[MAX_WORDS];
};

static int
is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Splits the line starting at *pos into words, stopping at '\n' and at a
 * word that starts with one of the comment characters; leaves *pos at the
 * next line. */
static void
split_line(const char *text, size_t len, size_t *pos, const char *comment,
           struct line *out)
{
    size_t i = *pos;
    int in_comment = 0;

    out->n = 0;
    while (i < len && text[i] != '\n') {
        size_t start;

        if (is_blank(text[i])) {
            i++;
            continue;
        }
        start = i;
        while (i < len && text[i] != '\n' && !is_blank(text[i]))
            i++;
        if (in_comment || strchr(comment, text[start]) != NULL) {
            in_comment = 1;
            continue;
        }
        if (out->n < MAX_WORDS) {
            out->off[out->n] = start;
            out->len[out->n] = i - start;
            out->n++;
        }
    }
    *pos = i < len ? i + 1 : len;
}

static int
word_is(const char *text, const struct line *l, size_t k, const char *w)
{
    size_t wl = strlen(w);

    return l->len[k] == wl && memcmp(text + l->off[k], w, wl) == 0;
}

/* Copies a word into a NUL-terminated buffer of MAX_WORD + 1 bytes;
 * fails for longer words and words holding a NUL. */
static int
word_copy(const char *w, size_t wl, char *buf)
{
    if (wl > MAX_WORD || memchr(w, '\0', wl) != NULL)
        return -1;
    memcpy(buf, w, wl);
    buf[wl] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ */
/* resolv.conf                                                         */
/* ------------------------------------------------------------------ */

/* A non-negative decimal integer; values over max are clamped. */
static int
parse_uint(const char *v, size_t vl, int max, int *out)
{
    long long acc = 0;

    if (v == NULL || vl == 0)
        return -1;
    for (size_t i = 0; i < vl; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        if (acc <= INT_MAX)
            acc = acc * 10 + (v[i] - '0');
    }
    *out = acc > max ? max : (int)acc;
    return 0;
}

/* Seconds with an optional fraction ("2", "2.5", ".5"), in milliseconds,
 * clamped to one hour. */
static int
parse_seconds_ms(const char *v, size_t vl, int *out)
{
    long long ms = 0, scale = 100;
    size_t i = 0;
    int digits = 0;

    if (v == NULL || vl == 0)
        return -1;
    for (; i < vl && v[i] >= '0' && v[i] <= '9'; i++, digits++)
        if (ms <= 3600000)
            ms = ms * 10 + (v[i] - '0') * 1000;
    if (i < vl && v[i] == '.') {
        for (i++; i < vl && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
            ms += (v[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i != vl || digits == 0)
        return -1;
    *out = ms > 3600000 ? 3600000 : (int)ms;
    return 0;
}

int
vg_dns_resolv_conf_option(struct vg_dns_resolv_conf *conf, const char *name,
                          size_t namelen, const char *val, size_t vallen)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {
        {"ndots", VG_DNS_OPT_NDOTS},
        {"timeout", VG_DNS_OPT_TIMEOUT},
        {"attempts", VG_DNS_OPT_ATTEMPTS},
        {"rotate", VG_DNS_OPT_ROTATE},
        {"max-timeouts", VG_DNS_OPT_MAX_TIMEOUTS},
        {"max-inflight", VG_DNS_OPT_MAX_INFLIGHT},
        {"randomize-case", VG_DNS_OPT_RANDOMIZE_CASE},
        {"initial-probe-timeout", VG_DNS_OPT_INITIAL_PROBE_TIMEOUT},
        {"getaddrinfo-allow-skew", VG_DNS_OPT_GETADDRINFO_ALLOW_SKEW},
        {"so-rcvbuf", VG_DNS_OPT_SO_RCVBUF},
        {"so-sndbuf", VG_DNS_OPT_SO_SNDBUF},
    };
    unsigned bit = 0;
    int v = 0, rc = -1;

    if (namelen > 0 && name[namelen - 1] == ':')
        namelen--;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strlen(known[i].name) == namelen &&
            memcmp(known[i].name, name, namelen) == 0)
            bit = known[i].bit;
    }
    switch (bit) {
    case VG_DNS_OPT_NDOTS:
        if ((rc = parse_uint(val, vallen, 15, &v)) == 0)
            conf->ndots = v;
        break;
    case VG_DNS_OPT_TIMEOUT:
        if ((rc = parse_seconds_ms(val, vallen, &v)) == 0)
            conf->timeout_ms = v;
        break;
    case VG_DNS_OPT_ATTEMPTS:
        if ((rc = parse_uint(val, vallen, 255, &v)) == 0)
            conf->attempts = v < 1 ? 1 : v;
        break;
    case VG_DNS_OPT_ROTATE:
        rc = 0;
        break;
    case VG_DNS_OPT_MAX_TIMEOUTS:
        if ((rc = parse_uint(val, vallen, 255, &v)) == 0)
            conf->max_timeouts = v;
        break;
    case VG_DNS_OPT_MAX_INFLIGHT:
        if ((rc = parse_uint(val, vallen, 65535, &v)) == 0)
            conf->max_inflight = v;
        break;
    case VG_DNS_OPT_RANDOMIZE_CASE:
        if ((rc = parse_uint(val, vallen, 1, &v)) == 0)
            conf->randomize_case = v;
        break;
    case VG_DNS_OPT_INITIAL_PROBE_TIMEOUT:
        if ((rc = parse_seconds_ms(val, vallen, &v)) == 0)
            conf->initial_probe_timeout_ms = v;
        break;
    case VG_DNS_OPT_GETADDRINFO_ALLOW_SKEW:
        if ((rc = parse_seconds_ms(val, vallen, &v)) == 0)
            conf->getaddrinfo_allow_skew_ms = v;
        break;
    case VG_DNS_OPT_SO_RCVBUF:
        if ((rc = parse_uint(val, vallen, INT_MAX, &v)) == 0)
            conf->so_rcvbuf = v;
        break;
    case VG_DNS_OPT_SO_SNDBUF:
        if ((rc = parse_uint(val, vallen, INT_MAX, &v)) == 0)
            conf->so_sndbuf = v;
        break;
    default:
        break;
    }
    if (rc != 0)
        return VG_DNS_ERR_FORMAT;
    conf->set |= bit;
    return 0;
}

static void
clear_search(struct vg_dns_resolv_conf *conf)
{
    for (int i = 0; i < conf->n_search; i++)
        vg_dns_free(conf->search[i]);
    conf->n_search = 0;
}

/* Adds a search domain if it is a valid name; VG_DNS_ERR_NOMEM only. */
static int
add_search(struct vg_dns_resolv_conf *conf, const char *w, size_t wl)
{
    char buf[MAX_WORD + 1];
    struct vg_dns_name name;
    char *copy;

    if (conf->n_search == VG_DNS_CONF_MAX_SEARCH || word_copy(w, wl, buf) ||
        vg_dns_name_from_text(buf, &name) != 0 || name.len <= 1)
        return 0;
    if ((copy = vg_dns_malloc(wl + 1)) == NULL)
        return VG_DNS_ERR_NOMEM;
    memcpy(copy, buf, wl + 1);
    conf->search[conf->n_search++] = copy;
    return 0;
}

static void
add_nameserver(struct vg_dns_resolv_conf *conf, const char *w, size_t wl)
{
    char buf[MAX_WORD + 1];
    struct vg_dns_nameserver *ns;
    int len = (int)sizeof(ns->addr);

    if (conf->n_ns == VG_DNS_CONF_MAX_NAMESERVERS || word_copy(w, wl, buf))
        return;
    ns = &conf->ns[conf->n_ns];
    memset(ns, 0, sizeof(*ns));
    if (evutil_parse_sockaddr_port(buf, (struct sockaddr *)&ns->addr, &len) !=
        0)
        return;
    if (ns->addr.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ns->addr;

        if (sin->sin_port == 0)
            sin->sin_port = htons(53);
    } else if (ns->addr.ss_family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ns->addr;

        if (sin6->sin6_port == 0)
            sin6->sin6_port = htons(53);
    } else {
        return;
    }
    ns->addrlen = (socklen_t)len;
    conf->n_ns++;
}

void
vg_dns_resolv_conf_free(struct vg_dns_resolv_conf *conf)
{
    if (conf == NULL)
        return;
    clear_search(conf);
    vg_dns_free(conf);
}

int
vg_dns_resolv_conf_parse(const char *text, size_t len,
                         struct vg_dns_resolv_conf **out)
{
    struct vg_dns_resolv_conf *conf = NULL;
    size_t pos = 0;
    int rc = 0;

    *out = NULL;
    if (len > VG_DNS_CONF_MAX_BYTES)
        return VG_DNS_ERR_TOO_LARGE;
    if ((conf = vg_dns_calloc(1, sizeof(*conf))) == NULL)
        return VG_DNS_ERR_NOMEM;
    /* resolv.conf(5)'s defaults. */
    conf->ndots = 1;
    conf->timeout_ms = 5000;
    conf->attempts = 2;
    while (pos < len) {
        struct line l;

        split_line(text, len, &pos, "#;", &l);
        if (l.n == 0)
            continue;
        if (word_is(text, &l, 0, "nameserver")) {
            if (l.n >= 2)
                add_nameserver(conf, text + l.off[1], l.len[1]);
        } else if (word_is(text, &l, 0, "domain") ||
                   word_is(text, &l, 0, "search")) {
            /* The last "domain" or "search" line wins; "domain" keeps only
             * its first word. */
            size_t last = word_is(text, &l, 0, "domain") && l.n > 2 ? 2 : l.n;

            clear_search(conf);
            conf->has_search = 1;
            for (size_t k = 1; k < last; k++)
                if ((rc = add_search(conf, text + l.off[k], l.len[k])) != 0)
                    goto done;
        } else if (word_is(text, &l, 0, "options")) {
            for (size_t k = 1; k < l.n; k++) {
                const char *w = text + l.off[k];
                const char *colon = memchr(w, ':', l.len[k]);
                size_t nl = colon ? (size_t)(colon - w) : l.len[k];

                (void)vg_dns_resolv_conf_option(conf, w, nl,
                                                colon ? colon + 1 : NULL,
                                                colon ? l.len[k] - nl - 1 : 0);
            }
        }
        /* Anything else (sortlist, unknown words) is ignored. */
    }
    *out = conf;
    conf = NULL;
done:
    vg_dns_resolv_conf_free(conf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* hosts                                                               */
/* ------------------------------------------------------------------ */

void
vg_dns_hosts_free(struct vg_dns_hosts *hosts)
{
    if (hosts == NULL)
        return;
    vg_dns_free(hosts->e);
    vg_dns_free(hosts->pool);
    vg_dns_free(hosts);
}

/* Makes room for one more entry. */
static int
grow(struct vg_dns_hosts *h, size_t *cap)
{
    struct vg_dns_host_entry *e;
    size_t ncap;

    if (h->n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 16;
    if (ncap > SIZE_MAX / sizeof(*e))
        return VG_DNS_ERR_NOMEM;
    if ((e = vg_dns_realloc(h->e, ncap * sizeof(*e))) == NULL)
        return VG_DNS_ERR_NOMEM;
    h->e = e;
    *cap = ncap;
    return 0;
}

int
vg_dns_hosts_parse(const char *text, size_t len, struct vg_dns_hosts **out)
{
    struct vg_dns_hosts *h = NULL;
    size_t pos = 0, pool_used = 0, cap = 0;
    int rc = 0;

    *out = NULL;
    if (len > VG_DNS_HOSTS_MAX_BYTES)
        return VG_DNS_ERR_TOO_LARGE;
    if ((h = vg_dns_calloc(1, sizeof(*h))) == NULL ||
        (h->pool = vg_dns_malloc(len + 1)) == NULL) {
        rc = VG_DNS_ERR_NOMEM;
        goto done;
    }
    while (pos < len) {
        char buf[MAX_WORD + 1];
        unsigned char addr[16];
        struct line l;
        int family;

        split_line(text, len, &pos, "#", &l);
        if (l.n < 2 || word_copy(text + l.off[0], l.len[0], buf) != 0)
            continue;
        family = memchr(buf, ':', l.len[0]) != NULL ? AF_INET6 : AF_INET;
        memset(addr, 0, sizeof(addr));
        if (evutil_inet_pton(family, buf, addr) != 1)
            continue;
        for (size_t k = 1; k < l.n; k++) {
            struct vg_dns_host_entry *e;
            struct vg_dns_name name;

            if (word_copy(text + l.off[k], l.len[k], buf) != 0 ||
                memchr(buf, '\\', l.len[k]) != NULL ||
                vg_dns_name_from_text(buf, &name) != 0 || name.len <= 1)
                continue;
            if ((rc = grow(h, &cap)) != 0)
                goto done;
            /* Each name was followed by a separator or the end in the
             * text, so names and their NULs never exceed len + 1. */
            e = &h->e[h->n++];
            e->family = family;
            memcpy(e->addr, addr, sizeof(addr));
            e->is_alias = k > 1;
            memcpy(h->pool + pool_used, buf, l.len[k] + 1);
            e->name = h->pool + pool_used;
            pool_used += l.len[k] + 1;
        }
    }
    *out = h;
    h = NULL;
done:
    vg_dns_hosts_free(h);
    return rc;
}

/* Length of s without one final '.'. */
static size_t
name_len_nodot(const char *s)
{
    size_t n = strlen(s);

    return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

const struct vg_dns_host_entry *
vg_dns_hosts_find(const struct vg_dns_hosts *hosts, const char *name,
                  int family, size_t *pos)
{
    size_t nl = name_len_nodot(name);

    for (size_t i = *pos; i < hosts->n; i++) {
        const struct vg_dns_host_entry *e = &hosts->e[i];

        if (family != AF_UNSPEC && e->family != family)
            continue;
        if (name_len_nodot(e->name) == nl &&
            evutil_ascii_strncasecmp(e->name, name, nl) == 0) {
            *pos = i + 1;
            return e;
        }
    }
    *pos = hosts->n;
    return NULL;
}
