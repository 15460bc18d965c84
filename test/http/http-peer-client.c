/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-peer-client: evhttp's client against real HTTP servers, for the
 * peer tests (test/http/client-*.sh).  It uses only libevent's public API,
 * so the same source builds against Vigil and against Debian's libevent
 * 2.1.12.  It runs the checks given on its command line one after the
 * other, over one evhttp_connection (evhttp_connection_base_new and
 * evhttp_make_request), prints a line for each and exits 0 only when
 * every check passed:
 *
 *   ok   get /data.bin: 200, 200000 bytes
 *   FAIL chunked /big.txt: no Transfer-Encoding: chunked
 *
 *   usage: http-peer-client [-0] [-r] [-w SECONDS] [-t SECONDS] URL CHECK...
 *
 *   URL     http://HOST:PORT[/PREFIX]: the server; every PATH below is
 *           appended to PREFIX
 *   -w S    give up after S seconds in all (default 60): exit status 1
 *   -t S    evhttp_connection_set_timeout (default 10)
 *   -0      the server answers in HTTP/1.0 without keep-alive and closes
 *           after each answer, so every request needs a new connection
 *           (RFC 9112, section 9.3).  Deliberate difference: libevent
 *           2.1.12 keeps such a connection for the next request, which
 *           then fails with EVREQ_HTTP_EOF when the server's close comes
 *           first; Vigil connects anew.  Built against Debian's libevent
 *           (VIGIL_ORACLE), a check that fails so passes too, and a
 *           keepalive check then does not count connections; built
 *           against Vigil, every check must pass.
 *   -r      set EVHTTP_CON_READ_ON_WRITE_ERROR on the connections: an
 *           answer the server sends before it stops reading the body (413)
 *           is still read
 *
 * The checks, each a keyword and a fixed number of arguments.  WANT is a
 * file the body must equal byte for byte, "-" for any body, or ">FILE" to
 * save the body in FILE (for the calling script to look at).  CODE is a
 * status, or two as "405/501" when either will do:
 *
 *   get PATH CODE WANT         GET; the status must be CODE
 *   head PATH CODE LENGTH      HEAD: no body may come, and a Content-Length,
 *                              if the server sends one, must be LENGTH
 *                              ("-": any)
 *   chunked PATH CODE WANT     GET with a chunked callback (and a header
 *                              callback): the answer must come with
 *                              "Transfer-Encoding: chunked", the headers
 *                              before the first piece, and the pieces the
 *                              chunked callback saw together make the body
 *   chunked-ext PATH CODE WANT the same, for an answer whose chunks carry
 *                              chunk extensions (";name=value"), which
 *                              RFC 9112 says a recipient ignores.
 *                              Deliberate difference: libevent 2.1.12
 *                              fails such an answer (the error callback
 *                              says EVREQ_HTTP_DATA_TOO_LONG); Vigil reads
 *                              it.  Built against Debian's libevent
 *                              (VIGIL_ORACLE) either passes, since that
 *                              build also runs on Vigil (swap.*); built
 *                              against Vigil only reading it passes.
 *   pieces PATH CODE WANT      the same without the need for chunks: a
 *                              body of any framing, seen through the
 *                              chunked callback
 *   post PATH CODE BODY WANT   POST of the bytes of the file BODY (type
 *                              application/x-vigil)
 *   put PATH CODE BODY WANT    the same with PUT
 *   method NAME PATH CODE      a request with the method NAME (GET, POST,
 *                              HEAD, PUT, DELETE, OPTIONS, TRACE, PATCH)
 *                              and no body; any body may come back
 *   keepalive N PATH WANT CONNS
 *                              N GETs made at once on a new connection
 *                              (queued by evhttp on it): each must be 200
 *                              and WANT; CONNS is how many TCP connections
 *                              the client may have used for them ("-":
 *                              any), counted by the local port seen in
 *                              each answer's header callback.  When the
 *                              server sends an X-Connection header (an id
 *                              of its connection), the line also says how
 *                              many it named: "(server: K)".
 *
 * Every request carries "Host: HOST:PORT".  Exit status 0 when every
 * check passed, 1 when one failed or the time ran out, 2 on bad usage.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_KEEPALIVE 64

