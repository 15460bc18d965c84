/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * parser.c: the sans-I/O HTTP/1.x message parser (http-parser-internal.h).
 *
 * The head is read a line at a time: a line's bytes gather in the store
 * until its LF arrives, and only a complete line is checked, so the result
 * never depends on where the input was split.  The one check made on a
 * partial line is its size limit, which counts bytes as they arrive and is
 * checked before anything else when the line completes.  Head lines stay
 * in the store, rewritten in place into NUL-terminated strings; chunked
 * framing lines and trailers are checked where they lie in the input when
 * they arrive whole, and are never kept.  Body bytes are never copied.
 *
 * The rules for one complete line are in parser_line.c.  Every read of
 * input or of a stored line goes through struct vg_http_cur, a reader
 * that knows its end.
 */
#include <stdlib.h>
#include <string.h>

#include "http-parser-internal.h"

/* A step of the state machine that wants the next one to run. */
#define STEP_CONTINUE 100

/* Stored sizes are kept under 1 GiB so that offsets fit 32 bits. */
#define SIZE_CAP ((size_t)1 << 30)
#define FIELDS_CAP ((size_t)1 << 20)

enum {
    S_NEXT,        /* between messages: reset, then S_START */
    S_START,       /* start line; empty lines before it are skipped */
    S_FIELDS,      /* field lines up to the empty line */
    S_BODY_BEGIN,  /* the head was reported; framing not started */
    S_BODY_LENGTH, /* Content-Length bytes */
    S_BODY_EOF,    /* everything until the stream ends */
    S_CHUNK_SIZE,  /* chunk-size line */
    S_CHUNK_DATA,  /* chunk data */
    S_CHUNK_CR,    /* the CRLF after chunk data */
    S_CHUNK_LF,
    S_TRAILERS, /* trailer field lines up to the empty line */
    S_DONE      /* report the end of the message */
};

/* ------------------------------------------------------------------ */
/* The store and lines                                                 */
/* ------------------------------------------------------------------ */

/* Makes room for extra bytes after the unfinished line. */
static int
store_reserve(struct vg_http_parser *p, size_t extra)
{
    size_t used = p->store_len + p->line_len;
    size_t cap = p->store_cap;
    char *grown;

    if (extra <= cap - used)
        return 0;
    if (extra > SIZE_MAX / 4 - used)
        return VG_HTTP_ERR_NOMEM;
    if (cap < 256)
        cap = 256;
    while (cap - used < extra)
        cap *= 2;
    grown = p->realloc_fn(p->store, cap);
    if (grown == NULL)
        return VG_HTTP_ERR_NOMEM;
    p->store = grown;
    p->store_cap = cap;
    p->head.buf = grown;
    return 0;
}

/* Appends n bytes to the unfinished line. */
static int
store_line_add(struct vg_http_parser *p, const unsigned char *src, size_t n)
{
    int rc = store_reserve(p, n + 1);

    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(p->store + p->store_len + p->line_len, src, n);
    p->line_len += n;
    return 0;
}

/* A complete line without its ending; cr tells whether CR preceded LF. */
struct line {
    const unsigned char *s;
    size_t len;
    int cr;
};

/* Reads one line ending in LF.  The line may take limit bytes with its
 * ending; one more is error err, found as soon as the bytes arrive.  A
 * line that arrives whole, with nothing pending, is read in place unless
 * keep is set; otherwise it is gathered at store_len, where one byte
 * after it is writable.  Returns 1 with *out set, NEED_MORE, or an
 * error. */
