/* synth_gen.c - synthetic event stream resembling a recorded Go program. */
#include "tests/bench/synth_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 12
#define NTEMPLATES 24

struct synth {
	uint64_t rng;
	struct grr_header hdr;
	uint64_t time;
	uint64_t tsc;
	uint32_t tids[MAX_THREADS];
	int nthreads;
	uint32_t next_tid;
	/* the pending syscall of each thread: 0 none, else nr + 1 */
	uint32_t pending[MAX_THREADS];
	uint64_t pending_args[MAX_THREADS][6];
	uint8_t *templates[NTEMPLATES];   /* contents read again and again */
	uint32_t template_len[NTEMPLATES];
	struct grr_mem_write writes[3];
	uint8_t *buf[3];
	struct grr_range ranges[4];
	char note[128];
	int ending;          /* 0 running, then threads exit one by one */
	unsigned fresh;      /* writes of the last event holding fresh data */
	uint64_t counter;
};

static uint64_t rnd(struct synth *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const char *const words[] = {
	"func", "return", "package", "import", "the", "error", "nil", "struct", "{", "}",
	"http", "GET", "/api/v1/items", "200", "OK", "json", "\"id\":", "\"name\":", "\n", "    ",
	"Content-Type:", "application/json", "0x", "goroutine", "chan", "select", ",", ":",
};

/* Text-like bytes (compressible), as files and sockets usually carry. */
static void fill_text(struct synth *s, uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *w = words[rnd(s) % (sizeof(words) / sizeof(words[0]))];
		size_t l = strlen(w);
		for (size_t k = 0; k < l && i < n; k++)
			p[i++] = (uint8_t)w[k];
		if (i < n)
			p[i++] = ' ';
	}
}

static char *s_argv[] = { "/srv/app/server", "-listen", ":8080", "-config", "/etc/app.yaml", NULL };
static char *s_envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8",
			  "GOMAXPROCS=4", "GODEBUG=asyncpreemptoff=0", NULL };
static struct grr_auxv_entry s_auxv[] = {
	{ 33, 0x7ffc7d5e1000 }, { 16, 0xbfebfbff }, { 6, 4096 }, { 17, 100 }, { 3, 0x400040 },
	{ 4, 56 }, { 5, 9 }, { 7, 0 }, { 8, 0 }, { 9, 0x46b3a0 }, { 11, 0 }, { 12, 0 },
	{ 13, 0 }, { 14, 0 }, { 23, 0 }, { 25, 0x7ffc7d5c2e19 }, { 26, 2 }, { 31, 0x7ffc7d5c3fe8 },
	{ 0, 0 },
};
static struct grr_mapping s_maps[] = {
	{ 0x400000, 0x4a1000, 0, 5, 0, "/srv/app/server" },
	{ 0x4a1000, 0x5a5000, 0xa1000, 1, 0, "/srv/app/server" },
	{ 0x5a5000, 0x5c9000, 0x1a5000, 3, 0, "/srv/app/server" },
	{ 0x5c9000, 0x600000, 0, 3, 0, "" },
	{ 0xc000000000, 0xc000400000, 0, 3, 0, "" },
	{ 0x7f1e2c000000, 0x7f1e2c021000, 0, 3, 0, "" },
	{ 0x7ffc7d5a3000, 0x7ffc7d5c4000, 0, 3, 0, "[stack]" },
	{ 0x7ffc7d5de000, 0x7ffc7d5e1000, 0, 1, 0, "[vvar]" },
	{ 0x7ffc7d5e1000, 0x7ffc7d5e3000, 0, 5, 0, "[vdso]" },
};

struct synth *synth_new(uint64_t seed)
{
	struct synth *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->rng = seed;
	struct grr_header *h = &s->hdr;
	h->program = "/srv/app/server";
	h->cwd = "/srv/app";
	h->argc = 5;
	h->argv = s_argv;
	h->envc = 5;
	h->envp = s_envp;
	h->nauxv = sizeof(s_auxv) / sizeof(s_auxv[0]);
	h->auxv = s_auxv;
	for (int i = 0; i < 16; i++)
		h->at_random[i] = (uint8_t)rnd(s);
	h->initial_sp = 0x7ffc7d5c2a50;
	h->nmaps = sizeof(s_maps) / sizeof(s_maps[0]);
	h->maps = s_maps;
	h->build_id = "3f7a9c21d4e8b6051a2c9e7f3b8d4a6c5e1f0b2a";
	h->go_version = "go1.26.8";
	strcpy(h->cpu.vendor, "GenuineIntel");
	h->cpu.family = 6;
	h->cpu.model = 143;
	h->cpu.stepping = 8;
	h->cpu.features[GRR_CPUID_1_ECX] = 0x7ffafbff;   /* sse3 ... sse4.2, avx, ... */
	h->cpu.features[GRR_CPUID_1_EDX] = 0xbfebfbff;
	h->cpu.features[GRR_CPUID_7_EBX] = 0xf3bfb7ef;   /* avx2, bmi1/2, avx512f ... */
	h->cpu.features[GRR_CPUID_7_ECX] = 0x1b415f6e;
	h->cpu.features[GRR_CPUID_7_EDX] = 0xbc1d4432;
	h->cpu.features[GRR_CPUID_EXT1_ECX] = 0x00000121;
	h->cpu.features[GRR_CPUID_EXT1_EDX] = 0x2c100800;
	h->cpu.features[GRR_CPUID_XCR0] = 0x2e7;
	h->grr_version = "0.1.0";
	h->start_time_ns = 1763800000000000000ull + (seed % 1000000) * 1000;
	h->chaos_seed = 0;
	h->flags = 0;
	for (int i = 0; i < NTEMPLATES; i++) {
		s->template_len[i] = 100 + (uint32_t)(rnd(s) % 8000);
		s->templates[i] = malloc(s->template_len[i]);
		fill_text(s, s->templates[i], s->template_len[i]);
	}
	for (int i = 0; i < 3; i++)
		s->buf[i] = malloc(65536);
	s->tids[0] = 4242;
	s->nthreads = 1;
	s->next_tid = 4243;
	s->tsc = 1000000000000ull;
	return s;
}