enum kind {
    KIND_GET,
    KIND_HEAD,
    KIND_CHUNKED,
    KIND_CHUNK_EXT,
    KIND_PIECES,
    KIND_BODY, /* post and put */
    KIND_METHOD,
    KIND_KEEPALIVE
};

struct check {
    enum kind kind;
    const char *word;         /* the keyword, for the report */
    enum evhttp_cmd_type cmd; /* the method */
    const char *path;         /* below the URL's prefix */
    int code;                 /* the status wanted */
    int code2;                /* another status taken, or 0 */
    const char *want;         /* a file, "-" or ">FILE" */
    const char *body;         /* the file to send, or NULL */
    long length;              /* HEAD: Content-Length wanted, or -1 */
    int n;                    /* keepalive: how many requests */
    int conns;                /* keepalive: connections allowed, or -1 */
};

/* One request in flight and what was seen of its answer. */
struct exchange {
    struct client *client;
    int done;
    int failed; /* the completion came without a request */
    int error;  /* an enum evhttp_request_error, or -1 */
    int code;
    int headers_seen; /* the header callback ran */
    int piece_before_headers;
    int pieces;            /* calls of the chunked callback */
    int chunked;           /* Transfer-Encoding: chunked came */
    long content_length;   /* -1: none came */
    unsigned local_port;   /* the client's end, seen in the header cb */
    char server_conn[64];  /* the X-Connection header, if any */
    char location[256];    /* the Location header, if any */
    struct evbuffer *body; /* the body as the program got it */
};

struct client {
    struct event_base *base;
    struct evhttp_connection *conn;  /* the one all checks share */
    struct evhttp_connection *extra; /* keepalive's own */
    const char *host;
    int port;
    char host_header[300];
    const char *prefix;
    int timeout;
    int read_on_write_error; /* -r */
    int http10;              /* -0 */
    struct check *checks;
    int n_checks;
    int next; /* the check to start next */
    struct exchange ex[MAX_KEEPALIVE];
    int in_flight;
    int failures;
};

static const char *prog = "http-peer-client";

static void start_next(evutil_socket_t fd, short what, void *arg);

static const char *
error_name(int err)
{
    switch (err) {
    case EVREQ_HTTP_TIMEOUT:
        return "EVREQ_HTTP_TIMEOUT";
    case EVREQ_HTTP_EOF:
        return "EVREQ_HTTP_EOF";
    case EVREQ_HTTP_INVALID_HEADER:
        return "EVREQ_HTTP_INVALID_HEADER";
    case EVREQ_HTTP_BUFFER_ERROR:
        return "EVREQ_HTTP_BUFFER_ERROR";
    case EVREQ_HTTP_REQUEST_CANCEL:
        return "EVREQ_HTTP_REQUEST_CANCEL";
    case EVREQ_HTTP_DATA_TOO_LONG:
        return "EVREQ_HTTP_DATA_TOO_LONG";
    default:
        return "no error callback";
    }
}

static int
parse_method(const char *name, enum evhttp_cmd_type *cmd)
{
    static const struct {
        const char *name;
        enum evhttp_cmd_type cmd;
    } methods[] = {
        {"GET", EVHTTP_REQ_GET},       {"POST", EVHTTP_REQ_POST},
        {"HEAD", EVHTTP_REQ_HEAD},     {"PUT", EVHTTP_REQ_PUT},
        {"DELETE", EVHTTP_REQ_DELETE}, {"OPTIONS", EVHTTP_REQ_OPTIONS},
        {"TRACE", EVHTTP_REQ_TRACE},   {"CONNECT", EVHTTP_REQ_CONNECT},
        {"PATCH", EVHTTP_REQ_PATCH},
    };
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(name, methods[i].name) == 0) {
            *cmd = methods[i].cmd;
            return 0;
        }
    }
    return -1;
}

