/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-server: a small static file server on evhttp.  It serves the files
 * under DOCROOT (a directory's index.html, or else a listing of the
 * directory), answers HEAD as GET without the body, and echoes the body
 * of a POST to /echo.  It runs until Ctrl-C (SIGINT) or SIGTERM, then
 * frees everything and exits 0.
 *
 *   usage: http-server [-p PORT] [-a ADDR] [-v] DOCROOT
 *
 *   -p  the port to listen on (default 0: the system chooses; the
 *       address is printed at start as "Listening on ADDR:PORT")
 *   -a  the address to listen on (default 127.0.0.1)
 *   -v  print a line for each request served, on stderr
 *
 *   then:  curl http://127.0.0.1:PORT/
 *          curl --data-binary @FILE http://127.0.0.1:PORT/echo
 *
 * A path with a ".." segment is refused (403), a missing file is 404,
 * any method but GET and HEAD on a file is 405, as is any but POST on
 * /echo.  Exit status: 0 after a signal, 1 when the server could not
 * start, 2 for a usage error.  Only libevent's public API is used.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sample-util.h"

/* The largest body /echo takes; a larger one gets 413. */
#define ECHO_MAX_BODY (1024 * 1024)

static const char *prog = "http-server";
static const char *docroot;
static int verbose;

/* File name extensions and their media types. */
static const struct {
    const char *ext;
    const char *type;
} media_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
};

/* The media type of a file, from its name's extension. */
static const char *
media_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    size_t i;

    if (dot == NULL || (slash != NULL && dot < slash))
        return "application/octet-stream";
    for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++) {
        if (strcasecmp(dot + 1, media_types[i].ext) == 0)
            return media_types[i].type;
    }
    return "application/octet-stream";
}

static const char *
method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_TRACE:
        return "TRACE";
    case EVHTTP_REQ_CONNECT:
        return "CONNECT";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    }
    return "?";
}

/* With -v, one line for each request: the peer, method, URI and the
 * status sent. */
static void
log_request(struct evhttp_request *req, int code)
{
    struct evhttp_connection *conn;
    char *peer = NULL;
    ev_uint16_t port = 0;

    if (!verbose)
        return;
    conn = evhttp_request_get_connection(req);
    if (conn != NULL)
        evhttp_connection_get_peer(conn, &peer, &port);
    fprintf(stderr, "%s: %s:%u %s %s %d\n", prog, peer ? peer : "?",
            (unsigned)port, method_name(evhttp_request_get_command(req)),
            evhttp_request_get_uri(req), code);
}

/* Sends a reply with this body.  libevent 2.1.12 writes whatever body it
 * is given even in answer to HEAD (and then no Content-Length), so for
 * HEAD the body stays here and only its length goes out, as RFC 9110
 * asks: the headers a GET would have had. */
static void
send_reply(struct evhttp_request *req, int code, const char *reason,
           struct evbuffer *body)
{
    char length[32];

    log_request(req, code);
    if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
        evhttp_send_reply(req, code, reason, body);
        return;
    }
    snprintf(length, sizeof(length), "%zu",
             body ? evbuffer_get_length(body) : (size_t)0);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length",
                      length);
    evhttp_send_reply(req, code, reason, NULL);
}

/* An error page; for HEAD, as send_reply, only its headers. */
static void
send_error(struct evhttp_request *req, int code, const char *reason)
{
    struct evbuffer *body;

    if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
        log_request(req, code);
        evhttp_send_error(req, code, reason);
        return;
    }
    body = evbuffer_new();
    if (body != NULL)
        evbuffer_add_printf(body, "%d %s\n", code, reason);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; charset=utf-8");
    send_reply(req, code, reason, body);
    if (body != NULL)
        evbuffer_free(body);
}

/* POST /echo: the body comes back as it came, with its media type. */
static void
on_echo(struct evhttp_request *req, void *arg)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *type = evhttp_find_header(in, "Content-Type");
    struct evbuffer *body = evbuffer_new();

    (void)arg;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
        evbuffer_free(body);
        evhttp_add_header(out, "Allow", "POST");
        send_error(req, 405, "Method Not Allowed");
        return;
    }
    if (body == NULL ||
        evbuffer_add_buffer(body, evhttp_request_get_input_buffer(req)) != 0) {
        if (body != NULL)
            evbuffer_free(body);
        send_error(req, 500, "Internal Server Error");
        return;
    }
    evhttp_add_header(out, "Content-Type",
                      type ? type : "application/octet-stream");
    send_reply(req, 200, "OK", body);
    evbuffer_free(body);
}

/* Whether a decoded path is one this server may serve: absolute, no NUL
 * byte, no ".." segment. */