void synth_free(struct synth *s)
{
	for (int i = 0; i < NTEMPLATES; i++)
		free(s->templates[i]);
	for (int i = 0; i < 3; i++)
		free(s->buf[i]);
	free(s);
}

const struct grr_header *synth_header(struct synth *s)
{
	return &s->hdr;
}

/* Data a syscall wrote: small structs, repeated contents, or fresh text. */
static uint64_t fill_write(struct synth *s, int k, uint64_t max)
{
	uint64_t r = rnd(s) % 100, len;
	if (r < 45) {                        /* struct timespec, epoll_event ... */
		len = 8 + rnd(s) % 56;
		for (uint64_t i = 0; i < len; i++)
			s->buf[k][i] = (uint8_t)(i < 8 ? rnd(s) : 0);
	} else if (r < 85) {                 /* the same file or reply again */
		int t = (int)(rnd(s) % NTEMPLATES);
		len = s->template_len[t];
		memcpy(s->buf[k], s->templates[t], len);
	} else {                             /* fresh data */
		len = 65 + rnd(s) % (r < 98 ? 4000 : 60000);
		fill_text(s, s->buf[k], len);
		memcpy(s->buf[k], &s->counter, 8);
		s->counter++;
		s->fresh |= 1u << k;
	}
	return len < max ? len : max;
}

static void end_step(struct synth *s, struct grr_event *ev)
{
	if (s->nthreads > 1) {
		ev->kind = GRR_EV_THREAD_EXIT;
		ev->tid = s->tids[--s->nthreads];
		ev->u.thread_exit.status = 0;
	} else if (s->ending == 1) {
		ev->kind = GRR_EV_SYSCALL_ENTER;
		ev->tid = s->tids[0];
		ev->u.enter.nr = 231;   /* exit_group */
		s->ending = 2;
	} else {
		ev->kind = GRR_EV_PROCESS_EXIT;
		ev->tid = s->tids[0];
		ev->u.process_exit.how = GRR_EXIT_NORMAL;
		ev->u.process_exit.status = 0;
		s->ending = 3;
	}
}

