/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * uri.c: URI references (RFC 3986): evhttp_uri_parse and
 * evhttp_uri_parse_with_flags, evhttp_uri_join, and each component's
 * getter and setter.
 *
 * The parser splits the text at the first ':' that ends a valid scheme,
 * the "//" that opens an authority, and the first '?' and '#'; then it
 * checks each component against RFC 3986's grammar.  The authority and
 * the scheme are always checked strictly; EVHTTP_URI_NONCONFORMANT
 * relaxes only the path, query and fragment, and even then Vigil refuses
 * control characters (libevent 2.1.12 takes them).  Ports above 65535
 * fail, as in libevent 2.1.12.
 *
 * A parsed URI is one allocation: the struct, then its components copied
 * one after another, each NUL-terminated.  A setter gives its component
 * an allocation of its own, freed when it is replaced or the URI is.
 */
#include <event2/http.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http-internal.h"

/* The components whose characters part_ok() checks. */
enum uri_part {
    PART_USERINFO,
    PART_REGNAME,
    PART_PATH,
    PART_QUERY,
    PART_FRAGMENT
};

/* The largest port a URI may carry when parsed. */
#define URI_PORT_MAX 65535

/* Nonzero when the n bytes at s are valid characters for part.  With
 * nonconformant set, the path, query and fragment take any byte but a
 * control character and the delimiters that would end them. */
static int
part_ok(const char *s, size_t n, enum uri_part part, int nonconformant)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (nonconformant && part >= PART_PATH) {
            if (vg_http_uri_is(c, VG_URI_CTL))
                return 0;
            if (part == PART_PATH && (c == '?' || c == '#'))
                return 0;
            if (part == PART_QUERY && c == '#')
                return 0;
            continue;
        }
        if (c == '%') {
            if (n - i < 3 ||
                !vg_http_uri_is((unsigned char)s[i + 1], VG_URI_HEX) ||
                !vg_http_uri_is((unsigned char)s[i + 2], VG_URI_HEX))
                return 0;
            i += 2;
            continue;
        }
        if (vg_http_uri_is(c, VG_URI_UNRESERVED | VG_URI_SUBDELIM))
            continue;
        switch (part) {
        case PART_USERINFO:
            if (c == ':')
                continue;
            return 0;
        case PART_REGNAME:
            return 0;
        case PART_PATH:
            if (vg_http_uri_is(c, VG_URI_PCHAR_PUNCT) || c == '/')
                continue;
            return 0;
        case PART_QUERY:
        case PART_FRAGMENT:
            if (vg_http_uri_is(c, VG_URI_PCHAR_PUNCT) || c == '/' || c == '?')
                continue;
            return 0;
        }
        return 0;
    }
    return 1;
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static int
scheme_ok(const char *s, size_t n)
{
    if (n == 0 || !vg_http_uri_is((unsigned char)s[0], VG_URI_ALPHA))
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (!vg_http_uri_is((unsigned char)s[i],
                            VG_URI_ALPHA | VG_URI_DIGIT | VG_URI_SCHEME_PUNCT))
            return 0;
    }
    return 1;
}

/* IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, where
 * a dec-octet is 0-255 without leading zeros. */
static int
ipv4_ok(const char *s, size_t n)
{
    size_t i = 0;

    for (int octet = 0; octet < 4; octet++) {
        size_t start = i;
        unsigned v = 0;

        if (octet > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            start = ++i;
        }
        while (i < n && vg_http_uri_is((unsigned char)s[i], VG_URI_DIGIT) &&
               i - start < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
    }
    return i == n;
}

/* IPv6address of RFC 3986: eight groups of one to four hex digits, the
 * last two of which may be an IPv4 address, with at most one "::"
 * standing for one or more zero groups. */
static int
ipv6_ok(const char *s, size_t n)
{
    size_t i = 0;
    int groups = 0;
    int compressed = 0;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = 1;
        i = 2;
        if (i == n)
            return 1;
    }
    for (;;) {
        const char *colon = memchr(s + i, ':', n - i);
        size_t tok_end = colon != NULL ? (size_t)(colon - s) : n;
        size_t tok_len = tok_end - i;

        if (memchr(s + i, '.', tok_len) != NULL) {
            /* An IPv4 address ends the address. */
            if (tok_end != n || !ipv4_ok(s + i, tok_len))
                return 0;
            groups += 2;
            break;
        }
        if (tok_len < 1 || tok_len > 4)
            return 0;
        for (size_t k = i; k < tok_end; k++) {
            if (!vg_http_uri_is((unsigned char)s[k], VG_URI_HEX))
                return 0;
        }
        groups++;
        i = tok_end;
        if (i == n)
            break;
        i++; /* the ':' */
        if (i < n && s[i] == ':') {
            if (compressed)
                return 0;
            compressed = 1;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return 0; /* a single trailing ':' */
        }
        if (groups > 8)
            return 0;
    }
    return compressed ? groups <= 7 : groups == 8;
}

/* IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ); the
 * "v" is case-insensitive, as every ABNF literal is. */
static int
ipvfuture_ok(const char *s, size_t n)
{
    size_t i = 1;

    if (n < 4 || (s[0] != 'v' && s[0] != 'V'))
        return 0;
    while (i < n && vg_http_uri_is((unsigned char)s[i], VG_URI_HEX))
        i++;
    if (i == 1 || i >= n || s[i] != '.')
        return 0;
    i++;
    if (i == n)
        return 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!vg_http_uri_is(c, VG_URI_UNRESERVED | VG_URI_SUBDELIM) && c != ':')
            return 0;
    }
    return 1;
}

/* host = IP-literal / IPv4address / reg-name, the IPv4 form being a
 * reg-name as far as the characters go. */
static int
host_ok(const char *s, size_t n)
{
    if (n > 0 && s[0] == '[') {
        if (n < 2 || s[n - 1] != ']')
            return 0;
        return ipv6_ok(s + 1, n - 2) || ipvfuture_ok(s + 1, n - 2);
    }
    return part_ok(s, n, PART_REGNAME, 0);
}

/* Nonzero when the path's first segment has no ':', which a path without
 * a scheme or an authority needs (path-noscheme), lest it read as a
 * scheme. */
static int
first_segment_colon_free(const char *path)
{
    size_t seg = strcspn(path, "/");

    return memchr(path, ':', seg) == NULL;
}

/* Nonzero when p is a component that lives in uri's parsed block. */
static int
in_block(const struct evhttp_uri *uri, const char *p)
{
    uintptr_t a = (uintptr_t)p;
    uintptr_t b = (uintptr_t)uri->text;

    return uri->text != NULL && a >= b && a - b < uri->text_len;
}

/* Frees a component unless it lives in the parsed block. */
static void
component_free(const struct evhttp_uri *uri, char *p)
{
    if (p != NULL && !in_block(uri, p))
        vg_http_free(p);
}

/* Replaces *slot with a copy of value (or NULL). */
static int
component_set(struct evhttp_uri *uri, char **slot, const char *value)
{
    char *copy = NULL;

    if (value != NULL) {
        copy = vg_http_strndup(value, strlen(value));
        if (copy == NULL)
            return -1;
    }
    component_free(uri, *slot);
    *slot = copy;
    return 0;
}

struct evhttp_uri *
evhttp_uri_new(void)
{
    struct evhttp_uri *uri = vg_http_calloc(1, sizeof(*uri));

    if (uri != NULL)
        uri->port = -1;
    return uri;
}

void
evhttp_uri_set_flags(struct evhttp_uri *uri, unsigned flags)
{
    if (uri != NULL)
        uri->flags = flags;
}

void
evhttp_uri_free(struct evhttp_uri *uri)
{
    if (uri == NULL)
        return;
    component_free(uri, uri->scheme);
    component_free(uri, uri->userinfo);
    component_free(uri, uri->host);
    component_free(uri, uri->path);
    component_free(uri, uri->query);
    component_free(uri, uri->fragment);
    vg_http_free(uri);
}

/* Copies the n bytes at s to *cursor, NUL-terminated, and returns where
 * they went; *cursor moves past the NUL. */
static char *
block_put(char **cursor, const char *s, size_t n)
{
    char *out = *cursor;

    memcpy(out, s, n);
    out[n] = '\0';
    *cursor = out + n + 1;
    return out;
}

/* Parses authority = [ userinfo "@" ] host [ ":" port ] from the n bytes
 * at s into uri, copying components to *cursor.  Returns 0 or -1. */
static int
parse_authority(struct evhttp_uri *uri, const char *s, size_t n, char **cursor)
{
    const char *at = memchr(s, '@', n);
    const char *host = s;
    const char *end = s + n;
    const char *host_end;

    if (at != NULL) {
        if (!part_ok(s, (size_t)(at - s), PART_USERINFO, 0))
            return -1;
        uri->userinfo = block_put(cursor, s, (size_t)(at - s));
        host = at + 1;
    }
    if (host < end && *host == '[') {
        const char *rb = memchr(host, ']', (size_t)(end - host));

        if (rb == NULL)
            return -1;
        host_end = rb + 1;
        if (host_end < end && *host_end != ':')
            return -1;
    } else {
        host_end = memchr(host, ':', (size_t)(end - host));
        if (host_end == NULL)
            host_end = end;
    }
    if (!host_ok(host, (size_t)(host_end - host)))
        return -1;
    uri->host = block_put(cursor, host, (size_t)(host_end - host));

    /* port = *DIGIT; an empty port is no port. */
    if (host_end < end) {
        long port = 0;

        for (const char *p = host_end + 1; p < end; p++) {
            if (!vg_http_uri_is((unsigned char)*p, VG_URI_DIGIT))
                return -1;
            port = port * 10 + (*p - '0');
            if (port > URI_PORT_MAX)
                return -1;
        }
        if (host_end + 1 < end)
            uri->port = (int)port;
    }
    return 0;
}

