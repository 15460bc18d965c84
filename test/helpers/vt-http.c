/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-http.c: the raw HTTP client and response parser of vt-http.h.
 */
#include "vt-http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
vt_http_client_open(struct vt_http_client *c, const struct sockaddr_in *addr)
{
    memset(c, 0, sizeof(*c));
    c->done[0] = c->done[1] = -1;
    if (pipe2(c->done, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    c->fd = vt_tcp_connect(addr);
    if (c->fd < 0) {
        int saved = errno;

        close(c->done[0]);
        close(c->done[1]);
        c->done[0] = c->done[1] = -1;
        errno = saved;
        return -1;
    }
    return 0;
}

static int
append(struct vt_http_client *c, const char *p, size_t n)
{
    if (c->in_len + n + 1 > c->in_cap) {
        size_t cap = c->in_cap ? c->in_cap : 4096;
        char *in;

        while (cap < c->in_len + n + 1)
            cap *= 2;
        in = realloc(c->in, cap);
        if (in == NULL)
            return -1;
        c->in = in;
        c->in_cap = cap;
    }
    memcpy(c->in + c->in_len, p, n);
    c->in_len += n;
    c->in[c->in_len] = '\0';
    return 0;
}

/* Complete responses in the input from offset on. */
static int
count_responses(const struct vt_http_client *c, size_t offset)
{
    int n = 0;

    while (offset < c->in_len) {
        struct vt_http_response r;

        if (vt_http_parse_response(c->in + offset, c->in_len - offset, c->eof,
                                   c->head, &r) != 1)
            break;
        offset += r.wire_len;
        vt_http_response_free(&r);
        n++;
    }
    return n;
}

static void
send_all(struct vt_http_client *c)
{
    size_t sent = 0;

    while (sent < c->out_len) {
        ssize_t k = send(c->fd, c->out + sent, c->out_len - sent, MSG_NOSIGNAL);

        if (k < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        sent += (size_t)k;
    }
}

static void
read_job(struct vt_http_client *c)
{
    double start = now_seconds();
    double deadline = start + c->timeout;
    size_t offset = c->in_len;

    for (;;) {
        char buf[4096];
        double left = deadline - now_seconds();
        struct timeval tv;
        ssize_t k;

        if (c->mode == VT_HTTP_READ_RESPONSES &&
            count_responses(c, offset) >= c->want)
            break;
        if (left <= 0) {
            c->timed_out = 1;
            break;
        }
        tv.tv_sec = (time_t)left;
        tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
        if (tv.tv_sec == 0 && tv.tv_usec == 0)
            tv.tv_usec = 1;
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        k = recv(c->fd, buf, sizeof(buf), 0);
        if (k > 0) {
            if (append(c, buf, (size_t)k) < 0)
                break;
            continue;
        }
        if (k == 0) {
            c->eof = 1;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            continue; /* the deadline check ends it */
        if (errno == ECONNRESET)
            c->reset = 1;
        break;
    }
    c->elapsed = now_seconds() - start;
}

static void *
job_main(void *arg)
{
    struct vt_http_client *c = arg;
    char one = 1;

    if (c->start_delay > 0) {
        struct timespec ts = {c->start_delay / 1000,
                              (long)(c->start_delay % 1000) * 1000000L};

        nanosleep(&ts, NULL);
    }
    send_all(c);
    if (c->shut_wr)
        shutdown(c->fd, SHUT_WR);
    if (c->close_after_send) {
        close(c->fd);
        c->fd = -1;
    } else if (c->mode != VT_HTTP_READ_NOTHING) {
        read_job(c);
    }
    while (write(c->done[1], &one, 1) < 0 && errno == EINTR)
        continue;
    return NULL;
}

int
vt_http_client_start(struct vt_http_client *c, const char *out, size_t out_len,
                     enum vt_http_read mode, int want, double timeout)
{
    if (c->running || c->fd < 0)
        return -1;
    c->out = out;
    c->out_len = out_len;
    c->mode = mode;
    c->want = want;
    c->timeout = timeout;
    c->timed_out = 0;
    c->reset = 0;
    c->elapsed = 0;
    if (pthread_create(&c->thread, NULL, job_main, c) != 0)
        return -1;
    c->running = 1;
    return 0;
}

void
vt_http_client_join(struct vt_http_client *c)
{
    char b[16];

    if (!c->running)
        return;
    pthread_join(c->thread, NULL);
    c->running = 0;
    while (read(c->done[0], b, sizeof(b)) > 0)
        continue;
    c->shut_wr = 0;
    c->close_after_send = 0;
    c->start_delay = 0;
}

void
vt_http_client_close(struct vt_http_client *c)
{
    vt_http_client_join(c);
    if (c->fd >= 0)
        close(c->fd);
    if (c->done[0] >= 0)
        close(c->done[0]);
    if (c->done[1] >= 0)
        close(c->done[1]);
    c->fd = c->done[0] = c->done[1] = -1;
    free(c->in);
    c->in = NULL;
    c->in_len = c->in_cap = 0;
}

/* The end of the CRLF-terminated line starting at p (pointing at the CR),
 * or NULL if the line is not complete or has a bare CR or LF. */
static const char *
line_end(const char *p, const char *end)
{
    for (const char *q = p; q < end; q++) {
        if (*q == '\n')
            return NULL;
        if (*q == '\r')
            return q + 1 < end && q[1] == '\n' ? q : NULL;
    }
    return NULL;
}

static int
parse_head(const char *buf, size_t len, struct vt_http_response *r,
           size_t *head_len)
{
    const char *end = buf + len;
    const char *p = buf, *eol;
    char *s;

    /* Find the blank line first: without it the head is incomplete. */
    const char *blank = NULL;
    for (size_t i = 0; i + 3 < len; i++) {
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            blank = buf + i;
            break;
        }
    }
    if (blank == NULL)
        return 0;
    *head_len = (size_t)(blank - buf) + 4;
    r->store = malloc(*head_len + 1);
    if (r->store == NULL)
        return -1;
    memcpy(r->store, buf, *head_len);
    r->store[*head_len] = '\0';
    s = r->store;
    end = buf + *head_len;

    eol = line_end(p, end);
    /* "HTTP/x.y NNN" then " reason" or nothing. */
    if (eol == NULL || eol - p < 12 || memcmp(p, "HTTP/", 5) != 0 ||
        p[6] != '.' || p[8] != ' ' || (eol - p > 12 && p[12] != ' '))
        return -1;
    r->major = p[5] - '0';
    r->minor = p[7] - '0';
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    r->reason = eol - p > 12 ? s + 13 : s + 12;
    s[eol - buf] = '\0';
    p = eol + 2;
    while (p < blank + 2) {
        const char *colon;
        size_t off = (size_t)(p - buf);

        eol = line_end(p, end);
        if (eol == NULL || r->nheaders == VT_HTTP_MAX_HEADERS)
            return -1;
        colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL || colon == p)
            return -1;
        s[colon - buf] = '\0';
        s[eol - buf] = '\0';
        r->names[r->nheaders] = s + off;
        off = (size_t)(colon - buf) + 1;
        while (s[off] == ' ' || s[off] == '\t')
            off++;
        /* Trailing whitespace is not part of the value. */
        for (size_t e = (size_t)(eol - buf);
             e > off && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
            s[e - 1] = '\0';
        r->values[r->nheaders++] = s + off;
        p = eol + 2;
    }
    return 1;
}

static int
set_body(struct vt_http_response *r, const char *p, size_t n)
{
    char *body = malloc(n + 1);

    if (body == NULL)
        return -1;
    memcpy(body, p, n);
    body[n] = '\0';
    r->body = body;
    r->body_len = n;
    return 0;
}

/* Decodes a chunked body at p: 1, 0 (incomplete) or -1. */
static int
parse_chunked(const char *p, const char *end, struct vt_http_response *r,
              size_t *used)
{
    const char *start = p;
    char *body = NULL;
    size_t n = 0;

    for (;;) {
        const char *eol = line_end(p, end);
        unsigned long size;
        char *stop;

        if (eol == NULL)
            goto incomplete;
        size = strtoul(p, &stop, 16);
        if (stop == p || (stop != eol && *stop != ';'))
            goto bad;
        p = eol + 2;
        if (size == 0) {
            /* Trailers, then the blank line. */
            for (;;) {
                eol = line_end(p, end);
                if (eol == NULL)
                    goto incomplete;
                if (eol == p) {
                    p += 2;
                    break;
                }
                p = eol + 2;
            }
            break;
        }
        if ((size_t)(end - p) < size + 2)
            goto incomplete;
        if (p[size] != '\r' || p[size + 1] != '\n')
            goto bad;
        char *grown = realloc(body, n + size + 1);
        if (grown == NULL)
            goto bad;
        body = grown;
        memcpy(body + n, p, size);
        n += size;
        p += size + 2;
    }
    if (body == NULL && (body = malloc(1)) == NULL)
        return -1;
    body[n] = '\0';
    r->body = body;
    r->body_len = n;
    *used = (size_t)(p - start);
    return 1;
incomplete:
    free(body);
    return 0;
bad:
    free(body);
    return -1;
}

int
vt_http_parse_response(const char *buf, size_t len, int at_eof, int head,
                       struct vt_http_response *r)
{
    size_t head_len = 0, used = 0;
    const char *te, *cl;
    int rc;

    memset(r, 0, sizeof(*r));
    rc = parse_head(buf, len, r, &head_len);
    if (rc != 1)
        goto fail;
    te = vt_http_header(r, "Transfer-Encoding");
    cl = vt_http_header(r, "Content-Length");
    if (head || r->status / 100 == 1 || r->status == 204 || r->status == 304) {
        rc = set_body(r, "", 0) < 0 ? -1 : 1;
    } else if (te != NULL && strcasecmp(te, "chunked") == 0) {
        r->chunked = 1;
        rc = parse_chunked(buf + head_len, buf + len, r, &used);
    } else if (cl != NULL) {
        char *stop;
        unsigned long n = strtoul(cl, &stop, 10);

        if (*cl == '\0' || *stop != '\0')
            rc = -1;
        else if (len - head_len < n)
            rc = 0;
        else
            rc = set_body(r, buf + head_len, n) < 0 ? -1 : 1;
        used = n;
    } else if (at_eof) {
        used = len - head_len;
        rc = set_body(r, buf + head_len, used) < 0 ? -1 : 1;
    } else {
        rc = 0;
    }
    if (rc != 1)
        goto fail;
    r->wire_len = head_len + used;
    return 1;
fail:
    vt_http_response_free(r);
    return rc;
}

int
vt_http_client_response(const struct vt_http_client *c, int index,
                        struct vt_http_response *r)
{
    size_t offset = 0;

    for (int i = 0;; i++) {
        if (offset >= c->in_len ||
            vt_http_parse_response(c->in + offset, c->in_len - offset, c->eof,
                                   c->head, r) != 1)
            return 0;
        if (i == index)
            return 1;
        offset += r->wire_len;
        vt_http_response_free(r);
    }
}

const char *
vt_http_header(const struct vt_http_response *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->names[i], name) == 0)
            return r->values[i];
    }
    return NULL;
}

int
vt_http_header_count(const struct vt_http_response *r, const char *name)
{
    int n = 0;

    for (int i = 0; i < r->nheaders; i++)
        n += strcasecmp(r->names[i], name) == 0;
    return n;
}

void
vt_http_response_free(struct vt_http_response *r)
{
    free(r->store);
    free((char *)r->body);
    r->store = NULL;
    r->body = NULL;
}
