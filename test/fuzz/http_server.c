/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_server.c: fuzz target for the evhttp server as a whole (conn.c,
 * reply.c, server.c over the parser): each input is what one client sends
 * on one loopback connection.  The first byte says in how many pieces it
 * is written (the loop runs between pieces, so the server sees partial
 * messages); then the client shuts its sending side and reads until the
 * server closes.
 *
 * The program behind the server answers by path: "/later" from a timer
 * (the connection waits for the program), "/stream" with a streamed
 * reply, "/error" with evhttp_send_error, "/close" with Connection:
 * close, anything else with an echo of the body.
 *
 * Checked for every input: the exchange ends by itself (no hang) within
 * a bound, everything the server wrote starts with an HTTP/1.x status
 * line, and afterwards the server holds no connection.  The sanitizers
 * check memory (leaks included).
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-check.h"
#include "http-internal.h"

static struct event_base *base;
static struct evhttp *http;
static struct sockaddr_in server_addr;

/* What the client read, and whether the server closed. */
static struct {
    char head[16];
    size_t got;
    int done;
} client;

static void
reply_echo(struct evhttp_request *req)
{
    evhttp_send_reply(req, HTTP_OK, NULL, evhttp_request_get_input_buffer(req));
}

/* Replies due from timers. */
static int later_pending;

static void
later_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    later_pending--;
    /* When the connection is gone meanwhile, this just frees it. */
    reply_echo(arg);
}

static void
gencb(struct evhttp_request *req, void *arg)
{
    const char *uri = evhttp_request_get_uri(req);
    struct evbuffer *b;

    (void)arg;
    if (strcmp(uri, "/later") == 0) {
        later_pending++;
        CHECK(event_base_once(base, -1, EV_TIMEOUT, later_cb, req, NULL) == 0);
        return;
    }
    if (strcmp(uri, "/stream") == 0) {
        b = evbuffer_new();
        CHECK(b != NULL);
        evhttp_send_reply_start(req, HTTP_OK, NULL);
        evbuffer_add(b, "abc", 3);
        evhttp_send_reply_chunk(req, b);
        evbuffer_add(b, "defgh", 5);
        evhttp_send_reply_chunk(req, b);
        evhttp_send_reply_end(req);
        evbuffer_free(b);
        return;
    }
    if (strcmp(uri, "/error") == 0) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        return;
    }
    if (strcmp(uri, "/close") == 0)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection",
                          "close");
    reply_echo(req);
}

static void
client_read(evutil_socket_t fd, short what, void *arg)
{
    char buf[4096];
    ssize_t n;

    (void)what;
    for (;;) {
        n = recv(fd, buf, sizeof(buf), 0);
        if (n > 0) {
            for (ssize_t i = 0; i < n && client.got < sizeof(client.head); i++)
                client.head[client.got++] = buf[i];
            if (client.got < sizeof(client.head))
                continue;
            client.got += (size_t)n; /* counting only */
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* Closed, or reset: stop watching (an EOF stays readable, and a
         * nonblocking loop goes on while events are active). */
        client.done = 1;
        event_del(arg);
        return;
    }
}

static void
setup(void)
{
    struct evhttp_bound_socket *bound;
    socklen_t len = sizeof(server_addr);

    base = event_base_new();
    CHECK(base != NULL);
    http = evhttp_new(base);
    CHECK(http != NULL);
    evhttp_set_gencb(http, gencb, NULL);
    evhttp_set_max_body_size(http, 4096);
    evhttp_set_max_headers_size(http, 2048);
    evhttp_set_timeout(http, 2);
    bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    CHECK(bound != NULL);
    CHECK(getsockname(evhttp_bound_socket_get_fd(bound),
                      (struct sockaddr *)&server_addr, &len) == 0);
}

/* Seconds since an arbitrary start. */
static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct event *ev;
    size_t pieces, step, off = 0;
    double deadline;
    int fd;

    if (base == NULL)
        setup();
    if (size == 0)
        return 0;
    pieces = (size_t)(data[0] % 8) + 1;
    data++;
    size--;
    step = size / pieces + 1;

    memset(&client, 0, sizeof(client));
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0);
    CHECK(connect(fd, (struct sockaddr *)&server_addr, sizeof(server_addr)) ==
          0);
    CHECK(evutil_make_socket_nonblocking(fd) == 0);
    ev = event_new(base, fd, EV_READ | EV_PERSIST, client_read,
                   event_self_cbarg());
    CHECK(ev != NULL);
    CHECK(event_add(ev, NULL) == 0);

    /* Each piece, then a few turns of the loop. */
    while (off < size && !client.done) {
        size_t n = size - off < step ? size - off : step;
        ssize_t w = send(fd, data + off, n, MSG_NOSIGNAL);

        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            break; /* the server closed first */
        if (w > 0)
            off += (size_t)w;
        for (int i = 0; i < 4; i++)
            event_base_loop(base, EVLOOP_NONBLOCK);
    }
    shutdown(fd, SHUT_WR);
    deadline = now() + 10.0;
    while (!client.done) {
        CHECK(now() < deadline); /* the server must end the exchange */
        event_base_loop(base, EVLOOP_ONCE);
    }
    event_free(ev);
    close(fd);
    /* Replies from timers may still be due: let them run. */
    while (later_pending > 0 || !TAILQ_EMPTY(&http->conns)) {
        CHECK(now() < deadline);
        event_base_loop(base, EVLOOP_ONCE);
    }
    if (client.got > 0)
        CHECK(client.got >= 9 && memcmp(client.head, "HTTP/1.", 7) == 0);
    CHECK(TAILQ_EMPTY(&http->conns));
    return 0;
}