/* Reads a whole file into a new evbuffer; NULL (and a message) when it
 * cannot. */
static struct evbuffer *
read_file(const char *path)
{
    struct evbuffer *buf = evbuffer_new();
    char chunk[16384];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL || buf == NULL) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, path,
                strerror(errno));
        if (f != NULL)
            fclose(f);
        if (buf != NULL)
            evbuffer_free(buf);
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (evbuffer_add(buf, chunk, n) != 0) {
            n = 0;
            break;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: cannot read %s\n", prog, path);
        evbuffer_free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Writes the body to a file for the calling script. */
static int
save_body(struct evbuffer *body, const char *path, char *why, size_t len)
{
    FILE *f = fopen(path, "wb");
    size_t n = evbuffer_get_length(body);
    unsigned char *bytes = evbuffer_pullup(body, -1);

    if (f == NULL) {
        snprintf(why, len, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    if ((n > 0 && fwrite(bytes, 1, n, f) != n) || fclose(f) != 0) {
        snprintf(why, len, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* Compares the body with WANT (see the top of the file); 0 when it fits,
 * else -1 with the reason in WHY. */
static int
check_body(struct evbuffer *body, const char *want, char *why, size_t len)
{
    struct evbuffer *file;
    size_t got_len, want_len, i;
    const unsigned char *got_bytes, *want_bytes;
    int rc = 0;

    if (strcmp(want, "-") == 0)
        return 0;
    if (want[0] == '>')
        return save_body(body, want + 1, why, len);
    if ((file = read_file(want)) == NULL) {
        snprintf(why, len, "cannot read %s", want);
        return -1;
    }
    got_len = evbuffer_get_length(body);
    want_len = evbuffer_get_length(file);
    got_bytes = evbuffer_pullup(body, -1);
    want_bytes = evbuffer_pullup(file, -1);
    for (i = 0; i < got_len && i < want_len; i++) {
        if (got_bytes[i] != want_bytes[i])
            break;
    }
    if (i < got_len || i < want_len) {
        snprintf(why, len,
                 "%zu bytes, %zu wanted (%s), first difference at "
                 "byte %zu",
                 got_len, want_len, want, i);
        rc = -1;
    }
    evbuffer_free(file);
    return rc;
}

static void
on_error(enum evhttp_request_error err, void *arg)
{
    struct exchange *ex = arg;

    ex->error = (int)err;
}

/* The local port of the connection the request is on. */
static unsigned
local_port(struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    evutil_socket_t fd;

    if (conn == NULL || (bev = evhttp_connection_get_bufferevent(conn)) == NULL)
        return 0;
    fd = bufferevent_getfd(bev);
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

static int
on_headers(struct evhttp_request *req, void *arg)
{
    struct exchange *ex = arg;

    ex->headers_seen = 1;
    ex->local_port = local_port(req);
    return 0;
}

/* The chunked callback: the piece read is taken out of the request's
 * input buffer, which libevent would drain after this anyway. */
static void
on_piece(struct evhttp_request *req, void *arg)
{
    struct exchange *ex = arg;

    if (!ex->headers_seen)
        ex->piece_before_headers = 1;
    ex->pieces++;
    evbuffer_add_buffer(ex->body, evhttp_request_get_input_buffer(req));
}

static void
copy_header(struct evkeyvalq *headers, const char *name, char *to, size_t len)
{
    const char *value = evhttp_find_header(headers, name);

    if (value != NULL)
        snprintf(to, len, "%s", value);
}

/* The completion callback: what is needed of the answer is kept in the
 * exchange, since the request goes when this returns. */
static void
on_done(struct evhttp_request *req, void *arg)
{
    struct exchange *ex = arg;
    struct client *c = ex->client;
    struct evkeyvalq *headers;
    const char *value;
    struct timeval now = {0, 0};

    ex->done = 1;
    if (req == NULL || evhttp_request_get_response_code(req) == 0) {
        ex->failed = 1;
    } else {
        ex->code = evhttp_request_get_response_code(req);
        headers = evhttp_request_get_input_headers(req);
        value = evhttp_find_header(headers, "Transfer-Encoding");
        ex->chunked = value != NULL && strcasecmp(value, "chunked") == 0;
        value = evhttp_find_header(headers, "Content-Length");
        ex->content_length = value != NULL ? strtol(value, NULL, 10) : -1;
        copy_header(headers, "X-Connection", ex->server_conn,
                    sizeof(ex->server_conn));
        copy_header(headers, "Location", ex->location, sizeof(ex->location));
        evbuffer_add_buffer(ex->body, evhttp_request_get_input_buffer(req));
    }
    if (--c->in_flight == 0)
        event_base_once(c->base, -1, EV_TIMEOUT, start_next, c, &now);
}

/* Makes one request for the check on CONN, answered into EX. */
static int
send_request(struct client *c, struct check *ck, struct evhttp_connection *conn,
             struct exchange *ex)
{
    struct evhttp_request *req;
    struct evkeyvalq *out;
    struct evbuffer *body;
    char *uri;
    int rc;

    memset(ex, 0, sizeof(*ex));
    ex->client = c;
    ex->error = -1;
    ex->content_length = -1;
    if ((ex->body = evbuffer_new()) == NULL)
        return -1;
    if ((req = evhttp_request_new(on_done, ex)) == NULL)
        return -1;
    evhttp_request_set_error_cb(req, on_error);
    evhttp_request_set_header_cb(req, on_headers);
    if (ck->kind == KIND_CHUNKED || ck->kind == KIND_CHUNK_EXT ||
        ck->kind == KIND_PIECES)
        evhttp_request_set_chunked_cb(req, on_piece);
    out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "Host", c->host_header);
    if (ck->body != NULL) {
        if ((body = read_file(ck->body)) == NULL) {
            evhttp_request_free(req);
            return -1;
        }
        evhttp_add_header(out, "Content-Type", "application/x-vigil");
        evbuffer_add_buffer(evhttp_request_get_output_buffer(req), body);
        evbuffer_free(body);
    }
    if (asprintf(&uri, "%s%s", c->prefix, ck->path) < 0) {
        evhttp_request_free(req);
        return -1;
    }
    c->in_flight++;
    rc = evhttp_make_request(conn, req, ck->cmd, uri);
    free(uri);
    if (rc != 0) {
        /* libevent frees the request when it cannot make it. */
        c->in_flight--;
        return -1;
    }
    return 0;
}

/* Judges one answer; 0 when it is what the check wants, else -1 with the
 * reason in WHY. */
static int
judge(const struct check *ck, struct exchange *ex, char *why, size_t len)
{
    if (ex->failed) {
        snprintf(why, len, "no answer (%s)", error_name(ex->error));
        return -1;
    }
    if (ex->error >= 0) {
        snprintf(why, len, "an answer, and an error %s", error_name(ex->error));
        return -1;
    }
    if (ex->code != ck->code && ex->code != ck->code2) {
        snprintf(why, len, "status %d, %d wanted", ex->code, ck->code);
        return -1;
    }
    if (!ex->headers_seen) {
        snprintf(why, len, "the header callback did not run");
        return -1;
    }
    switch (ck->kind) {
    case KIND_HEAD:
        if (evbuffer_get_length(ex->body) != 0) {
            snprintf(why, len, "a body of %zu bytes in answer to HEAD",
                     evbuffer_get_length(ex->body));
            return -1;
        }
        if (ck->length >= 0 && ex->content_length >= 0 &&
            ex->content_length != ck->length) {
            snprintf(why, len, "Content-Length %ld, %ld wanted",
                     ex->content_length, ck->length);
            return -1;
        }
        return 0;
    case KIND_CHUNKED:
    case KIND_CHUNK_EXT:
    case KIND_PIECES:
        if (ck->kind != KIND_PIECES && !ex->chunked) {
            snprintf(why, len, "no Transfer-Encoding: chunked");
            return -1;
        }
        if (ex->pieces == 0 || ex->piece_before_headers) {
            snprintf(why, len, "%d calls of the chunked callback%s", ex->pieces,
                     ex->piece_before_headers ? ", one before the headers"
                                              : "");
            return -1;
        }
        return check_body(ex->body, ck->want, why, len);
    case KIND_METHOD:
        return 0;
    default:
        return check_body(ex->body, ck->want, why, len);
    }
}

/* Whether a failed exchange is libevent 2.1.12's reuse of an HTTP/1.0
 * connection the server closed (see -0 at the top). */
static int
libevent_http10_reuse(const struct client *c, const struct exchange *ex)
{
#ifdef VIGIL_ORACLE
    return c->http10 && ex->failed && ex->error == EVREQ_HTTP_EOF;
#else
    (void)c;
    (void)ex;
    return 0;
#endif
}

/* Reports the check just finished (all its exchanges done). */
static void
report(struct client *c, const struct check *ck)
{
    char why[512] = "";
    char extra[400] = "";
    int i, ports = 0, servers = 0, j, bad = 0, reused = 0;
    unsigned seen[MAX_KEEPALIVE];
    const char *sids[MAX_KEEPALIVE];

    if (ck->kind != KIND_KEEPALIVE) {
        struct exchange *ex = &c->ex[0];

        bad = judge(ck, ex, why, sizeof(why)) != 0;
        if (bad && libevent_http10_reuse(c, ex)) {
            printf("ok   %s %s: EVREQ_HTTP_EOF on the HTTP/1.0 connection "
                   "kept, as libevent 2.1.12 does\n",
                   ck->word, ck->path);
            return;
        }
#ifdef VIGIL_ORACLE
        /* Deliberate difference (see chunked-ext at the top): libevent
         * 2.1.12 takes a chunk-size line with an extension for a corrupt
         * body. */
        if (bad && ck->kind == KIND_CHUNK_EXT && ex->failed &&
            ex->error == EVREQ_HTTP_DATA_TOO_LONG) {
            printf("ok   %s %s: refused (EVREQ_HTTP_DATA_TOO_LONG), as "
                   "libevent 2.1.12 does\n",
                   ck->word, ck->path);
            return;
        }
#endif
        if (!bad && ck->kind != KIND_GET && ck->kind != KIND_HEAD &&
            ck->kind != KIND_BODY && ck->kind != KIND_METHOD)
            snprintf(extra, sizeof(extra), " in %d piece%s%s", ex->pieces,
                     ex->pieces == 1 ? "" : "s",
                     ex->chunked ? ", chunked" : "");
        if (!bad && ex->location[0] != '\0')
            snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
                     ", Location %s", ex->location);
        if (bad) {
            printf("FAIL %s %s: %s\n", ck->word, ck->path, why);
        } else {
            printf("ok   %s %s: %d, %zu bytes%s\n", ck->word, ck->path,
                   ex->code, evbuffer_get_length(ex->body), extra);
        }
        if (bad)
            c->failures++;
        return;
    }
    for (i = 0; i < ck->n && !bad; i++) {
        struct exchange *ex = &c->ex[i];

        if (libevent_http10_reuse(c, ex)) {
            reused++;
            continue;
        }
        if (judge(ck, ex, why, sizeof(why)) != 0) {
            printf("FAIL %s %s: request %d of %d: %s\n", ck->word, ck->path,
                   i + 1, ck->n, why);
            bad = 1;
            break;
        }
        for (j = 0; j < ports && seen[j] != ex->local_port; j++)
            continue;
        if (j == ports)
            seen[ports++] = ex->local_port;
        if (ex->server_conn[0] != '\0') {
            for (j = 0; j < servers && strcmp(sids[j], ex->server_conn); j++)
                continue;
            if (j == servers)
                sids[servers++] = ex->server_conn;
        }
    }
    if (!bad && reused > 0) {
        printf("ok   %s %s: %d responses over %d connection%s, and %d "
               "EVREQ_HTTP_EOF on HTTP/1.0 connections kept, as libevent "
               "2.1.12 does\n",
               ck->word, ck->path, ck->n - reused, ports, ports == 1 ? "" : "s",
               reused);
        return;
    }
    if (!bad && ck->conns >= 0 && ports != ck->conns) {
        printf("FAIL %s %s: %d responses over %d connections, %d wanted\n",
               ck->word, ck->path, ck->n, ports, ck->conns);
        bad = 1;
    }
    if (!bad) {
        if (servers > 0)
            snprintf(extra, sizeof(extra), " (server: %d)", servers);
        printf("ok   %s %s: %d responses over %d connection%s%s\n", ck->word,
               ck->path, ck->n, ports, ports == 1 ? "" : "s", extra);
    }
    if (bad)
        c->failures++;
}

static void
free_exchanges(struct client *c)
{
    int i;

    for (i = 0; i < MAX_KEEPALIVE; i++) {
        if (c->ex[i].body != NULL)
            evbuffer_free(c->ex[i].body);
        c->ex[i].body = NULL;
    }
}

static struct evhttp_connection *
new_connection(struct client *c)
{
    struct evhttp_connection *conn =
        evhttp_connection_base_new(c->base, NULL, c->host, c->port);

    if (conn != NULL) {
        evhttp_connection_set_timeout(conn, c->timeout);
        if (c->read_on_write_error &&
            evhttp_connection_set_flags(conn, EVHTTP_CON_READ_ON_WRITE_ERROR) !=
                0) {
            evhttp_connection_free(conn);
            return NULL;
        }
    }
    return conn;
}

/* Reports the check that finished, if any, and starts the next; ends the
 * loop after the last. */
static void
start_next(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;
    struct check *ck;
    struct evhttp_connection *conn;
    int i;

    (void)fd;
    (void)what;
    if (c->next > 0)
        report(c, &c->checks[c->next - 1]);
    free_exchanges(c);
    if (c->extra != NULL) {
        evhttp_connection_free(c->extra);
        c->extra = NULL;
    }
    fflush(stdout);
    if (c->next == c->n_checks) {
        event_base_loopexit(c->base, NULL);
        return;
    }
    ck = &c->checks[c->next++];
    conn = c->conn;
    if (ck->kind == KIND_KEEPALIVE) {
        if ((c->extra = new_connection(c)) == NULL) {
            fprintf(stderr, "%s: cannot make a connection\n", prog);
            event_base_loopexit(c->base, NULL);
            c->failures++;
            return;
        }
        conn = c->extra;
    }
    for (i = 0; i < (ck->kind == KIND_KEEPALIVE ? ck->n : 1); i++) {
        if (send_request(c, ck, conn, &c->ex[i]) != 0) {
            printf("FAIL %s %s: cannot make the request\n", ck->word, ck->path);
            c->failures++;
            event_base_loopexit(c->base, NULL);
            return;
        }
    }
}

static void
on_give_up(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;

    (void)fd;
    (void)what;
    printf("FAIL: gave up waiting (check %d of %d not done)\n", c->next,
           c->n_checks);
    c->failures++;
    event_base_loopexit(c->base, NULL);
}

static int
usage(void)
{
    fprintf(stderr,
            "usage: %s [-0] [-r] [-w SECONDS] [-t SECONDS] URL CHECK...\n"
            "checks: get PATH CODE WANT | head PATH CODE LENGTH |\n"
            "        chunked PATH CODE WANT | chunked-ext PATH CODE WANT |\n"
            "        pieces PATH CODE WANT |\n"
            "        post PATH CODE BODY WANT |\n"
            "        put PATH CODE BODY WANT | method NAME PATH CODE |\n"
            "        keepalive N PATH WANT CONNS\n",
            prog);
    return 2;
}

static int
parse_int(const char *s, long lo, long hi, long *v)
{
    char *end;

    errno = 0;
    *v = strtol(s, &end, 10);
    return errno != 0 || end == s || *end != '\0' || *v < lo || *v > hi ? -1
                                                                        : 0;
}

/* A status: "CODE", or "CODE/CODE" for either. */
static int
parse_code(const char *s, struct check *ck)
{
    char first[8];
    const char *slash = strchr(s, '/');
    long v;

    ck->code2 = 0;
    if (slash != NULL) {
        if (slash - s >= (long)sizeof(first) ||
            parse_int(slash + 1, 100, 599, &v) != 0)
            return -1;
        ck->code2 = (int)v;
        memcpy(first, s, (size_t)(slash - s));
        first[slash - s] = '\0';
        s = first;
    }
    if (parse_int(s, 100, 599, &v) != 0)
        return -1;
    ck->code = (int)v;
    return 0;
}

/* Parses the checks from ARGV; the number parsed, or -1. */
static int
parse_checks(char **argv, int argc, struct check *checks)
{
    int i = 0, n = 0;
    long v;

    while (i < argc) {
        struct check *ck = &checks[n++];
        const char *w = argv[i];
        int need;

        memset(ck, 0, sizeof(*ck));
        ck->word = w;
        ck->cmd = EVHTTP_REQ_GET;
        ck->length = -1;
        ck->conns = -1;
        ck->want = "-";
        if (strcmp(w, "get") == 0 || strcmp(w, "chunked") == 0 ||
            strcmp(w, "pieces") == 0 || strcmp(w, "head") == 0 ||
            strcmp(w, "chunked-ext") == 0)
            need = 3;
        else if (strcmp(w, "post") == 0 || strcmp(w, "put") == 0 ||
                 strcmp(w, "keepalive") == 0)
            need = 4;
        else if (strcmp(w, "method") == 0)
            need = 3;
        else
            return -1;
        if (i + need >= argc)
            return -1;
        if (strcmp(w, "keepalive") == 0) {
            ck->kind = KIND_KEEPALIVE;
            if (parse_int(argv[i + 1], 1, MAX_KEEPALIVE, &v) != 0)
                return -1;
            ck->n = (int)v;
            ck->path = argv[i + 2];
            ck->want = argv[i + 3];
            ck->code = 200;
            if (strcmp(argv[i + 4], "-") != 0) {
                if (parse_int(argv[i + 4], 1, MAX_KEEPALIVE, &v) != 0)
                    return -1;
                ck->conns = (int)v;
            }
        } else if (strcmp(w, "method") == 0) {
            ck->kind = KIND_METHOD;
            ck->word = argv[i + 1];
            if (parse_method(argv[i + 1], &ck->cmd) != 0)
                return -1;
            ck->path = argv[i + 2];
            if (parse_code(argv[i + 3], ck) != 0)
                return -1;
        } else {
            ck->path = argv[i + 1];
            if (parse_code(argv[i + 2], ck) != 0)
                return -1;
            if (strcmp(w, "get") == 0) {
                ck->kind = KIND_GET;
                ck->want = argv[i + 3];
            } else if (strcmp(w, "chunked") == 0 ||
                       strcmp(w, "chunked-ext") == 0 ||
                       strcmp(w, "pieces") == 0) {
                ck->kind = w[0] == 'p'                 ? KIND_PIECES
                           : strcmp(w, "chunked") == 0 ? KIND_CHUNKED
                                                       : KIND_CHUNK_EXT;
                ck->want = argv[i + 3];
            } else if (strcmp(w, "head") == 0) {
                ck->kind = KIND_HEAD;
                ck->cmd = EVHTTP_REQ_HEAD;
                if (strcmp(argv[i + 3], "-") != 0) {
                    if (parse_int(argv[i + 3], 0, 1L << 40, &v) != 0)
                        return -1;
                    ck->length = v;
                }
            } else {
                ck->kind = KIND_BODY;
                ck->cmd = w[1] == 'o' ? EVHTTP_REQ_POST : EVHTTP_REQ_PUT;
                ck->body = argv[i + 3];
                ck->want = argv[i + 4];
            }
        }
        i += need + 1;
    }
    return n;
}

int
main(int argc, char **argv)
{
    struct client c;
    struct evhttp_uri *uri = NULL;
    struct event *give_up = NULL;
    struct timeval limit = {60, 0};
    struct timeval now = {0, 0};
    const char *path;
    long v;
    int opt, rc = 1;

    memset(&c, 0, sizeof(c));
    c.timeout = 10;
    /* A server that closes while a body is still going out must not end
     * the program: libevent leaves SIGPIPE to it. */
    signal(SIGPIPE, SIG_IGN);
    while ((opt = getopt(argc, argv, "w:t:r0")) != -1) {
        switch (opt) {
        case '0':
            c.http10 = 1;
            break;
        case 'r':
            c.read_on_write_error = 1;
            break;
        case 'w':
            if (parse_int(optarg, 1, 3600, &v) != 0)
                return usage();
            limit.tv_sec = v;
            break;
        case 't':
            if (parse_int(optarg, 1, 3600, &v) != 0)
                return usage();
            c.timeout = (int)v;
            break;
        default:
            return usage();
        }
    }
    if (argc - optind < 2)
        return usage();
    uri = evhttp_uri_parse(argv[optind]);
    if (uri == NULL || evhttp_uri_get_host(uri) == NULL ||
        evhttp_uri_get_scheme(uri) == NULL ||
        strcmp(evhttp_uri_get_scheme(uri), "http") != 0) {
        fprintf(stderr, "%s: not an http:// URL: %s\n", prog, argv[optind]);
        if (uri != NULL)
            evhttp_uri_free(uri);
        return 2;
    }
    c.host = evhttp_uri_get_host(uri);
    c.port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
    snprintf(c.host_header, sizeof(c.host_header), "%s:%d", c.host, c.port);
    path = evhttp_uri_get_path(uri);
    c.prefix = path != NULL && strcmp(path, "/") != 0 ? path : "";
    optind++;
    c.checks = calloc((size_t)(argc - optind), sizeof(*c.checks));
    if (c.checks == NULL)
        goto done;
    c.n_checks = parse_checks(argv + optind, argc - optind, c.checks);
    if (c.n_checks <= 0) {
        rc = usage();
        goto done;
    }

    if ((c.base = event_base_new()) == NULL ||
        (c.conn = new_connection(&c)) == NULL ||
        (give_up = evtimer_new(c.base, on_give_up, &c)) == NULL ||
        evtimer_add(give_up, &limit) != 0 ||
        event_base_once(c.base, -1, EV_TIMEOUT, start_next, &c, &now) != 0) {
        fprintf(stderr, "%s: cannot set up the client\n", prog);
        goto done;
    }
    event_base_dispatch(c.base);
    rc = c.failures == 0 && c.next == c.n_checks ? 0 : 1;
    printf("%d of %d checks passed\n", c.n_checks - c.failures, c.n_checks);
done:
    free_exchanges(&c);
    if (c.extra != NULL)
        evhttp_connection_free(c.extra);
    if (c.conn != NULL)
        evhttp_connection_free(c.conn);
    if (give_up != NULL)
        event_free(give_up);
    if (c.base != NULL)
        event_base_free(c.base);
    free(c.checks);
    evhttp_uri_free(uri);
    return rc;
}
