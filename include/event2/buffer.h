/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/buffer.h: the evbuffer, a byte queue for network I/O.
 *
 * An evbuffer keeps its bytes in a chain of memory chunks, so that data can
 * be appended, moved between buffers and written to a socket without being
 * copied.  Bytes are added at the back and removed from the front.  Because
 * the data is not contiguous in general, it is read either by copying it
 * out (evbuffer_remove(), evbuffer_copyout()), by looking at the chunks in
 * place (evbuffer_peek()), or by asking for a contiguous prefix
 * (evbuffer_pullup(), which may copy).  For writing without a copy, reserve
 * space with evbuffer_reserve_space(), fill it, and commit it with
 * evbuffer_commit_space().
 *
 * Most programs meet evbuffers through a bufferevent; see
 * bufferevent_get_input() and bufferevent_get_output().
 */
#ifndef EVENT2_BUFFER_H_INCLUDED_
#define EVENT2_BUFFER_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>

#include <stdarg.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_UIO_H
#include <sys/uio.h>
#endif

#include <event2/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Types.
 */

/** An evbuffer: an opaque queue of bytes.  Create one with evbuffer_new(). */
struct evbuffer;

/**
 * A position inside an evbuffer, used for searching and for reading from
 * the middle of a buffer.
 *
 * Only pos may be read by callers; set a position with evbuffer_ptr_set()
 * or obtain one from a search function, and never change the fields
 * directly.  A position may point anywhere from the first byte of the
 * buffer to just past its last byte.  Any change to the buffer's contents
 * or layout may make it invalid.
 */
struct evbuffer_ptr {
    /** The offset from the start of the buffer, or -1 for "not found". */
    ev_ssize_t pos;

    /** Private to the library: where the position lies in the chunk
     * chain. */
    struct {
        void *chain;
        size_t pos_in_chain;
    } internal_;
};

#ifdef EVENT__HAVE_SYS_UIO_H
/**
 * One extent of memory, a pointer (iov_base) and a length (iov_len), as
 * used by evbuffer_reserve_space(), evbuffer_commit_space(),
 * evbuffer_peek() and evbuffer_add_iovec().  On Linux it is the system's
 * struct iovec, so the same array can be passed to readv() and writev().
 */
#define evbuffer_iovec iovec
/* Defined when struct evbuffer_iovec is the native struct iovec. */
#define EVBUFFER_IOVEC_IS_NATIVE_
#else
struct evbuffer_iovec {
    void *iov_base;
    size_t iov_len;
};
#endif

/*
 * Creation, locking and flags.
 */

/**
 * Allocate a new, empty evbuffer.
 *
 * @return the new buffer, which the caller releases with evbuffer_free(),
 *     or NULL if memory ran out.
 */
EVENT2_EXPORT_SYMBOL struct evbuffer *evbuffer_new(void);

/**
 * Free an evbuffer and any data it still holds.  Cleanup callbacks of
 * referenced memory and file segments run as their data is released.
 *
 * @param buf the buffer to free; it must not be used afterwards.
 */
EVENT2_EXPORT_SYMBOL void evbuffer_free(struct evbuffer *buf);

/**
 * Make an evbuffer safe to use from several threads at once.  Threading
 * support must have been set up first (for example with
 * evthread_use_pthreads()).
 *
 * The lock is held while the buffer's callbacks run, so a callback that
 * waits for another thread using the same buffer can deadlock.
 *
 * @param buf the buffer.
 * @param lock a lock to use, or NULL to have the buffer allocate its own.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_enable_locking(struct evbuffer *buf,
                                                 void *lock);

/**
 * Acquire an evbuffer's lock, so that several calls can be made as one
 * atomic step.  Does nothing if locking is not enabled.
 *
 * @param buf the buffer.
 */
EVENT2_EXPORT_SYMBOL void evbuffer_lock(struct evbuffer *buf);

/**
 * Release the lock taken by evbuffer_lock().  Does nothing if locking is
 * not enabled.
 *
 * @param buf the buffer.
 */
EVENT2_EXPORT_SYMBOL void evbuffer_unlock(struct evbuffer *buf);

