/* syncsites.c - a Go program's synchronization sites (syncsites.h). */
#include "tracee/syncsites.h"

#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

/* Operations whose entry is a site (names across Go 1.19 to 1.27). */
static const char *const entries[] = {
	"runtime.chansend1", "runtime.chanrecv1", "runtime.chanrecv2", "runtime.closechan",
	"runtime.selectgo", "runtime.selectnbsend", "runtime.selectnbrecv",
	"runtime.selectnbrecv2", "runtime.newproc",
	"sync.(*Mutex).Lock", "sync.(*Mutex).Unlock", "sync.(*Mutex).lockSlow",
	"sync.(*Mutex).unlockSlow", "internal/sync.(*Mutex).lockSlow",
	"internal/sync.(*Mutex).unlockSlow", "sync.(*RWMutex).Lock", "sync.(*RWMutex).Unlock",
	"sync.(*RWMutex).RLock", "sync.(*RWMutex).RUnlock", "sync.(*RWMutex).rUnlockSlow",
	"sync.(*WaitGroup).Add", "sync.(*WaitGroup).Wait", "sync.(*Once).doSlow",
	"sync.(*Cond).Wait", "sync.(*Cond).Signal", "sync.(*Cond).Broadcast",
	"time.Sleep", "context.(*cancelCtx).cancel",
};

/* Map writes: the site is after their first store (the "writing" mark). */
static const char *const map_writes[] = {
	"runtime.mapassign", "runtime.mapassign_fast32", "runtime.mapassign_fast32ptr",
	"runtime.mapassign_fast64", "runtime.mapassign_fast64ptr", "runtime.mapassign_faststr",
	"runtime.mapdelete", "runtime.mapdelete_fast32", "runtime.mapdelete_fast64",
	"runtime.mapdelete_faststr", "runtime.mapclear",
};

/* First path elements of the standard library's packages, which are not
 * the program's own code. */
static const char *const stdlib[] = {
	"archive", "bufio", "bytes", "cmp", "compress", "container", "context", "crypto",
	"database", "debug", "embed", "encoding", "errors", "expvar", "flag", "fmt", "go",
	"hash", "html", "image", "index", "internal", "io", "iter", "log", "maps", "math",
	"mime", "net", "os", "path", "plugin", "reflect", "regexp", "runtime", "slices",
	"sort", "strconv", "strings", "structs", "syscall", "testing", "text", "time",
	"unicode", "unique", "unsafe", "vendor", "weak", "type:", "go:", "gofips140",
};

int grr_syncsites_own_code(const char *name)
{
	if (strncmp(name, "sync.", 5) == 0 || strncmp(name, "internal/sync.", 14) == 0)
		return 1;
	if (!strchr(name, '.'))
		return 0;   /* (C code of a cgo program) */
	/* the first path element: up to '/' or '.' */
	size_t k = strcspn(name, "/.");
	for (size_t i = 0; i < sizeof(stdlib) / sizeof(stdlib[0]); i++)
		if (strlen(stdlib[i]) == k && strncmp(name, stdlib[i], k) == 0)
			return 0;
	if (strncmp(name, "sync", 4) == 0 && (name[4] == '/' || name[4] == '.'))
		return 0;   /* (sync/atomic: intrinsics) */
	return k > 0 && strncmp(name, "_", 1) != 0;
}

static int add(struct grr_syncsites *s, uint64_t a)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		uint64_t *v = realloc(s->addr, cap * sizeof(*v));
		if (!v)
			return -1;
		s->addr = v;
		s->cap = cap;
	}
	s->addr[s->n++] = a;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool shared_mem(const cs_x86_op *op)
{
	return op->type == X86_OP_MEM && op->mem.segment == X86_REG_INVALID &&
	       op->mem.base != X86_REG_RSP && op->mem.base != X86_REG_RBP;
}

