/* rp_output.c - echoing what the replayed program wrote to its stdout and
 * stderr, at the moment the recorded write returned.  The bytes come from
 * the replayed process's own memory (which equals the recording's). */
#include "replayer/rp_private.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static FILE *stream_for(struct grr_replay *rp, uint64_t fd)
{
	if (fd == 1 && rp->stdout_open)
		return rp->opts.out;
	if (fd == 2 && rp->stderr_open)
		return rp->opts.err;
	return NULL;
}

static void copy_out(struct grr_replay *rp, FILE *f, uint64_t addr, uint64_t len)
{
	char buf[65536];
	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		if (grr_mem_read(&rp->mem, addr, buf, n) < 0)
			return;
		fwrite(buf, 1, n, f);
		addr += n;
		len -= n;
	}
	fflush(f);
}

/* Tracks dup2/dup3/close over fds 1 and 2: writes there no longer reach the
 * terminal grr shares with the recording. */
static void track_fds(struct grr_replay *rp, const struct grr_syscall_call *c)
{
	uint64_t fd;
	if (c->nr == SYS_close)
		fd = c->args[0];
	else if (c->nr == SYS_dup2 || c->nr == SYS_dup3)
		fd = c->args[1];
	else
		return;
	if (fd == 1)
		rp->stdout_open = false;
	if (fd == 2)
		rp->stderr_open = false;
}

void rp_echo_output(struct grr_replay *rp, const struct grr_syscall_call *c)
{
	if (c->ret < 0)
		return;
	track_fds(rp, c);
	if (rp->opts.quiet)
		return;
	FILE *f = stream_for(rp, c->args[0]);
	if (!f || c->ret == 0)
		return;
	if (c->nr == SYS_write || c->nr == SYS_pwrite64) {
		copy_out(rp, f, c->args[1], (uint64_t)c->ret);
	} else if (c->nr == SYS_writev || c->nr == SYS_pwritev || c->nr == SYS_pwritev2) {
		uint64_t left = (uint64_t)c->ret;
		for (uint64_t i = 0; i < c->args[2] && i < 1024 && left; i++) {
			struct iovec iov;
			if (grr_mem_read(&rp->mem, c->args[1] + i * sizeof(iov), &iov, sizeof(iov)) < 0)
				return;
			uint64_t n = iov.iov_len < left ? iov.iov_len : left;
			copy_out(rp, f, (uint64_t)(uintptr_t)iov.iov_base, n);
			left -= n;
		}
	}
}
