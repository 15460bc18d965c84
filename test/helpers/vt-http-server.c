/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-http-server.c: the scripted HTTP server of vt-http-server.h.  One
 * thread accepts; each connection runs its script in a thread of its own
 * on a blocking socket, waiting with poll on the socket and on a stop pipe
 * that vt_http_server_stop makes readable for good.
 */
#include "vt-http-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

#define MAX_CONNS 64
#define MAX_REQUESTS 1024
#define DEFAULT_MS 10000

struct conn {
    struct vt_http_server *srv;
    int index;
    int fd;
    pthread_t thread;
    int started;
    const struct vt_hs_step *script;
    char *in; /* bytes read and not yet recorded */
    size_t in_len, in_cap;
    struct vt_hs_conn info; /* under the server's lock */
};

struct vt_http_server {
    int lfd;
    struct sockaddr_in addr;
    int stop_pipe[2];   /* readable once the server stops */
    int notify_pipe[2]; /* a byte per change, for the test */
    pthread_t acceptor;
    pthread_mutex_t lock;
    const struct vt_hs_step *const *scripts;
    int nscripts;
    const struct vt_hs_step *one_script[1];
    struct conn conns[MAX_CONNS];
    int nconns;
    struct vt_hs_request requests[MAX_REQUESTS];
    int nrequests;
    int ndone;
};

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
notify(struct vt_http_server *srv)
{
    char one = 1;

    /* The pipe is non-blocking: when it is full the test has enough to
     * wake up for. */
    while (write(srv->notify_pipe[1], &one, 1) < 0 && errno == EINTR)
        continue;
}

/* Waits up to ms for fd to be ready for events.  Returns 1 when it is, 0
 * on timeout, -1 when the server stops. */
