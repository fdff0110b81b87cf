/* affinity.h - running grr's thread and the recorded or replayed program
 * on one CPU.
 *
 * Replay lets one program thread run at a time, and every event is a
 * ptrace stop: the program stops, grr wakes, grr resumes it.  When the two
 * sit on different CPUs each of those wake-ups is an interprocessor
 * interrupt to an idle CPU (about 20 us on these virtual machines) and
 * ptrace waits for the stopped thread to leave its CPU; on one CPU it is a
 * plain context switch.  rr binds its tracees to one CPU for the same
 * reason.  Helper threads (the digest's second reader) keep the CPUs grr
 * had, so that digests still use two cores.
 *
 * Replay emulates the program's affinity calls, so it never sees the
 * difference.  Recording pins too: the Go runtime sizes GOMAXPROCS from
 * sched_getaffinity, so the recorder writes the CPUs saved here over the
 * call's answer (recorder/rec_syscall.c) and gives them back to the
 * program's child processes (recorder/rec_children.c). */
#ifndef GRR_TRACEE_AFFINITY_H
#define GRR_TRACEE_AFFINITY_H

#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

struct grr_affinity {
	bool active;      /* SAVED holds the CPUs before pinning */
	bool owner;       /* this holder pinned the calling thread: restore it */
	cpu_set_t saved;
};

/* Pins the calling thread and process PID's thread (stopped; the threads
 * it creates inherit the setting) to the CPU the calling thread is on.
 * Nothing is done if the calling thread may use one CPU only.  Returns 0,
 * or -1 if it could not (nothing changed). */
int grr_affinity_pin(struct grr_affinity *a, pid_t pid);

/* Gives the calling thread back the CPUs it had, if A pinned it. */
void grr_affinity_restore(struct grr_affinity *a);

/* A copy of A for another holder that must not restore (a checkpoint's
 * engine, on the same thread). */
void grr_affinity_share(const struct grr_affinity *a, struct grr_affinity *copy);

/* The CPUs for grr's helper threads: the saved ones, or NULL (inherit)
 * when nothing was pinned. */
const cpu_set_t *grr_affinity_helpers(const struct grr_affinity *a);

#endif
