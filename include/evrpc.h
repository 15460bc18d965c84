/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * evrpc.h: the libevent 1.4 entry point to the RPC layer.  It declares
 * nothing itself; it pulls in <event.h> and the event2 RPC headers.  New
 * code should include <event2/rpc.h> and its companions directly.
 */
#ifndef EVENT1_EVRPC_H_INCLUDED_
#define EVENT1_EVRPC_H_INCLUDED_

#include <event.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include <event2/rpc_compat.h>

#endif /* EVENT1_EVRPC_H_INCLUDED_ */