struct evhttp_uri *
evhttp_uri_parse_with_flags(const char *source_uri, unsigned flags)
{
    int nonconf = (flags & EVHTTP_URI_NONCONFORMANT) != 0;
    struct evhttp_uri *uri = NULL;
    const char *p, *end, *stop;
    size_t len;
    char *cursor;
    int ok = 0;

    if (source_uri == NULL) {
        errno = EINVAL;
        goto done;
    }
    len = strlen(source_uri);
    /* The struct, the text, and one NUL for each of the 7 components. */
    if (len > SIZE_MAX - sizeof(*uri) - 8) {
        errno = ENOMEM;
        goto done;
    }
    uri = vg_http_malloc(sizeof(*uri) + len + 8);
    if (uri == NULL)
        goto done;
    memset(uri, 0, sizeof(*uri));
    uri->flags = flags;
    uri->port = -1;
    uri->text = (char *)(uri + 1);
    uri->text_len = len + 8;
    cursor = uri->text;
    p = source_uri;
    end = source_uri + len;

    /* A scheme is the text before the first ':' if all of it is valid
     * scheme characters; otherwise the reference is relative. */
    if (vg_http_uri_is((unsigned char)*p, VG_URI_ALPHA)) {
        const char *q = p + 1;

        while (vg_http_uri_is((unsigned char)*q, VG_URI_ALPHA | VG_URI_DIGIT |
                                                     VG_URI_SCHEME_PUNCT))
            q++;
        if (*q == ':') {
            uri->scheme = block_put(&cursor, p, (size_t)(q - p));
            p = q + 1;
        }
    }

    /* "//" authority, up to the next '/', '?' or '#'. */
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        stop = p + strcspn(p, "/?#");
        if (parse_authority(uri, p, (size_t)(stop - p), &cursor) != 0)
            goto done;
        p = stop;
    }

    /* The path, up to '?' or '#': always present, perhaps empty. */
    stop = p + strcspn(p, "?#");
    if (!part_ok(p, (size_t)(stop - p), PART_PATH, nonconf))
        goto done;
    uri->path = block_put(&cursor, p, (size_t)(stop - p));
    if (uri->scheme == NULL && uri->host == NULL &&
        !first_segment_colon_free(uri->path))
        goto done;
    p = stop;

    if (*p == '?') {
        p++;
        stop = p + strcspn(p, "#");
        if (!part_ok(p, (size_t)(stop - p), PART_QUERY, nonconf))
            goto done;
        uri->query = block_put(&cursor, p, (size_t)(stop - p));
        p = stop;
    }
    if (*p == '#') {
        p++;
        if (!part_ok(p, (size_t)(end - p), PART_FRAGMENT, nonconf))
            goto done;
        uri->fragment = block_put(&cursor, p, (size_t)(end - p));
    }
    ok = 1;
done:
    if (!ok && uri != NULL) {
        vg_http_free(uri);
        uri = NULL;
    }
    return uri;
}

struct evhttp_uri *
evhttp_uri_parse(const char *source_uri)
{
    return evhttp_uri_parse_with_flags(source_uri, 0);
}

const char *
evhttp_uri_get_scheme(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->scheme : NULL;
}

const char *
evhttp_uri_get_userinfo(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->userinfo : NULL;
}

const char *
evhttp_uri_get_host(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->host : NULL;
}

int
evhttp_uri_get_port(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->port : -1;
}

const char *
evhttp_uri_get_path(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->path : NULL;
}

const char *
evhttp_uri_get_query(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->query : NULL;
}

const char *
evhttp_uri_get_fragment(const struct evhttp_uri *uri)
{
    return uri != NULL ? uri->fragment : NULL;
}

int
evhttp_uri_set_scheme(struct evhttp_uri *uri, const char *scheme)
{
    if (uri == NULL || (scheme != NULL && !scheme_ok(scheme, strlen(scheme))))
        return -1;
    return component_set(uri, &uri->scheme, scheme);
}

