/* sys_ioctl.c - ioctl(fd, request, arg).
 *
 * Known requests (the terminal and socket ones the Go standard library and
 * common programs use) have exact outputs at arg.  Any other request is
 * "unknown" (grr_syscall_call_flags adds GRR_SYS_UNKNOWN so the recorder
 * can warn); as a best effort, if its number follows the _IOC encoding
 * with the read direction (the kernel writes to the caller), its encoded
 * size is saved.  Legacy numbers (0x54xx, 0x89xx) carry no direction and
 * get nothing.
 *
 * Sizes: the kernel's struct termios is 36 bytes (asm-generic/termbits.h:
 * four tcflag_t, c_line, c_cc[19]; glibc's 60-byte termios is not what the
 * kernel writes), struct termios2 44, struct termio 17 written (18 with
 * padding), struct winsize 8, struct ifreq 40.
 */
#include "tracee/syscall_private.h"

#define IOC_READ   2u
#define IOC_DIR(r)  (((r) >> 30) & 3u)
#define IOC_SIZE(r) (((r) >> 16) & 0x3fffu)

struct ioctl_row {
	uint32_t req;
	uint32_t size;   /* bytes written at arg on success, 0 for none */
};

static const struct ioctl_row ioctls[] = {
	{ 0x5401, 36 },       /* TCGETS */
	{ 0x5402, 0 },        /* TCSETS */
	{ 0x5403, 0 },        /* TCSETSW */
	{ 0x5404, 0 },        /* TCSETSF */
	{ 0x5405, 18 },       /* TCGETA (struct termio) */
	{ 0x5406, 0 },        /* TCSETA */
	{ 0x5407, 0 },        /* TCSETAW */
	{ 0x5408, 0 },        /* TCSETAF */
	{ 0x5409, 0 },        /* TCSBRK */
	{ 0x540A, 0 },        /* TCXONC */
	{ 0x540B, 0 },        /* TCFLSH */
	{ 0x540C, 0 },        /* TIOCEXCL */
	{ 0x540D, 0 },        /* TIOCNXCL */
	{ 0x540E, 0 },        /* TIOCSCTTY */
	{ 0x540F, 4 },        /* TIOCGPGRP */
	{ 0x5410, 0 },        /* TIOCSPGRP */
	{ 0x5411, 4 },        /* TIOCOUTQ, SIOCOUTQ */
	{ 0x5413, 8 },        /* TIOCGWINSZ */
	{ 0x5414, 0 },        /* TIOCSWINSZ */
	{ 0x5415, 4 },        /* TIOCMGET */
	{ 0x5416, 0 },        /* TIOCMBIS */
	{ 0x5417, 0 },        /* TIOCMBIC */
	{ 0x5418, 0 },        /* TIOCMSET */
	{ 0x541B, 4 },        /* FIONREAD, TIOCINQ, SIOCINQ */
	{ 0x5420, 0 },        /* TIOCPKT */
	{ 0x5421, 0 },        /* FIONBIO */
	{ 0x5422, 0 },        /* TIOCNOTTY */
	{ 0x5423, 0 },        /* TIOCSETD */
	{ 0x5424, 4 },        /* TIOCGETD */
	{ 0x5425, 0 },        /* TCSBRKP */
	{ 0x5427, 0 },        /* TIOCSBRK */
	{ 0x5428, 0 },        /* TIOCCBRK */
	{ 0x5429, 4 },        /* TIOCGSID */
	{ 0x5437, 0 },        /* TIOCVHANGUP */
	{ 0x5441, 0 },        /* TIOCGPTPEER */
	{ 0x5450, 0 },        /* FIONCLEX */
	{ 0x5451, 0 },        /* FIOCLEX */
	{ 0x5452, 0 },        /* FIOASYNC */
	{ 0x5460, 8 },        /* FIOQSIZE (loff_t) */
	{ 0x802C542A, 44 },   /* TCGETS2 */
	{ 0x402C542B, 0 },    /* TCSETS2 */
	{ 0x402C542C, 0 },    /* TCSETSW2 */
	{ 0x402C542D, 0 },    /* TCSETSF2 */
	{ 0x80045430, 4 },    /* TIOCGPTN */
	{ 0x40045431, 0 },    /* TIOCSPTLCK */
	{ 0x80045432, 4 },    /* TIOCGDEV */
	{ 0x40045436, 0 },    /* TIOCSIG */
	{ 0x80045438, 4 },    /* TIOCGPKT */
	{ 0x80045439, 4 },    /* TIOCGPTLCK */
	{ 0x80045440, 4 },    /* TIOCGEXCL */
	{ 0x8905, 4 },        /* SIOCATMARK */
	{ 0x8910, 40 },       /* SIOCGIFNAME */
	{ 0x8913, 40 },       /* SIOCGIFFLAGS */
	{ 0x8915, 40 },       /* SIOCGIFADDR */
	{ 0x8919, 40 },       /* SIOCGIFBRDADDR */
	{ 0x891B, 40 },       /* SIOCGIFNETMASK */
	{ 0x8921, 40 },       /* SIOCGIFMTU */
	{ 0x8927, 40 },       /* SIOCGIFHWADDR */
	{ 0x8933, 40 },       /* SIOCGIFINDEX */
	{ 0x80086601, 4 },    /* FS_IOC_GETFLAGS (encoded long, writes int) */
	{ 0x80047601, 4 },    /* FS_IOC_GETVERSION */
	{ 0x80045200, 4 },    /* RNDGETENTCNT */
};

static const struct ioctl_row *ioctl_find(uint64_t req)
{
	uint32_t r = (uint32_t)req;   /* the kernel takes an unsigned int */

	for (size_t i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++)
		if (ioctls[i].req == r)
			return &ioctls[i];
	return NULL;
}

bool sys_ioctl_known(uint64_t request)
{
	return ioctl_find(request) != NULL;
}

int grr_sys_out_ioctl(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;
	const struct ioctl_row *row = ioctl_find(c->args[1]);
	uint32_t r = (uint32_t)c->args[1];
	uint64_t size;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret < 0)
		return 0;
	if (row != NULL)
		size = row->size;
	else
		size = (IOC_DIR(r) & IOC_READ) ? IOC_SIZE(r) : 0;
	sys_emit(&o, c->args[2], size);
	return sys_out_done(&o);
}
