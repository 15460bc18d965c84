/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event2/visibility.h: the marker that decides which declarations the
 * shared libraries export.  Vigil builds with -fvisibility=hidden, so only
 * functions whose declaration carries EVENT2_EXPORT_SYMBOL are visible to
 * programs linking against the libraries.
 */
#ifndef EVENT2_VISIBILITY_H_INCLUDED_
#define EVENT2_VISIBILITY_H_INCLUDED_

#include <event2/event-config.h>

#if defined(__GNUC__) || defined(__clang__)
/** Marks a public function or variable as exported from the library. */
#define EVENT2_EXPORT_SYMBOL __attribute__((visibility("default")))
#else
#define EVENT2_EXPORT_SYMBOL
#endif

/** Marks a symbol of libevent_core that the other libraries also use.  On
 * Linux every library sees the same export marker, so this is the same. */
#define EVENT2_CORE_EXPORT_SYMBOL EVENT2_EXPORT_SYMBOL

#endif /* EVENT2_VISIBILITY_H_INCLUDED_ */
