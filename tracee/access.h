/* access.h - where a thread touches shared memory next.
 *
 * Chaos recording preempts threads right before they access memory that
 * other threads may share, since that is where a switch changes what
 * the program computes: a switch between two instructions that touch
 * only registers and the thread's own frame is the same as one at the
 * next access.  An interrupt lands just after a slow instruction (a
 * memory read-modify-write, typically), so the recorder runs the thread
 * on to its next access (grr_access_frontier gives the breakpoints), and
 * there may cut a read-modify-write instruction in two (grr_access_rmw;
 * recorder/rec_split.c). */
#ifndef GRR_TRACEE_ACCESS_H
#define GRR_TRACEE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#define GRR_RMW_MAX 16      /* bytes of memory operand at most */

/* A non-atomic read-modify-write of memory: add, sub, inc, or, xadd...
 * with a memory destination and no lock prefix.  On a multiprocessor
 * another CPU's store may come between its load and its store (Go
 * compiles `n++` on a shared variable to one `incq`). */
struct grr_rmw {
	uint64_t addr;          /* the memory operand */
	uint32_t len;           /* its size in bytes */
	uint32_t insn_len;
};

/* Whether the instruction in CODE (N bytes, at address PC; REGS the
 * thread's registers before it) is such an instruction on memory
 * addressed other than from rsp or rbp (a goroutine's own frame) and
 * without a segment override (thread-local storage): 1 with *RMW filled,
 * 0 if not, -1 if CODE cannot be decoded. */
int grr_access_rmw(const uint8_t *code, size_t n, uint64_t pc,
		   const struct user_regs_struct *regs, struct grr_rmw *rmw);

/* Whether the instruction in CODE (N bytes at PC) may be run by itself
 * (a single step) before a switch without changing what other threads
 * see: it touches no shared memory and is no trap, syscall, clock read or
 * repeated string instruction (a return, a jump or call through a
 * register, arithmetic: yes).  False if CODE cannot be decoded. */
bool grr_access_step_private(const uint8_t *code, size_t n, uint64_t pc);

/* Reads LEN bytes of code at ADDR into BUF: the bytes read (0: none). */
typedef size_t (*grr_code_read_fn)(void *ctx, uint64_t addr, uint8_t *buf, size_t len);
/* Whether code at ADDR may be followed into (the program's own code,
 * not grr's pages nor the vDSO). */
typedef bool (*grr_code_ok_fn)(void *ctx, uint64_t addr);

/* The places where a thread at PC will stop if it runs on to its next
 * access of shared memory (an operand in memory not addressed from rsp or
 * rbp): the first such instruction on every path from PC (following
 * jumps, both ways of a conditional branch, and direct calls), or, where
 * a path first reaches something it cannot follow (a return, a computed
 * jump, a syscall, a trap, code that OK refuses) or MAX_INSNS
 * instructions, that instruction.  At most MAX_OUT addresses in OUT, none
 * of them PC.  Returns their number; 0 if the instruction at PC is an
 * access itself (stop there), if some path comes back to PC first, or if
 * there are too many (no advance). */
int grr_access_frontier(grr_code_read_fn read, grr_code_ok_fn ok, void *ctx, uint64_t pc,
			int max_insns, uint64_t *out, int max_out);

#endif
