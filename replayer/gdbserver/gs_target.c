/* gs_target.c - the target description (qXfer:features:read): x86-64
 * Linux registers as gdb numbers them, in the annexes rr serves
 * (target.xml including 64bit-core.xml, 64bit-sse.xml, 64bit-linux.xml,
 * 64bit-seg.xml and 64bit-avx.xml).  Every register has its regnum, and
 * the annexes come in regnum order, which is the 'g' packet's layout:
 * Delve lays its register buffer out in the order it reads them.  Each
 * annex fits one 4 KB qXfer reply, and holds none of the characters
 * Delve's text decoder treats specially. */
#include "replayer/gdbserver/gs_private.h"

#include <stdio.h>
#include <string.h>

static const struct gs_reg regs[] = {
	{ "rax", 64 }, { "rbx", 64 }, { "rcx", 64 }, { "rdx", 64 },
	{ "rsi", 64 }, { "rdi", 64 }, { "rbp", 64 }, { "rsp", 64 },
	{ "r8", 64 }, { "r9", 64 }, { "r10", 64 }, { "r11", 64 },
	{ "r12", 64 }, { "r13", 64 }, { "r14", 64 }, { "r15", 64 },
	{ "rip", 64 }, { "eflags", 32 },
	{ "cs", 32 }, { "ss", 32 }, { "ds", 32 }, { "es", 32 }, { "fs", 32 }, { "gs", 32 },
	{ "st0", 80 }, { "st1", 80 }, { "st2", 80 }, { "st3", 80 },
	{ "st4", 80 }, { "st5", 80 }, { "st6", 80 }, { "st7", 80 },
	{ "fctrl", 32 }, { "fstat", 32 }, { "ftag", 32 }, { "fiseg", 32 },
	{ "fioff", 32 }, { "foseg", 32 }, { "fooff", 32 }, { "fop", 32 },
	{ "xmm0", 128 }, { "xmm1", 128 }, { "xmm2", 128 }, { "xmm3", 128 },
	{ "xmm4", 128 }, { "xmm5", 128 }, { "xmm6", 128 }, { "xmm7", 128 },
	{ "xmm8", 128 }, { "xmm9", 128 }, { "xmm10", 128 }, { "xmm11", 128 },
	{ "xmm12", 128 }, { "xmm13", 128 }, { "xmm14", 128 }, { "xmm15", 128 },
	{ "mxcsr", 32 },
	{ "orig_rax", 64 },
	{ "fs_base", 64 }, { "gs_base", 64 },
	{ "ymm0h", 128 }, { "ymm1h", 128 }, { "ymm2h", 128 }, { "ymm3h", 128 },
	{ "ymm4h", 128 }, { "ymm5h", 128 }, { "ymm6h", 128 }, { "ymm7h", 128 },
	{ "ymm8h", 128 }, { "ymm9h", 128 }, { "ymm10h", 128 }, { "ymm11h", 128 },
	{ "ymm12h", 128 }, { "ymm13h", 128 }, { "ymm14h", 128 }, { "ymm15h", 128 },
};

int gs_reg_count(void) { return (int)(sizeof(regs) / sizeof(regs[0])); }

const struct gs_reg *gs_reg(int regnum)
{
	return regnum >= 0 && regnum < gs_reg_count() ? &regs[regnum] : NULL;
}

static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target>\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<osabi>GNU/Linux</osabi>\n"
	"<xi:include href=\"64bit-core.xml\"/>\n"
	"<xi:include href=\"64bit-sse.xml\"/>\n"
	"<xi:include href=\"64bit-linux.xml\"/>\n"
	"<xi:include href=\"64bit-seg.xml\"/>\n"
	"<xi:include href=\"64bit-avx.xml\"/>\n"
	"</target>\n";

#define FEATURE_HEAD(name) \
	"<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n" \
	"<feature name=\"" name "\">\n"

