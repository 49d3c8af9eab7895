/* trace_header.c: see trace_header.h. */
#include "trace_header.h"

#include <stdio.h>
#include <string.h>

int trace_header_check(const json_t *header, int document, char *name,
		       const json_t **events, char *err, size_t err_len)
{
	name[0] = '\0';
	if (!json_is_object(header)) {
		snprintf(err, err_len, document ? "a trace document must be a JSON object"
						: "the header line must be a JSON object");
		return -1;
	}
	const json_t *format = json_object_get(header, "format");
	if (!format) {
		snprintf(err, err_len, "missing \"format\": \"%s\" (is this a fraglab trace?)",
			 TRACE_FORMAT_NAME);
		return -1;
	}
	if (!json_is_string(format) || strcmp(json_string_value(format), TRACE_FORMAT_NAME)) {
		snprintf(err, err_len, "\"format\" must be \"%s\"", TRACE_FORMAT_NAME);
		return -1;
	}
	const json_t *version = json_object_get(header, "version");
	if (!version) {
		snprintf(err, err_len, "missing \"version\"");
		return -1;
	}
	if (!json_is_integer(version)) {
		snprintf(err, err_len, "\"version\" must be the integer %d", TRACE_FORMAT_VERSION);
		return -1;
	}
	if (json_integer_value(version) != TRACE_FORMAT_VERSION) {
		snprintf(err, err_len, "unsupported version %lld (this fraglab reads version %d)",
			 (long long)json_integer_value(version), TRACE_FORMAT_VERSION);
		return -1;
	}
	const json_t *n = json_object_get(header, "name");
	if (n) {
		if (!json_is_string(n)) {
			snprintf(err, err_len, "\"name\" must be a string");
			return -1;
		}
		size_t len = json_string_length(n);
		const char *s = json_string_value(n);
		if (len > TRACE_NAME_MAX) {
			snprintf(err, err_len, "\"name\" is %zu bytes long; at most %d are allowed",
				 len, TRACE_NAME_MAX);
			return -1;
		}
		/* Names end up in CSV rows and one-line reports. */
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				snprintf(err, err_len, "\"name\" contains a control character at byte %zu", i);
				return -1;
			}
		}
		memcpy(name, s, len + 1);
	}
	const json_t *ev = json_object_get(header, "events");
	if (document) {
		if (!ev) {
			snprintf(err, err_len, "missing \"events\" (a .json trace is one document; "
				 "use .jsonl for the JSON Lines form)");
			return -1;
		}
		if (!json_is_array(ev)) {
			snprintf(err, err_len, "\"events\" must be an array");
			return -1;
		}
		*events = ev;
	} else if (ev) {
		snprintf(err, err_len, "a JSON Lines header must not have \"events\" (events go one per line; "
			 "use .json for the document form)");
		return -1;
	}
	return 0;
}
