/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * extra.c: libevent_extra holds evdns, evhttp, evrpc and evtag.  None of
 * them has landed yet, so the library carries only this identification
 * string; it exists so that programs and packages find the file under
 * Debian's name and soname.  tools/api-coverage reports what it exports.
 */
#include <event2/event-config.h>

const char vigil_extra_ident_[] = "Vigil " VIGIL_VERSION " libevent_extra";