static const char core_xml[] =
	FEATURE_HEAD("org.gnu.gdb.i386.core")
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	" <field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>\n"
	" <field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
	" <field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>\n"
	" <field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>\n"
	" <field name=\"OF\" start=\"11\" end=\"11\"/>\n"
	"</flags>\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\" regnum=\"1\"/>\n"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\" regnum=\"2\"/>\n"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\" regnum=\"3\"/>\n"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\" regnum=\"4\"/>\n"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\" regnum=\"5\"/>\n"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"6\"/>\n"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"7\"/>\n"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\" regnum=\"8\"/>\n"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\" regnum=\"9\"/>\n"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\" regnum=\"10\"/>\n"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\" regnum=\"11\"/>\n"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\" regnum=\"12\"/>\n"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\" regnum=\"13\"/>\n"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\" regnum=\"14\"/>\n"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\" regnum=\"15\"/>\n"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\"/>\n"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\" regnum=\"17\"/>\n"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\" regnum=\"18\"/>\n"
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\" regnum=\"19\"/>\n"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\" regnum=\"20\"/>\n"
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\" regnum=\"21\"/>\n"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\" regnum=\"22\"/>\n"
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\" regnum=\"23\"/>\n"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\" regnum=\"24\"/>\n"
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\" regnum=\"25\"/>\n"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\" regnum=\"26\"/>\n"
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\" regnum=\"27\"/>\n"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\" regnum=\"28\"/>\n"
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\" regnum=\"29\"/>\n"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\" regnum=\"30\"/>\n"
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\" regnum=\"31\"/>\n"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"32\"/>\n"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"33\"/>\n"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"34\"/>\n"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"35\"/>\n"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"36\"/>\n"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"37\"/>\n"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"38\"/>\n"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"39\"/>\n"
	"</feature>\n";

static const char sse_head[] =
	FEATURE_HEAD("org.gnu.gdb.i386.sse")
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	"<union id=\"vec128\">\n"
	" <field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>\n"
	" <field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>\n"
	" <field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>\n"
	" <field name=\"uint128\" type=\"uint128\"/>\n"
	"</union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">\n"
	" <field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>\n"
	" <field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>\n"
	" <field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>\n"
	" <field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>\n"
	" <field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
	" <field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>\n"
	" <field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
	"</flags>\n";
static const char sse_tail[] =
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\" regnum=\"56\"/>\n"
	"</feature>\n";

static const char linux_xml[] =
	FEATURE_HEAD("org.gnu.gdb.i386.linux")
	"<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n"
	"</feature>\n";

static const char seg_xml[] =
	FEATURE_HEAD("org.gnu.gdb.i386.segments")
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"58\"/>\n"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"59\"/>\n"
	"</feature>\n";

static const char avx_head[] = FEATURE_HEAD("org.gnu.gdb.i386.avx");
static const char avx_tail[] = "</feature>\n";

/* HEAD, 16 registers PREFIX<n>SUFFIX of 128 bits from FIRST, TAIL. */
static int vector_feature(char *out, size_t len, const char *head, const char *prefix,
			  const char *suffix, const char *type, int first, const char *tail)
{
	size_t k = (size_t)snprintf(out, len, "%s", head);
	for (int i = 0; i < 16 && k < len; i++)
		k += (size_t)snprintf(out + k, len - k,
				      "<reg name=\"%s%d%s\" bitsize=\"128\" type=\"%s\" regnum=\"%d\"/>\n",
				      prefix, i, suffix, type, first + i);
	if (k < len)
		k += (size_t)snprintf(out + k, len - k, "%s", tail);
	return k < len ? (int)k : -1;
}

static int copy(char *out, size_t len, const char *text)
{
	size_t n = strlen(text);
	if (n >= len)
		return -1;
	memcpy(out, text, n + 1);
	return (int)n;
}

int gs_target_annex(const char *name, char *out, size_t len)
{
	if (strcmp(name, "target.xml") == 0)
		return copy(out, len, target_xml);
	if (strcmp(name, "64bit-core.xml") == 0)
		return copy(out, len, core_xml);
	if (strcmp(name, "64bit-linux.xml") == 0)
		return copy(out, len, linux_xml);
	if (strcmp(name, "64bit-seg.xml") == 0)
		return copy(out, len, seg_xml);
	if (strcmp(name, "64bit-sse.xml") == 0)
		return vector_feature(out, len, sse_head, "xmm", "", "vec128", 40, sse_tail);
	if (strcmp(name, "64bit-avx.xml") == 0)
		return vector_feature(out, len, avx_head, "ymm", "h", "uint128", 60, avx_tail);
	return -1;
}
