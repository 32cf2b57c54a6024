/* Port of notes 004, the multiprocessing.Process naming example: a Process is created
 * (its default name is printed: "Process-3" in the notebook), renamed
 * "Phunsukh_Wangdu" before start(), and the child prints current_process().name.
 *
 * The name is plain data copied into the child at fork time; the child also sets it as
 * its kernel thread name (prctl PR_SET_NAME, 15 characters) and prints what it reads
 * back. The notes never join the process; here the parent waits for it.
 * Expected: "Aal izz well! I am: Phunsukh_Wangdu", exit 0.
 *
 * lockstep-case: process_named_rancho
 * lockstep-source: 004 "rancho_introduces_himself" (multiprocessing.Process, name set before start)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char process_name[16] = "Process-3";

static void rancho_introduces_himself(void)
{
    char name[16] = "";
    prctl(PR_SET_NAME, process_name);
    prctl(PR_GET_NAME, name);
    printf("Aal izz well! I am: %s\n", name);
    fflush(stdout);
    _exit(strcmp(name, "Phunsukh_Wangdu") == 0 ? 0 : 1);
}

int main(void)
{
    printf("When Raju and Farhan meets: %s\n", process_name);
    snprintf(process_name, sizeof process_name, "%s", "Phunsukh_Wangdu");

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0)
        rancho_introduces_himself();

    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("Expected: the child names itself Phunsukh_Wangdu\n");
        return 1;
    }
    return 0;
}