static int
path_is_safe(const char *path, size_t len)
{
    const char *p = path;

    if (len != strlen(path) || path[0] != '/')
        return 0;
    while ((p = strstr(p, "..")) != NULL) {
        if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
            return 0;
        p += 2;
    }
    return 1;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Adds one listing entry: NAME, linked as NAME percent-encoded, with a
 * slash after both when it is a directory. */
static int
add_entry(struct evbuffer *html, const char *name, int is_dir)
{
    char *text = evhttp_htmlescape(name);
    char *link = evhttp_uriencode(name, -1, 0);
    int rc = -1;

    if (text != NULL && link != NULL) {
        rc = evbuffer_add_printf(html, "<li><a href=\"%s%s\">%s%s</a></li>\n",
                                 link, is_dir ? "/" : "", text,
                                 is_dir ? "/" : "");
    }
    free(text);
    free(link);
    return rc < 0 ? -1 : 0;
}

/* A listing of the directory FS_PATH, which is URL_PATH (decoded, ending
 * in a slash) on the web. */
static void
send_listing(struct evhttp_request *req, const char *fs_path,
             const char *url_path)
{
    struct evbuffer *html = evbuffer_new();
    struct dirent **names = NULL;
    char *title = evhttp_htmlescape(url_path);
    int n, i, failed = 0;

    n = scandir(fs_path, &names, NULL, by_name);
    if (html == NULL || title == NULL || n < 0) {
        send_error(req, n < 0 ? 403 : 500,
                   n < 0 ? "Forbidden" : "Internal Server Error");
        goto done;
    }
    if (evbuffer_add_printf(html,
                            "<!DOCTYPE html>\n<html>\n<head>\n"
                            "<meta charset=\"utf-8\">\n"
                            "<title>Index of %s</title>\n</head>\n<body>\n"
                            "<h1>Index of %s</h1>\n<ul>\n",
                            title, title) < 0)
        failed = 1;
    if (strcmp(url_path, "/") != 0 &&
        evbuffer_add_printf(html, "<li><a href=\"../\">../</a></li>\n") < 0)
        failed = 1;
    for (i = 0; i < n && !failed; i++) {
        const char *name = names[i]->d_name;
        struct stat st;
        char *full;

        if (name[0] == '.' &&
            (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
            continue;
        if (asprintf(&full, "%s/%s", fs_path, name) < 0) {
            failed = 1;
            break;
        }
        if (stat(full, &st) == 0 && add_entry(html, name, S_ISDIR(st.st_mode)))
            failed = 1;
        free(full);
    }
    if (!failed && evbuffer_add_printf(html, "</ul>\n</body>\n</html>\n") < 0)
        failed = 1;
    if (failed) {
        send_error(req, 500, "Internal Server Error");
        goto done;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/html; charset=utf-8");
    send_reply(req, 200, "OK", html);
done:
    if (names != NULL) {
        for (i = 0; i < n; i++)
            free(names[i]);
        free(names);
    }
    free(title);
    if (html != NULL)
        evbuffer_free(html);
}

/* A directory asked for without its final slash: sends the client to
 * the URL with one, so that relative links in it work. */
static void
send_redirect(struct evhttp_request *req, const char *raw_path)
{
    struct evbuffer *body = evbuffer_new();
    char *location = NULL;

    if (body == NULL || asprintf(&location, "%s/", raw_path) < 0) {
        location = NULL;
        send_error(req, 500, "Internal Server Error");
    } else {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
                          location);
        send_reply(req, 301, "Moved Permanently", body);
    }
    free(location);
    if (body != NULL)
        evbuffer_free(body);
}

/* A regular file: its bytes go out from the file itself. */
static void
send_file(struct evhttp_request *req, const char *fs_path)
{
    struct evbuffer *body;
    struct stat st;
    int fd = open(fs_path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            send_error(req, 404, "Not Found");
        else
            send_error(req, 403, "Forbidden");
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        send_error(req, 404, "Not Found");
        return;
    }
    if ((body = evbuffer_new()) == NULL) {
        close(fd);
        send_error(req, 500, "Internal Server Error");
        return;
    }
    /* evbuffer_add_file owns the descriptor from here on.  An empty file
     * needs no segment. */
    if (st.st_size == 0) {
        close(fd);
    } else if (evbuffer_add_file(body, fd, 0, st.st_size) != 0) {
        evbuffer_free(body);
        send_error(req, 500, "Internal Server Error");
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      media_type(fs_path));
    send_reply(req, 200, "OK", body);
    evbuffer_free(body);
}

/* Everything but /echo: files and directories under the document root. */
static void
on_request(struct evhttp_request *req, void *arg)
{
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    char *path = NULL, *fs_path = NULL, *index = NULL;
    size_t len = 0;
    struct stat st;

    (void)arg;
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                          "GET, HEAD");
        send_error(req, 405, "Method Not Allowed");
        return;
    }
    if (raw_path == NULL || raw_path[0] == '\0')
        raw_path = "/";
    path = evhttp_uridecode(raw_path, 0, &len);
    if (path == NULL) {
        send_error(req, 400, "Bad Request");
        return;
    }
    if (!path_is_safe(path, len)) {
        send_error(req, 403, "Forbidden");
        goto done;
    }
    if (asprintf(&fs_path, "%s%s", docroot, path) < 0) {
        fs_path = NULL;
        send_error(req, 500, "Internal Server Error");
        goto done;
    }
    if (stat(fs_path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        send_file(req, fs_path);
        goto done;
    }
    if (path[strlen(path) - 1] != '/') {
        send_redirect(req, raw_path);
        goto done;
    }
    if (asprintf(&index, "%sindex.html", fs_path) < 0) {
        index = NULL;
        send_error(req, 500, "Internal Server Error");
        goto done;
    }
    if (stat(index, &st) == 0 && S_ISREG(st.st_mode))
        send_file(req, index);
    else
        send_listing(req, fs_path, path);
done:
    free(index);
    free(fs_path);
    free(path);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopexit(arg, NULL);
}

/* Prints the address the server got ("Listening on ADDR:PORT"), so that
 * a client (or a test) knows where to connect. */
static int
print_address(struct evhttp_bound_socket *bound)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[INET6_ADDRSTRLEN];
    const void *addr;
    unsigned port;
    int v6;

    if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss,
                    &len) != 0) {
        fprintf(stderr, "%s: getsockname: %s\n", prog, strerror(errno));
        return -1;
    }
    v6 = ss.ss_family == AF_INET6;
    if (v6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

        addr = &sin6->sin6_addr;
        port = ntohs(sin6->sin6_port);
    } else {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

        addr = &sin->sin_addr;
        port = ntohs(sin->sin_port);
    }
    if (evutil_inet_ntop(ss.ss_family, addr, host, sizeof(host)) == NULL) {
        fprintf(stderr, "%s: cannot print the address\n", prog);
        return -1;
    }
    printf("Listening on %s%s%s:%u\n", v6 ? "[" : "", host, v6 ? "]" : "",
           port);
    fflush(stdout);
    return 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: %s [-p PORT] [-a ADDR] [-v] DOCROOT\n", prog);
    return 2;
}

