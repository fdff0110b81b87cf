/* gstatus.c - a goroutine's status and wait reason in the runtime's words.
 *
 * g.atomicstatus holds one of the runtime._G* constants (their values
 * come from DWARF, runtime_layout.c), possibly with the _Gscan bit set
 * while the garbage collector scans the stack.  A waiting goroutine's
 * g.waitreason is a small integer indexing runtime.waitReasonStrings, an
 * array of Go strings ("chan receive", "sleep", "select", ...). */
#include "replayer/inspect/stack_private.h"

#include <stdio.h>
#include <string.h>

static uint32_t base_status(const struct rt_layout *L, uint32_t st)
{
	return L->scan_bit ? st & ~(uint32_t)L->scan_bit : st;
}

const char *gstatus_name(const struct rt_layout *L, uint32_t st)
{
	st = base_status(L, st);
	if (st >= RT_NSTATUS || !L->status_name[st])
		return NULL;
	/* a dead goroutine kept for an extra M is dead to the user */
	return st == L->deadextra ? "dead" : L->status_name[st];
}

bool gstatus_is_dead(const struct rt_layout *L, uint32_t st)
{
	st = base_status(L, st);
	return st == L->dead || st == L->deadextra;
}

void gstatus_wait_reason(struct grr_ctl *c, const struct rt_layout *L, uint8_t reason,
			 char *buf, size_t len)
{
	buf[0] = 0;
	if (reason == 0)
		return;
	uint64_t str[2];   /* a Go string: data pointer, length */
	struct grr_replay *rp = grr_ctl_replay(c);
	if (!L->wrs_addr || (L->wrs_len && reason >= L->wrs_len) ||
	    grr_replay_read(rp, L->wrs_addr + 16 * (uint64_t)reason, str, sizeof(str)) < 0 ||
	    str[1] == 0 || str[1] >= len || grr_replay_read(rp, str[0], buf, str[1]) < 0) {
		snprintf(buf, len, "wait reason %u", reason);
		return;
	}
	buf[str[1]] = 0;
}