/**
 * Buffer flag: the buffer's bytes leave it only by being written to a file
 * descriptor, drained unseen, or moved whole to another buffer, never by
 * being read by the program.  This allows evbuffer_add_file() to use
 * sendfile().
 */
#define EVBUFFER_FLAG_DRAINS_TO_FD 1

/**
 * Set flags on an evbuffer.
 *
 * @param buf the buffer.
 * @param flags the EVBUFFER_FLAG_* flags to add.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_set_flags(struct evbuffer *buf,
                                            ev_uint64_t flags);

/**
 * Clear flags on an evbuffer.
 *
 * @param buf the buffer.
 * @param flags the EVBUFFER_FLAG_* flags to remove.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_clear_flags(struct evbuffer *buf,
                                              ev_uint64_t flags);

/*
 * Size and space.
 */

/**
 * Return the number of bytes stored in an evbuffer.
 *
 * @param buf the buffer.
 * @return the number of bytes.
 */
EVENT2_EXPORT_SYMBOL size_t evbuffer_get_length(const struct evbuffer *buf);

/**
 * Return how many bytes at the front of an evbuffer are stored
 * contiguously, that is, how many evbuffer_pullup() could return without
 * copying.
 *
 * @param buf the buffer.
 * @return the number of bytes in the first chunk, or 0 if the buffer is
 *     empty.
 */
EVENT2_EXPORT_SYMBOL size_t
evbuffer_get_contiguous_space(const struct evbuffer *buf);

/**
 * Make room in an evbuffer so that datlen more bytes can be appended
 * without a further allocation.
 *
 * @param buf the buffer.
 * @param datlen the number of bytes to make room for.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_expand(struct evbuffer *buf, size_t datlen);

/**
 * Reserve writable space at the end of an evbuffer.
 *
 * The space is given as one or more extents in vec; write into them, then
 * call evbuffer_commit_space() to make the bytes part of the buffer.
 * Until then the bytes are not readable, calling this function again
 * returns the same space, and nothing else may add to or rearrange the
 * buffer.  Allowing two extents or more lets the buffer use the free room
 * it already has.
 *
 * @param buf the buffer.
 * @param size the minimum number of bytes to reserve; more may be given.
 * @param vec an array that receives the extents.
 * @param n_vec the length of vec, at least 1.
 * @return the number of extents filled in, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_reserve_space(struct evbuffer *buf,
                                                ev_ssize_t size,
                                                struct evbuffer_iovec *vec,
                                                int n_vec);

/**
 * Commit bytes written into space reserved by evbuffer_reserve_space().
 *
 * To commit less than was reserved, lower the iov_len of the extents (or
 * pass fewer extents) before the call.
 *
 * @param buf the buffer.
 * @param vec the extents returned by evbuffer_reserve_space(), in order.
 * @param n_vecs the number of extents in vec.
 * @return 0 on success, -1 if the extents do not match the reservation or
 *     the buffer changed since it was made.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_commit_space(struct evbuffer *buf,
                                               struct evbuffer_iovec *vec,
                                               int n_vecs);

/*
 * Adding and removing data.
 */

/**
 * Append a copy of some bytes to the end of an evbuffer.
 *
 * @param buf the buffer.
 * @param data the bytes to copy.
 * @param datlen the number of bytes.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_add(struct evbuffer *buf, const void *data,
                                      size_t datlen);

/**
 * Copy bytes from the front of an evbuffer and drain them.
 *
 * @param buf the buffer.
 * @param data the destination.
 * @param datlen the most bytes to move; if the buffer holds fewer, all of
 *     them are moved.
 * @return the number of bytes moved, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_remove(struct evbuffer *buf, void *data,
                                         size_t datlen);

/**
 * Copy bytes from the front of an evbuffer, leaving the buffer unchanged.
 *
 * @param buf the buffer.
 * @param data_out the destination.
 * @param datlen the most bytes to copy; if the buffer holds fewer, all of
 *     them are copied.
 * @return the number of bytes copied, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL ev_ssize_t evbuffer_copyout(struct evbuffer *buf,
                                                 void *data_out, size_t datlen);

/**
 * Copy bytes from a given position of an evbuffer, leaving the buffer
 * unchanged.
 *
 * @param buf the buffer.
 * @param pos the position to start at, or NULL for the front.
 * @param data_out the destination.
 * @param datlen the most bytes to copy; if fewer follow pos, all of them
 *     are copied.
 * @return the number of bytes copied, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL ev_ssize_t
evbuffer_copyout_from(struct evbuffer *buf, const struct evbuffer_ptr *pos,
                      void *data_out, size_t datlen);

/**
 * Move bytes from the front of one evbuffer to the end of another, avoiding
 * copies where possible.
 *
 * @param src the buffer to take bytes from.
 * @param dst the buffer to append them to.
 * @param datlen the most bytes to move; if src holds fewer, all of them are
 *     moved.
 * @return the number of bytes moved, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_remove_buffer(struct evbuffer *src,
                                                struct evbuffer *dst,
                                                size_t datlen);

/** The kinds of line ending that evbuffer_readln() and
 * evbuffer_search_eol() recognise. */
