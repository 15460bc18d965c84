/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_rng.c: the secure random number generator: seeding, output,
 * extra entropy, the device file, and the behaviour across fork().  On
 * Vigil, also the fallback used when getrandom(2) is unavailable, forced
 * with a seccomp filter in a child process.
 */
#include <event2/util.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "vtest.h"

#ifdef VIGIL_ORACLE
/* Debian's libevent exports this function; depending on how its header
 * was configured it may not declare it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wredundant-decls"
EVENT2_EXPORT_SYMBOL void evutil_secure_rng_add_bytes(const char *dat,
                                                      size_t datlen);
#pragma GCC diagnostic pop
#endif

/* Whether n bytes at p all equal c. */
static int
all_bytes(const unsigned char *p, size_t n, unsigned char c)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != c)
            return 0;
    }
    return 1;
}

START_TEST(init_succeeds_repeatedly)
{
    ck_assert_int_eq(evutil_secure_rng_init(), 0);
    ck_assert_int_eq(evutil_secure_rng_init(), 0);
}
END_TEST

START_TEST(get_bytes_fills_and_varies)
{
    unsigned char a[64], b[64];

    memset(a, 0xaa, sizeof(a));
    memset(b, 0xaa, sizeof(b));
    evutil_secure_rng_get_bytes(a, sizeof(a));
    evutil_secure_rng_get_bytes(b, sizeof(b));
    ck_assert_int_eq(all_bytes(a, sizeof(a), 0xaa), 0);
    ck_assert_int_eq(all_bytes(a, sizeof(a), 0), 0);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
}
END_TEST

START_TEST(get_bytes_exact_length)
{
    unsigned char buf[40];

    /* Only the bytes asked for change, whatever the length. */
    for (size_t n = 0; n <= 33; n++) {
        memset(buf, 0x5c, sizeof(buf));
        evutil_secure_rng_get_bytes(buf, n);
        ck_assert_int_eq(all_bytes(buf + n, sizeof(buf) - n, 0x5c), 1);
    }
    /* Nothing at all for zero bytes. */
    evutil_secure_rng_get_bytes(buf, 0);
}
END_TEST

START_TEST(get_bytes_large_and_balanced)
{
    size_t n = 1 << 20;
    unsigned char *buf = malloc(n);
    unsigned long ones = 0;
    unsigned counts[256] = {0};

    ck_assert_ptr_nonnull(buf);
    memset(buf, 0, n);
    evutil_secure_rng_get_bytes(buf, n);
    for (size_t i = 0; i < n; i++) {
        ones += (unsigned long)__builtin_popcount(buf[i]);
        counts[buf[i]]++;
    }
    /* 8 Mi bits: the count of ones is within 0.2% of half (about 14
     * standard deviations), and every byte value turns up. */
    ck_assert_uint_gt(ones, n * 4 - n * 4 / 500);
    ck_assert_uint_lt(ones, n * 4 + n * 4 / 500);
    for (int v = 0; v < 256; v++)
        ck_assert_uint_gt(counts[v], 0);
    /* The end of the buffer was filled too. */
    ck_assert_int_eq(all_bytes(buf + n - 64, 64, 0), 0);
    free(buf);
}
END_TEST

START_TEST(add_bytes_keeps_working)
{
    unsigned char a[32], b[32];
    char junk[100];

    memset(junk, 'j', sizeof(junk));
    evutil_secure_rng_add_bytes(junk, sizeof(junk));
    evutil_secure_rng_add_bytes(junk, 1);
    evutil_secure_rng_add_bytes(junk, 0);
    ck_assert_int_eq(evutil_secure_rng_init(), 0);
    evutil_secure_rng_get_bytes(a, sizeof(a));
    evutil_secure_rng_add_bytes(junk, sizeof(junk));
    evutil_secure_rng_get_bytes(b, sizeof(b));
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
}
END_TEST

