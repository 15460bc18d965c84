/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-transcript.h: runs src/extra/http's message parser over an input
 * cut into pieces and writes what it reported as one line of text, so
 * that a test can compare the runs of one input split in different ways
 * (they must be identical) and compare a run with a golden transcript.
 * Shared by the fuzz targets and unit.http_parser; the includer defines
 * HT_CHECK(cond), which must stop the program or the test when cond is
 * false.
 *
 * The transcript is a list of events joined by "; ":
 *   H GET /x 1.1 [Name=value]... framing      a request head
 *   H 1.1 200 (OK) [Name=value]... framing    a response head
 *   B bytes                                   body (runs merged; bytes
 *                                             outside ' '..'~' as \xNN)
 *   D                                         the message is done
 *   E NAME                                    an error (VG_HTTP_ERR_NAME)
 *   end                                       a clean end of stream
 * framing is none, len=N, chunked or eof, followed by " te-other" when
 * VG_HTTP_HEAD_TE_OTHER is set.  After the input, the run calls
 * vg_http_parser_finish(), whose D, E or end closes the transcript.
 *
 * While it runs, the parser's contract is checked on every call: each
 * piece is fed from a heap block of exactly its size (so the sanitizers
 * see any read past it), consumed never passes the input, NEED_MORE
 * consumes everything, a body span is never empty and is the last bytes
 * consumed, and the head's strings have their stated lengths.
 */
#ifndef VIGIL_HTTP_TRANSCRIPT_H
#define VIGIL_HTTP_TRANSCRIPT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http-parser-internal.h"

struct ht_buf {
    char *s;
    size_t len, cap;
};

static void
ht_add(struct ht_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n) {
        size_t cap = b->cap ? b->cap : 256;

        while (cap - b->len <= n)
            cap *= 2;
        b->s = realloc(b->s, cap);
        HT_CHECK(b->s != NULL);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void ht_addf(struct ht_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ht_addf(struct ht_buf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    HT_CHECK(n >= 0 && (size_t)n < sizeof(tmp));
    ht_add(b, tmp, (size_t)n);
}

static void
ht_add_escaped(struct ht_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch >= ' ' && ch <= '~' && ch != '\\')
            ht_add(b, s + i, 1);
        else
            ht_addf(b, "\\x%02x", ch);
    }
}

static const char *
ht_errname(int err)
{
    static const char *const names[] = {"OK",
                                        "START_LINE",
                                        "METHOD",
                                        "TARGET",
                                        "VERSION",
                                        "STATUS",
                                        "NUL",
                                        "BARE_CR",
                                        "OBS_FOLD",
                                        "FIELD_NAME",
                                        "SPACE_BEFORE_COLON",
                                        "FIELD_VALUE",
                                        "LINE_TOO_LONG",
                                        "TOO_MANY_FIELDS",
                                        "HEAD_TOO_LARGE",
                                        "BODY_TOO_LARGE",
                                        "CONTENT_LENGTH",
                                        "CL_MISMATCH",
                                        "TE_AND_CL",
                                        "TE",
                                        "CHUNK_SIZE",
                                        "CHUNK_EXT",
                                        "CHUNK_LINE_TOO_LONG",
                                        "CHUNK_CRLF",
                                        "TRAILERS_TOO_LARGE",
                                        "EOF",
                                        "NOMEM",
                                        "INVALID"};

    HT_CHECK(err <= 0 && -err < (int)(sizeof(names) / sizeof(names[0])));
    return names[-err];
}

/* Checks that the string at offset off of h->buf has length len. */
static void
ht_check_string(const struct vg_http_head *h, uint32_t off, uint32_t len)
{
    HT_CHECK(strlen(h->buf + off) == len);
}

static void
ht_head(struct ht_buf *b, const struct vg_http_head *h, enum vg_http_kind k)
{
    static const char *const framing[] = {"none", "len=", "chunked", "eof"};

    if (k == VG_HTTP_REQUEST) {
        ht_check_string(h, h->method, h->method_len);
        ht_check_string(h, h->target, h->target_len);
        ht_add(b, "H ", 2);
        ht_add_escaped(b, h->buf + h->method, h->method_len);
        ht_add(b, " ", 1);
        ht_add_escaped(b, h->buf + h->target, h->target_len);
        ht_addf(b, " %d.%d", h->major, h->minor);
    } else {
        ht_check_string(h, h->reason, h->reason_len);
        HT_CHECK(h->status >= 100 && h->status <= 599);
        ht_addf(b, "H %d.%d %d (", h->major, h->minor, h->status);
        ht_add_escaped(b, h->buf + h->reason, h->reason_len);
        ht_add(b, ")", 1);
    }
    for (size_t i = 0; i < h->nfields; i++) {
        const struct vg_http_field *f = &h->fields[i];

        ht_check_string(h, f->name, f->name_len);
        ht_check_string(h, f->value, f->value_len);
        ht_add(b, " [", 2);
        ht_add_escaped(b, h->buf + f->name, f->name_len);
        ht_add(b, "=", 1);
        ht_add_escaped(b, h->buf + f->value, f->value_len);
        ht_add(b, "]", 1);
    }
    HT_CHECK((unsigned)h->framing < 4);
    ht_addf(b, " %s", framing[h->framing]);
    if (h->framing == VG_HTTP_BODY_LENGTH)
        ht_addf(b, "%llu", (unsigned long long)h->content_length);
    if (h->flags & VG_HTTP_HEAD_TE_OTHER)
        ht_add(b, " te-other", 9);
}