enum evbuffer_eol_style {
    /** Any run of CR and LF characters ends a line.  A CR and an LF that
     * arrive in separate reads count as two line endings. */
    EVBUFFER_EOL_ANY,
    /** An LF, with or without a CR just before it, ends a line; the usual
     * choice for text-based Internet protocols. */
    EVBUFFER_EOL_CRLF,
    /** Only a CR immediately followed by an LF ends a line. */
    EVBUFFER_EOL_CRLF_STRICT,
    /** Only an LF ends a line. */
    EVBUFFER_EOL_LF,
    /** A NUL byte ends a line. */
    EVBUFFER_EOL_NUL
};

/**
 * Remove one line from the front of an evbuffer.
 *
 * If the buffer holds a complete line, it and its line ending are drained,
 * and the line is returned without the ending.
 *
 * @param buffer the buffer.
 * @param n_read_out if not NULL, receives the length of the returned line,
 *     which is useful when the line contains NUL bytes.
 * @param eol_style the kind of line ending to look for.
 * @return a newly allocated NUL-terminated string that the caller releases
 *     with free(), or NULL if there is no complete line or memory ran out.
 */
EVENT2_EXPORT_SYMBOL char *evbuffer_readln(struct evbuffer *buffer,
                                           size_t *n_read_out,
                                           enum evbuffer_eol_style eol_style);

/**
 * Move all the bytes of one evbuffer to the end of another, without copying
 * them.  inbuf is left empty.
 *
 * @param outbuf the buffer to append to.
 * @param inbuf the buffer to empty.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_add_buffer(struct evbuffer *outbuf,
                                             struct evbuffer *inbuf);

/**
 * Append the bytes of one evbuffer to another without removing them from
 * the first and, where possible, without copying them.  An inbuf that
 * itself contains such references cannot be added this way.
 *
 * @param outbuf the buffer to append to.
 * @param inbuf the buffer whose bytes are referenced; it is not changed.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_add_buffer_reference(struct evbuffer *outbuf,
                                                       struct evbuffer *inbuf);

/**
 * A function called when memory added by evbuffer_add_reference() is no
 * longer used by the buffer.
 *
 * @param data the memory that was added.
 * @param datalen its length.
 * @param extra the cleanupfn_arg given to evbuffer_add_reference().
 */
typedef void (*evbuffer_ref_cleanup_cb)(const void *data, size_t datalen,
                                        void *extra);

