/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evutil_rng.c: the secure random number generator.
 *
 * Random bytes come straight from the kernel with getrandom(2): no state
 * here to seed, to lock or to go stale after fork().  Only where getrandom
 * is unavailable (an old kernel, a seccomp policy) does a fallback take
 * over: ChaCha20 (RFC 8439) keyed from the random device file, rekeyed
 * after every request so that earlier output cannot be recomputed, and
 * reseeded in a forked child.  evutil_secure_rng_add_bytes() mixes into the
 * fallback key; it never replaces seeding.
 */
#include <event2/util.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <unistd.h>

#include "evutil-internal.h"
#include "log-internal.h"

#define DEFAULT_DEVICE "/dev/urandom"
#define SEED_BYTES 32

/* The fallback generator, guarded by lock. */
static struct {
    atomic_flag lock;
    int seeded;
    pid_t pid;
    uint32_t key[8];
    uint64_t counter;
} fallback = {ATOMIC_FLAG_INIT, 0, 0, {0}, 0};

/* The device file named by evutil_secure_rng_set_urandom_device_file(). */
static const char *device_file;

static void
fallback_lock(void)
{
    while (
        atomic_flag_test_and_set_explicit(&fallback.lock, memory_order_acquire))
        sched_yield();
}

static void
fallback_unlock(void)
{
    atomic_flag_clear_explicit(&fallback.lock, memory_order_release);
}

/*
 * ChaCha20 block function, as RFC 8439 section 2.3 defines it, with a
 * 64-bit block counter in words 12-13 and a 64-bit nonce in words 14-15.
 */

static uint32_t
rotl32(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

#define QUARTER_ROUND(x, a, b, c, d)    \
    do {                                \
        x[a] += x[b];                   \
        x[d] = rotl32(x[d] ^ x[a], 16); \
        x[c] += x[d];                   \
        x[b] = rotl32(x[b] ^ x[c], 12); \
        x[a] += x[b];                   \
        x[d] = rotl32(x[d] ^ x[a], 8);  \
        x[c] += x[d];                   \
        x[b] = rotl32(x[b] ^ x[c], 7);  \
    } while (0)

static void
chacha20_block(const uint32_t key[8], uint64_t counter, uint64_t nonce,
               uint32_t out[16])
{
    uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

    memcpy(in + 4, key, 8 * sizeof(uint32_t));
    in[12] = (uint32_t)counter;
    in[13] = (uint32_t)(counter >> 32);
    in[14] = (uint32_t)nonce;
    in[15] = (uint32_t)(nonce >> 32);
    memcpy(out, in, sizeof(in));
    for (int i = 0; i < 10; i++) {
        QUARTER_ROUND(out, 0, 4, 8, 12);
        QUARTER_ROUND(out, 1, 5, 9, 13);
        QUARTER_ROUND(out, 2, 6, 10, 14);
        QUARTER_ROUND(out, 3, 7, 11, 15);
        QUARTER_ROUND(out, 0, 5, 10, 15);
        QUARTER_ROUND(out, 1, 6, 11, 12);
        QUARTER_ROUND(out, 2, 7, 8, 13);
        QUARTER_ROUND(out, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++)
        out[i] += in[i];
    explicit_bzero(in, sizeof(in));
}

/* Replaces the fallback key with output of the generator under a nonce of
 * its own, so that the old key cannot be recovered from the new one. */
static void
fallback_stir(void)
{
    uint32_t block[16];

    chacha20_block(fallback.key, fallback.counter++, UINT64_MAX, block);
    memcpy(fallback.key, block, sizeof(fallback.key));
    explicit_bzero(block, sizeof(block));
}

/* XORs len bytes into the key, 32 at a time, stirring after each. */
static void
fallback_mix(const unsigned char *data, size_t len)
{
    unsigned char chunk[sizeof(fallback.key)];
    uint32_t words[8];

    do {
        size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

        memset(chunk, 0, sizeof(chunk));
        if (n > 0)
            memcpy(chunk, data, n);
        memcpy(words, chunk, sizeof(words));
        for (int i = 0; i < 8; i++)
            fallback.key[i] ^= words[i];
        fallback.key[0] ^= (uint32_t)n;
        fallback_stir();
        data += n;
        len -= n;
    } while (len > 0);
    explicit_bzero(chunk, sizeof(chunk));
    explicit_bzero(words, sizeof(words));
}

/* Fills buf from getrandom(2).  Returns 0, or -1 if it is unavailable. */
static int
kernel_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    int rv = -1;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            goto done;
        }
        p += got;
        n -= (size_t)got;
    }
    rv = 0;
