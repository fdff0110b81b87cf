/* rp_start.c - opening a trace and re-creating the recorded process at its
 * first instruction: same executable (build id checked; or the copy a
 * packed trace embeds, rp_exe.h), same argv, envp and auxv, same AT_RANDOM
 * bytes, the same clock page (tracee/clockpage.h) or no vDSO, same
 * address space; confined, before its first instruction, by the replay
 * sandbox (tracee/sandbox.h), after the log was checked against it
 * (rp_vet.c). */
#include "replayer/rp_exe.h"
#include "replayer/rp_private.h"
#include "tracee/clockpage.h"
#include "tracee/cpu.h"
#include "tracee/elfinfo.h"
#include "tracee/envflag.h"
#include "tracee/initstack.h"
#include "tracee/maps.h"
#include "tracee/sandbox.h"
#include "tracee/spawn.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The recorded CPU features this CPU must have: all that Go may have
 * chosen at run time, or, for a --portable recording (GODEBUG=cpu.all=off),
 * those compiled in for the executable's GOAMD64 level. */
static int check_cpu(const struct grr_header *h, int goamd64, char *err, size_t errlen)
{
	struct grr_cpu here;
	grr_cpu_identify(&here);
	char missing[512];
	if (h->flags & GRR_HDR_PORTABLE) {
		if (grr_cpu_missing_portable(&h->cpu, &here, goamd64, missing, sizeof(missing)) > 0) {
			snprintf(err, errlen, "this CPU lacks features the recording used: %s "
				 "(a --portable recording of a program built for GOAMD64=v%d)",
				 missing, goamd64);
			return -1;
		}
		return 0;
	}
	if (grr_cpu_missing(&h->cpu, &here, missing, sizeof(missing)) > 0) {
		snprintf(err, errlen, "this CPU lacks features the recording used: %s "
			 "(record with --portable for traces that travel)", missing);
		return -1;
	}
	return 0;
}

