/* rec_start.c - starting the program and writing the trace header.
 *
 * At the exec stop, before the program's first instruction: the kernel's
 * vDSO is replaced by grr's clock page (rec_clock.c), or hidden
 * (AT_SYSINFO_EHDR = 0, so Go reads the clock through syscalls, which are
 * recorded), and the initial stack, auxv and address space are saved in
 * the header so replay can re-create them. */
#include "recorder/rec_private.h"
#include "tracee/cpu.h"
#include "tracee/elfinfo.h"
#include "tracee/envflag.h"
#include "tracee/initstack.h"
#include "tracee/maps.h"
#include "tracee/spawn.h"
#include "tracee/task.h"

#include <elf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void fill_header(struct recorder *r, struct grr_header *h, const char *exe,
			const struct grr_initstack *s, const struct grr_elfinfo *ei,
			char *cwd, struct grr_mapping *maps, int nmaps)
{
	memset(h, 0, sizeof(*h));
	h->program = (char *)exe;
	h->cwd = cwd;
	h->argc = s->argc;
	h->argv = s->argv;
	h->envc = s->envc;
	h->envp = s->envp;
	h->nauxv = s->nauxv;
	h->auxv = s->auxv;
	h->initial_sp = s->sp;
	h->nmaps = (uint32_t)nmaps;
	h->maps = maps;
	h->build_id = (char *)ei->build_id;
	h->go_version = (char *)ei->go_version;
	grr_cpu_identify(&h->cpu);
	h->grr_version = GRR_VERSION;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->start_time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	h->chaos_seed = r->opts->chaos ? r->sched.seed : 0;
	h->flags = (r->opts->chaos ? GRR_HDR_CHAOS : 0) | (r->opts->portable ? GRR_HDR_PORTABLE : 0) |
		   (r->cp.active ? GRR_HDR_CLOCKPAGE : 0) |
		   (r->cp.active && r->cp.lay == grr_cp_layout(true) ? GRR_HDR_CLOCKRING : 0) |
		   (r->sb.active ? GRR_HDR_SYSBUF | GRR_HDR_SYSBUF_FS : 0) |
		   (r->sb.active && r->sb.version >= GRR_SB_V3 ? GRR_HDR_SYSBUF_FUTEX : 0) |
		   (r->file_refs ? GRR_HDR_FILE_REFS : 0);
	h->env_screened = r->opts->env_screened;
	for (char **v = r->opts->env_withheld; v && *v; v++)
		h->nwithheld++;
	h->withheld = r->opts->env_withheld;
	for (char **v = r->opts->env_kept_secret; v && *v; v++)
		h->nkept_secret++;
	h->kept_secret = r->opts->env_kept_secret;
}

static int check_program(const char *exe, bool portable, struct grr_elfinfo *ei, char *err,
			 size_t errlen)
{
	if (access(exe, X_OK) < 0) {
		snprintf(err, errlen, "%s: not executable", exe);
		return -1;
	}
	if (grr_elfinfo_read(exe, ei, err, errlen) < 0)
		return -1;
	if (!ei->is_go) {
		snprintf(err, errlen, "%s: not a Go program (grr records Go programs built for "
			 "linux/amd64)", exe);
		return -1;
	}
	if (portable && ei->goamd64 > 1)
		fprintf(stderr, "grr: warning: %s was built with GOAMD64=v%d: even with --portable, "
			"its trace replays only on CPUs of that level\n", exe, ei->goamd64);
	return 0;
}

int rec_start(struct recorder *r, char *err, size_t errlen)
{
	const struct grr_record_opts *o = r->opts;
	char exe[PATH_MAX];
	if (!realpath(o->program, exe)) {
		snprintf(err, errlen, "%s: no such program", o->program);
		return -1;
	}
	struct grr_elfinfo ei;
	if (check_program(exe, o->portable, &ei, err, errlen) < 0)
		return -1;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd))) {
		snprintf(err, errlen, "cannot read the working directory");
		return -1;
	}
	r->have_syms = grr_symtab_load(exe, &r->syms) == 0;
	if (o->portable) {
		int n = grr_cpuid_vars(exe, r->cpuid_vars);
		r->ncpuid_vars = n > 0 ? (uint32_t)n : 0;
	}
	struct grr_spawn_opts so = { .path = exe, .argv = o->argv, .envp = o->envp };
	if (grr_spawn(&so, &r->pid, err, errlen) < 0)
		return -1;
	if (grr_mem_open(&r->mem, r->pid) < 0) {
		snprintf(err, errlen, "cannot open /proc/%d/mem", (int)r->pid);
		return -1;
	}
	/* One thread of the program runs at a time, and each of its stops
	 * wakes grr: on one CPU that is a context switch, across two an
	 * interprocessor interrupt to an idle CPU each way (a traced
	 * syscall's two stops took 40-140 us instead of 10-25).  The program
	 * is told the CPUs it would have had (rec_syscall.c, shown_cpus), and
	 * its child processes get them back (rec_children.c).  Chaos mode does
	 * not pin: racetest's TestIncr failed in 11% of pinned chaos
	 * recordings, 19.5% unpinned (200 each). */
	if (!o->chaos && !grr_env_flag("GRR_NO_PIN") && grr_affinity_pin(&r->aff, r->pid) < 0 &&
	    o->verbose)
		fprintf(stderr, "grr: could not pin the program to one CPU\n");
	struct user_regs_struct regs;
	struct grr_initstack s;
	if (grr_task_getregs(r->pid, &regs) < 0 || grr_mem_read(&r->mem, regs.rsp, &(uint64_t){0}, 8) < 0 ||
	    grr_initstack_read(&r->mem, regs.rsp, &s) < 0) {
		snprintf(err, errlen, "%s: cannot read the initial stack", exe);
		return -1;
	}
	if (rec_clock_setup(r, &s) < 0) {
		grr_initstack_free(&s);
		snprintf(err, errlen, "%s: cannot set up the clock page", exe);
		return -1;
	}
	rec_sysbuf_setup(r);
	rec_anchor_setup(r);
	r->dg.helpers = grr_affinity_helpers(&r->aff);
	rec_syncpt_setup(r);
	r->file_refs = rec_file_refs_wanted(r);
	struct grr_mapping *maps;
	int nmaps = grr_maps_read(r->pid, &maps);
	if (nmaps < 0) {
		grr_initstack_free(&s);
		snprintf(err, errlen, "cannot read /proc/%d/maps", (int)r->pid);
		return -1;
	}
	struct grr_header h;
	fill_header(r, &h, exe, &s, &ei, cwd, maps, nmaps);
	uint64_t at_random = grr_initstack_auxval(&s, AT_RANDOM);
	if (at_random)
		grr_mem_read(&r->mem, at_random, h.at_random, 16);
	r->w = grr_writer_open(o->output, &h, &r->werr);
	grr_maps_free(maps, nmaps);
	grr_initstack_free(&s);
	if (!r->w) {
		snprintf(err, errlen, "%s", r->werr.msg);
		return -1;
	}
	struct rec_thread *t = rec_thread_add(r, r->pid, RT_READY);
	if (!t)
		return -1;
	t->stop_rip = regs.rip;
	t->stop_rsp = regs.rsp;
	return 0;
}
