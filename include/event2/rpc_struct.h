/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/rpc_struct.h: structures of the RPC layer that programs may see:
 * the status handed to a client's completion callback and the description
 * of one registered RPC.  Their layout matches libevent 2.1 exactly.
 */
#ifndef EVENT2_RPC_STRUCT_H_INCLUDED_
#define EVENT2_RPC_STRUCT_H_INCLUDED_

#ifdef __cplusplus
extern "C" {
#endif

struct evbuffer;
struct evhttp_request;
struct evrpc_base;
struct evrpc_req_generic;

/* A <sys/queue.h>-style list link, defined here only when the program has
 * not brought its own TAILQ_ENTRY; EVENT_DEFINED_TQENTRY_ records that, and
 * the definition is withdrawn again at the end of this header. */
#ifndef TAILQ_ENTRY
#define EVENT_DEFINED_TQENTRY_
#define TAILQ_ENTRY(type)       \
    struct {                    \
        struct type *tqe_next;  \
        struct type **tqe_prev; \
    }
#endif

/** @name Values of evrpc_status.error
 * @{
 */
/** The RPC completed and the reply was decoded. */
#define EVRPC_STATUS_ERR_NONE 0
/** No usable reply arrived: the pool's timeout expired or the connection
 * failed. */
#define EVRPC_STATUS_ERR_TIMEOUT 1
/** The reply could not be decoded. */
#define EVRPC_STATUS_ERR_BADPAYLOAD 2
/** The request could not be sent at all. */
#define EVRPC_STATUS_ERR_UNSTARTED 3
/** A hook stopped the request with EVRPC_TERMINATE. */
#define EVRPC_STATUS_ERR_HOOKABORTED 4
/** @} */

/** The outcome of an RPC, passed to the client's completion callback. */
struct evrpc_status {
    /** One of the EVRPC_STATUS_ERR_* values. */
    int error;
    /** The HTTP request that carried the RPC, or NULL; it may be used to
     * inspect headers during the callback only. */
    struct evhttp_request *http_req;
};

/** The description of one RPC registered with an evrpc_base.
 *
 * The EVRPC_REGISTER() macro fills one in for the caller; the request and
 * reply functions are the ones event_rpcgen generates for the message
 * types.
 */
struct evrpc {
    /** The link in the list of RPCs of the evrpc_base. */
    TAILQ_ENTRY(evrpc) next;

    /** The name of the RPC, which is served at the URI "/.rpc." followed
     * by the name.  Once registered, the evrpc_base owns this string. */
    const char *uri;

    /** Allocates an empty request; receives request_new_arg. */
    void *(*request_new)(void *);
    /** The argument passed to request_new. */
    void *request_new_arg;
    /** Frees a request. */
    void (*request_free)(void *);
    /** Decodes a request from a buffer; returns -1 on failure. */
    int (*request_unmarshal)(void *, struct evbuffer *);

    /** Allocates an empty reply; receives reply_new_arg. */
    void *(*reply_new)(void *);
    /** The argument passed to reply_new. */
    void *reply_new_arg;
    /** Frees a reply. */
    void (*reply_free)(void *);
    /** Checks that all required fields of a reply are set; returns -1 if
     * not. */
    int (*reply_complete)(void *);
    /** Encodes a reply into a buffer. */
    void (*reply_marshal)(struct evbuffer *, void *);

    /** The server callback that handles a decoded request. */
    void (*cb)(struct evrpc_req_generic *, void *);
    /** The user pointer passed to cb. */
    void *cb_arg;

    /** The evrpc_base this RPC is registered with. */
    struct evrpc_base *base;
};

#ifdef EVENT_DEFINED_TQENTRY_
#undef TAILQ_ENTRY
#endif

#ifdef __cplusplus
}
#endif

#endif /* EVENT2_RPC_STRUCT_H_INCLUDED_ */