/**
 * Append memory to an evbuffer by reference, without copying it.
 *
 * The memory must stay valid and unchanged until cleanupfn is called,
 * which happens once the buffer no longer needs it (after it has been
 * drained, or when the buffer is freed).
 *
 * @param outbuf the buffer to append to.
 * @param data the memory to add.
 * @param datlen the number of bytes.
 * @param cleanupfn a function to call when the memory is released, or NULL.
 * @param cleanupfn_arg an argument passed to cleanupfn.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evbuffer_add_reference(struct evbuffer *outbuf, const void *data, size_t datlen,
                       evbuffer_ref_cleanup_cb cleanupfn, void *cleanupfn_arg);

/**
 * Append part of a file to an evbuffer, for sending to a socket.
 *
 * The buffer uses sendfile() when EVBUFFER_FLAG_DRAINS_TO_FD is set, and
 * otherwise maps or reads the file.  The buffer takes ownership of fd and
 * closes it once the data has been consumed or the buffer is freed.
 * Reading the data back with evbuffer_remove() or evbuffer_pullup() gives
 * undefined results.  evbuffer_add_file_segment() gives finer control.
 *
 * @param outbuf the buffer to append to.
 * @param fd an open file.
 * @param offset the offset in the file of the first byte to add.
 * @param length the number of bytes to add, or -1 for everything up to the
 *     end of the file.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_add_file(struct evbuffer *outbuf, int fd,
                                           ev_off_t offset, ev_off_t length);

/**
 * A reference to a range of an open file, which can be added to one or
 * more evbuffers any number of times.  The library chooses how to move the
 * data: sendfile(), mmap() or reading it into memory.  The structure is
 * opaque; create one with evbuffer_file_segment_new().
 */
struct evbuffer_file_segment;

/** File segment flag: close the file descriptor when the segment is freed
 * and no evbuffer uses it any more. */
#define EVBUF_FS_CLOSE_ON_FREE 0x01
/** File segment flag: never use mmap() for this segment. */
#define EVBUF_FS_DISABLE_MMAP 0x02
/** File segment flag: never copy directly from file to socket (sendfile(),
 * splice()).  Use it if the data will be read by the program rather than
 * only written to the network. */
#define EVBUF_FS_DISABLE_SENDFILE 0x04
/** File segment flag: give the segment no lock.  The segment and every
 * buffer it is added to must then be used from one thread at a time. */
#define EVBUF_FS_DISABLE_LOCKING 0x08

/**
 * A function called when a file segment is finally released, that is, when
 * it has been freed and no evbuffer refers to it any more.
 *
 * @param seg the segment being released.
 * @param flags the EVBUF_FS_* flags it was created with.
 * @param arg the argument given to evbuffer_file_segment_add_cleanup_cb().
 */
typedef void (*evbuffer_file_segment_cleanup_cb)(
    struct evbuffer_file_segment const *seg, int flags, void *arg);

/**
 * Create a file segment for sending a range of a file through evbuffers.
 *
 * fd must stay open while any evbuffer uses the segment, unless the
 * segment owns it through EVBUF_FS_CLOSE_ON_FREE.  Reading the data back
 * out of an evbuffer holding the segment gives undefined results unless
 * EVBUF_FS_DISABLE_SENDFILE is given.
 *
 * @param fd an open file.
 * @param offset the offset in the file where the segment starts.
 * @param length the length of the segment, or -1 for everything up to the
 *     end of the file.
 * @param flags any of the EVBUF_FS_* flags.
 * @return the new segment, or NULL on failure.
 */
EVENT2_EXPORT_SYMBOL struct evbuffer_file_segment *
evbuffer_file_segment_new(int fd, ev_off_t offset, ev_off_t length,
                          unsigned flags);

/**
 * Drop the caller's reference to a file segment.  The segment itself lives
 * on until no evbuffer uses it either, so this may be called at once after
 * adding the segment to buffers.
 *
 * @param seg the segment.
 */
EVENT2_EXPORT_SYMBOL void
evbuffer_file_segment_free(struct evbuffer_file_segment *seg);

/**
 * Set the function to call when a file segment is finally released.
 *
 * @param seg the segment.
 * @param cb the function.
 * @param arg an argument passed to cb.
 */
EVENT2_EXPORT_SYMBOL void
evbuffer_file_segment_add_cleanup_cb(struct evbuffer_file_segment *seg,
                                     evbuffer_file_segment_cleanup_cb cb,
                                     void *arg);

