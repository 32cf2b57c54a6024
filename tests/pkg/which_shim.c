/* which_shim: prints the path of the liblockstep.so mapped into this process (from
 * /proc/self/maps), or "none". tests/pkg runs it under an installed lockstep to check that
 * the installed CLI preloads the installed shim, not the build tree's. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        char *path = strchr(line, '/');
        if (path && strstr(path, "/liblockstep.so")) {
            fputs(path, stdout);
            fclose(f);
            return 0;
        }
    }
    if (f)
        fclose(f);
    puts("none");
    return 0;
}