void synth_next(struct synth *s, struct grr_event *ev, uint64_t left)
{
	memset(ev, 0, sizeof(*ev));
	s->fresh = 0;
	s->time += 200 + rnd(s) % 20000;
	ev->time_ns = s->time;
	if (left <= (uint64_t)s->nthreads + 1) {
		if (!s->ending)
			s->ending = 1;
		end_step(s, ev);
		return;
	}
	int t = (int)(rnd(s) % (uint64_t)s->nthreads);
	ev->tid = s->tids[t];
	if (s->pending[t]) {                 /* finish the pending syscall */
		uint32_t nr = s->pending[t] - 1;
		s->pending[t] = 0;
		ev->kind = GRR_EV_SYSCALL_EXIT;
		ev->u.exit.nr = nr;
		if (nr == 0 || nr == 281 || nr == 228 || nr == 45) {   /* read, epoll, clock, recv */
			uint32_t nw = nr == 0 || nr == 45 ? 1 : 1 + (uint32_t)(rnd(s) % 2);
			for (uint32_t k = 0; k < nw; k++) {
				uint64_t len = fill_write(s, (int)k, 65536);
				s->writes[k] = (struct grr_mem_write){ .addr = s->pending_args[t][1] + k * 0x1000,
								      .len = len, .data = s->buf[k] };
			}
			ev->u.exit.nwrites = nw;
			ev->u.exit.writes = s->writes;
			ev->u.exit.ret = (int64_t)s->writes[0].len;
		} else if (nr == 202 && rnd(s) % 4 == 0) {
			ev->u.exit.ret = -11;   /* EAGAIN */
		} else if (nr == 9) {
			ev->u.exit.ret = (int64_t)(0x7f1e2c000000 + (rnd(s) % 4096) * 4096);
		} else {
			ev->u.exit.ret = nr == 1 ? (int64_t)s->pending_args[t][2] : 0;
		}
		return;
	}
	uint64_t r = rnd(s) % 1000;
	if (r < 40) {
		ev->kind = GRR_EV_RDTSC;
		ev->u.rdtsc.pc = 0x46a1c0 + rnd(s) % 64;
		s->tsc += 1000 + rnd(s) % 100000;
		ev->u.rdtsc.tsc = s->tsc;
		ev->u.rdtsc.is_rdtscp = rnd(s) % 8 == 0;
		ev->u.rdtsc.aux = ev->u.rdtsc.is_rdtscp ? (uint32_t)t : 0;
	} else if (r < 55) {
		ev->kind = GRR_EV_ANCHOR;
		static const int regs_nonzero[] = { 4, 5, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21 };
		for (size_t i = 0; i < sizeof(regs_nonzero) / sizeof(regs_nonzero[0]); i++)
			ev->u.anchor.regs[regs_nonzero[i]] = 0xc000000000 + rnd(s) % 0x100000;
		ev->u.anchor.regs[16] = 0x401000 + rnd(s) % 0x90000;   /* rip */
		ev->u.anchor.regs[17] = 0x33;
		ev->u.anchor.regs[18] = 0x246;
		ev->u.anchor.regs[20] = 0x2b;
		/* FXSAVE: fcw 0x37f, mxcsr 0x1f80, a few xmm registers in use */
		ev->u.anchor.fpregs[0] = 0x7f;
		ev->u.anchor.fpregs[1] = 0x03;
		ev->u.anchor.fpregs[24] = 0x80;
		ev->u.anchor.fpregs[25] = 0x1f;
		ev->u.anchor.fpregs[28] = 0xff;
		ev->u.anchor.fpregs[29] = 0xff;
		for (int i = 160; i < 160 + 16 * (int)(rnd(s) % 4); i++)
			ev->u.anchor.fpregs[i] = (uint8_t)rnd(s);
		ev->u.anchor.digest = rnd(s);
		uint32_t nx = (uint32_t)(rnd(s) % 3);
		for (uint32_t i = 0; i < nx; i++)
			s->ranges[i] = (struct grr_range){ 0xc000000000 + i * 0x10000, 0x2000 };
		ev->u.anchor.nexcluded = nx;
		ev->u.anchor.excluded = nx ? s->ranges : NULL;
	} else if (r < 58) {
		ev->kind = GRR_EV_SIGNAL;
		ev->u.signal.signo = 23;   /* SIGURG: Go's preemption */
		ev->u.signal.how = GRR_SIG_AT_STOP;
		ev->u.signal.siginfo[0] = 23;
		ev->u.signal.siginfo[8] = 0xfa;   /* SI_TKILL */
		ev->u.signal.siginfo[9] = 0xff;
		ev->u.signal.siginfo[10] = 0xff;
		ev->u.signal.siginfo[11] = 0xff;
		ev->u.signal.siginfo[16] = 0x92;
		ev->u.signal.siginfo[17] = 0x10;
	} else if (r < 60 && s->nthreads < MAX_THREADS) {
		ev->kind = GRR_EV_CLONE;
		ev->u.clone.child_tid = s->next_tid;
		ev->u.clone.flags = 0x3d0f00;
		s->tids[s->nthreads++] = s->next_tid++;
	} else if (r < 61) {
		ev->kind = GRR_EV_NOTE;
		snprintf(s->note, sizeof(s->note), "chaos: delayed thread %u by %llu us", ev->tid,
			 (unsigned long long)(rnd(s) % 5000));
		ev->u.note.text = s->note;
	} else {
		static const uint32_t nrs[] = { 0, 0, 0, 1, 1, 202, 202, 202, 202, 281, 281, 228,
						24, 35, 9, 3, 257, 45, 39, 14 };
		uint32_t nr = nrs[rnd(s) % (sizeof(nrs) / sizeof(nrs[0]))];
		ev->kind = GRR_EV_SYSCALL_ENTER;
		ev->u.enter.nr = nr;
		ev->u.enter.args[0] = nr == 202 ? 0xc000052948 : 3 + rnd(s) % 8;
		ev->u.enter.args[1] = 0xc000100000 + (rnd(s) % 64) * 0x10000;
		ev->u.enter.args[2] = nr == 0 ? 4096 : rnd(s) % 512;
		if (nr == 257)
			ev->u.enter.args[0] = (uint64_t)-100;   /* AT_FDCWD */
		memcpy(s->pending_args[t], ev->u.enter.args, sizeof(ev->u.enter.args));
		s->pending[t] = nr + 1;
	}
}

unsigned synth_fresh_mask(const struct synth *s)
{
	return s->fresh;
}
