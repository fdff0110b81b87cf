/* spawn.h - starting a program under ptrace, stopped at its first
 * instruction after execve, with grr's deterministic process settings:
 * no address-space randomization (personality ADDR_NO_RANDOMIZE), RDTSC
 * trapping (PR_SET_TSC, PR_TSC_SIGSEGV), and the tracee killed if grr dies. */
#ifndef GRR_TRACEE_SPAWN_H
#define GRR_TRACEE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct grr_spawn_opts {
	const char *path;         /* executable to run */
	char *const *argv;
	char *const *envp;
	const char *cwd;          /* NULL: inherit */
	bool stdio_devnull;       /* replay: fds 0-2 on /dev/null, and a
				     process group of its own, so that a
				     terminal's Ctrl-C never reaches it */
	bool isolate;             /* replay: no descriptor above 2 survives the
				     exec, and no core dump (RLIMIT_CORE 0: a
				     process the sandbox kills leaves no file) */
};

/* Returns 0 with *pid set and the child stopped at its exec stop, or -1
 * with a one-line reason in ERR (e.g. "./prog: No such file or directory"). */
int grr_spawn(const struct grr_spawn_opts *o, pid_t *pid, char *err, size_t errlen);

#endif
