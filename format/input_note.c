/* input_note.c - notes naming a file opened or a peer connected to (see
 * input_note.h), and socket addresses as text. */
#include "format/input_note.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define FILE_PREFIX "file: "
#define PEER_PREFIX "peer: "

void grr_input_note_format(char *buf, size_t len, enum grr_input_note kind, const char *value)
{
	snprintf(buf, len, "%s%s", kind == GRR_INPUT_NOTE_PEER ? PEER_PREFIX : FILE_PREFIX, value);
}

enum grr_input_note grr_input_note_parse(const char *text, const char **value)
{
	if (!text)
		return GRR_INPUT_NOTE_NONE;
	if (!strncmp(text, FILE_PREFIX, strlen(FILE_PREFIX))) {
		*value = text + strlen(FILE_PREFIX);
		return GRR_INPUT_NOTE_FILE;
	}
	if (!strncmp(text, PEER_PREFIX, strlen(PEER_PREFIX))) {
		*value = text + strlen(PEER_PREFIX);
		return GRR_INPUT_NOTE_PEER;
	}
	return GRR_INPUT_NOTE_NONE;
}

void grr_sockaddr_format(const uint8_t *sa, size_t len, char *buf, size_t buflen)
{
	if (len < 2) {
		snprintf(buf, buflen, "(no address)");
		return;
	}
	unsigned family = sa[0] | (unsigned)sa[1] << 8;
	char ip[INET6_ADDRSTRLEN];
	if (family == AF_INET && len >= 8 && inet_ntop(AF_INET, sa + 4, ip, sizeof(ip))) {
		snprintf(buf, buflen, "%s:%u", ip, (unsigned)(sa[2] << 8 | sa[3]));
	} else if (family == AF_INET6 && len >= 24 && inet_ntop(AF_INET6, sa + 8, ip, sizeof(ip))) {
		snprintf(buf, buflen, "[%s]:%u", ip, (unsigned)(sa[2] << 8 | sa[3]));
	} else if (family == AF_UNIX) {
		const char *path = (const char *)sa + 2;
		size_t n = len - 2;
		if (n == 0) {
			snprintf(buf, buflen, "unix:(unnamed)");
		} else if (path[0] == 0) {   /* abstract: the bytes that follow, NULs and all */
			snprintf(buf, buflen, "unix:@%.*s", (int)strnlen(path + 1, n - 1), path + 1);
		} else {
			snprintf(buf, buflen, "unix:%.*s", (int)strnlen(path, n), path);
		}
	} else {
		snprintf(buf, buflen, "family %u", family);
	}
}