done:
    return rv;
}

/* Reads n bytes from the device file.  Returns 0 or -1. */
static int
device_random(unsigned char *buf, size_t n)
{
    const char *path = device_file ? device_file : DEFAULT_DEVICE;
    int fd;
    int rv = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        goto done;
    while (n > 0) {
        ssize_t got = read(fd, buf, n);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            goto done;
        buf += got;
        n -= (size_t)got;
    }
    rv = 0;
done:
    if (fd >= 0)
        (void)close(fd);
    return rv;
}

/* Seeds the fallback generator if it is not seeded in this process.  Call
 * with the lock held.  Returns 0 or -1. */
static int
fallback_seed_locked(void)
{
    unsigned char seed[SEED_BYTES];
    pid_t pid = getpid();
    int rv = -1;

    if (fallback.seeded && fallback.pid == pid) {
        rv = 0;
        goto done;
    }
    if (device_random(seed, sizeof(seed)) < 0)
        goto done;
    fallback_mix(seed, sizeof(seed));
    fallback_mix((const unsigned char *)&pid, sizeof(pid));
    fallback.seeded = 1;
    fallback.pid = pid;
    rv = 0;
done:
    explicit_bzero(seed, sizeof(seed));
    return rv;
}

/* Fills buf from the fallback generator, seeding it first.  Returns 0, or
 * -1 if it cannot be seeded. */
static int
fallback_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    uint32_t block[16];
    int rv = -1;

    fallback_lock();
    if (fallback_seed_locked() < 0)
        goto done;
    while (n > 0) {
        size_t take = n < sizeof(block) ? n : sizeof(block);

        chacha20_block(fallback.key, fallback.counter++, 0, block);
        memcpy(p, block, take);
        p += take;
        n -= take;
    }
    fallback_stir();
    rv = 0;
done:
    fallback_unlock();
    explicit_bzero(block, sizeof(block));
    return rv;
}

int
evutil_secure_rng_init(void)
{
    unsigned char probe[16];
    int rv = 0;

    if (kernel_random(probe, sizeof(probe)) < 0) {
        fallback_lock();
        rv = fallback_seed_locked();
        fallback_unlock();
    }
    explicit_bzero(probe, sizeof(probe));
    return rv;
}

void
evutil_secure_rng_get_bytes(void *buf, size_t n)
{
    if (n == 0 || buf == NULL)
        return;
    if (kernel_random(buf, n) == 0)
        return;
    /* Handing out predictable bytes would be worse than stopping. */
    if (fallback_random(buf, n) < 0)
        vg_log_errx(VG_ERR_ABORT, "%s: no source of secure random bytes",
                    __func__);
}

int
evutil_secure_rng_set_urandom_device_file(char *fname)
{
    int rv = -1;

    if (fname == NULL || fname[0] == '\0') {
        errno = EINVAL;
        goto done;
    }
    fallback_lock();
    device_file = fname;
    /* The next fallback use seeds from the new file; what was mixed in
     * so far stays. */
    fallback.seeded = 0;
    fallback_unlock();
    rv = 0;
done:
    return rv;
}

void
evutil_secure_rng_add_bytes(const char *dat, size_t datlen)
{
    if (dat == NULL || datlen == 0)
        return;
    fallback_lock();
    fallback_mix((const unsigned char *)dat, datlen);
    fallback_unlock();
}