static int
line_read(struct vg_http_parser *p, struct vg_http_cur *c, size_t limit,
          int err, int keep, struct line *out)
{
    size_t n = vg_http_cur_find(c, '\n');
    size_t take = n != VG_HTTP_NOT_FOUND ? n : vg_http_cur_left(c);
    const unsigned char *src;
    int rc;

    /* The line takes at least line_len + take + 1 bytes. */
    if (take >= limit || p->line_len >= limit - take)
        return err;
    if (n == VG_HTTP_NOT_FOUND && take == 0)
        return VG_HTTP_NEED_MORE; /* nothing to gather */
    if (vg_http_cur_take(c, take, &src) != 0)
        return VG_HTTP_ERR_INVALID;
    if (n == VG_HTTP_NOT_FOUND) {
        rc = store_line_add(p, src, take);
        return rc != 0 ? rc : VG_HTTP_NEED_MORE;
    }
    vg_http_cur_next(c); /* the LF found above */
    if (p->line_len == 0 && !keep) {
        out->s = src;
        out->len = take;
    } else {
        rc = store_line_add(p, src, take);
        if (rc != 0)
            return rc;
        out->s = (const unsigned char *)p->store + p->store_len;
        out->len = p->line_len;
        p->line_len = 0;
    }
    out->cr = out->len > 0 && out->s[out->len - 1] == '\r';
    out->len -= (size_t)out->cr;
    return 1;
}

/* A field of the head, complete at w (the store at offset base, with
 * one writable byte after the line): rewritten as "name\0value\0". */
static int
head_field(struct vg_http_parser *p, char *w, size_t n, size_t base)
{
    struct vg_http_head *h = &p->head;
    const unsigned char *v = (const unsigned char *)w;
    struct vg_http_field *fl;
    struct vg_http_field_line f;
    size_t cap;
    int rc;

    if (h->nfields >= p->lim.max_fields)
        return VG_HTTP_ERR_TOO_MANY_FIELDS;
    rc = vg_http_field_line(v, n, &f);
    if (rc != 0)
        return rc;
    if (h->nfields == p->fields_cap) {
        cap = p->fields_cap < 8 ? 8 : p->fields_cap * 2;
        if (cap > p->lim.max_fields)
            cap = p->lim.max_fields;
        fl = p->realloc_fn(p->fields, cap * sizeof(*fl));
        if (fl == NULL)
            return VG_HTTP_ERR_NOMEM;
        p->fields = fl;
        p->fields_cap = cap;
        h->fields = fl;
    }
    fl = &p->fields[h->nfields++];
    fl->name = (uint32_t)base;
    fl->name_len = (uint32_t)f.name_len;
    fl->value = (uint32_t)(base + f.value);
    fl->value_len = (uint32_t)(f.value_end - f.value);
    w[f.name_len] = '\0';
    w[f.value_end] = '\0';
    p->store_len = base + f.value_end + 1;
    if (vg_http_equal_nocase(w, f.name_len, "content-length"))
        return vg_http_content_length(v + f.value, f.value_end - f.value,
                                      &p->lengths);
    if (vg_http_equal_nocase(w, f.name_len, "transfer-encoding"))
        return vg_http_transfer_encoding(v + f.value, f.value_end - f.value,
                                         &p->lengths);
    return 0;
}

/* An obs-fold line of a response at w (n bytes, the last thing in the
 * store): RFC 9112 section 5.2 has a user agent replace the fold with a
 * space, so its text joins the previous field's value, which ends just
 * before it.  A request's obs-fold, a fold with no field before it, and a
 * fold of Content-Length or Transfer-Encoding are errors. */
static int
head_unfold(struct vg_http_parser *p, char *w, size_t n)
{
    struct vg_http_field *f;
    size_t start = 0, end = n, at;

    if (p->head.nfields == 0)
        return VG_HTTP_ERR_OBS_FOLD;
    f = &p->fields[p->head.nfields - 1];
    if (vg_http_equal_nocase(p->store + f->name, f->name_len,
                             "content-length") ||
        vg_http_equal_nocase(p->store + f->name, f->name_len,
                             "transfer-encoding"))
        return VG_HTTP_ERR_OBS_FOLD;
    while (start < end && (w[start] == ' ' || w[start] == '\t'))
        start++;
    while (end > start && (w[end - 1] == ' ' || w[end - 1] == '\t'))
        end--;
    for (size_t i = start; i < end; i++) {
        unsigned char b = (unsigned char)w[i];

        if ((b < 0x20 && b != '\t') || b == 0x7f)
            return b == 0 ? VG_HTTP_ERR_NUL : VG_HTTP_ERR_FIELD_VALUE;
    }
    if (start == end)
        return STEP_CONTINUE; /* a fold of nothing adds nothing */
    /* The previous value's NUL is the byte before w: it becomes the
     * space (unless the value is empty), and the text moves up to it. */
    at = f->value + f->value_len;
    if (f->value_len > 0)
        p->store[at++] = ' ';
    memmove(p->store + at, w + start, end - start);
    at += end - start;
    p->store[at] = '\0';
    f->value_len = (uint32_t)(at - f->value);
    p->store_len = at + 1;
    return STEP_CONTINUE;
}