START_TEST(fork_children_differ)
{
    /* A parent and its child must not hand out the same bytes. */
    unsigned char mine[32], theirs[32];
    int p[2];
    pid_t pid;
    int status;
    ssize_t got = 0;

    ck_assert_int_eq(evutil_secure_rng_init(), 0);
    evutil_secure_rng_get_bytes(mine, sizeof(mine));
    ck_assert_int_eq(pipe(p), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        unsigned char out[32];

        evutil_secure_rng_get_bytes(out, sizeof(out));
        _exit(write(p[1], out, sizeof(out)) == (ssize_t)sizeof(out) ? 0 : 1);
    }
    evutil_secure_rng_get_bytes(mine, sizeof(mine));
    while (got < (ssize_t)sizeof(theirs)) {
        ssize_t r = read(p[0], theirs + got, sizeof(theirs) - (size_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        ck_assert_int_gt(r, 0);
        got += r;
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(WIFEXITED(status), 1);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_ne(memcmp(mine, theirs, sizeof(mine)), 0);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(device_file_setting)
{
    static char path[] = "/dev/urandom";
    int r = evutil_secure_rng_set_urandom_device_file(path);

#ifndef VIGIL_ORACLE
    /* Deliberate difference: Debian's libevent draws on arc4random and
     * refuses every device file (-1).  Vigil records it as the seed source
     * for when getrandom(2) is unavailable. */
    ck_assert_int_eq(r, 0);
    ck_assert_int_eq(evutil_secure_rng_set_urandom_device_file(NULL), -1);
#endif
    (void)r;
    ck_assert_int_eq(evutil_secure_rng_init(), 0);
}
END_TEST

#ifndef VIGIL_ORACLE
/*
 * The fallback generator, exercised in a child process whose getrandom(2)
 * fails with ENOSYS (a seccomp filter), as on kernels before 3.17.
 */

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef TEST_AUDIT_ARCH
/* Makes getrandom(2) fail with ENOSYS in this process.  Returns 0, or -1
 * if seccomp filters are not available here. */
static int
block_getrandom(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {
        (unsigned short)(sizeof(filter) / sizeof(filter[0])), filter};

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
        return -1;
    return 0;
}

/* The child's checks; returns its exit status (0 for success, 77 when
 * the filter cannot be installed, other values name the failed step). */
static int
fallback_child(char *seed_file)
{
    static char missing[] = "/nonexistent/vigil-random";
    unsigned char a[100], b[100], seed[64];
    int fd;
    pid_t pid;
    int status;

    if (block_getrandom() < 0)
        return 77;
    if (syscall(SYS_getrandom, a, sizeof(a), 0) != -1 || errno != ENOSYS)
        return 2;

    /* With no usable source, seeding fails. */
    if (evutil_secure_rng_set_urandom_device_file(missing) != 0)
        return 3;
    if (evutil_secure_rng_init() != -1)
        return 4;

    /* With a readable device file, it works. */
    if (evutil_secure_rng_set_urandom_device_file(seed_file) != 0)
        return 5;
    if (evutil_secure_rng_init() != 0)
        return 6;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    evutil_secure_rng_get_bytes(a, sizeof(a));
    evutil_secure_rng_get_bytes(b, sizeof(b));
    if (memcmp(a, b, sizeof(a)) == 0 || all_bytes(a, sizeof(a), 0))
        return 7;

    /* The output is not the seed itself. */
    fd = open(seed_file, O_RDONLY);
    if (fd < 0 || read(fd, seed, sizeof(seed)) != (ssize_t)sizeof(seed))
        return 8;
    close(fd);
    if (memcmp(a, seed, 32) == 0 || memcmp(b, seed, 32) == 0)
        return 9;

    /* Extra bytes mix in without breaking anything. */
    evutil_secure_rng_add_bytes((const char *)seed, sizeof(seed));
    evutil_secure_rng_get_bytes(a, sizeof(a));
    if (memcmp(a, b, sizeof(a)) == 0)
        return 10;

    /* A forked child reseeds: its bytes differ from the parent's. */
    pid = fork();
    if (pid < 0)
        return 11;
    if (pid == 0) {
        evutil_secure_rng_get_bytes(b, sizeof(b));
        _exit(memcmp(a, b, sizeof(a)) == 0 ? 1 : 0);
    }
    evutil_secure_rng_get_bytes(a, sizeof(a));
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return 12;
    return 0;
}
#endif

START_TEST(fallback_without_getrandom)
{
#ifdef TEST_AUDIT_ARCH
    /* A seed file of random bytes, as a device file would give. */
    char path[] = "/tmp/vigil-rng-XXXXXX";
    unsigned char seed[256];
    int fd = mkstemp(path);
    pid_t pid;
    int status;

    ck_assert_int_ge(fd, 0);
    evutil_secure_rng_get_bytes(seed, sizeof(seed));
    ck_assert_int_eq(write(fd, seed, sizeof(seed)), (ssize_t)sizeof(seed));
    close(fd);

    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(fallback_child(path));
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    unlink(path);
    ck_assert_int_eq(WIFEXITED(status), 1);
    if (WEXITSTATUS(status) == 77)
        return; /* No seccomp filters here: nothing to check. */
    ck_assert_int_eq(WEXITSTATUS(status), 0);
#endif
}
END_TEST
#endif

int
main(void)
{
    Suite *s = suite_create("evutil_rng");
    TCase *tc = vt_tcase("rng", 20);

    tcase_add_test(tc, init_succeeds_repeatedly);
    tcase_add_test(tc, get_bytes_fills_and_varies);
    tcase_add_test(tc, get_bytes_exact_length);
    tcase_add_test(tc, get_bytes_large_and_balanced);
    tcase_add_test(tc, add_bytes_keeps_working);
    tcase_add_test(tc, fork_children_differ);
    tcase_add_test(tc, device_file_setting);
#ifndef VIGIL_ORACLE
    tcase_add_test(tc, fallback_without_getrandom);
#endif
    suite_add_tcase(s, tc);
    return vt_run(s);
}
