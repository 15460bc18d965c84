/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-common.h: what the HTTP servers of the benchmark (http_server.c on
 * libevent's evhttp, http_server_epoll.c on raw epoll) share: their
 * options and the line that tells a runner which port they listen on.
 *
 * A server listens on 127.0.0.1 (port 0 by default: the kernel picks
 * one) and answers keep-alive HTTP/1.1 requests until SIGTERM or SIGINT,
 * then exits with status 0:
 *   --mode hello       (the default) "GET /" answers 200 with the body
 *                      "hello\n"
 *   --mode file        "GET /file" answers 200 with the contents of
 *                      --file PATH (the benchmark uses a 4 KiB file)
 *   --print-port       prints "port N" on standard output once it listens
 *
 *   usage: SERVER [--port P] [--mode hello|file --file PATH] [--print-port]
 */
#ifndef VIGIL_BENCH_HTTP_COMMON_H
#define VIGIL_BENCH_HTTP_COMMON_H

#include "bench-common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

enum http_mode {
    HTTP_MODE_HELLO,
    HTTP_MODE_FILE
};

struct http_server_opts {
    int port;
    enum http_mode mode;
    const char *file;
    int print_port;
};

/* The body of the hello mode and the paths each mode answers on. */
#define HTTP_HELLO_BODY "hello\n"
#define HTTP_HELLO_PATH "/"
#define HTTP_FILE_PATH "/file"

static inline void
http_server_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--port P] [--mode hello|file --file PATH] "
            "[--print-port]\n"
            "  --port P       listen on 127.0.0.1:P (default 0: any)\n"
            "  --mode hello   answer GET " HTTP_HELLO_PATH
            " with \"hello\\n\" (default)\n"
            "  --mode file    answer GET " HTTP_FILE_PATH
            " with the file PATH\n"
            "  --print-port   print \"port N\" once listening\n",
            prog);
}

/* Parses the options, or exits with a message. */
static inline void
http_server_parse(int argc, char **argv, struct http_server_opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->mode = HTTP_MODE_HELLO;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--print-port") == 0) {
            o->print_port = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            http_server_usage(argv[0]);
            exit(0);
        } else if (i + 1 < argc && strcmp(a, "--port") == 0) {
            o->port = (int)bench_parse_long(argv[++i], "--port", 0, 65535);
        } else if (i + 1 < argc && strcmp(a, "--file") == 0) {
            o->file = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--mode") == 0) {
            i++;
            if (strcmp(argv[i], "hello") == 0) {
                o->mode = HTTP_MODE_HELLO;
            } else if (strcmp(argv[i], "file") == 0) {
                o->mode = HTTP_MODE_FILE;
            } else {
                fprintf(stderr, "unknown mode '%s'\n", argv[i]);
                exit(2);
            }
        } else {
            http_server_usage(argv[0]);
            exit(2);
        }
    }
    if (o->mode == HTTP_MODE_FILE && o->file == NULL) {
        fprintf(stderr, "--mode file wants --file PATH\n");
        exit(2);
    }
}

/* Prints "port N" for the socket fd, if asked to.  Returns 0 or -1. */
static inline int
http_server_announce(const struct http_server_opts *o, int fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    if (!o->print_port)
        return 0;
    if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
        perror("getsockname");
        return -1;
    }
    printf("port %d\n", ntohs(sin.sin_port));
    fflush(stdout);
    return 0;
}

#endif /* VIGIL_BENCH_HTTP_COMMON_H */