/* The start line, complete at w (the store at offset base, with one
 * writable byte after the line): its parts become strings. */
static int
start_line(struct vg_http_parser *p, char *w, size_t n, size_t base)
{
    struct vg_http_head *h = &p->head;
    struct vg_http_start_line sl;
    int rc;

    if (p->kind == VG_HTTP_REQUEST) {
        rc = vg_http_request_line((const unsigned char *)w, n, &sl);
        if (rc != 0)
            return rc;
        w[sl.method_len] = '\0';
        w[sl.target + sl.target_len] = '\0';
        h->method = (uint32_t)base;
        h->method_len = (uint32_t)sl.method_len;
        h->target = (uint32_t)(base + sl.target);
        h->target_len = (uint32_t)sl.target_len;
    } else {
        rc = vg_http_status_line((const unsigned char *)w, n, &sl);
        if (rc != 0)
            return rc;
        w[8] = '\0';
        w[sl.code + 3] = '\0';
        h->status = sl.status;
        h->reason = (uint32_t)(base + sl.reason);
        h->reason_len = (uint32_t)sl.reason_len;
    }
    w[n] = '\0';
    h->major = sl.major;
    h->minor = sl.minor;
    return 0;
}

/* Message body length, RFC 9112 section 6.3. */
static int
head_done(struct vg_http_parser *p)
{
    struct vg_http_head *h = &p->head;
    const struct vg_http_lengths *l = &p->lengths;
    int st = h->status;

    h->buf = p->store;
    h->fields = p->fields;
    if (l->te_seen) {
        if (l->cl_seen)
            return VG_HTTP_ERR_TE_AND_CL;
        /* An HTTP/1.0 message with Transfer-Encoding has faulty framing
         * (section 6.1); chunked is applied at most once. */
        if (h->minor == 0 || l->te_codings == 0 || l->te_chunked > 1)
            return VG_HTTP_ERR_TE;
        if (p->kind == VG_HTTP_REQUEST && !l->te_chunked_last)
            return VG_HTTP_ERR_TE;
        if (l->te_codings > l->te_chunked)
            h->flags |= VG_HTTP_HEAD_TE_OTHER;
    }
    if (p->kind == VG_HTTP_RESPONSE &&
        ((st >= 100 && st < 200) || st == 204 || st == 304)) {
        h->framing = VG_HTTP_BODY_NONE;
    } else if (l->te_seen) {
        h->framing =
            l->te_chunked_last ? VG_HTTP_BODY_CHUNKED : VG_HTTP_BODY_EOF;
    } else if (l->cl_seen) {
        h->framing = VG_HTTP_BODY_LENGTH;
        h->content_length = l->cl;
    } else {
        h->framing =
            p->kind == VG_HTTP_RESPONSE ? VG_HTTP_BODY_EOF : VG_HTTP_BODY_NONE;
    }
    p->state = S_BODY_BEGIN;
    return VG_HTTP_EV_HEAD;
}

/* ------------------------------------------------------------------ */
/* The states                                                          */
/* ------------------------------------------------------------------ */

