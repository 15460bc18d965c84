/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * serve-once: a test helper that listens on 127.0.0.1 (any free port,
 * printed as "port N"), answers the first HTTP request with a fixed page,
 * and exits.  It gives the blocking HTTP client sample a server on a
 * machine without network.  Gives up after 10 seconds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(void)
{
    static const char page[] = "HTTP/1.0 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Content-Length: 21\r\n"
                               "\r\n"
                               "hello from serve-once";
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    char req[4096];
    size_t used = 0;
    int lfd, fd;

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        listen(lfd, 1) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sin, &len) < 0) {
        perror("serve-once");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(sin.sin_port));
    fflush(stdout);
    alarm(10);
    fd = accept(lfd, NULL, NULL);
    if (fd < 0) {
        perror("serve-once: accept");
        return 1;
    }
    while (used < sizeof(req) - 1) {
        ssize_t n = read(fd, req + used, sizeof(req) - 1 - used);

        if (n <= 0)
            break;
        used += (size_t)n;
        req[used] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL)
            break;
    }
    if (strncmp(req, "GET /hello HTTP/1.0\r\n", 21) != 0) {
        fprintf(stderr, "serve-once: unexpected request: %.60s\n", req);
        return 1;
    }
    if (write(fd, page, sizeof(page) - 1) < 0)
        return 1;
    close(fd);
    close(lfd);
    return 0;
}