/* The process must look exactly as recorded at its first instruction. */
static int check_initial_state(struct grr_replay *rp, struct grr_initstack *s,
			       char *err, size_t errlen)
{
	const struct grr_header *h = rp->hdr;
	if (s->sp != h->initial_sp) {
		snprintf(err, errlen, "initial stack differs from the recording (sp 0x%llx, "
			 "recorded 0x%llx): was the program path or environment changed?",
			 (unsigned long long)s->sp, (unsigned long long)h->initial_sp);
		return -1;
	}
	if (s->nauxv != h->nauxv) {
		snprintf(err, errlen, "auxiliary vector differs from the recording");
		return -1;
	}
	for (uint32_t i = 0; i < s->nauxv; i++) {
		if (s->auxv[i].key != h->auxv[i].key || s->auxv[i].val != h->auxv[i].val) {
			snprintf(err, errlen, "auxiliary vector entry %llu differs from the "
				 "recording (0x%llx, recorded 0x%llx)",
				 (unsigned long long)s->auxv[i].key,
				 (unsigned long long)s->auxv[i].val,
				 (unsigned long long)h->auxv[i].val);
			return -1;
		}
	}
	struct grr_mapping *maps;
	int n = grr_maps_read(rp->pid, &maps);
	if (n < 0 || (uint32_t)n != h->nmaps) {
		snprintf(err, errlen, "address space differs from the recording (%d mappings, "
			 "recorded %u)", n, h->nmaps);
		grr_maps_free(maps, n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (maps[i].start != h->maps[i].start || maps[i].end != h->maps[i].end ||
		    maps[i].prot != h->maps[i].prot) {
			snprintf(err, errlen, "address space differs from the recording at 0x%llx",
				 (unsigned long long)h->maps[i].start);
			grr_maps_free(maps, n);
			return -1;
		}
	}
	grr_maps_free(maps, n);
	return 0;
}

/* An executable run from another path (rp_exe.h) got that path, of the
 * same length, on its stack, where AT_EXECFN points: the recorded one is
 * written over it, so that memory is as recorded. */
static int restore_execfn(struct grr_replay *rp, struct grr_initstack *s, char *err,
			  size_t errlen)
{
	const char *prog = grr_reader_header(rp->reader)->program;   /* as recorded */
	size_t len = strlen(prog) + 1;
	uint64_t at = grr_initstack_auxval(s, AT_EXECFN);
	char *here = malloc(len);
	int rc = -1;
	if (at && here && grr_mem_read(&rp->mem, at, here, len) == 0 && here[len - 1] == 0 &&
	    strlen(here) == len - 1)
		rc = grr_mem_write(&rp->mem, at, prog, len);
	free(here);
	if (rc < 0)
		snprintf(err, errlen, "cannot restore the recorded program path on the initial stack");
	return rc;
}

/* The clock page as the recording had it, in replay mode (values come
 * from BUFFERED events), or no vDSO at all. */
static int set_clock(struct grr_replay *rp, struct grr_initstack *s, char *err, size_t errlen)
{
	if (!(rp->hdr->flags & GRR_HDR_CLOCKPAGE)) {
		if (grr_initstack_set_auxval(&rp->mem, s, AT_SYSINFO_EHDR, 0) == 0)
			return 0;
		snprintf(err, errlen, "cannot hide the vDSO of the replayed program");
		return -1;
	}
	const struct grr_symbol *ct = rp->have_syms ? grr_clockpage_cputicks(&rp->syms) : NULL;
	struct grr_clockpage cp = {
		.cputicks = ct ? ct->addr : 0,
		.lay = grr_cp_layout(rp->hdr->flags & GRR_HDR_CLOCKRING),
	};
	const char *why = "the executable has no runtime.cputicks";
	if (!ct || grr_clockpage_install(&rp->mem, rp->pid, &cp, false, &why) < 0 ||
	    grr_initstack_set_auxval(&rp->mem, s, AT_SYSINFO_EHDR, cp.lay->addr) < 0) {
		snprintf(err, errlen, "cannot re-create the recording's clock page: %s", why);
		return -1;
	}
	return 0;
}

/* The syscall buffer as the recording had it, its code of the same
 * version, in replay mode (records come from BUFFERED events).  No
 * seccomp filter: nothing runs there. */
static int set_sysbuf(struct grr_replay *rp, char *err, size_t errlen)
{
	if (!(rp->hdr->flags & GRR_HDR_SYSBUF))
		return 0;
	const char *why = "the executable has no symbol table";
	enum grr_sb_version v = rp->hdr->flags & GRR_HDR_SYSBUF_FUTEX ? GRR_SB_V3 : GRR_SB_V2;
	if (!rp->have_syms || !grr_sysbuf_usable(&rp->mem, rp->pid, &rp->syms, v, &rp->sb, &why) ||
	    grr_sysbuf_install(&rp->mem, rp->pid, &rp->sb, false, &why) < 0) {
		snprintf(err, errlen, "cannot re-create the recording's syscall buffer: %s", why);
		return -1;
	}
	return 0;
}

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* Entries that describe the machine and may differ on one that replays
 * the same run: AT_HWCAP and AT_HWCAP2 (CPUID bits; the features the
 * program may use were checked by check_cpu), and AT_MINSIGSTKSZ, the
 * largest signal frame this kernel could write on this CPU (with every
 * extended state a process may ask for, AMX's included), not the size of
 * the frames the program gets. The recorded values are put back, so the
 * program reads what it read; a signal frame that really differs shows as
 * a divergence at the signal's anchor. */
static bool machine_auxv(uint64_t key)
{
	return key == AT_HWCAP || key == AT_HWCAP2 || key == AT_MINSIGSTKSZ;
}

static int restore_machine_auxv(struct grr_replay *rp, struct grr_initstack *s, char *err,
				size_t errlen)
{
	for (uint32_t i = 0; i < rp->hdr->nauxv; i++) {
		const struct grr_auxv_entry *e = &rp->hdr->auxv[i];
		if (!machine_auxv(e->key) || grr_initstack_auxval(s, e->key) == e->val)
			continue;
		if (grr_initstack_set_auxval(&rp->mem, s, e->key, e->val) < 0) {
			snprintf(err, errlen, "cannot restore the recorded auxiliary vector "
				 "entry %llu", (unsigned long long)e->key);
			return -1;
		}
	}
	return 0;
}

static int prepare_process(struct grr_replay *rp, bool moved_exe, char *err, size_t errlen)
{
	struct user_regs_struct regs;
	struct grr_initstack s;
	if (grr_task_getregs(rp->pid, &regs) < 0 ||
	    grr_initstack_read(&rp->mem, regs.rsp, &s) < 0) {
		snprintf(err, errlen, "cannot read the replayed program's initial stack");
		return -1;
	}
	if (moved_exe && restore_execfn(rp, &s, err, errlen) < 0) {
		grr_initstack_free(&s);
		return -1;
	}
	int rc = set_clock(rp, &s, err, errlen);
	if (rc == 0)
		rc = set_sysbuf(rp, err, errlen);
	if (rc == 0)
		rc = restore_machine_auxv(rp, &s, err, errlen);
	uint64_t at_random = grr_initstack_auxval(&s, AT_RANDOM);
	if (rc == 0 && at_random && grr_mem_write(&rp->mem, at_random, rp->hdr->at_random, 16) < 0) {
		snprintf(err, errlen, "cannot restore AT_RANDOM");
		rc = -1;
	}
	if (rc == 0)
		rc = check_initial_state(rp, &s, err, errlen);
	grr_initstack_free(&s);
	rp->last_pc = regs.rip;
	return rc;
}

int rp_start(struct grr_replay *rp, const char *trace, char *err, size_t errlen)
{
	struct grr_error e;
	rp->reader = grr_reader_open(trace, &e);
	if (!rp->reader) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	rp->hdr = grr_reader_header(rp->reader);
	rp->nevents = grr_reader_event_count(rp->reader);
	if (rp->hdr->flags & ~GRR_HDR_KNOWN) {
		snprintf(err, errlen, "%s: recorded by a newer grr (header flags 0x%x unknown to this "
			 "one, which reads up to format %d.%d)", trace,
			 rp->hdr->flags & ~GRR_HDR_KNOWN, GRR_FORMAT_MAJOR, GRR_FORMAT_MINOR);
		return -1;
	}
	if ((rp->hdr->flags & GRR_HDR_SYSBUF) && !(rp->hdr->flags & GRR_HDR_SYSBUF_FS)) {
		snprintf(err, errlen, "%s: recorded by grr %s with the first syscall buffer, which "
			 "this grr (%s) cannot run again: replay it with the grr that recorded it",
			 trace, rp->hdr->grr_version, GRR_VERSION);
		return -1;
	}
	if (rp_vet(trace, err, errlen) < 0)
		return -1;
	/* the recorded executable, or the copy a packed trace carries */
	struct rp_exe *x = malloc(sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = -1;
	if (rp_exe_choose(rp->reader, rp->hdr, x, err, errlen) < 0 ||
	    check_cpu(rp->hdr, x->goamd64, err, errlen) < 0)
		goto out;
	rp->have_syms = grr_symtab_load(x->path, &rp->syms) == 0;
	struct grr_spawn_opts so = {
		.path = x->run,
		.argv = rp->hdr->argv,
		.envp = rp->hdr->envp,
		.cwd = x->cwd[0] ? x->cwd : NULL,
		.stdio_devnull = true,
		.isolate = true,
	};
	if (grr_spawn(&so, &rp->pid, err, errlen) < 0)
		goto out;
	/* (a failure costs speed only) */
	if (!grr_env_flag("GRR_NO_PIN") && grr_affinity_pin(&rp->aff, rp->pid) < 0 && rp->debug)
		fprintf(rp->opts.err, "grr-debug: cannot pin the replay to one CPU\n");
	if (grr_mem_open(&rp->mem, rp->pid) < 0) {
		snprintf(err, errlen, "cannot open /proc/%d/mem", (int)rp->pid);
		goto out;
	}
	/* before anything else runs in it, grr's own injected calls too */
	const char *why;
	if (grr_sandbox_install(&rp->mem, rp->pid, &why) < 0) {
		snprintf(err, errlen, "cannot confine the replayed program in the replay sandbox: %s",
			 why);
		goto out;
	}
	rc = prepare_process(rp, strcmp(x->run, rp->hdr->program) != 0, err, errlen);
	if (rc == 0)
		rp_anchor_setup(rp);
	if (x->extracted) {
		/* the debugger reads symbols from grr_replay_program() */
		rp->exe_hdr = *rp->hdr;
		rp->exe_hdr.program = (char *)rp_exe_path(rp->hdr);
		rp->hdr = &rp->exe_hdr;
	}
out:
	free(x);
	return rc;
}
