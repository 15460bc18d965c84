/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vtest.c: loopback sockets, the file-descriptor leak check and the suite
 * runner shared by the test programs.
 */
#include "vtest.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
vt_socketpair(int fds[2])
{
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                      fds);
}

int
vt_tcp_listener(struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr->sin_port = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
        listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int
vt_tcp_connect(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int
vt_count_fds(void)
{
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;

    if (dir == NULL)
        return -1;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.')
            count++;
    }
    closedir(dir);
    /* The directory stream itself held one descriptor while counting. */
    return count - 1;
}

/* Each test runs in its own forked process, so this is per test. */
static int fds_at_setup = -1;

static void
fd_check_setup(void)
{
    fds_at_setup = vt_count_fds();
    ck_assert_int_ge(fds_at_setup, 0);
}

static void
fd_check_teardown(void)
{
    /* A leak shows as the two counts in the failure message. */
    ck_assert_int_eq(vt_count_fds(), fds_at_setup);
}

TCase *
vt_tcase(const char *name, double timeout_seconds)
{
    TCase *tc = tcase_create(name);

    tcase_set_timeout(tc, timeout_seconds);
    tcase_add_checked_fixture(tc, fd_check_setup, fd_check_teardown);
    return tc;
}

int
vt_run(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    int failed;

    srunner_run_all(runner, CK_ENV);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
