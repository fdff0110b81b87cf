/* rp_image.c - the replayed process as a core file shows it: each
 * thread's whole register state, the program's mappings without grr's own
 * pages, which pages hold data, and the trace's header as recorded
 * (replay.h, "The process image").
 *
 * grr's own pages are the clock page and the syscall buffer (in the
 * recording too, but not the program's) and the reserved range the replay
 * maps for its stubs, checkpoints and calls: each is cut out of whatever
 * mapping holds it. */
#include "replayer/rp_private.h"
#include "tracee/clockpage.h"
#include "tracee/digest.h"
#include "tracee/maps.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

/* The live thread replaying recorded thread TID, with its first stop
 * taken (a thread just cloned has one pending until it first runs). */
static struct rp_thread *stopped_thread(struct grr_replay *rp, uint32_t tid)
{
	struct rp_thread *t = rp_thread_by_rec(rp, tid);
	if (!t || rp->ended || t->park == RP_GONE || t->park == RP_IN_NO_RETURN)
		return NULL;
	if (t->park == RP_NEW && rp_settle_new(rp, t) < 0)
		return NULL;
	return t;
}

int grr_replay_thread_state(struct grr_replay *rp, uint32_t tid, struct grr_thread_state *st)
{
	memset(st, 0, sizeof(*st));
	struct rp_thread *t = stopped_thread(rp, tid);
	if (!t)
		return -1;
	struct iovec io = { st->xstate, sizeof(st->xstate) };
	if (grr_task_getregs(t->tid, &st->regs) < 0 || grr_task_getfpregs(t->tid, &st->fpregs) < 0 ||
	    ptrace(PTRACE_GETSIGMASK, t->tid, (void *)sizeof(st->sigmask), &st->sigmask) < 0)
		return -1;
	/* no XSAVE (an old CPU or kernel): the FP registers say it all */
	if (ptrace(PTRACE_GETREGSET, t->tid, (void *)NT_X86_XSTATE, &io) == 0 &&
	    io.iov_len < sizeof(st->xstate))
		st->xstate_len = io.iov_len;
	return 0;
}

/* grr's ranges in this replay's process, in address order. */
static int grr_ranges(const struct grr_replay *rp, struct grr_range *r)
{
	int n = 0;
	if (rp->hdr->flags & GRR_HDR_SYSBUF)
		r[n++] = (struct grr_range){ GRR_SB_ADDR, GRR_SB_LEN };
	r[n++] = (struct grr_range){ GRR_RESERVED_ADDR, GRR_RESERVED_LEN };
	if (rp->hdr->flags & GRR_HDR_CLOCKPAGE) {
		const struct grr_cp_layout *l = grr_cp_layout(rp->hdr->flags & GRR_HDR_CLOCKRING);
		r[n++] = (struct grr_range){ l->addr, l->len };
	}
	return n;
}

/* Appends to V (N used, CAP allocated) the part [LO, HI) of M. */
static int append_part(struct grr_mapping **v, int *n, int *cap, const struct grr_mapping *m,
		       uint64_t lo, uint64_t hi)
{
	if (*n == *cap) {
		int nc = *cap ? 2 * *cap : 64;
		struct grr_mapping *t = realloc(*v, nc * sizeof(*t));
		if (!t)
			return -1;
		*v = t, *cap = nc;
	}
	struct grr_mapping *p = &(*v)[*n];
	*p = *m;
	p->start = lo;
	p->end = hi;
	if (m->path[0])
		p->offset = m->offset + (lo - m->start);
	if (!(p->path = strdup(m->path)))
		return -1;
	(*n)++;
	return 0;
}

int grr_replay_mappings(struct grr_replay *rp, struct grr_mapping **out)
{
	*out = NULL;
	if (rp->ended || rp->leader_reaped)
		return -1;
	struct grr_mapping *all;
	int nall = grr_maps_read(rp->pid, &all);
	if (nall < 0)
		return -1;
	struct grr_range own[3];
	int nown = grr_ranges(rp, own);
	struct grr_mapping *v = NULL;
	int n = 0, cap = 0, rc = 0;
	for (int i = 0; i < nall && rc == 0; i++) {
		/* what is left of the mapping, from LO on, around grr's ranges */
		uint64_t lo = all[i].start;
		for (int k = 0; k < nown && rc == 0 && lo < all[i].end; k++) {
			uint64_t a = own[k].addr, b = own[k].addr + own[k].len;
			if (b <= lo || a >= all[i].end)
				continue;
			if (a > lo)
				rc = append_part(&v, &n, &cap, &all[i], lo, a);
			lo = b;
		}
		if (rc == 0 && lo < all[i].end)
			rc = append_part(&v, &n, &cap, &all[i], lo, all[i].end);
	}
	grr_maps_free(all, nall);
	if (rc < 0) {
		grr_maps_free(v, n);
		return -1;
	}
	*out = v;
	return n;
}

void grr_replay_mappings_free(struct grr_mapping *maps, int n) { grr_maps_free(maps, n); }

int grr_replay_pages_present(struct grr_replay *rp, uint64_t addr, uint64_t npages,
			     uint8_t *present)
{
	if (rp->ended || rp->leader_reaped)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)rp->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	uint64_t ents[512];
	int rc = 0;
	for (uint64_t done = 0; done < npages && rc == 0;) {
		uint64_t k = npages - done < 512 ? npages - done : 512;
		off_t off = (off_t)((addr / GRR_PAGE + done) * sizeof(uint64_t));
		ssize_t got = pread(fd, ents, k * sizeof(uint64_t), off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || got % sizeof(uint64_t)) {
			rc = -1;
			break;
		}
		k = (uint64_t)got / sizeof(uint64_t);
		for (uint64_t j = 0; j < k; j++)
			present[done + j] = (ents[j] & (GRR_PM_PRESENT | GRR_PM_SWAPPED)) != 0;
		done += k;
	}
	close(fd);
	return rc;
}

const struct grr_header *grr_replay_header(const struct grr_replay *rp)
{
	return grr_reader_header(rp->reader);
}

uint32_t grr_replay_recorded_pid(const struct grr_replay *rp)
{
	return rp->nthreads ? rp->threads[0].rec_tid : 0;
}
