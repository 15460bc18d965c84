/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * fuzz-check.h: what every fuzz target shares.  CHECK states a property
 * the code under test must keep for every input; a violation says which check
 * failed and aborts, which libFuzzer reports as a finding and the corpus replay
 * as a failed test.
 */
#ifndef VIGIL_FUZZ_CHECK_H
#define VIGIL_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            abort();                                                         \
        }                                                                    \
    } while (0)

#endif
