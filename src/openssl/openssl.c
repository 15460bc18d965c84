/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * openssl.c: libevent_openssl will hold the TLS bufferevents, which land
 * after the bufferevent work.  Until then the library carries only this
 * identification string under Debian's name and soname.
 */
#include <event2/event-config.h>

const char vigil_openssl_ident_[] = "Vigil " VIGIL_VERSION " libevent_openssl";
