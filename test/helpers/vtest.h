/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vtest.h: helpers shared by every test program.  They use only libc and
 * Check, never a libevent header, so the same helpers serve the tests built
 * against Vigil and the oracle build against Debian's libevent.
 */
#ifndef VIGIL_TEST_VTEST_H
#define VIGIL_TEST_VTEST_H

#include <check.h>
#include <netinet/in.h>

/* Opens a connected AF_UNIX stream socket pair, both ends non-blocking and
 * close-on-exec.  Returns 0, or -1 with errno set. */
int vt_socketpair(int fds[2]);

/* Opens a TCP listener on 127.0.0.1 with a port the kernel chooses and
 * stores its address in *addr.  Returns the socket, or -1. */
int vt_tcp_listener(struct sockaddr_in *addr);

/* Connects a blocking TCP socket to *addr.  Returns the socket, or -1. */
int vt_tcp_connect(const struct sockaddr_in *addr);

/* Counts this process's open file descriptors. */
int vt_count_fds(void);

/* Makes a test case that runs each test under a time limit of
 * timeout_seconds (scaled by Check's CK_TIMEOUT_MULTIPLIER, which the
 * sanitizer builds set) and fails it if it leaves a file descriptor open. */
TCase *vt_tcase(const char *name, double timeout_seconds);

/* Runs a suite and returns the process exit status: 0 when every test
 * passed. */
int vt_run(Suite *suite);

#endif