static int
wait_fd(struct vt_http_server *srv, int fd, short events, long ms)
{
    struct pollfd p[2] = {{srv->stop_pipe[0], POLLIN, 0}, {fd, events, 0}};
    int n = fd >= 0 ? 2 : 1;
    long deadline = now_ms() + ms;

    for (;;) {
        long left = deadline - now_ms();
        int k;

        if (left < 0)
            left = 0;
        k = poll(p, (nfds_t)n, (int)left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (p[0].revents != 0)
            return -1;
        if (k > 0)
            return 1;
        if (left == 0)
            return 0;
    }
}

/* The length of the line at p (through its LF), or 0 if incomplete. */
static size_t
line_len(const char *p, size_t n)
{
    const char *lf = memchr(p, '\n', n);

    return lf == NULL ? 0 : (size_t)(lf - p) + 1;
}

/* The end of a chunked body starting at p, or 0 if it is incomplete. */
static size_t
chunked_len(const char *p, size_t n)
{
    size_t off = 0;

    for (;;) {
        size_t l = line_len(p + off, n - off);
        unsigned long size;

        if (l == 0)
            return 0;
        size = strtoul(p + off, NULL, 16);
        off += l;
        if (size == 0)
            break;
        if (n - off < size)
            return 0;
        off += size;
        l = line_len(p + off, n - off);
        if (l == 0)
            return 0;
        off += l;
    }
    /* Trailers up to an empty line. */
    for (;;) {
        size_t l = line_len(p + off, n - off);

        if (l == 0)
            return 0;
        off += l;
        if (l == 1 || (l == 2 && p[off - 2] == '\r'))
            return off;
    }
}

/* If buf starts with a complete request, its length (and its head's in
 * *head_len); else 0. */
static size_t
request_len(const char *buf, size_t n, size_t *head_len)
{
    size_t off = 0, body_at, content_length = 0;
    int chunked = 0;

    /* The request line, then header lines up to an empty one. */
    for (int first = 1;; first = 0) {
        size_t l = line_len(buf + off, n - off);
        const char *line = buf + off;

        if (l == 0)
            return 0;
        off += l;
        if (l == 1 || (l == 2 && line[0] == '\r')) {
            if (!first)
                break;
            continue; /* blank lines before the request line */
        }
        if (first)
            continue;
        if (l > 15 && strncasecmp(line, "Content-Length:", 15) == 0)
            content_length = strtoul(line + 15, NULL, 10);
        else if (l > 18 && strncasecmp(line, "Transfer-Encoding:", 18) == 0)
            chunked = strstr(line, "chunked") != NULL;
    }
    body_at = off;
    *head_len = body_at;
    if (chunked) {
        size_t c = chunked_len(buf + body_at, n - body_at);

        return c == 0 ? 0 : body_at + c;
    }
    if (n - body_at < content_length)
        return 0;
    return body_at + content_length;
}

/* Records len bytes at the start of c->in as a request and removes them
 * from the input. */
static void
record(struct conn *c, size_t len, size_t head_len, int complete)
{
    struct vt_http_server *srv = c->srv;
    char *copy = malloc(len + 1);

    if (copy != NULL) {
        memcpy(copy, c->in, len);
        copy[len] = '\0';
    }
    memmove(c->in, c->in + len, c->in_len - len);
    c->in_len -= len;
    pthread_mutex_lock(&srv->lock);
    if (copy != NULL && srv->nrequests < MAX_REQUESTS) {
        struct vt_hs_request *r = &srv->requests[srv->nrequests++];

        r->data = copy;
        r->len = len;
        r->head_len = head_len;
        r->conn = c->index;
        r->index = c->info.requests++;
        r->complete = complete;
        copy = NULL;
    }
    pthread_mutex_unlock(&srv->lock);
    free(copy);
    notify(srv);
}

/* Records every complete request in the input.  Returns how many. */
static int
record_complete(struct conn *c)
{
    int n = 0;

    for (;;) {
        size_t head_len = 0;
        size_t len =
            c->in_len == 0 ? 0 : request_len(c->in, c->in_len, &head_len);

        if (len == 0)
            return n;
        record(c, len, head_len, 1);
        n++;
    }
}

/* Reads once, waiting up to ms.  Returns 1 after reading, 0 on EOF, -1 on
 * an error or reset, -2 on timeout, -3 when the server stops. */
static int
read_some(struct conn *c, long ms)
{
    char buf[4096];
    ssize_t k;
    int w = wait_fd(c->srv, c->fd, POLLIN, ms);

    if (w <= 0)
        return w == 0 ? -2 : -3;
    do {
        k = recv(c->fd, buf, sizeof(buf), 0);
    } while (k < 0 && errno == EINTR);
    if (k == 0) {
        pthread_mutex_lock(&c->srv->lock);
        c->info.client_eof = 1;
        pthread_mutex_unlock(&c->srv->lock);
        return 0;
    }
    if (k < 0) {
        pthread_mutex_lock(&c->srv->lock);
        c->info.client_reset = errno == ECONNRESET;
        pthread_mutex_unlock(&c->srv->lock);
        return -1;
    }
    if (c->in_len + (size_t)k + 1 > c->in_cap) {
        size_t cap = c->in_cap ? c->in_cap : 4096;
        char *in;

        while (cap < c->in_len + (size_t)k + 1)
            cap *= 2;
        in = realloc(c->in, cap);
        if (in == NULL)
            return -1;
        c->in = in;
        c->in_cap = cap;
    }
    memcpy(c->in + c->in_len, buf, (size_t)k);
    c->in_len += (size_t)k;
    return 1;
}

/* The client is gone: whatever is left is an incomplete request. */
static void
record_rest(struct conn *c)
{
    if (c->in_len > 0)
        record(c, c->in_len, 0, 0);
}

static int
step_expect(struct conn *c, long ms)
{
    long deadline = now_ms() + ms;

    for (;;) {
        size_t head_len = 0;
        size_t len =
            c->in_len == 0 ? 0 : request_len(c->in, c->in_len, &head_len);
        int k;

        if (len > 0) {
            record(c, len, head_len, 1);
            return 0;
        }
        k = read_some(c, deadline - now_ms());
        if (k == 1)
            continue;
        record_rest(c);
        return -1;
    }
}

static int
step_wait_close(struct conn *c, long ms)
{
    long deadline = now_ms() + ms;

    for (;;) {
        int k;

        record_complete(c);
        k = read_some(c, deadline - now_ms());
        if (k == 1)
            continue;
        record_rest(c);
        return k == -2 ? 0 : -1;
    }
}

static int
step_send(struct conn *c, const struct vt_hs_step *s)
{
    size_t len = s->len ? s->len : strlen(s->data);
    size_t piece = s->piece ? s->piece : len;
    size_t sent = 0;

    while (sent < len) {
        size_t want = len - sent < piece ? len - sent : piece;
        size_t off = 0;

        if (sent > 0 && s->ms > 0 && wait_fd(c->srv, -1, 0, s->ms) < 0)
            return -1;
        while (off < want) {
            ssize_t k =
                send(c->fd, s->data + sent + off, want - off, MSG_NOSIGNAL);

            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0)
                return -1;
            off += (size_t)k;
        }
        sent += want;
    }
    return 0;
}

