/* echo_proto.c -- the echo protocol as pure functions: the line limit, upper-casing, messages */
#include "echo_proto.h"

#include <string.h>

size_t echo_scan(const char *buf, size_t len, size_t *line_len, size_t max_line)
{
	size_t pos = 0, line = *line_len;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (end - pos > max_line - line) {
			*line_len = max_line;
			return pos + (max_line - line);
		}
		if (!nl) {
			line += end - pos;
			break;
		}
		line = 0;
		pos = end + 1;
	}
	*line_len = line;
	return len;
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
