/* syscalls.c - lookups in the syscall table, and the output, may-write and
 * policy computations shared by the recorder and the replayer. */
#include "tracee/syscall_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- helpers for the handlers ---------------------------------------- */

bool sys_interrupted(int64_t ret)
{
	return ret == -EINTR || ret == -SYS_ERESTARTSYS ||
	       ret == -SYS_ERESTARTNOINTR || ret == -SYS_ERESTARTNOHAND ||
	       ret == -SYS_ERESTART_RESTARTBLOCK;
}

void sys_emit(struct sys_out *o, uint64_t addr, uint64_t len)
{
	if (addr == 0 || len == 0)
		return;
	if (len > SYS_MAX_RANGE)
		len = SYS_MAX_RANGE;
	if (len > UINT64_MAX - addr + 1)  /* stop at the top of memory */
		len = UINT64_MAX - addr + 1;
	if (o->n >= o->max) {
		o->overflow = true;
		return;
	}
	o->r[o->n].addr = addr;
	o->r[o->n].len = len;
	o->n++;
}

uint64_t sys_mul_cap(uint64_t a, uint64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	if (a > SYS_MAX_RANGE / b)
		return SYS_MAX_RANGE;
	return a * b;
}

int sys_read_u32(grr_read_mem_fn rd, void *ctx, uint64_t addr, uint32_t *v)
{
	if (addr == 0 || rd == NULL)
		return -1;
	return rd(ctx, addr, v, sizeof *v) == 0 ? 0 : -1;
}

int sys_read_u64(grr_read_mem_fn rd, void *ctx, uint64_t addr, uint64_t *v)
{
	if (addr == 0 || rd == NULL)
		return -1;
	return rd(ctx, addr, v, sizeof *v) == 0 ? 0 : -1;
}

void sys_emit_iovec(struct sys_out *o, grr_read_mem_fn rd, void *ctx,
		    uint64_t iov, uint64_t cnt, uint64_t bytes)
{
	uint64_t vec[2 * SYS_MAX_IOV];

	if (iov == 0 || cnt == 0 || bytes == 0 || rd == NULL)
		return;
	if (cnt > SYS_MAX_IOV)
		cnt = SYS_MAX_IOV;
	if (rd(ctx, iov, vec, cnt * 16) != 0)
		return;
	for (uint64_t i = 0; i < cnt && bytes > 0; i++) {
		uint64_t base = vec[2 * i], len = vec[2 * i + 1];
		if (len > bytes)
			len = bytes;
		if (bytes != UINT64_MAX)
			bytes -= len;
		sys_emit(o, base, len);
	}
}

/* ---- table-driven outputs -------------------------------------------- */

int sys_table_outputs(const struct grr_syscall_desc *d,
		      const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	bool blocked = sys_blocked(c);

	sys_out_init(&o, out, max);
	for (int i = 0; i < 3; i++) {
		const struct grr_sys_out *b = &d->out[i];
		uint64_t addr, elem = b->size ? b->size : 1, n, len = 0;
		uint32_t v;

		if (b->kind == GRR_OUT_NONE || b->arg > 5 || b->size_arg > 5)
			continue;
		addr = c->args[b->arg];
		switch (b->kind) {
		case GRR_OUT_FIXED:
			if (c->ret < 0)
				continue;
			len = b->size;
			break;
		case GRR_OUT_ARG:
			if (c->ret < 0)
				continue;
			len = sys_mul_cap(c->args[b->size_arg], elem);
			break;
		case GRR_OUT_RET:
			if (c->ret <= 0)
				continue;
			if (blocked) {
				if (b->size_arg == 0)
					continue;  /* no bound known */
				n = c->args[b->size_arg];
			} else {
				n = (uint64_t)c->ret;
				if (b->size_arg != 0 &&
				    n > c->args[b->size_arg])
					n = c->args[b->size_arg];
			}
			len = sys_mul_cap(n, elem);
			break;
		case GRR_OUT_ARG_DEREF32:
			/* After the call: the length the kernel stored (a
			 * sockaddr is at most 128 bytes, so the kernel's
			 * value is its own cap).  While blocked: the caller's
			 * capacity, still in memory. */
			if (c->ret < 0 || addr == 0)
				continue;
			if (sys_read_u32(rd, ctx, c->args[b->size_arg], &v))
				continue;
			len = sys_mul_cap(v, elem);
			break;
		default:
			continue;
		}
		sys_emit(&o, addr, len);
	}
	return sys_out_done(&o);
}