static void
run_script(struct conn *c)
{
    const struct vt_hs_step *s = c->script;

    for (;;) {
        long ms = s->ms > 0 ? s->ms : DEFAULT_MS;
        int rc = 0;

        switch (s->op) {
        case VT_HS_END:
            return;
        case VT_HS_EXPECT:
            rc = step_expect(c, ms);
            break;
        case VT_HS_SEND:
            rc = step_send(c, s);
            break;
        case VT_HS_SLEEP:
            rc = wait_fd(c->srv, -1, 0, s->ms) < 0 ? -1 : 0;
            break;
        case VT_HS_SHUT_WR:
            shutdown(c->fd, SHUT_WR);
            break;
        case VT_HS_RESET: {
            struct linger lg = {1, 0};

            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            return;
        }
        case VT_HS_CLOSE:
            return;
        case VT_HS_WAIT_CLOSE:
            rc = step_wait_close(c, ms);
            break;
        case VT_HS_REPEAT:
            s = c->script;
            continue;
        }
        if (rc < 0)
            return;
        s++;
    }
}

static void *
conn_main(void *arg)
{
    struct conn *c = arg;
    struct vt_http_server *srv = c->srv;
    struct timeval tv = {10, 0};

    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    run_script(c);
    close(c->fd);
    pthread_mutex_lock(&srv->lock);
    c->fd = -1;
    c->info.done = 1;
    srv->ndone++;
    pthread_mutex_unlock(&srv->lock);
    notify(srv);
    return NULL;
}

static void *
accept_main(void *arg)
{
    struct vt_http_server *srv = arg;

    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof(peer);
        struct conn *c;
        int fd;

        if (wait_fd(srv, srv->lfd, POLLIN, 600000) <= 0)
            return NULL;
        fd = accept4(srv->lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&srv->lock);
        if (srv->nconns == MAX_CONNS) {
            pthread_mutex_unlock(&srv->lock);
            close(fd);
            continue;
        }
        c = &srv->conns[srv->nconns];
        c->srv = srv;
        c->index = srv->nconns;
        c->fd = fd;
        c->script = srv->scripts[c->index < srv->nscripts ? c->index
                                                          : srv->nscripts - 1];
        c->info.client_port = ntohs(peer.sin_port);
        c->started = pthread_create(&c->thread, NULL, conn_main, c) == 0;
        if (!c->started) {
            close(fd);
            c->fd = -1;
            c->info.done = 1;
            srv->ndone++;
        }
        srv->nconns++;
        pthread_mutex_unlock(&srv->lock);
        notify(srv);
    }
}

/* Starts the server; one, when not NULL, is the only script (kept in the
 * server, so that the caller's argument need not outlive the call). */