static int
step_start(struct vg_http_parser *p, struct vg_http_cur *c)
{
    struct line l;
    size_t total;
    int rc;

    rc = line_read(p, c, p->lim.max_line, VG_HTTP_ERR_LINE_TOO_LONG, 1, &l);
    if (rc != 1)
        return rc;
    total = l.len + (size_t)l.cr + 1;
    if (total > p->lim.max_head - p->head_bytes)
        return VG_HTTP_ERR_HEAD_TOO_LARGE;
    p->head_bytes += total;
    p->head_bare += l.len;
    /* RFC 9112 section 2.2: a server ignores empty lines before a
     * request; before a status line they are garbage. */
    if (l.len == 0 && p->kind == VG_HTTP_REQUEST)
        return STEP_CONTINUE;
    rc = start_line(p, p->store + p->store_len, l.len, p->store_len);
    if (rc != 0)
        return rc;
    p->store_len += l.len + 1;
    p->state = S_FIELDS;
    return STEP_CONTINUE;
}

static int
step_fields(struct vg_http_parser *p, struct vg_http_cur *c)
{
    struct line l;
    int rc;

    rc = line_read(p, c, p->lim.max_head - p->head_bytes,
                   VG_HTTP_ERR_HEAD_TOO_LARGE, 1, &l);
    if (rc != 1)
        return rc;
    p->head_bytes += l.len + (size_t)l.cr + 1;
    p->head_bare += l.len;
    if (l.len == 0)
        return head_done(p);
    if (p->kind == VG_HTTP_RESPONSE &&
        (p->store[p->store_len] == ' ' || p->store[p->store_len] == '\t'))
        rc = head_unfold(p, p->store + p->store_len, l.len);
    else
        rc = head_field(p, p->store + p->store_len, l.len, p->store_len);
    return rc != 0 ? rc : STEP_CONTINUE;
}

static int
step_body_begin(struct vg_http_parser *p)
{
    const struct vg_http_head *h = &p->head;

    switch (h->framing) {
    case VG_HTTP_BODY_LENGTH:
        if (h->content_length > p->lim.max_body)
            return VG_HTTP_ERR_BODY_TOO_LARGE;
        p->left = h->content_length;
        p->state = p->left > 0 ? S_BODY_LENGTH : S_DONE;
        break;
    case VG_HTTP_BODY_CHUNKED:
        p->state = S_CHUNK_SIZE;
        break;
    case VG_HTTP_BODY_EOF:
        p->state = S_BODY_EOF;
        break;
    default:
        p->state = S_DONE;
        break;
    }
    return STEP_CONTINUE;
}

/* Reports up to want bytes of body data; next is the state once want
 * bytes are done. */
static int
step_data(struct vg_http_parser *p, struct vg_http_cur *c, uint64_t want,
          int next, struct vg_http_span *body)
{
    size_t take = vg_http_cur_left(c);
    const unsigned char *s;

    if (take == 0)
        return VG_HTTP_NEED_MORE;
    if (want < take)
        take = (size_t)want;
    if (vg_http_cur_take(c, take, &s) != 0)
        return VG_HTTP_ERR_INVALID;
    body->data = (const char *)s;
    body->len = take;
    p->body_total += take;
    if (p->state != S_BODY_EOF)
        p->left -= take;
    if (take == want)
        p->state = next;
    return VG_HTTP_EV_BODY;
}

static int
step_chunk_size(struct vg_http_parser *p, struct vg_http_cur *c)
{
    struct line l;
    uint64_t v = 0;
    int rc;

    rc = line_read(p, c, p->lim.max_chunk_line, VG_HTTP_ERR_CHUNK_LINE_TOO_LONG,
                   0, &l);
    if (rc != 1)
        return rc;
    if (!l.cr)
        return VG_HTTP_ERR_CHUNK_CRLF;
    rc = vg_http_chunk_line(l.s, l.len, &v);
    if (rc != 0)
        return rc;
    if (v == 0) {
        p->head_bytes = 0;
        p->ntrailers = 0;
        p->state = S_TRAILERS;
    } else if (v > p->lim.max_body - p->body_total) {
        return VG_HTTP_ERR_BODY_TOO_LARGE;
    } else {
        p->left = v;
        p->state = S_CHUNK_DATA;
    }
    return STEP_CONTINUE;
}

