/* gs_private.h - the gdb protocol server's state, shared by its files
 * (replayer/gdbserver/, one concept each). */
#ifndef GRR_REPLAYER_GS_PRIVATE_H
#define GRR_REPLAYER_GS_PRIVATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replayer/control/control.h"
#include "replayer/gdbserver/gdbserver.h"

/* ---- gs_packet.c: packet framing ---- */

/* The largest packet taken or sent (qSupported's PacketSize). */
#define GS_PACKET_MAX 0x20000

struct gs_conn {
	int fd;
	bool ack;                      /* '+' acknowledgments (until
					  QStartNoAckMode) */
	uint8_t in[GS_PACKET_MAX + 64];  /* bytes read, not yet used */
	size_t inlen;
	bool closed;                   /* the client went away */
	bool log;                      /* GRR_DEBUG_GDB: packets on stderr */
	char out[2 * GS_PACKET_MAX + 8];  /* the packet being sent */
};

enum gs_recv {
	GS_RECV_PACKET,                /* a packet, unescaped */
	GS_RECV_INTERRUPT,             /* the byte 0x03 */
	GS_RECV_EOF,                   /* the client closed the connection */
	GS_RECV_BAD,                   /* too long or garbled: answer E01 */
};

/* Waits for the next packet; its data in BUF (NUL-terminated, *LEN bytes,
 * binary data unescaped). */
enum gs_recv gs_recv(struct gs_conn *c, char *buf, size_t cap, size_t *len);
/* Sends one packet (escaping what must be).  0, or -1 if the client is
 * gone. */
int gs_send(struct gs_conn *c, const void *data, size_t len);
int gs_send_str(struct gs_conn *c, const char *s);
/* Waits until the client sends the interrupt byte or goes away (true;
 * the byte stays for gs_recv), or WAKEFD becomes readable (false).  Only
 * while nothing else reads the connection: a run's watcher thread. */
bool gs_wait_interrupt(struct gs_conn *c, int wakefd);

/* Hex helpers: hex of LEN bytes into OUT (2*LEN+1 bytes); bytes of the
 * hex string S into OUT (-1 if not hex or longer than CAP). */
void gs_hex_encode(const void *data, size_t len, char *out);
int gs_hex_decode(const char *s, size_t n, uint8_t *out, size_t cap);
/* A hex number at *S, moved past it; -1 if none. */
int gs_hex_u64(const char **s, uint64_t *v);

/* ---- breakpoints and watchpoints by gdb's Z type (gs_breaks.c) ---- */

enum gs_ztype { GS_Z_SW, GS_Z_HW, GS_Z_WRITE, GS_Z_READ, GS_Z_ACCESS };

/* A Z packet's point: several control watchpoints when it is longer than
 * one debug register covers. */
#define GS_Z_MAX_IDS 4
struct gs_zpoint {
	enum gs_ztype type;
	uint64_t addr;
	uint64_t kind;                 /* length, for watchpoints */
	int ids[GS_Z_MAX_IDS];
	int nids;
};

/* ---- the last stop, as reported (gs_stop.c) ---- */

enum gs_stop_kind {
	GS_STOP_SIGNAL,                /* T: the program stopped */
	GS_STOP_EXITED,                /* W: it exited (past the end) */
	GS_STOP_KILLED,                /* X: it was killed (past the end) */
};

struct gs_stop {
	enum gs_stop_kind kind;
	int sig;                       /* T's signal; W's status; X's signal */
	uint32_t tid;                  /* the thread it names */
	char reason[128];              /* "swbreak:;", "watch:ADDR;",
					  "replaylog:begin;" */
};

/* ---- the session ---- */

struct gs {
	struct grr_ctl *ctl;
	struct gs_conn conn;
	char trace[PATH_MAX];
	char exe[PATH_MAX];            /* the executable gdb reads */
	uint32_t pid;                  /* the recorded process id */
	uint8_t *auxv;                 /* as the program saw it */
	size_t auxv_len;
	uint32_t g_tid, c_tid;         /* Hg and Hc (0: any) */
	bool multiprocess;             /* the client's qSupported */
	bool swbreak;
	struct gs_zpoint *zp;          /* Z points set */
	int nzp, capzp;
	struct gs_stop last;           /* the last stop reported */
	bool end_reported;             /* T09 sent at the end of the recording:
					  a forward resume there answers W/X */
	bool restart_stop;             /* after vRun: the next resume stops at
					  once, where the restart went (rr) */
	struct gs_zpoint after_watch;  /* the watchpoint whose access the last
					  forward stop came right after (type,
					  addr, kind); after_watch_set: there
					  is one, and the replay has not moved
					  since.  Running backward from there
					  meets that access first (rr). */
	bool after_watch_set;
	bool quit;                     /* k, D, or the client went away */
};

