/* input_note.h - the NOTE events that name where a syscall's input came
 * from, when the trace would not otherwise hold it: the recorder writes
 * one right after the SYSCALL_EXIT of a successful open, openat, openat2
 * or creat ("file: PATH", the path the program gave), and of a connect
 * ("peer: ADDR", the address it gave, as grr_sockaddr_format writes it).
 * `grr info --inputs` reads them (format/inputs.h).  Notes, so that
 * traces stay readable by every version: one that does not know them
 * prints them. */
#ifndef GRR_FORMAT_INPUT_NOTE_H
#define GRR_FORMAT_INPUT_NOTE_H

#include <stddef.h>
#include <stdint.h>

enum grr_input_note {
	GRR_INPUT_NOTE_NONE = 0,   /* not such a note */
	GRR_INPUT_NOTE_FILE,
	GRR_INPUT_NOTE_PEER,
};

/* Writes the note's text into BUF (of LEN bytes; cut there). */
void grr_input_note_format(char *buf, size_t len, enum grr_input_note kind, const char *value);

/* The kind of note TEXT is; *VALUE then points at its path or address
 * (inside TEXT). */
enum grr_input_note grr_input_note_parse(const char *text, const char **value);

/* A socket address (struct sockaddr as the program passed it, LEN bytes)
 * as text: "127.0.0.1:8080", "[::1]:443", "unix:/run/x.sock",
 * "unix:@abstract", "unix:(unnamed)", "family 16". */
void grr_sockaddr_format(const uint8_t *sa, size_t len, char *buf, size_t buflen);

#endif