uint64_t grr_syncsites_after_first_store(const uint8_t *code, size_t n, uint64_t pc)
{
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return 0;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *in = cs_malloc(h);
	const uint8_t *p = code;
	size_t left = n;
	uint64_t a = pc, found = 0;
	while (!found && cs_disasm_iter(h, &p, &left, &a, in)) {
		const cs_x86 *x = &in->detail->x86;
		if (in->id == X86_INS_CALL || in->id == X86_INS_RET)
			continue;
		for (int k = 0; k < x->op_count && !found; k++)
			if (shared_mem(&x->operands[k]) && (x->operands[k].access & CS_AC_WRITE))
				found = a;   /* (a: already past the instruction) */
	}
	cs_free(in, 1);
	cs_close(&h);
	return found;
}

/* Whether IN (no detail) is a locked instruction or an xchg with memory. */
static bool is_atomic(const cs_insn *in)
{
	for (int i = 0; i < in->size && i < 4; i++) {
		uint8_t b = in->bytes[i];
		if (b == 0xf0)
			return true;
		if (!(b == 0x66 || b == 0xf2 || b == 0xf3 || (b >= 0x40 && b <= 0x4f) || b == 0x2e ||
		      b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65 || b == 0x67))
			break;
	}
	return in->id == X86_INS_XCHG && strchr(in->op_str, '[') != NULL;
}

/* Adds the atomic instructions of the function [START, START+LEN). */
static int scan_atomics(const struct grr_mem *m, csh h, cs_insn *in, uint64_t start,
			size_t len, struct grr_syncsites *s)
{
	uint8_t *code = malloc(len);
	if (!code)
		return -1;
	int rc = 0;
	if (grr_mem_read(m, start, code, len) == 0) {
		const uint8_t *p = code;
		size_t left = len;
		uint64_t a = start;
		while (rc == 0 && cs_disasm_iter(h, &p, &left, &a, in))
			if (is_atomic(in))
				rc = add(s, in->address);
	}
	free(code);
	return rc;
}

int grr_syncsites_find(const struct grr_mem *m, const struct grr_symtab *st, size_t max_code,
		       struct grr_syncsites *s)
{
	memset(s, 0, sizeof(*s));
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(entries) / sizeof(entries[0]); i++) {
		const struct grr_symbol *f = grr_symtab_find(st, entries[i]);
		if (f)
			rc = add(s, f->addr);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(map_writes) / sizeof(map_writes[0]); i++) {
		const struct grr_symbol *f = grr_symtab_find(st, map_writes[i]);
		uint8_t code[512];
		size_t n = f ? (f->size < sizeof(code) ? f->size : sizeof(code)) : 0;
		uint64_t after = n && grr_mem_read(m, f->addr, code, n) == 0 ?
			grr_syncsites_after_first_store(code, n, f->addr) : 0;
		if (after)
			rc = add(s, after);
	}
	csh h;
	if (rc == 0 && cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK) {
		cs_insn *in = cs_malloc(h);
		size_t read = 0;
		for (size_t i = 0; rc == 0 && in && i < st->n && read < max_code; i++) {
			const struct grr_symbol *f = &st->syms[i];
			if (!f->size || f->size > (1u << 20) || !grr_syncsites_own_code(f->name))
				continue;
			rc = scan_atomics(m, h, in, f->addr, f->size, s);
			read += f->size;
		}
		if (in)
			cs_free(in, 1);
		cs_close(&h);
	}
	if (s->n)
		qsort(s->addr, s->n, sizeof(s->addr[0]), cmp_u64);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!k || s->addr[k - 1] != s->addr[i])
			s->addr[k++] = s->addr[i];
	s->n = k;
	return rc;
}

void grr_syncsites_free(struct grr_syncsites *s)
{
	free(s->addr);
	memset(s, 0, sizeof(*s));
}

int grr_syncsites_has(const struct grr_syncsites *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->addr[mid] == addr)
			return 1;
		if (s->addr[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
