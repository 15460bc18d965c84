/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * buffer_io.c: an evbuffer and file descriptors.  Reading fills the free
 * space at the end of the buffer with one readv, sized from what the
 * socket holds (FIONREAD); writing sends many chunks with one writev, or a
 * file segment's bytes with sendfile.  File segments (evbuffer_add_file,
 * evbuffer_file_segment_*) are mapped, read into memory, or left to
 * sendfile, as their flags and the buffer's EVBUFFER_FLAG_DRAINS_TO_FD
 * allow.
 */
#include "buffer-internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log-internal.h"
#include "mm-internal.h"

/*
 * One read takes what the socket holds, but at most READ_MAX bytes: enough
 * that a busy socket is emptied in few calls (one 64 KiB read instead of
 * sixteen of libevent's 4 KiB), and small enough that one connection
 * cannot make a single callback read and allocate without bound; it is
 * also the largest chunk the buffer allocates by itself, well under the
 * allocator's mmap threshold.  When the socket cannot tell (or says 0, as
 * at the end of the stream) READ_DEFAULT bytes are offered.
 */
#define READ_DEFAULT 4096
#define READ_MAX (64 * 1024)
/* Chunks one writev sends at most. */
#define WRITE_IOV_MAX 128

/* ------------------------------------------------------------------ */
/* File segments.                                                      */

struct evbuffer_file_segment *
evbuffer_file_segment_new(int fd, ev_off_t offset, ev_off_t length,
                          unsigned flags)
{
    struct evbuffer_file_segment *seg;
    struct stat st;

    if (fd < 0 || offset < 0 || length < -1) {
        errno = EINVAL;
        return NULL;
    }
    if (fstat(fd, &st) < 0)
        return NULL;
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        /* Neither mapped nor sent with sendfile. */
        errno = EINVAL;
        return NULL;
    }
    if (length == -1) {
        if (!S_ISREG(st.st_mode) || offset > st.st_size) {
            errno = EINVAL;
            return NULL;
        }
        length = st.st_size - offset;
    } else if (S_ISREG(st.st_mode) &&
               (offset > st.st_size || length > st.st_size - offset)) {
        /* Bytes past the end of the file: a mapping would fault on them,
         * sendfile would send nothing forever. */
        errno = EINVAL;
        return NULL;
    }
    if ((uint64_t)length > (uint64_t)VG_BUF_MAX) {
        errno = EOVERFLOW;
        return NULL;
    }
    if (length > INT64_MAX - offset) {
        /* A block device has no size to check against: the segment's end
         * must still be a file offset (sendfile and pread add to it). */
        errno = EOVERFLOW;
        return NULL;
    }
    seg = vg_mm_calloc(1, sizeof(*seg));
    if (seg == NULL)
        return NULL;
    seg->refcnt = 1;
    seg->fd = fd;
    seg->flags = flags;
    seg->file_offset = offset;
    seg->length = (size_t)length;
    seg->can_sendfile = !(flags & EVBUF_FS_DISABLE_SENDFILE);
    if (!(flags & EVBUF_FS_DISABLE_LOCKING))
        seg->lock = vg_lock_alloc(0);
    /* A segment that will never be sent with sendfile gets its bytes now,
     * so that failing to get them fails here. */
    if (!seg->can_sendfile && vg_evbuffer_segment_materialize(seg) < 0) {
        vg_lock_free(seg->lock, 0);
        vg_mm_free(seg);
        return NULL;
    }
    return seg;
}

int
vg_evbuffer_segment_materialize(struct evbuffer_file_segment *seg)
{
    unsigned char *mem = NULL;
    size_t got = 0;
    int rc = -1;

    vg_lock(seg->lock);
    if (seg->materialized || seg->length == 0) {
        seg->materialized = 1;
        rc = 0;
        goto done;
    }
    if (!(seg->flags & EVBUF_FS_DISABLE_MMAP)) {
        long page = sysconf(_SC_PAGESIZE);
        ev_off_t aligned = seg->file_offset & ~(ev_off_t)(page - 1);
        size_t lead = (size_t)(seg->file_offset - aligned);
        void *m;

        if (seg->length <= SIZE_MAX - lead) {
            m = mmap(NULL, seg->length + lead, PROT_READ, MAP_PRIVATE, seg->fd,
                     aligned);
            if (m != MAP_FAILED) {
                seg->mapping = m;
                seg->map_len = seg->length + lead;
                seg->contents = (unsigned char *)m + lead;
                seg->materialized = 1;
                rc = 0;
                goto done;
            }
        }
        /* Not mappable: read it instead. */
    }
    if (seg->length > VG_BUF_ALLOC_MAX) {
        errno = ENOMEM;
        goto done;
    }
    mem = vg_mm_malloc(seg->length);
    if (mem == NULL)
        goto done;
    while (got < seg->length) {
        ssize_t r = pread(seg->fd, mem + got, seg->length - got,
                          seg->file_offset + (ev_off_t)got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* the file is shorter than the segment */
            vg_log_warn("%s: reading %zu bytes of fd %d", __func__, seg->length,
                        seg->fd);
            vg_mm_free(mem);
            goto done;
        }
        got += (size_t)r;
    }
    seg->contents = mem;
    seg->materialized = 1;
    rc = 0;
done:
    vg_unlock(seg->lock);
    return rc;
}

