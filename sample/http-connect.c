/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-connect: fetches a URL through an HTTP proxy's CONNECT tunnel, on
 * one evhttp_connection.  It connects to the proxy, asks it with
 * "CONNECT HOST:PORT" for a tunnel to the URL's server, and once the
 * proxy says 200 sends the GET for the URL over that same connection
 * (now the tunnel) and prints the body of the answer on standard output.
 *
 *   usage: http-connect [-t SECONDS] PROXY_HOST:PORT URL
 *
 *   -t  give up after this long without progress (default 10)
 *
 *   e.g.  http-connect 127.0.0.1:3128 http://example.org/index.html
 *
 * Exit status: 0 when the server answered the GET with 200, 1 when the
 * proxy refused the tunnel, the server answered otherwise or something
 * failed on the way (a line on stderr says which), 2 for a usage error.
 * Only libevent's public API is used.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample-util.h"

static const char *prog = "http-connect";

struct fetch {
    struct event_base *base;
    struct evhttp_connection *conn;
    char authority[300]; /* HOST:PORT, for CONNECT and Host */
    char *target;        /* the URL's path and query */
    int rc;
    int write_failed;
};

static void
give_up(struct fetch *f, const char *what, struct evhttp_request *req)
{
    if (req != NULL && evhttp_request_get_response_code(req) != 0)
        fprintf(stderr, "%s: %s: %d %s\n", prog, what,
                evhttp_request_get_response_code(req),
                evhttp_request_get_response_code_line(req));
    else
        fprintf(stderr, "%s: %s: no answer\n", prog, what);
    f->rc = 1;
    event_base_loopexit(f->base, NULL);
}

/* The server's answer, through the tunnel: its body goes to stdout. */
static void
on_response(struct evhttp_request *req, void *arg)
{
    struct fetch *f = arg;
    struct evbuffer *body;
    size_t n;

    if (req == NULL || evhttp_request_get_response_code(req) == 0) {
        give_up(f, "GET through the tunnel", req);
        return;
    }
    body = evhttp_request_get_input_buffer(req);
    while ((n = evbuffer_get_length(body)) > 0) {
        unsigned char *bytes = evbuffer_pullup(body, (ev_ssize_t)n);

        if (fwrite(bytes, 1, n, stdout) != n) {
            fprintf(stderr, "%s: cannot write the body\n", prog);
            f->write_failed = 1;
            break;
        }
        evbuffer_drain(body, n);
    }
    fflush(stdout);
    if (evhttp_request_get_response_code(req) != 200) {
        fprintf(stderr, "%s: the server answered %d %s\n", prog,
                evhttp_request_get_response_code(req),
                evhttp_request_get_response_code_line(req));
        f->rc = 1;
    } else {
        f->rc = f->write_failed;
    }
    event_base_loopexit(f->base, NULL);
}

/* The proxy's answer to CONNECT: on 200 the connection is a tunnel to the
 * server, and the GET goes over it. */
static void
on_tunnel(struct evhttp_request *req, void *arg)
{
    struct fetch *f = arg;
    struct evhttp_request *get;

    if (req == NULL || evhttp_request_get_response_code(req) != 200) {
        give_up(f, "the proxy refused the tunnel", req);
        return;
    }
    get = evhttp_request_new(on_response, f);
    if (get == NULL) {
        give_up(f, "cannot make the GET", NULL);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(get), "Host",
                      f->authority);
    evhttp_add_header(evhttp_request_get_output_headers(get), "Connection",
                      "close");
    if (evhttp_make_request(f->conn, get, EVHTTP_REQ_GET, f->target) != 0)
        give_up(f, "cannot send the GET", NULL);
}

/* Splits HOST:PORT (a last colon; IPv6 in brackets) into its parts. */
static int
split_host_port(const char *s, char *host, size_t len, unsigned short *port)
{
    const char *colon = strrchr(s, ':');
    size_t n;

    if (colon == NULL || colon == s)
        return -1;
    n = (size_t)(colon - s);
    if (s[0] == '[' && n >= 2 && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= len)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    return sample_parse_port(prog, colon + 1, port);
}

static int
usage(void)
{
    fprintf(stderr, "usage: %s [-t SECONDS] PROXY_HOST:PORT URL\n", prog);
    return 2;
}

int
main(int argc, char **argv)
{
    struct fetch f;
    struct evhttp_uri *uri = NULL;
    struct evhttp_request *req;
    char proxy_host[256];
    unsigned short proxy_port;
    const char *host, *path, *query;
    int opt, port, timeout = 10;
    char *end;

    memset(&f, 0, sizeof(f));
    f.rc = 1;
    while ((opt = getopt(argc, argv, "t:")) != -1) {
        switch (opt) {
        case 't':
            errno = 0;
            timeout = (int)strtol(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || timeout < 1 || timeout > 3600) {
                fprintf(stderr, "%s: bad time limit '%s'\n", prog, optarg);
                return 2;
            }
            break;
        default:
            return usage();
        }
    }
    if (argc - optind != 2)
        return usage();
    if (split_host_port(argv[optind], proxy_host, sizeof(proxy_host),
                        &proxy_port) != 0) {
        fprintf(stderr, "%s: bad proxy '%s' (HOST:PORT)\n", prog, argv[optind]);
        return 2;
    }
    uri = evhttp_uri_parse(argv[optind + 1]);
    if (uri == NULL || evhttp_uri_get_scheme(uri) == NULL ||
        strcmp(evhttp_uri_get_scheme(uri), "http") != 0 ||
        (host = evhttp_uri_get_host(uri)) == NULL || host[0] == '\0') {
        fprintf(stderr, "%s: not an http:// URL: '%s'\n", prog,
                argv[optind + 1]);
        if (uri != NULL)
            evhttp_uri_free(uri);
        return 2;
    }
    port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
    snprintf(f.authority, sizeof(f.authority),
             strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d", host, port);
    path = evhttp_uri_get_path(uri);
    query = evhttp_uri_get_query(uri);
    if (asprintf(&f.target, "%s%s%s",
                 path != NULL && path[0] != '\0' ? path : "/",
                 query != NULL ? "?" : "", query != NULL ? query : "") < 0) {
        evhttp_uri_free(uri);
        return 1;
    }
    /* A proxy that goes away mid-request must not end the program. */
    signal(SIGPIPE, SIG_IGN);

    if ((f.base = event_base_new()) == NULL ||
        (f.conn = evhttp_connection_base_new(f.base, NULL, proxy_host,
                                             proxy_port)) == NULL) {
        fprintf(stderr, "%s: cannot set up the connection\n", prog);
        goto done;
    }
    evhttp_connection_set_timeout(f.conn, timeout);
    if ((req = evhttp_request_new(on_tunnel, &f)) == NULL) {
        fprintf(stderr, "%s: cannot make the request\n", prog);
        goto done;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
                      f.authority);
    if (evhttp_make_request(f.conn, req, EVHTTP_REQ_CONNECT, f.authority) !=
        0) {
        fprintf(stderr, "%s: cannot send CONNECT\n", prog);
        goto done;
    }
    event_base_dispatch(f.base);
done:
    if (f.conn != NULL)
        evhttp_connection_free(f.conn);
    if (f.base != NULL)
        event_base_free(f.base);
    free(f.target);
    evhttp_uri_free(uri);
    return f.rc;
}
