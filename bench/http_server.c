/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_server: an HTTP server on libevent's evhttp through the public API
 * only, written the way a user would, so that the same source builds
 * against Vigil and against Debian's libevent.  http_server_epoll.c is the
 * floor; bench/http_load.c and wrk are the load; http-common.h describes
 * the options.
 *
 * The hello mode answers from a callback on "/" with a new evbuffer
 * holding "hello\n" and evhttp_send_reply().  The file mode opens the file
 * for every request, as a server of files that may change must, and hands
 * the descriptor to the reply with evbuffer_add_file() (the library sends
 * it and closes it).  Both set a Content-Type.  SIGTERM or SIGINT ends the
 * loop; everything is freed and the program exits with status 0.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "http-common.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
    struct http_server_opts o;
    struct event_base *base;
} g;

static void
hello_cb(struct evhttp_request *req, void *arg)
{
    struct evbuffer *body = evbuffer_new();

    (void)arg;
    if (body == NULL ||
        evbuffer_add(body, HTTP_HELLO_BODY, sizeof(HTTP_HELLO_BODY) - 1) != 0) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
    } else {
        evhttp_add_header(evhttp_request_get_output_headers(req),
                          "Content-Type", "text/plain");
        evhttp_send_reply(req, HTTP_OK, "OK", body);
    }
    if (body != NULL)
        evbuffer_free(body);
}

static void
file_cb(struct evhttp_request *req, void *arg)
{
    struct evbuffer *body;
    struct stat st;
    int fd;

    (void)arg;
    fd = open(g.o.file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        evhttp_send_error(req, HTTP_NOTFOUND, NULL);
        return;
    }
    body = evbuffer_new();
    if (body == NULL || fstat(fd, &st) != 0) {
        close(fd);
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        if (body != NULL)
            evbuffer_free(body);
        return;
    }
    /* On success the buffer owns the descriptor and closes it. */
    if (evbuffer_add_file(body, fd, 0, st.st_size) != 0) {
        close(fd);
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
    } else {
        evhttp_add_header(evhttp_request_get_output_headers(req),
                          "Content-Type", "application/octet-stream");
        evhttp_send_reply(req, HTTP_OK, "OK", body);
    }
    evbuffer_free(body);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    (void)arg;
    event_base_loopbreak(g.base);
}

int
main(int argc, char **argv)
{
    struct evhttp *http = NULL;
    struct evhttp_bound_socket *bound;
    struct event *sigterm = NULL;
    struct event *sigint = NULL;
    int ret = 1;
    int rc;

    http_server_parse(argc, argv, &g.o);
    signal(SIGPIPE, SIG_IGN);
    g.base = event_base_new();
    if (g.base == NULL) {
        fprintf(stderr, "event_base_new failed\n");
        return 1;
    }
    http = evhttp_new(g.base);
    if (http == NULL) {
        fprintf(stderr, "evhttp_new failed\n");
        goto out;
    }
    if (g.o.mode == HTTP_MODE_FILE)
        rc = evhttp_set_cb(http, HTTP_FILE_PATH, file_cb, NULL);
    else
        rc = evhttp_set_cb(http, HTTP_HELLO_PATH, hello_cb, NULL);
    if (rc != 0) {
        fprintf(stderr, "evhttp_set_cb failed\n");
        goto out;
    }
    bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
                                           (ev_uint16_t)g.o.port);
    if (bound == NULL) {
        fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", g.o.port);
        goto out;
    }
    sigterm = evsignal_new(g.base, SIGTERM, stop_cb, NULL);
    sigint = evsignal_new(g.base, SIGINT, stop_cb, NULL);
    if (sigterm == NULL || sigint == NULL || event_add(sigterm, NULL) != 0 ||
        event_add(sigint, NULL) != 0) {
        fprintf(stderr, "cannot watch SIGTERM and SIGINT\n");
        goto out;
    }
    if (http_server_announce(&g.o, (int)evhttp_bound_socket_get_fd(bound)) != 0)
        goto out;
    if (event_base_dispatch(g.base) < 0) {
        fprintf(stderr, "event_base_dispatch failed\n");
        goto out;
    }
    ret = 0;
out:
    if (sigterm != NULL)
        event_free(sigterm);
    if (sigint != NULL)
        event_free(sigint);
    if (http != NULL)
        evhttp_free(http);
    event_base_free(g.base);
    return ret;
}
