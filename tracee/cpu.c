/* cpu.c - CPUID identity and feature comparison (see cpu.h). */
#include "tracee/cpu.h"

#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct feature {
	const char *name;
	int word;
	int bit;
	int level;   /* GOAMD64 level from which Go code uses it unconditionally
			(compiled in); 0: only chosen at run time from CPUID */
};

/* Features the Go runtime and compiler-generated code test for (see Go's
 * internal/cpu for x86), plus the ones that change xsave layouts.  The
 * levels are the x86-64 microarchitecture levels v2..v4 (sse2 is v1). */
static const struct feature features[] = {
	{ "sse3", GRR_CPUID_1_ECX, 0, 2 },     { "pclmulqdq", GRR_CPUID_1_ECX, 1, 0 },
	{ "ssse3", GRR_CPUID_1_ECX, 9, 2 },    { "fma", GRR_CPUID_1_ECX, 12, 3 },
	{ "cx16", GRR_CPUID_1_ECX, 13, 2 },    { "sse4.1", GRR_CPUID_1_ECX, 19, 2 },
	{ "sse4.2", GRR_CPUID_1_ECX, 20, 2 },  { "movbe", GRR_CPUID_1_ECX, 22, 3 },
	{ "popcnt", GRR_CPUID_1_ECX, 23, 2 },  { "aes", GRR_CPUID_1_ECX, 25, 0 },
	{ "osxsave", GRR_CPUID_1_ECX, 27, 3 }, { "avx", GRR_CPUID_1_ECX, 28, 3 },
	{ "rdrand", GRR_CPUID_1_ECX, 30, 0 },  { "sse2", GRR_CPUID_1_EDX, 26, 1 },
	{ "bmi1", GRR_CPUID_7_EBX, 3, 3 },     { "avx2", GRR_CPUID_7_EBX, 5, 3 },
	{ "bmi2", GRR_CPUID_7_EBX, 8, 3 },     { "erms", GRR_CPUID_7_EBX, 9, 0 },
	{ "avx512f", GRR_CPUID_7_EBX, 16, 4 }, { "avx512dq", GRR_CPUID_7_EBX, 17, 4 },
	{ "rdseed", GRR_CPUID_7_EBX, 18, 0 },  { "adx", GRR_CPUID_7_EBX, 19, 0 },
	{ "avx512cd", GRR_CPUID_7_EBX, 28, 4 },{ "sha", GRR_CPUID_7_EBX, 29, 0 },
	{ "avx512bw", GRR_CPUID_7_EBX, 30, 4 },{ "avx512vl", GRR_CPUID_7_EBX, 31, 4 },
	{ "avx512vbmi", GRR_CPUID_7_ECX, 1, 0 }, { "gfni", GRR_CPUID_7_ECX, 8, 0 },
	{ "vaes", GRR_CPUID_7_ECX, 9, 0 },     { "vpclmulqdq", GRR_CPUID_7_ECX, 10, 0 },
	{ "avx512vnni", GRR_CPUID_7_ECX, 11, 0 }, { "fsrm", GRR_CPUID_7_EDX, 4, 0 },
	{ "lzcnt", GRR_CPUID_EXT1_ECX, 5, 3 }, { "rdtscp", GRR_CPUID_EXT1_EDX, 27, 0 },
};

static uint32_t read_xcr0(uint32_t leaf1_ecx)
{
	if (!(leaf1_ecx & (1u << 27)))  /* OSXSAVE */
		return 0;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo;
}

void grr_cpu_identify(struct grr_cpu *cpu)
{
	unsigned a, b, c, d, max;
	memset(cpu, 0, sizeof(*cpu));
	__cpuid(0, max, b, c, d);
	memcpy(cpu->vendor, &b, 4);
	memcpy(cpu->vendor + 4, &d, 4);
	memcpy(cpu->vendor + 8, &c, 4);
	__cpuid(1, a, b, c, d);
	cpu->stepping = a & 0xf;
	cpu->model = ((a >> 4) & 0xf) | (((a >> 16) & 0xf) << 4);
	cpu->family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff);
	cpu->features[GRR_CPUID_1_ECX] = c;
	cpu->features[GRR_CPUID_1_EDX] = d;
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		cpu->features[GRR_CPUID_7_EBX] = b;
		cpu->features[GRR_CPUID_7_ECX] = c;
		cpu->features[GRR_CPUID_7_EDX] = d;
		__cpuid_count(7, 1, a, b, c, d);
		cpu->features[GRR_CPUID_7_1_EAX] = a;
	}
	if (max >= 0xd) {
		__cpuid_count(0xd, 1, a, b, c, d);
		cpu->features[GRR_CPUID_D_1_EAX] = a;
	}
	__cpuid(0x80000000, a, b, c, d);
	if (a >= 0x80000001) {
		__cpuid(0x80000001, a, b, c, d);
		cpu->features[GRR_CPUID_EXT1_ECX] = c;
		cpu->features[GRR_CPUID_EXT1_EDX] = d;
	}
	cpu->features[GRR_CPUID_XCR0] = read_xcr0(cpu->features[GRR_CPUID_1_ECX]);
}

static int has(const struct grr_cpu *cpu, const struct feature *f)
{
	return (cpu->features[f->word] >> f->bit) & 1;
}

static void append(char *names, size_t len, const char *name)
{
	size_t used = strlen(names);
	snprintf(names + used, len - used, "%s%s", used ? " " : "", name);
}

/* Features of RECORDED missing in CURRENT, among those of level 1..LEVEL
 * (LEVEL 0: all of them). */
static int missing_upto(const struct grr_cpu *recorded, const struct grr_cpu *current,
			int level, char *names, size_t len)
{
	int missing = 0;
	if (len)
		names[0] = 0;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (level && (!features[i].level || features[i].level > level))
			continue;
		if (has(recorded, &features[i]) && !has(current, &features[i])) {
			append(names, len, features[i].name);
			missing++;
		}
	}
	/* AVX state the OS enables (XCR0) decides whether Go uses AVX at all,
	 * and the size of the signal frames the kernel writes. */
	uint32_t need = recorded->features[GRR_CPUID_XCR0] & ~current->features[GRR_CPUID_XCR0];
	if (need & 0xe6) {
		append(names, len, "xsave-state(avx/avx512)");
		missing++;
	}
	return missing;
}

int grr_cpu_missing(const struct grr_cpu *recorded, const struct grr_cpu *current,
		    char *names, size_t len)
{
	return missing_upto(recorded, current, 0, names, len);
}

int grr_cpu_missing_portable(const struct grr_cpu *recorded, const struct grr_cpu *current,
			     int goamd64, char *names, size_t len)
{
	return missing_upto(recorded, current, goamd64 >= 1 && goamd64 <= 4 ? goamd64 : 1,
			    names, len);
}

void grr_cpu_feature_names(const struct grr_cpu *cpu, char *names, size_t len)
{
	if (len)
		names[0] = 0;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (has(cpu, &features[i]))
			append(names, len, features[i].name);
}