void
vg_evbuffer_segment_incref(struct evbuffer_file_segment *seg)
{
    vg_lock(seg->lock);
    seg->refcnt++;
    vg_unlock(seg->lock);
}

void
vg_evbuffer_segment_decref(struct evbuffer_file_segment *seg)
{
    int left;

    vg_lock(seg->lock);
    left = --seg->refcnt;
    vg_unlock(seg->lock);
    if (left > 0)
        return;
    if (seg->mapping != NULL)
        munmap(seg->mapping, seg->map_len);
    else
        vg_mm_free(seg->contents);
    if (seg->flags & EVBUF_FS_CLOSE_ON_FREE)
        close(seg->fd);
    /* As libevent: the cleanup runs after the descriptor is closed. */
    if (seg->cleanup != NULL)
        seg->cleanup(seg, (int)seg->flags, seg->cleanup_arg);
    vg_lock_free(seg->lock, 0);
    vg_mm_free(seg);
}

void
evbuffer_file_segment_free(struct evbuffer_file_segment *seg)
{
    if (seg != NULL)
        vg_evbuffer_segment_decref(seg);
}

void
evbuffer_file_segment_add_cleanup_cb(struct evbuffer_file_segment *seg,
                                     evbuffer_file_segment_cleanup_cb cb,
                                     void *arg)
{
    if (seg == NULL)
        return;
    vg_lock(seg->lock);
    seg->cleanup = cb;
    seg->cleanup_arg = arg;
    vg_unlock(seg->lock);
}

int
evbuffer_add_file_segment(struct evbuffer *buf,
                          struct evbuffer_file_segment *seg, ev_off_t offset,
                          ev_off_t length)
{
    struct vg_file_chunk *fc;
    int lazy;
    int rc = -1;

    if (buf == NULL || seg == NULL || offset < 0 ||
        (uint64_t)offset > (uint64_t)seg->length)
        return -1;
    if (length == -1)
        length = (ev_off_t)(seg->length - (size_t)offset);
    else if (length < 0 ||
             (uint64_t)length > (uint64_t)(seg->length - (size_t)offset))
        return -1;
    VG_BUF_LOCK(buf);
    if (buf->freeze_end)
        goto unlock;
    if (length == 0) {
        rc = 0;
        goto unlock;
    }
    if ((size_t)length > VG_BUF_MAX - buf->total_len)
        goto unlock;
    /* sendfile when the bytes only go to a descriptor; else the bytes are
     * needed, now. */
    lazy = seg->can_sendfile && (buf->flags & EVBUFFER_FLAG_DRAINS_TO_FD);
    if (!lazy && vg_evbuffer_segment_materialize(seg) < 0)
        goto unlock;
    fc = vg_mm_malloc(sizeof(*fc));
    if (fc == NULL)
        goto unlock;
    vg_evbuffer_segment_incref(seg);
    fc->seg = seg;
    fc->seg_off = (size_t)offset;
    vg_evbuffer_chunk_init_extern(&fc->c, VG_CHUNK_FILE,
                                  lazy ? NULL : seg->contents + offset, 0,
                                  (size_t)length);
    if (lazy)
        buf->n_unmapped++;
    vg_evbuffer_append_chunk(buf, &fc->c);
    rc = 0;
    vg_evbuffer_finish(buf);
    return rc;
unlock:
    VG_BUF_UNLOCK(buf);
    return rc;
}

int
evbuffer_add_file(struct evbuffer *outbuf, int fd, ev_off_t offset,
                  ev_off_t length)
{
    struct evbuffer_file_segment *seg;
    int rc;

    seg = evbuffer_file_segment_new(fd, offset, length, EVBUF_FS_CLOSE_ON_FREE);
    if (seg == NULL)
        return -1;
    rc = evbuffer_add_file_segment(outbuf, seg, 0, -1);
    if (rc < 0) {
        /* On failure the descriptor stays the caller's. */
        seg->flags &= ~(unsigned)EVBUF_FS_CLOSE_ON_FREE;
    }
    evbuffer_file_segment_free(seg);
    return rc;
}

/* Gives an unmapped file chunk its bytes. */
static int
map_chunk(struct evbuffer *buf, struct vg_chunk *c)
{
    struct vg_file_chunk *fc = (struct vg_file_chunk *)c;

    if (vg_evbuffer_segment_materialize(fc->seg) < 0)
        return -1;
    c->buf = fc->seg->contents + fc->seg_off;
    buf->n_unmapped--;
    return 0;
}

