/* echo_proto.c -- the echo protocol as pure functions: line scanning, upper-casing, messages */
#include "echo_proto.h"

#include <string.h>

enum echo_scan_result echo_scan(const char *buf, size_t len, size_t scanned,
				size_t max_line, size_t *complete)
{
	size_t start = 0;
	size_t pos = scanned;

	for (;;) {
		const char *nl = pos < len ? memchr(buf + pos, '\n', len - pos) : NULL;
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (end - start > max_line) {
			*complete = start;
			return ECHO_SCAN_TOO_LONG;
		}
		if (!nl)
			break;
		start = end + 1;
		pos = start;
	}
	*complete = start;
	return ECHO_SCAN_OK;
}

void echo_upcase(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		/* Not toupper(): locales may map bytes of UTF-8 sequences. */
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	}
}

bool echo_is_server_message(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (line[i] >= 'a' && line[i] <= 'z')
			return true;
	}
	return false;
}