/* gs_dispatch.c: answers one packet (its data, unescaped). */
void gs_dispatch(struct gs *s, char *pkt, size_t len);

/* gs_threads.c: thread ids ("p<pid>.<tid>" or "<tid>", hex) */
void gs_thread_id(const struct gs *s, uint32_t tid, char *out, size_t len);
/* Parses a thread id at *P (moved past it): *TID 0 for any/all (0, -1). */
int gs_parse_thread(const char **p, uint32_t *tid);
bool gs_thread_alive(struct gs *s, uint32_t tid);
/* The thread register and memory requests look at: Hg's, else the last
 * stop's. */
uint32_t gs_query_thread(struct gs *s);
void gs_handle_H(struct gs *s, const char *args);
void gs_handle_thread_info(struct gs *s, bool first);
void gs_handle_T(struct gs *s, const char *args);

/* gs_target.c: the register layout of target.xml */
struct gs_reg {
	const char *name;
	int bits;
};
int gs_reg_count(void);
const struct gs_reg *gs_reg(int regnum);
/* The annex NAME of the target description (target.xml, or one it
 * includes) into OUT: its length, or -1 if there is none (or no room). */
int gs_target_annex(const char *name, char *out, size_t len);

/* gs_regs.c: g, p, P, G */
void gs_handle_g(struct gs *s);
void gs_handle_p(struct gs *s, const char *args);
void gs_handle_P(struct gs *s, const char *args);

/* gs_memory.c: m, x, M, X */
void gs_handle_m(struct gs *s, const char *args, bool binary);
void gs_handle_write(struct gs *s, const char *args, size_t len, bool binary);

/* gs_breaks.c: Z, z */
void gs_handle_Z(struct gs *s, const char *args, bool insert);
/* The Z point a control breakpoint or watchpoint belongs to, or NULL. */
const struct gs_zpoint *gs_zpoint_of(const struct gs *s, int ctl_id);
/* The Z point set with Z's TYPE, ADDR and KIND, or NULL. */
const struct gs_zpoint *gs_zpoint_find(const struct gs *s, enum gs_ztype type, uint64_t addr,
				       uint64_t kind);
/* Whether a Z0 or Z1 breakpoint is set at PC. */
bool gs_break_at(const struct gs *s, uint64_t pc);
/* Deletes every Z point (after a restart, clients set them again). */
void gs_zpoints_clear(struct gs *s);

/* gs_stop.c: stop replies */
/* The reply for control's STOP, as rr makes it, in S->last; sends it. */
void gs_report(struct gs *s, const struct grr_ctl_stop *stop, bool backward);
/* Sends S->last again (?, qThreadStopInfo of its thread). */
void gs_send_stop(struct gs *s, const struct gs_stop *st);
void gs_handle_thread_stop_info(struct gs *s, const char *args);

/* gs_resume.c: vCont, c, s, bc, bs, and ^C while running */
void gs_handle_vcont(struct gs *s, const char *args);
void gs_handle_resume(struct gs *s, bool step);
void gs_handle_reverse(struct gs *s, bool step);

/* gs_rrcmd.c: rr's commands (qRRCmd, and gdb's `monitor`) and restarts */
void gs_handle_rrcmd(struct gs *s, const char *args);
void gs_handle_rcmd(struct gs *s, const char *args);
void gs_handle_vrun(struct gs *s, const char *args);

/* gs_xfer.c: qXfer:OBJECT:read */
void gs_handle_xfer(struct gs *s, const char *args);

/* gs_query.c: the q and Q packets */
void gs_handle_query(struct gs *s, const char *pkt);
void gs_handle_set(struct gs *s, const char *pkt);

#endif
