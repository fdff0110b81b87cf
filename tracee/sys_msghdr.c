/* sys_msghdr.c - recvmsg, recvmmsg, sendmmsg.
 *
 * After a successful recvmsg the kernel has written: the iovec buffers, in
 * order, up to the result; the sender's address into msg_name (the
 * msg_namelen it stored afterwards, at most 128 bytes: the kernel's
 * addresses never exceed a sockaddr_storage) and msg_namelen itself, when
 * msg_name is not NULL; the control data (msg_controllen afterwards: the
 * bytes used) and msg_controllen; msg_flags.  While the call blocks, the
 * msghdr still holds the caller's capacities, which bound what it may
 * write.
 *
 * struct msghdr on x86-64 (56 bytes): name 0, namelen 8 (u32), iov 16,
 * iovlen 24, control 32, controllen 40 (u64), flags 48 (int).
 * struct mmsghdr (64 bytes): msghdr, then msg_len at 56 (u32).
 */
#include "tracee/syscall_private.h"

#include <string.h>

#define MSGHDR_SIZE     56
#define MMSGHDR_SIZE    64
#define OFF_NAME        0
#define OFF_NAMELEN     8
#define OFF_IOV         16
#define OFF_IOVLEN      24
#define OFF_CONTROL     32
#define OFF_CONTROLLEN  40
#define OFF_FLAGS       48
#define OFF_MSGLEN      56
#define SOCKADDR_MAX    128

static uint64_t get64(const unsigned char *p, size_t off)
{
	uint64_t v;
	memcpy(&v, p + off, sizeof v);
	return v;
}

static uint32_t get32(const unsigned char *p, size_t off)
{
	uint32_t v;
	memcpy(&v, p + off, sizeof v);
	return v;
}

/* The ranges of one received message at MSG whose data was BYTES long
 * (UINT64_MAX: as much as the buffers hold). */
static void emit_msghdr(struct sys_out *o, grr_read_mem_fn rd, void *ctx,
			uint64_t msg, uint64_t bytes)
{
	unsigned char h[MSGHDR_SIZE];
	uint64_t name, namelen, control, controllen;

	if (msg == 0 || rd == NULL || rd(ctx, msg, h, sizeof h) != 0)
		return;
	name = get64(h, OFF_NAME);
	namelen = get32(h, OFF_NAMELEN);
	control = get64(h, OFF_CONTROL);
	controllen = get64(h, OFF_CONTROLLEN);
	if (name != 0) {
		sys_emit(o, name, namelen < SOCKADDR_MAX ? namelen
							 : SOCKADDR_MAX);
		sys_emit(o, msg + OFF_NAMELEN, 4);
	}
	sys_emit_iovec(o, rd, ctx, get64(h, OFF_IOV), get64(h, OFF_IOVLEN),
		       bytes);
	sys_emit(o, control, controllen);
	sys_emit(o, msg + OFF_CONTROLLEN, 8);
	sys_emit(o, msg + OFF_FLAGS, 4);
}

/* recvmsg(fd, msghdr *, flags) */
int grr_sys_out_recvmsg(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	sys_out_init(&o, out, max);
	if (c->ret >= 0)
		emit_msghdr(&o, rd, ctx, c->args[1],
			    sys_blocked(c) ? UINT64_MAX : (uint64_t)c->ret);
	return sys_out_done(&o);
}

/* recvmmsg(fd, mmsghdr *, vlen, flags, timeout): the result is the number
 * of messages; each one's msg_len gives its data length.  The timeout is
 * rewritten with the time left when at least one message arrived. */
int grr_sys_out_recvmmsg(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			 void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	bool blocked = sys_blocked(c);
	uint64_t n = blocked ? c->args[2] : (uint64_t)c->ret;

	sys_out_init(&o, out, max);
	if (c->ret <= 0)
		return 0;
	if (n > c->args[2])
		n = c->args[2];
	if (n > SYS_MAX_MSGS)
		n = SYS_MAX_MSGS;
	for (uint64_t i = 0; i < n && !o.overflow; i++) {
		uint64_t m = c->args[1] + i * MMSGHDR_SIZE;
		uint32_t len;

		if (c->args[1] == 0)
			break;
		if (blocked)
			emit_msghdr(&o, rd, ctx, m, UINT64_MAX);
		else if (sys_read_u32(rd, ctx, m + OFF_MSGLEN, &len) == 0)
			emit_msghdr(&o, rd, ctx, m, len);
		sys_emit(&o, m + OFF_MSGLEN, 4);
	}
	sys_emit(&o, c->args[4], 16);
	return sys_out_done(&o);
}

/* sendmmsg(fd, mmsghdr *, vlen, flags): msg_len of each message sent. */
int grr_sys_out_sendmmsg(const struct grr_syscall_call *c, grr_read_mem_fn rd,
			 void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	uint64_t n = sys_blocked(c) ? c->args[2] : (uint64_t)c->ret;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret <= 0 || c->args[1] == 0)
		return 0;
	if (n > c->args[2])
		n = c->args[2];
	if (n > SYS_MAX_MSGS)
		n = SYS_MAX_MSGS;
	for (uint64_t i = 0; i < n; i++)
		sys_emit(&o, c->args[1] + i * MMSGHDR_SIZE + OFF_MSGLEN, 4);
	return sys_out_done(&o);
}