/**
 * Append all or part of a file segment to an evbuffer.
 *
 * Here offset and length are counted within the segment, not the file: for
 * a segment that starts at file offset 20, offset 20 and length 50 add file
 * bytes 40 to 89.
 *
 * @param buf the buffer to append to.
 * @param seg the segment.
 * @param offset the offset within the segment of the first byte to add.
 * @param length the number of bytes to add, or -1 for the rest of the
 *     segment.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int
evbuffer_add_file_segment(struct evbuffer *buf,
                          struct evbuffer_file_segment *seg, ev_off_t offset,
                          ev_off_t length);

/**
 * Append formatted text to an evbuffer, as printf() would produce it.  No
 * terminating NUL is added.
 *
 * @param buf the buffer.
 * @param fmt a printf() format string, followed by its arguments.
 * @return the number of bytes appended, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_add_printf(struct evbuffer *buf,
                                             const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/**
 * Append formatted text to an evbuffer from a va_list.  No terminating NUL
 * is added.
 *
 * @param buf the buffer.
 * @param fmt a printf() format string.
 * @param ap the arguments for fmt.
 * @return the number of bytes appended, or -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_add_vprintf(struct evbuffer *buf,
                                              const char *fmt, va_list ap)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 0)))
#endif
    ;

/**
 * Discard bytes from the front of an evbuffer.
 *
 * @param buf the buffer.
 * @param len the number of bytes to discard; if the buffer holds fewer, it
 *     is emptied.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_drain(struct evbuffer *buf, size_t len);

/*
 * Input and output.
 */

/**
 * Write as much of an evbuffer as possible to a file descriptor, and drain
 * the bytes that were written.
 *
 * @param buffer the buffer.
 * @param fd the descriptor, normally a non-blocking socket.
 * @return the number of bytes written, or -1 on failure with errno set.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_write(struct evbuffer *buffer,
                                        evutil_socket_t fd);

/**
 * Write at most a given number of bytes of an evbuffer to a file
 * descriptor, and drain the bytes that were written.
 *
 * @param buffer the buffer.
 * @param fd the descriptor, normally a non-blocking socket.
 * @param howmuch the most bytes to write, or -1 for no limit.
 * @return the number of bytes written, or -1 on failure with errno set.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_write_atmost(struct evbuffer *buffer,
                                               evutil_socket_t fd,
                                               ev_ssize_t howmuch);

/**
 * Read from a file descriptor and append what was read to an evbuffer.
 *
 * @param buffer the buffer.
 * @param fd the descriptor, normally a non-blocking socket.
 * @param howmuch the most bytes to read; a negative or very large value
 *     lets the library choose.
 * @return the number of bytes read, 0 at end of file, or -1 on failure
 *     with errno set.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_read(struct evbuffer *buffer,
                                       evutil_socket_t fd, int howmuch);

/*
 * Searching.
 */

/**
 * Find the first occurrence of a byte string in an evbuffer.
 *
 * @param buffer the buffer.
 * @param what the bytes to look for.
 * @param len the number of bytes in what.
 * @param start NULL to search from the front, or a valid position to search
 *     from.
 * @return the position of the match; its pos field is -1 if there is none.
 */
EVENT2_EXPORT_SYMBOL struct evbuffer_ptr
evbuffer_search(struct evbuffer *buffer, const char *what, size_t len,
                const struct evbuffer_ptr *start);

/**
 * Find the first occurrence of a byte string that lies entirely within part
 * of an evbuffer.
 *
 * @param buffer the buffer.
 * @param what the bytes to look for.
 * @param len the number of bytes in what.
 * @param start NULL to search from the front, or a valid position to search
 *     from.
 * @param end NULL to search to the end, or a valid position that the match
 *     must not extend past.
 * @return the position of the match; its pos field is -1 if there is none.
 */
EVENT2_EXPORT_SYMBOL struct evbuffer_ptr
evbuffer_search_range(struct evbuffer *buffer, const char *what, size_t len,
                      const struct evbuffer_ptr *start,
                      const struct evbuffer_ptr *end);

/** How evbuffer_ptr_set() moves a position. */
enum evbuffer_ptr_how {
    /** Move to an absolute offset; the position need not be initialised. */
    EVBUFFER_PTR_SET,
    /** Move forward by a number of bytes from where the position is. */
    EVBUFFER_PTR_ADD
};