int
evhttp_uri_set_userinfo(struct evhttp_uri *uri, const char *userinfo)
{
    if (uri == NULL || (userinfo != NULL &&
                        !part_ok(userinfo, strlen(userinfo), PART_USERINFO, 0)))
        return -1;
    return component_set(uri, &uri->userinfo, userinfo);
}

int
evhttp_uri_set_host(struct evhttp_uri *uri, const char *host)
{
    if (uri == NULL || (host != NULL && !host_ok(host, strlen(host))))
        return -1;
    return component_set(uri, &uri->host, host);
}

int
evhttp_uri_set_port(struct evhttp_uri *uri, int port)
{
    if (uri == NULL || port < -1)
        return -1;
    uri->port = port;
    return 0;
}

int
evhttp_uri_set_path(struct evhttp_uri *uri, const char *path)
{
    if (uri == NULL || (path != NULL &&
                        !part_ok(path, strlen(path), PART_PATH,
                                 (uri->flags & EVHTTP_URI_NONCONFORMANT) != 0)))
        return -1;
    return component_set(uri, &uri->path, path);
}

int
evhttp_uri_set_query(struct evhttp_uri *uri, const char *query)
{
    if (uri == NULL || (query != NULL &&
                        !part_ok(query, strlen(query), PART_QUERY,
                                 (uri->flags & EVHTTP_URI_NONCONFORMANT) != 0)))
        return -1;
    return component_set(uri, &uri->query, query);
}

int
evhttp_uri_set_fragment(struct evhttp_uri *uri, const char *fragment)
{
    if (uri == NULL || (fragment != NULL &&
                        !part_ok(fragment, strlen(fragment), PART_FRAGMENT,
                                 (uri->flags & EVHTTP_URI_NONCONFORMANT) != 0)))
        return -1;
    return component_set(uri, &uri->fragment, fragment);
}

/* Appends the n bytes at s at *o in buf (whose room was checked). */
static void
join_put(char *buf, size_t *o, const char *s, size_t n)
{
    memcpy(buf + *o, s, n);
    *o += n;
}

char *
evhttp_uri_join(struct evhttp_uri *uri, char *buf, size_t limit)
{
    char port[16] = "";
    size_t scheme_len = 0, userinfo_len = 0, host_len = 0, port_len = 0;
    size_t path_len = 0, query_len = 0, fragment_len = 0;
    size_t need, o = 0;
    const char *path;

    if (uri == NULL || buf == NULL || limit == 0)
        return NULL;
    path = uri->path != NULL ? uri->path : "";

    /* Components that cannot be written so that they read back the
     * same: an authority followed by a relative path (libevent 2.1
     * refuses it too), and, without an authority, a path that would read
     * as one ("//x") or whose first segment would read as a scheme. */
    if (uri->host != NULL && path[0] != '\0' && path[0] != '/')
        return NULL;
    if (uri->host == NULL && path[0] == '/' && path[1] == '/')
        return NULL;
    if (uri->host == NULL && uri->scheme == NULL &&
        !first_segment_colon_free(path))
        return NULL;

    if (uri->scheme != NULL)
        scheme_len = strlen(uri->scheme) + 1;
    if (uri->host != NULL) {
        host_len = 2 + strlen(uri->host);
        if (uri->userinfo != NULL)
            userinfo_len = strlen(uri->userinfo) + 1;
        if (uri->port >= 0)
            port_len = (size_t)snprintf(port, sizeof(port), ":%d", uri->port);
    }
    path_len = strlen(path);
    if (uri->query != NULL)
        query_len = 1 + strlen(uri->query);
    if (uri->fragment != NULL)
        fragment_len = 1 + strlen(uri->fragment);
    /* Each length is that of a string in memory: the sum cannot wrap. */
    need = scheme_len + userinfo_len + host_len + port_len + path_len +
           query_len + fragment_len;
    if (need >= limit)
        return NULL;

    if (uri->scheme != NULL) {
        join_put(buf, &o, uri->scheme, scheme_len - 1);
        buf[o++] = ':';
    }
    if (uri->host != NULL) {
        join_put(buf, &o, "//", 2);
        if (uri->userinfo != NULL) {
            join_put(buf, &o, uri->userinfo, userinfo_len - 1);
            buf[o++] = '@';
        }
        join_put(buf, &o, uri->host, host_len - 2);
        join_put(buf, &o, port, port_len);
    }
    join_put(buf, &o, path, path_len);
    if (uri->query != NULL) {
        buf[o++] = '?';
        join_put(buf, &o, uri->query, query_len - 1);
    }
    if (uri->fragment != NULL) {
        buf[o++] = '#';
        join_put(buf, &o, uri->fragment, fragment_len - 1);
    }
    buf[o] = '\0';
    return buf;
}