int
vg_evbuffer_map_all(struct evbuffer *buf)
{
    struct vg_chunk *c;

    for (c = buf->first; c != NULL && buf->n_unmapped > 0; c = c->next) {
        if ((c->flags & VG_CHUNK_KIND) == VG_CHUNK_FILE && c->buf == NULL &&
            map_chunk(buf, c) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writing.                                                            */

/* Sends up to len bytes of the unmapped file chunk c with sendfile.
 * Returns what sendfile returns, or -2 when the descriptor does not take
 * sendfile (the caller falls back to writing the bytes). */
static ssize_t
send_file_chunk(struct vg_chunk *c, evutil_socket_t fd, size_t len)
{
    struct vg_file_chunk *fc = (struct vg_file_chunk *)c;
    off_t off = fc->seg->file_offset + (off_t)(fc->seg_off + c->misalign);
    ssize_t n;

    if (len > c->off)
        len = c->off;
    n = sendfile(fd, fc->seg->fd, &off, len);
    if (n < 0 && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
        return -2;
    if (n == 0) {
        /* The file shrank under the segment: an error, not a stall. */
        errno = EIO;
        return -1;
    }
    return n;
}

int
evbuffer_write_atmost(struct evbuffer *buffer, evutil_socket_t fd,
                      ev_ssize_t howmuch)
{
    struct iovec iov[WRITE_IOV_MAX];
    struct vg_chunk *c;
    size_t want, got = 0;
    ssize_t n = -1;
    int cnt = 0;

    if (buffer == NULL)
        return -1;
    VG_BUF_LOCK(buffer);
    if (buffer->freeze_start)
        goto unlock;
    want = howmuch < 0 || (size_t)howmuch > buffer->total_len
               ? buffer->total_len
               : (size_t)howmuch;
    if (want > INT_MAX)
        want = INT_MAX;
    if (want == 0) {
        /* Nothing to send is not an error (libevent says -1). */
        n = 0;
        goto unlock;
    }
    c = buffer->first;
    if ((c->flags & VG_CHUNK_KIND) == VG_CHUNK_FILE && c->buf == NULL) {
        n = send_file_chunk(c, fd, want);
        if (n != -2)
            goto sent;
        if (map_chunk(buffer, c) < 0) {
            n = -1;
            goto unlock;
        }
    }
    for (; c != NULL && c->off > 0 && got < want && cnt < WRITE_IOV_MAX;
         c = c->next) {
        size_t k = c->off < want - got ? c->off : want - got;

        if (c->buf == NULL)
            break; /* a sendfile chunk: the next write sends it */
        iov[cnt].iov_base = VG_CHUNK_DATA(c);
        iov[cnt].iov_len = k;
        cnt++;
        got += k;
    }
    if (cnt == 1)
        n = write(fd, iov[0].iov_base, iov[0].iov_len);
    else
        n = writev(fd, iov, cnt);
sent:
    if (n > 0)
        vg_evbuffer_drain_locked(buffer, (size_t)n);
    vg_evbuffer_finish(buffer);
    return (int)n;
unlock:
    VG_BUF_UNLOCK(buffer);
    return (int)n;
}

int
evbuffer_write(struct evbuffer *buffer, evutil_socket_t fd)
{
    return evbuffer_write_atmost(buffer, fd, -1);
}

/* ------------------------------------------------------------------ */
/* Reading.                                                            */

/* Reads at most limit bytes (0: what the socket holds, up to READ_MAX). */
static int
read_into(struct evbuffer *buf, evutil_socket_t fd, size_t limit)
{
    struct iovec iov[2];
    size_t want, got;
    ssize_t n = -1;
    int avail = 0;
    int nv;

    VG_BUF_LOCK(buf);
    if (buf->freeze_end)
        goto unlock;
    if (ioctl(fd, FIONREAD, &avail) < 0 || avail <= 0)
        want = READ_DEFAULT;
    else
        want = (size_t)avail;
    if (want > READ_MAX)
        want = READ_MAX;
    if (limit > 0 && want > limit)
        want = limit;
    nv = vg_evbuffer_reserve_locked(buf, want, iov, 0);
    if (nv < 0)
        goto unlock;
    /* The extents may offer more than asked: read no more than want. */
    nv = vg_evbuffer_clamp_extents(iov, nv, want, &got);
    if (nv == 1)
        n = read(fd, iov[0].iov_base, iov[0].iov_len);
    else
        n = readv(fd, iov, nv);
    if (n > 0)
        vg_evbuffer_commit_locked(buf, iov, nv, (size_t)n);
    vg_evbuffer_finish(buf);
    return (int)n;
unlock:
    VG_BUF_UNLOCK(buf);
    return (int)n;
}

int
evbuffer_read(struct evbuffer *buffer, evutil_socket_t fd, int howmuch)
{
    if (buffer == NULL)
        return -1;
    if (howmuch == 0) {
        int frozen;

        /* Asked for nothing: nothing is read (as libevent). */
        VG_BUF_LOCK(buffer);
        frozen = buffer->freeze_end;
        VG_BUF_UNLOCK(buffer);
        return frozen ? -1 : 0;
    }
    return read_into(buffer, fd, howmuch < 0 ? 0 : (size_t)howmuch);
}