/**
 * Set or advance a position in an evbuffer.
 *
 * The result may be any offset from 0 to the buffer's length inclusive.
 *
 * @param buffer the buffer.
 * @param ptr the position to change.
 * @param position the new offset (EVBUFFER_PTR_SET) or the number of bytes
 *     to move forward (EVBUFFER_PTR_ADD).
 * @param how EVBUFFER_PTR_SET or EVBUFFER_PTR_ADD.
 * @return 0 on success, -1 if the result would lie past the end of the
 *     buffer.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_ptr_set(struct evbuffer *buffer,
                                          struct evbuffer_ptr *ptr,
                                          size_t position,
                                          enum evbuffer_ptr_how how);

/**
 * Find the first line ending in an evbuffer.
 *
 * @param buffer the buffer.
 * @param start NULL to search from the front, or a valid position to search
 *     from.
 * @param eol_len_out if not NULL, receives the length of the line ending
 *     that was found.
 * @param eol_style the kind of line ending to look for.
 * @return the position of the line ending; its pos field is -1 if there is
 *     none.
 */
EVENT2_EXPORT_SYMBOL struct evbuffer_ptr
evbuffer_search_eol(struct evbuffer *buffer, struct evbuffer_ptr *start,
                    size_t *eol_len_out, enum evbuffer_eol_style eol_style);

/**
 * Look at data inside an evbuffer without copying it.
 *
 * vec_out is filled with pointers into the buffer's own memory, which stay
 * valid only until the buffer is next changed and must not be written
 * through.  The extents may cover more than len bytes (the last one is not
 * trimmed) or fewer (if vec_out is too short or the buffer too small).
 *
 * @param buffer the buffer.
 * @param len the number of bytes to look at, or a negative value for as
 *     many as vec_out can describe (the whole buffer when n_vec is 0).
 * @param start_at NULL to start at the front, or a valid position.
 * @param vec_out an array that receives the extents; may be NULL when n_vec
 *     is 0.
 * @param n_vec the length of vec_out; 0 just counts the extents needed.
 * @return the number of extents needed for the requested data, which may
 *     be more than n_vec.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_peek(struct evbuffer *buffer, ev_ssize_t len,
                                       struct evbuffer_ptr *start_at,
                                       struct evbuffer_iovec *vec_out,
                                       int n_vec);

/*
 * Callbacks.
 */

/** What changed in an evbuffer, as passed to an evbuffer_cb_func. */
struct evbuffer_cb_info {
    /** The length of the buffer before the change. */
    size_t orig_size;
    /** The number of bytes added. */
    size_t n_added;
    /** The number of bytes removed. */
    size_t n_deleted;
};

/**
 * A function called after bytes are added to or removed from an evbuffer.
 *
 * A callback may add or remove data, add callbacks, or remove itself, but
 * must not remove another callback.  Changing a buffer from its callback
 * can call callbacks again, recursively.  The order in which several
 * callbacks of one buffer run is unspecified.
 *
 * @param buffer the buffer that changed.
 * @param info how it changed.
 * @param arg the argument given to evbuffer_add_cb().
 */
typedef void (*evbuffer_cb_func)(struct evbuffer *buffer,
                                 const struct evbuffer_cb_info *info,
                                 void *arg);

/** A handle to one callback registered on an evbuffer. */
struct evbuffer_cb_entry;

/**
 * Register a callback on an evbuffer, in addition to any already there.
 *
 * @param buffer the buffer to watch.
 * @param cb the function to call on each change.
 * @param cbarg an argument passed to cb.
 * @return a handle for evbuffer_remove_cb_entry() and
 *     evbuffer_cb_set_flags(), or NULL on failure.  The handle belongs to
 *     the buffer and is freed with it.
 */
EVENT2_EXPORT_SYMBOL struct evbuffer_cb_entry *
evbuffer_add_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg);

/**
 * Remove a callback by the handle evbuffer_add_cb() returned.  The handle
 * is invalid afterwards.
 *
 * @param buffer the buffer.
 * @param ent the handle.
 * @return 0 if the callback was removed, -1 if it was not found.
 */
EVENT2_EXPORT_SYMBOL int
evbuffer_remove_cb_entry(struct evbuffer *buffer,
                         struct evbuffer_cb_entry *ent);

