/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vigil-info: tells which libevent a program runs on: the version the
 * headers promised, the version the loaded library reports, and the file
 * it was loaded from.  Useful after swapping Debian's libevent for Vigil's.
 *
 *   usage: vigil-info
 */
#include <event2/event.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    Dl_info info;
    const char *from = "(unknown)";

    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: vigil-info\n");
        return 2;
    }
    if (dladdr((void *)event_get_version, &info) != 0 && info.dli_fname != NULL)
        from = info.dli_fname;
    printf("built against libevent %s (0x%08x)\n", LIBEVENT_VERSION,
           (unsigned)LIBEVENT_VERSION_NUMBER);
    printf("running on    libevent %s (0x%08x)\n", event_get_version(),
           (unsigned)event_get_version_number());
    printf("loaded from   %s\n", from);
#ifdef VIGIL_VERSION
    printf("headers are   Vigil %s\n", VIGIL_VERSION);
#endif
    if (strcmp(event_get_version(), LIBEVENT_VERSION) != 0) {
        printf("warning: the library and the headers differ\n");
        return 1;
    }
    return 0;
}