struct ht_opts {
    enum vg_http_kind kind;
    const struct vg_http_limits *lim; /* NULL: the defaults */
    int no_body;                      /* set_no_body after each head */
};

/* Body bytes not yet written (runs of BODY events are merged). */
static void
ht_flush_body(struct ht_buf *t, struct ht_buf *body)
{
    if (body->len == 0)
        return;
    ht_add(t, "B ", 2);
    ht_add_escaped(t, body->s, body->len);
    ht_add(t, "; ", 2);
    body->len = 0;
}

/* Reports one event; returns 1 to go on, 0 after an error. */
static int
ht_event(struct ht_buf *t, struct ht_buf *body, struct vg_http_parser *p,
         const struct ht_opts *o, int rc, const struct vg_http_span *span)
{
    if (rc == VG_HTTP_EV_BODY) {
        HT_CHECK(span->len > 0);
        ht_add(body, span->data, span->len);
        return 1;
    }
    ht_flush_body(t, body);
    if (rc == VG_HTTP_EV_HEAD) {
        ht_head(t, &p->head, o->kind);
        ht_add(t, "; ", 2);
        if (o->no_body)
            HT_CHECK(vg_http_parser_set_no_body(p) == 0);
    } else if (rc == VG_HTTP_EV_DONE) {
        ht_add(t, "D; ", 3);
    } else if (rc < 0) {
        ht_addf(t, "E %s", ht_errname(rc));
        return 0;
    }
    return 1;
}

/* Feeds piece [off, off + n) of in from an exact-size heap copy. */
static int
ht_piece(struct ht_buf *t, struct ht_buf *body, struct vg_http_parser *p,
         const struct ht_opts *o, const char *in, size_t n)
{
    char *copy = malloc(n ? n : 1);
    size_t at = 0;
    int go = 1;

    HT_CHECK(copy != NULL);
    if (n > 0)
        memcpy(copy, in, n);
    for (;;) {
        struct vg_http_span span;
        size_t used = (size_t)-1;
        int rc = vg_http_parse(p, copy + at, n - at, &used, &span);

        HT_CHECK(used <= n - at);
        if (rc == VG_HTTP_EV_BODY) {
            HT_CHECK(span.data + span.len == copy + at + used);
            HT_CHECK(span.len <= used);
        } else {
            HT_CHECK(span.len == 0);
        }
        if (rc == VG_HTTP_NEED_MORE)
            HT_CHECK(used == n - at);
        at += used;
        if (rc == VG_HTTP_NEED_MORE)
            break;
        if (!ht_event(t, body, p, o, rc, &span)) {
            /* Errors are sticky. */
            HT_CHECK(vg_http_parse(p, copy, n, &used, &span) == rc);
            HT_CHECK(used == 0);
            go = 0;
            break;
        }
    }
    free(copy);
    return go;
}

/* Runs the parser over in, cut every step bytes (step > 0), or in two at
 * cut (0 < cut < len), or whole.  Returns the transcript (free it). */
static char *
ht_run(const struct ht_opts *o, const char *in, size_t len, size_t step,
       size_t cut)
{
    struct vg_http_parser p;
    struct ht_buf t = {NULL, 0, 0}, body = {NULL, 0, 0};
    size_t off = 0;
    int go = 1;

    ht_add(&t, "", 0);
    vg_http_parser_init(&p, o->kind, o->lim);
    while (go && off < len) {
        size_t n = len - off;

        if (step > 0 && n > step)
            n = step;
        else if (step == 0 && cut > off && cut < len)
            n = cut - off;
        go = ht_piece(&t, &body, &p, o, in + off, n);
        off += n;
    }
    if (go && len == 0)
        go = ht_piece(&t, &body, &p, o, in, 0);
    if (go) {
        int rc = vg_http_parser_finish(&p);

        if (rc == VG_HTTP_NEED_MORE) {
            ht_flush_body(&t, &body);
            ht_add(&t, "end", 3);
        } else {
            ht_event(&t, &body, &p, o, rc, NULL);
            if (rc == VG_HTTP_EV_DONE)
                ht_add(&t, "end", 3);
        }
    }
    vg_http_parser_cleanup(&p);
    free(body.s);
    return t.s;
}

#endif
