/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * replay.c: runs a fuzz target's LLVMFuzzerTestOneInput over every file of
 * the corpus folders (or files) named on the command line, so that ordinary
 * builds and ctest exercise each corpus without libFuzzer.  Each input is
 * also fed through a fresh heap copy of exactly its size, so that the
 * sanitizers see any read past its end.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    int rc = -1;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto done;
    /* malloc(0) may return NULL; one spare byte keeps the pointer valid
     * while the target still sees size 0. */
    buf = malloc((size_t)len + 1);
    if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
        goto done;
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    fclose(f);
    return rc;
}

static int
replay_path(const char *path, int *count)
{
    struct stat st;
    DIR *dir;
    struct dirent *entry;
    int rc = 0;

    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    dir = opendir(path);
    if (dir == NULL) {
        perror(path);
        return -1;
    }
    while ((entry = readdir(dir)) != NULL) {
        char child[4096];

        if (entry->d_name[0] == '.')
            continue;
        if (snprintf(child, sizeof(child), "%s/%s", path, entry->d_name) >=
            (int)sizeof(child)) {
            rc = -1;
            continue;
        }
        if (replay_path(child, count) != 0)
            rc = -1;
    }
    closedir(dir);
    return rc;
}

int
main(int argc, char **argv)
{
    int count = 0;
    int failed = 0;

    for (int i = 1; i < argc; i++) {
        if (replay_path(argv[i], &count) != 0)
            failed = 1;
    }
    if (count == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        failed = 1;
    }
    printf("%d passed, %d failed\n", failed ? 0 : count, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