/**
 * Remove the first callback registered with a given function and argument.
 *
 * @param buffer the buffer.
 * @param cb the function given to evbuffer_add_cb().
 * @param cbarg the argument given to evbuffer_add_cb().
 * @return 0 if a callback was removed, -1 if none matched.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_remove_cb(struct evbuffer *buffer,
                                            evbuffer_cb_func cb, void *cbarg);

/** Callback flag: the callback is called.  A callback registered with
 * evbuffer_add_cb() starts with this flag set; clearing it disables the
 * callback until it is set again. */
#define EVBUFFER_CB_ENABLED 1

/**
 * Set flags on a callback of an evbuffer.
 *
 * @param buffer the buffer.
 * @param cb the callback's handle.
 * @param flags the flags to set, such as EVBUFFER_CB_ENABLED.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_cb_set_flags(struct evbuffer *buffer,
                                               struct evbuffer_cb_entry *cb,
                                               ev_uint32_t flags);

/**
 * Clear flags on a callback of an evbuffer.
 *
 * @param buffer the buffer.
 * @param cb the callback's handle.
 * @param flags the flags to clear, such as EVBUFFER_CB_ENABLED.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_cb_clear_flags(struct evbuffer *buffer,
                                                 struct evbuffer_cb_entry *cb,
                                                 ev_uint32_t flags);

/*
 * Contiguous access, prepending and freezing.
 */

/**
 * Make the first bytes of an evbuffer contiguous in memory and return a
 * pointer to them, copying data if necessary.
 *
 * The pointer stays valid until the buffer is next changed.
 *
 * @param buf the buffer.
 * @param size the number of bytes to make contiguous, or -1 for the whole
 *     buffer.
 * @return a pointer to the bytes, or NULL if there is nothing to return
 *     (size is 0 or the buffer is empty), the buffer holds fewer than size
 *     bytes, or memory ran out.
 */
EVENT2_EXPORT_SYMBOL unsigned char *evbuffer_pullup(struct evbuffer *buf,
                                                    ev_ssize_t size);

/**
 * Insert a copy of some bytes at the front of an evbuffer.
 *
 * @param buf the buffer.
 * @param data the bytes to copy.
 * @param size the number of bytes.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_prepend(struct evbuffer *buf,
                                          const void *data, size_t size);

/**
 * Move all the bytes of one evbuffer to the front of another.  src is left
 * empty.
 *
 * @param dst the buffer to prepend to.
 * @param src the buffer to empty.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_prepend_buffer(struct evbuffer *dst,
                                                 struct evbuffer *src);

/**
 * Freeze one end of an evbuffer, so that changes at that end fail until it
 * is unfrozen.  With the front frozen, draining and prepending fail; with
 * the back frozen, appending fails.  Bufferevents use this to protect their
 * buffers.
 *
 * @param buf the buffer.
 * @param at_front nonzero to freeze the front, zero to freeze the back.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_freeze(struct evbuffer *buf, int at_front);

/**
 * Unfreeze one end of an evbuffer frozen by evbuffer_freeze().
 *
 * @param buf the buffer.
 * @param at_front nonzero to unfreeze the front, zero to unfreeze the back.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_unfreeze(struct evbuffer *buf, int at_front);

struct event_base;

/**
 * Make an evbuffer's callbacks run later from the event loop of base,
 * instead of at once inside the call that changed the buffer.  This keeps
 * all callbacks in the loop's thread.
 *
 * @param buffer the buffer.
 * @param base the event base whose loop runs the callbacks.
 * @return 0 on success, -1 on failure.
 */
EVENT2_EXPORT_SYMBOL int evbuffer_defer_callbacks(struct evbuffer *buffer,
                                                  struct event_base *base);

/**
 * Append copies of several memory extents to an evbuffer, making room for
 * all of them at once so that they land in a single chunk.
 *
 * @param buffer the buffer.
 * @param vec the extents to copy.
 * @param n_vec the number of extents.
 * @return the number of bytes appended.
 */
EVENT2_EXPORT_SYMBOL size_t evbuffer_add_iovec(struct evbuffer *buffer,
                                               struct evbuffer_iovec *vec,
                                               int n_vec);

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_BUFFER_H_INCLUDED_ */