/* ---- lookups ---------------------------------------------------------- */

const struct grr_syscall_desc *grr_syscall_desc(uint32_t nr)
{
	/* Numbers past the table (x32 numbers, garbage): one row per thread,
	 * valid until that thread's next such lookup. */
	static _Thread_local struct grr_syscall_desc beyond;
	static _Thread_local char name[24];

	if (nr < GRR_MAX_SYSCALL && grr_syscall_table[nr].name != NULL)
		return &grr_syscall_table[nr];
	snprintf(name, sizeof name, "syscall_%u", nr);
	memset(&beyond, 0, sizeof beyond);
	beyond.name = name;
	beyond.nargs = 6;
	beyond.policy = GRR_REPLAY_EMULATE;
	beyond.flags = GRR_SYS_UNKNOWN;
	return &beyond;
}

const char *grr_syscall_name(uint32_t nr)
{
	return grr_syscall_desc(nr)->name;
}

int grr_syscall_by_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int nr = 0; nr < GRR_MAX_SYSCALL; nr++) {
		const char *n = grr_syscall_table[nr].name;
		if (n != NULL && strcmp(n, name) == 0)
			return nr;
	}
	/* "syscall_NNN" names a number with no row (the table already
	 * answered for those below GRR_MAX_SYSCALL). */
	if (strncmp(name, "syscall_", 8) == 0 && name[8] >= '0' &&
	    name[8] <= '9') {
		char *end;
		unsigned long v = strtoul(name + 8, &end, 10);
		if (*end == '\0' && v <= UINT32_MAX &&
		    strcmp(grr_syscall_name((uint32_t)v), name) == 0)
			return v <= INT32_MAX ? (int)v : -1;
	}
	return -1;
}

/* ---- outputs, may-write, policy --------------------------------------- */

int grr_syscall_outputs(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			void *ctx, struct grr_mem_range *out, int max)
{
	const struct grr_syscall_desc *d = grr_syscall_desc(c->nr);
	struct grr_syscall_call cc = *c;

	/* A completed call never reports the blocked sentinel. */
	if (cc.ret == SYS_RET_BLOCKED)
		cc.ret = SYS_RET_BLOCKED - 1;
	if (d->outputs != NULL)
		return d->outputs(&cc, rd, ctx, out, max);
	return sys_table_outputs(d, &cc, rd, ctx, out, max);
}

int grr_syscall_may_write(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			  void *ctx, struct grr_mem_range *out, int max)
{
	const struct grr_syscall_desc *d = grr_syscall_desc(c->nr);
	struct grr_syscall_call cc = *c;

	cc.ret = SYS_RET_BLOCKED;
	if (d->outputs != NULL)
		return d->outputs(&cc, rd, ctx, out, max);
	return sys_table_outputs(d, &cc, rd, ctx, out, max);
}

enum grr_replay_policy grr_syscall_policy(const struct grr_syscall_call *c)
{
	const struct grr_syscall_desc *d = grr_syscall_desc(c->nr);

	switch (c->nr) {
	case 9:   /* mmap: a file's contents come from the trace (grr_sys_out_mmap) */
		return (c->args[3] & MAP_ANONYMOUS) ? GRR_REPLAY_EXECUTE
						    : GRR_REPLAY_SPECIAL;
	case 157: /* prctl */
		return sys_prctl_policy(c->args[0]);
	case 158: /* arch_prctl */
		return sys_arch_prctl_policy(c->args[0]);
	default:
		return (enum grr_replay_policy)d->policy;
	}
}

unsigned grr_syscall_call_flags(const struct grr_syscall_call *c)
{
	const struct grr_syscall_desc *d = grr_syscall_desc(c->nr);
	unsigned f = d->flags;
	bool known = true;

	switch (c->nr) {
	case 16:  known = sys_ioctl_known(c->args[1]); break;
	case 72:  known = sys_fcntl_known(c->args[1]); break;
	case 157: known = sys_prctl_known(c->args[0]); break;
	case 158: known = sys_arch_prctl_known(c->args[0]); break;
	default: break;
	}
	return known ? f : (f | GRR_SYS_UNKNOWN);
}
