/* rp_start.c - opening a trace and re-creating the recorded process at its
 * first instruction: same executable (build id checked), same argv, envp
 * and auxv, same AT_RANDOM bytes, no vDSO, same address space. */
#include "replayer/rp_private.h"
#include "tracee/cpu.h"
#include "tracee/elfinfo.h"
#include "tracee/initstack.h"
#include "tracee/maps.h"
#include "tracee/spawn.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_executable(const struct grr_header *h, char *err, size_t errlen)
{
	if (access(h->program, F_OK) < 0) {
		snprintf(err, errlen, "%s: the recorded executable is missing", h->program);
		return -1;
	}
	struct grr_elfinfo ei;
	if (grr_elfinfo_read(h->program, &ei, err, errlen) < 0)
		return -1;
	if (strcmp(ei.build_id, h->build_id) != 0) {
		snprintf(err, errlen, "%s: the executable differs from the recorded one "
			 "(build id %s, recorded %s)", h->program,
			 ei.build_id[0] ? ei.build_id : "none", h->build_id[0] ? h->build_id : "none");
		return -1;
	}
	return 0;
}

static int check_cpu(const struct grr_header *h, char *err, size_t errlen)
{
	struct grr_cpu here;
	grr_cpu_identify(&here);
	char missing[512];
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

static int prepare_process(struct grr_replay *rp, char *err, size_t errlen)
{
	struct user_regs_struct regs;
	struct grr_initstack s;
	if (grr_task_getregs(rp->pid, &regs) < 0 ||
	    grr_initstack_read(&rp->mem, regs.rsp, &s) < 0) {
		snprintf(err, errlen, "cannot read the replayed program's initial stack");
		return -1;
	}
	grr_initstack_set_auxval(&rp->mem, &s, AT_SYSINFO_EHDR, 0);
	uint64_t at_random = grr_initstack_auxval(&s, AT_RANDOM);
	int rc = 0;
	if (at_random && grr_mem_write(&rp->mem, at_random, rp->hdr->at_random, 16) < 0) {
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
	if (check_executable(rp->hdr, err, errlen) < 0 || check_cpu(rp->hdr, err, errlen) < 0)
		return -1;
	rp->have_syms = grr_symtab_load(rp->hdr->program, &rp->syms) == 0;
	struct grr_spawn_opts so = {
		.path = rp->hdr->program,
		.argv = rp->hdr->argv,
		.envp = rp->hdr->envp,
		.stdio_devnull = true,
	};
	if (grr_spawn(&so, &rp->pid, err, errlen) < 0)
		return -1;
	if (grr_mem_open(&rp->mem, rp->pid) < 0) {
		snprintf(err, errlen, "cannot open /proc/%d/mem", (int)rp->pid);
		return -1;
	}
	return prepare_process(rp, err, errlen);
}