static struct vt_http_server *
start(const struct vt_hs_step *const *scripts, int n,
      const struct vt_hs_step *one)
{
    struct vt_http_server *srv;

    if (n < 1)
        return NULL;
    srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return NULL;
    srv->scripts = scripts;
    srv->nscripts = n;
    if (one != NULL) {
        srv->one_script[0] = one;
        srv->scripts = srv->one_script;
    }
    srv->stop_pipe[0] = srv->stop_pipe[1] = -1;
    srv->notify_pipe[0] = srv->notify_pipe[1] = -1;
    pthread_mutex_init(&srv->lock, NULL);
    srv->lfd = vt_tcp_listener(&srv->addr);
    if (srv->lfd < 0 || pipe2(srv->stop_pipe, O_CLOEXEC) < 0 ||
        pipe2(srv->notify_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
        pthread_create(&srv->acceptor, NULL, accept_main, srv) != 0) {
        if (srv->lfd >= 0)
            close(srv->lfd);
        for (int i = 0; i < 2; i++) {
            if (srv->stop_pipe[i] >= 0)
                close(srv->stop_pipe[i]);
            if (srv->notify_pipe[i] >= 0)
                close(srv->notify_pipe[i]);
        }
        pthread_mutex_destroy(&srv->lock);
        free(srv);
        return NULL;
    }
    return srv;
}

struct vt_http_server *
vt_http_server_start_scripts(const struct vt_hs_step *const *scripts, int n)
{
    return start(scripts, n, NULL);
}

struct vt_http_server *
vt_http_server_start(const struct vt_hs_step *script)
{
    return script == NULL ? NULL : start(NULL, 1, script);
}

void
vt_http_server_stop(struct vt_http_server *srv)
{
    char one = 1;
    int n;

    if (srv == NULL)
        return;
    while (write(srv->stop_pipe[1], &one, 1) < 0 && errno == EINTR)
        continue;
    pthread_join(srv->acceptor, NULL);
    /* No more connections come: the count is final. */
    n = srv->nconns;
    for (int i = 0; i < n; i++) {
        if (srv->conns[i].started)
            pthread_join(srv->conns[i].thread, NULL);
        free(srv->conns[i].in);
    }
    for (int i = 0; i < srv->nrequests; i++)
        free((char *)srv->requests[i].data);
    close(srv->lfd);
    for (int i = 0; i < 2; i++) {
        close(srv->stop_pipe[i]);
        close(srv->notify_pipe[i]);
    }
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

int
vt_http_server_port(const struct vt_http_server *srv)
{
    return ntohs(srv->addr.sin_port);
}

void
vt_http_server_addr(const struct vt_http_server *srv, struct sockaddr_in *out)
{
    *out = srv->addr;
}

int
vt_http_server_notify_fd(const struct vt_http_server *srv)
{
    return srv->notify_pipe[0];
}

void
vt_http_server_drain(struct vt_http_server *srv)
{
    char buf[64];

    while (read(srv->notify_pipe[0], buf, sizeof(buf)) > 0)
        continue;
}

static int
get_count(struct vt_http_server *srv, const int *field)
{
    int n;

    pthread_mutex_lock(&srv->lock);
    n = *field;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

int
vt_http_server_connections(struct vt_http_server *srv)
{
    return get_count(srv, &srv->nconns);
}

int
vt_http_server_requests(struct vt_http_server *srv)
{
    return get_count(srv, &srv->nrequests);
}

int
vt_http_server_done(struct vt_http_server *srv)
{
    return get_count(srv, &srv->ndone);
}

int
vt_http_server_request(struct vt_http_server *srv, int i,
                       struct vt_hs_request *out)
{
    int rc = -1;

    pthread_mutex_lock(&srv->lock);
    if (i >= 0 && i < srv->nrequests) {
        *out = srv->requests[i];
        rc = 0;
    }
    pthread_mutex_unlock(&srv->lock);
    return rc;
}

int
vt_http_server_conn(struct vt_http_server *srv, int i, struct vt_hs_conn *out)
{
    int rc = -1;

    pthread_mutex_lock(&srv->lock);
    if (i >= 0 && i < srv->nconns) {
        *out = srv->conns[i].info;
        rc = 0;
    }
    pthread_mutex_unlock(&srv->lock);
    return rc;
}