static int
step_chunk_crlf(struct vg_http_parser *p, struct vg_http_cur *c)
{
    int b = vg_http_cur_next(c);

    if (b < 0)
        return VG_HTTP_NEED_MORE;
    if (b != (p->state == S_CHUNK_CR ? '\r' : '\n'))
        return VG_HTTP_ERR_CHUNK_CRLF;
    p->state = p->state == S_CHUNK_CR ? S_CHUNK_LF : S_CHUNK_SIZE;
    return STEP_CONTINUE;
}

/* Trailer fields are checked by the head's rules and dropped. */
static int
step_trailers(struct vg_http_parser *p, struct vg_http_cur *c)
{
    struct vg_http_field_line f;
    struct line l;
    int rc;

    rc = line_read(p, c, p->lim.max_trailer - p->head_bytes,
                   VG_HTTP_ERR_TRAILERS_TOO_LARGE, 0, &l);
    if (rc != 1)
        return rc;
    if (!l.cr)
        return VG_HTTP_ERR_CHUNK_CRLF;
    p->head_bytes += l.len + 2;
    if (l.len == 0) {
        p->state = S_DONE;
        return STEP_CONTINUE;
    }
    if (p->ntrailers >= p->lim.max_fields)
        return VG_HTTP_ERR_TRAILERS_TOO_LARGE;
    p->ntrailers++;
    rc = vg_http_field_line(l.s, l.len, &f);
    return rc != 0 ? rc : STEP_CONTINUE;
}

/* Forgets the finished message. */
static void
message_reset(struct vg_http_parser *p)
{
    memset(&p->head, 0, sizeof(p->head));
    p->head.buf = p->store;
    p->head.fields = p->fields;
    p->store_len = 0;
    p->line_len = 0;
    p->head_bytes = 0;
    p->head_bare = 0;
    p->ntrailers = 0;
    p->body_total = 0;
    p->left = 0;
    memset(&p->lengths, 0, sizeof(p->lengths));
}

/* Runs states until one reports.  At eof there is no input: states that
 * need bytes fail with VG_HTTP_ERR_EOF. */