int
main(int argc, char **argv)
{
    struct event_base *base = NULL;
    struct evhttp *http = NULL;
    struct evhttp_bound_socket *bound;
    struct event *sigint = NULL, *sigterm = NULL;
    const char *addr = "127.0.0.1";
    unsigned short port = 0;
    struct stat st;
    int opt, rc = 1;

    while ((opt = getopt(argc, argv, "p:a:v")) != -1) {
        switch (opt) {
        case 'p':
            if (sample_parse_port(prog, optarg, &port) != 0)
                return 2;
            break;
        case 'a':
            addr = optarg;
            break;
        case 'v':
            verbose = 1;
            break;
        default:
            return usage();
        }
    }
    if (optind != argc - 1)
        return usage();
    docroot = argv[optind];
    if (stat(docroot, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: '%s' is not a directory\n", prog, docroot);
        return 2;
    }
    /* A client that goes away mid-reply must not end the server. */
    signal(SIGPIPE, SIG_IGN);

    if ((base = event_base_new()) == NULL) {
        fprintf(stderr, "%s: cannot make an event base\n", prog);
        goto done;
    }
    sigint = evsignal_new(base, SIGINT, on_stop, base);
    sigterm = evsignal_new(base, SIGTERM, on_stop, base);
    if (sigint == NULL || sigterm == NULL || evsignal_add(sigint, NULL) != 0 ||
        evsignal_add(sigterm, NULL) != 0) {
        fprintf(stderr, "%s: cannot watch for signals\n", prog);
        goto done;
    }
    if ((http = evhttp_new(base)) == NULL) {
        fprintf(stderr, "%s: cannot make an HTTP server\n", prog);
        goto done;
    }
    evhttp_set_max_body_size(http, ECHO_MAX_BODY);
    if (evhttp_set_cb(http, "/echo", on_echo, NULL) != 0) {
        fprintf(stderr, "%s: cannot add the /echo handler\n", prog);
        goto done;
    }
    evhttp_set_gencb(http, on_request, NULL);
    bound = evhttp_bind_socket_with_handle(http, addr, port);
    if (bound == NULL) {
        fprintf(stderr, "%s: cannot listen on %s:%u\n", prog, addr,
                (unsigned)port);
        goto done;
    }
    if (print_address(bound) != 0)
        goto done;

    if (event_base_dispatch(base) < 0) {
        fprintf(stderr, "%s: the event loop failed\n", prog);
        goto done;
    }
    rc = 0;
done:
    if (http != NULL)
        evhttp_free(http);
    if (sigint != NULL)
        event_free(sigint);
    if (sigterm != NULL)
        event_free(sigterm);
    if (base != NULL)
        event_base_free(base);
    return rc;
}
