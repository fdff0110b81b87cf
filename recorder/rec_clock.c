/* rec_clock.c - the clock page while recording (tracee/clockpage.h).
 *
 * At the exec stop grr decides whether the program can read the clock and
 * the TSC in-process: it needs runtime.cputicks to be its only RDTSC (the
 * TSC is then left untrapped, which the kernel's vDSO needs) and the
 * page's address range free.  GRR_NO_CLOCKPAGE=1 keeps the old way (no
 * vDSO, clock syscalls, trapped RDTSC).
 *
 * While the program runs, the values it read since its last stop are
 * collected at each stop of the thread that was running user code, and
 * logged (BUFFERED) before that stop's own event. */
#include "recorder/rec_private.h"
#include "tracee/envflag.h"
#include "tracee/task.h"
#include "tracee/remote.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

/* Untraps the TSC in the stopped thread TID (the page's record-only code
 * and the kernel's vDSO execute RDTSC/RDTSCP). */
static int allow_tsc(const struct grr_mem *m, pid_t tid)
{
	uint64_t args[6] = { PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0, 0 };
	int64_t ret;
	return grr_remote_syscall(m, tid, SYS_prctl, args, &ret) < 0 || ret != 0 ? -1 : 0;
}

/* A dynamically linked program: its loader (and C library start-up) run
 * first, and the loader reads the TSC for its statistics: the TSC stays
 * trapped (those reads are recorded as RDTSC events) until the program's
 * entry point, where a breakpoint gives it back (rec_clock_at_entry). */
static int loader_first(struct recorder *r, struct grr_initstack *s)
{
	static const uint8_t int3 = 0xcc;
	uint64_t entry = grr_initstack_auxval(s, AT_ENTRY);
	if (!entry || grr_mem_read(&r->mem, entry, &r->entry_orig, 1) < 0 ||
	    grr_mem_write(&r->mem, entry, &int3, 1) < 0) {
		fprintf(stderr, "grr: cannot set a breakpoint at the program's entry point\n");
		return -1;
	}
	r->entry_bp = entry;
	return grr_initstack_set_auxval(&r->mem, s, AT_SYSINFO_EHDR, r->cp.lay->addr);
}

int rec_clock_at_entry(struct recorder *r, struct rec_thread *t)
{
	struct user_regs_struct regs;
	if (!r->entry_bp || grr_task_getregs(t->tid, &regs) < 0 || regs.rip != r->entry_bp + 1)
		return 0;
	regs.rip = r->entry_bp;
	if (grr_mem_write(&r->mem, r->entry_bp, &r->entry_orig, 1) < 0 ||
	    grr_task_setregs(t->tid, &regs) < 0 || allow_tsc(&r->mem, t->tid) < 0) {
		fprintf(stderr, "grr: cannot untrap the TSC for the clock page\n");
		return -1;
	}
	r->entry_bp = 0;
	return 1;
}

int rec_clock_setup(struct recorder *r, struct grr_initstack *s)
{
	const char *why = NULL;
	if (grr_env_flag("GRR_NO_CLOCKPAGE"))
		why = "GRR_NO_CLOCKPAGE is set";
	else if (!r->have_syms)
		why = "the program has no symbol table";
	else if (grr_clockpage_usable(&r->mem, r->pid, &r->syms, grr_cp_layout(true), &r->cp,
				      &why) &&
		 grr_clockpage_install(&r->mem, r->pid, &r->cp, true, &why) == 0) {
		if (r->cp.loader)
			return loader_first(r, s);
		if (allow_tsc(&r->mem, r->pid) < 0) {
			/* the page is in place: without the TSC its record path
			 * would fault, so the recording cannot go on */
			fprintf(stderr, "grr: cannot untrap the TSC for the clock page\n");
			return -1;
		}
		return grr_initstack_set_auxval(&r->mem, s, AT_SYSINFO_EHDR, r->cp.lay->addr);
	}
	if (r->opts->verbose)
		fprintf(stderr, "grr: clock reads are syscalls (%s)\n", why);
	r->cp.active = false;
	/* No vDSO: time goes through (recorded) syscalls. */
	grr_initstack_set_auxval(&r->mem, s, AT_SYSINFO_EHDR, 0);
	return 0;
}

int rec_clock_drain(struct recorder *r, struct rec_thread *t)
{
	uint64_t idx;
	if (grr_mem_read(&r->mem, grr_cp_index(r->cp.lay), &idx, 8) < 0 || idx == r->cp_drained)
		return 0;
	uint8_t buf[GRR_CP_MAX_SLOTS * GRR_CP_SLOT_SIZE];
	struct grr_mem_write w[2];
	int n = grr_clockpage_collect(&r->mem, r->cp.lay, r->cp_drained, idx, buf, w);
	if (n < 0) {
		fprintf(stderr, "grr: clock page values %llu..%llu lost (thread %d)\n",
			(unsigned long long)r->cp_drained, (unsigned long long)idx, (int)t->tid);
		errno = EIO;
		return -1;
	}
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.exit.ret = (int64_t)(idx - r->cp_drained);
	ev.u.exit.nwrites = (uint32_t)n;
	ev.u.exit.writes = w;
	r->cp_values += idx - r->cp_drained;
	r->cp_drained = idx;
	return rec_log(r, &ev, t->tid, GRR_EV_BUFFERED);
}