static int
run(struct vg_http_parser *p, struct vg_http_cur *c, struct vg_http_span *body,
    int eof)
{
    int rc;

    do {
        if (eof && p->state != S_NEXT && p->state != S_BODY_BEGIN &&
            p->state != S_DONE) {
            if (p->state == S_BODY_EOF) {
                p->state = S_DONE;
                rc = STEP_CONTINUE;
                continue;
            }
            if (p->state == S_START && p->line_len == 0)
                return VG_HTTP_NEED_MORE;
            return VG_HTTP_ERR_EOF;
        }
        switch (p->state) {
        case S_NEXT:
            message_reset(p);
            p->state = S_START;
            rc = STEP_CONTINUE;
            break;
        case S_START:
            rc = step_start(p, c);
            break;
        case S_FIELDS:
            rc = step_fields(p, c);
            break;
        case S_BODY_BEGIN:
            rc = step_body_begin(p);
            break;
        case S_BODY_LENGTH:
            rc = step_data(p, c, p->left, S_DONE, body);
            break;
        case S_BODY_EOF:
            if (p->body_total == p->lim.max_body && vg_http_cur_left(c) > 0)
                return VG_HTTP_ERR_BODY_TOO_LARGE;
            rc = step_data(p, c, p->lim.max_body - p->body_total, S_BODY_EOF,
                           body);
            break;
        case S_CHUNK_SIZE:
            rc = step_chunk_size(p, c);
            break;
        case S_CHUNK_DATA:
            rc = step_data(p, c, p->left, S_CHUNK_CR, body);
            break;
        case S_CHUNK_CR:
        case S_CHUNK_LF:
            rc = step_chunk_crlf(p, c);
            break;
        case S_TRAILERS:
            rc = step_trailers(p, c);
            break;
        case S_DONE:
            p->state = S_NEXT;
            rc = VG_HTTP_EV_DONE;
            break;
        default:
            rc = VG_HTTP_ERR_INVALID;
            break;
        }
    } while (rc == STEP_CONTINUE);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The API                                                             */
/* ------------------------------------------------------------------ */

static void *
default_realloc(void *ptr, size_t n)
{
    return realloc(ptr, n);
}

static void
default_free(void *ptr)
{
    free(ptr);
}

void
vg_http_limits_default(struct vg_http_limits *lim)
{
    lim->max_line = 8192;
    lim->max_fields = 100;
    lim->max_head = 65536;
    lim->max_body = UINT64_MAX;
    lim->max_chunk_line = 4096;
    lim->max_trailer = 16384;
}

static size_t
clamp(size_t v, size_t cap)
{
    return v < cap ? v : cap;
}

void
vg_http_parser_init(struct vg_http_parser *p, enum vg_http_kind kind,
                    const struct vg_http_limits *lim)
{
    memset(p, 0, sizeof(*p));
    if (lim != NULL)
        p->lim = *lim;
    else
        vg_http_limits_default(&p->lim);
    p->lim.max_line = clamp(p->lim.max_line, SIZE_CAP);
    p->lim.max_fields = clamp(p->lim.max_fields, FIELDS_CAP);
    p->lim.max_head = clamp(p->lim.max_head, SIZE_CAP);
    p->lim.max_chunk_line = clamp(p->lim.max_chunk_line, SIZE_CAP);
    p->lim.max_trailer = clamp(p->lim.max_trailer, SIZE_CAP);
    p->kind = kind;
    p->state = S_NEXT;
    p->realloc_fn = default_realloc;
    p->free_fn = default_free;
}

void
vg_http_parser_set_alloc(struct vg_http_parser *p,
                         void *(*realloc_fn)(void *, size_t),
                         void (*free_fn)(void *))
{
    p->realloc_fn = realloc_fn;
    p->free_fn = free_fn;
}

void
vg_http_parser_cleanup(struct vg_http_parser *p)
{
    p->free_fn(p->store);
    p->free_fn(p->fields);
    p->store = NULL;
    p->fields = NULL;
    p->store_cap = 0;
    p->fields_cap = 0;
    vg_http_parser_reset(p);
}

void
vg_http_parser_reset(struct vg_http_parser *p)
{
    message_reset(p);
    p->state = S_NEXT;
    p->error = 0;
}

int
vg_http_parse(struct vg_http_parser *p, const char *data, size_t len,
              size_t *consumed, struct vg_http_span *body)
{
    struct vg_http_cur c;
    int rc;

    body->data = NULL;
    body->len = 0;
    *consumed = 0;
    if (p->error != 0)
        return p->error;
    if (data == NULL && len > 0) {
        p->error = VG_HTTP_ERR_INVALID;
        return p->error;
    }
    vg_http_cur_init(&c, data, len);
    rc = run(p, &c, body, 0);
    if (rc < 0)
        p->error = rc;
    *consumed = c.pos;
    return rc;
}

int
vg_http_parser_finish(struct vg_http_parser *p)
{
    struct vg_http_span body;
    struct vg_http_cur c;
    int rc;

    if (p->error != 0)
        return p->error;
    vg_http_cur_init(&c, NULL, 0);
    rc = run(p, &c, &body, 1);
    if (rc < 0)
        p->error = rc;
    return rc;
}

int
vg_http_parser_set_no_body(struct vg_http_parser *p)
{
    if (p->error != 0 || p->state != S_BODY_BEGIN)
        return VG_HTTP_ERR_INVALID;
    p->head.framing = VG_HTTP_BODY_NONE;
    return 0;
}

int
vg_http_parser_idle(const struct vg_http_parser *p)
{
    if (p->state == S_NEXT)
        return 1;
    return p->state == S_START && p->line_len == 0 && p->head_bytes == 0;
}

int
vg_http_parser_chunk_done(const struct vg_http_parser *p)
{
    return p->state == S_CHUNK_CR;
}
