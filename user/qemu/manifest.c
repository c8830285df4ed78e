// SPDX-License-Identifier: GPL-2.0-only
/*
 * Manifests: JSON with json-c, padded to a fixed size and rewritten in
 * place (see manifest.h for why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "manifest.h"

void manifest_free(struct manifest *m)
{
	strv_free(&m->args);
}

/* ------------------------------------------------------------ writing */

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v && v[0] ? json_object_new_string(v) :
			       NULL);
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

/* A time, or null when it did not happen (yet). */
static void add_time(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, v ? json_object_new_uint64(v) : NULL);
}

static struct json_object *times_json(const struct manifest_times *t)
{
	struct json_object *o = json_object_new_object();

	add_time(o, "launched", t->launched);
	add_time(o, "stop_sent", t->stop_sent);
	add_time(o, "stopped", t->stopped);
	add_time(o, "saved", t->saved);
	add_time(o, "quit", t->quit);
	add_time(o, "resume_started", t->resume_started);
	add_time(o, "loaded", t->loaded);
	add_time(o, "cont_sent", t->cont_sent);
	add_time(o, "resumed", t->resumed);
	add_time(o, "cont_done", t->cont_done);
	return o;
}

static struct json_object *qemu_json(const struct manifest *m)
{
	struct json_object *o = json_object_new_object();
	char v[64];

	snprintf(v, sizeof(v), "%d.%d.%d", m->version.major, m->version.minor,
		 m->version.micro);
	add_str(o, "binary", m->qemu_bin);
	add_str(o, "version", v);
	json_object_object_add(o, "package",
			       json_object_new_string(m->version.package));
	add_str(o, "method", m->method);
	return o;
}

static struct json_object *state_json(const struct manifest *m)
{
	struct json_object *o = json_object_new_object();
	char hash[24];

	snprintf(hash, sizeof(hash), "%016llx",
		 (unsigned long long)m->state_hash);
	add_str(o, "file", m->state_file);
	add_u64(o, "capacity", m->state_capacity);
	add_u64(o, "size", m->state_size);
	add_str(o, "fnv1a64", m->state_size ? hash : NULL);
	return o;
}

int manifest_to_json(const struct manifest *m, char **text)
{
	struct json_object *o = json_object_new_object(), *sub, *args;
	uint64_t upper, down = manifest_downtime(m, &upper);
	int i;

	json_object_object_add(o, "format",
			       json_object_new_string(MANIFEST_FORMAT));
	json_object_object_add(o, "version",
			       json_object_new_int(MANIFEST_VERSION));
	add_str(o, "name", m->name);
	add_str(o, "state", m->state);
	json_object_object_add(o, "persistent",
			       json_object_new_boolean(m->persistent));
	add_str(o, "dir", m->dir);
	add_str(o, "pool", m->pool);
	json_object_object_add(o, "qemu", qemu_json(m));

	sub = json_object_new_object();
	add_str(sub, "requested", m->machine_requested);
	add_str(sub, "type", m->machine_type);
	json_object_object_add(o, "machine", sub);
	sub = json_object_new_object();
	add_str(sub, "model", m->cpu);
	json_object_object_add(sub, "host",
			       json_object_new_boolean(m->cpu_host));
	json_object_object_add(o, "cpu", sub);
	sub = json_object_new_object();
	add_str(sub, "file", m->ram_file);
	add_u64(sub, "size", m->ram_size);
	add_str(sub, "backend", m->backend_id);
	json_object_object_add(o, "ram", sub);
	json_object_object_add(o, "state_file", state_json(m));
	add_str(o, "agent", m->agent_path);

	args = json_object_new_array();
	for (i = 0; i < m->args.n; i++)
		json_object_array_add(args, json_object_new_string(m->args.v[i]));
	json_object_object_add(o, "args", args);
	json_object_object_add(o, "prefault", json_object_new_int64(m->prefault));
	json_object_object_add(o, "was_running",
			       json_object_new_boolean(m->was_running));

	sub = json_object_new_object();
	json_object_object_add(sub, "pid", json_object_new_int(m->pid));
	add_u64(sub, "start_time", m->pid_start);
	add_str(sub, "boot_id", m->boot_id);
	json_object_object_add(o, "process", sub);
	sub = json_object_new_object();
	add_str(sub, "saved", m->kernel_saved);
	add_str(sub, "resumed", m->kernel_resumed);
	json_object_object_add(o, "kernel", sub);
	json_object_object_add(o, "resumes", json_object_new_int64(m->resumes));
	json_object_object_add(o, "times", times_json(&m->t));
	sub = json_object_new_object();
	add_time(sub, "ns", down);
	add_time(sub, "upper_ns", upper);
	json_object_object_add(o, "downtime", sub);

	*text = strdup(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return *text ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------ reading */

struct reader {
	struct json_object *root;
	char *err;
	size_t errlen;
	int bad;
};

static void bad(struct reader *r, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct reader *r, const char *format, ...)
{
	va_list args;

	if (r->bad)
		return;
	r->bad = -EBADMSG;
	va_start(args, format);
	vsnprintf(r->err, r->errlen, format, args);
	va_end(args);
}

/* @o's @key of @type; NULL (and an error unless @optional) otherwise. */
static struct json_object *field(struct reader *r, struct json_object *o,
				 const char *key, enum json_type type,
				 bool optional)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v) {
		if (!optional)
			bad(r, "field '%s' is missing", key);
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		bad(r, "field '%s' has the wrong type", key);
		return NULL;
	}
	return v;
}

static void get_str(struct reader *r, struct json_object *o, const char *key,
		    char *buf, size_t size, bool optional)
{
	struct json_object *v = field(r, o, key, json_type_string, optional);
	const char *s = v ? json_object_get_string(v) : "";

	if (strlen(s) >= size)
		bad(r, "field '%s' is too long", key);
	else
		memcpy(buf, s, strlen(s) + 1);
}

static uint64_t get_u64(struct reader *r, struct json_object *o,
			const char *key, bool optional)
{
	struct json_object *v = field(r, o, key, json_type_int, optional);

	/* json-c clamps: a large unsigned value reads as INT64_MAX here. */
	if (v && json_object_get_int64(v) < 0)
		bad(r, "field '%s' is negative", key);
	return v ? json_object_get_uint64(v) : 0;
}

static bool get_bool(struct reader *r, struct json_object *o,
		     const char *key)
{
	struct json_object *v = field(r, o, key, json_type_boolean, false);

	return v && json_object_get_boolean(v);
}

static void read_times(struct reader *r, struct json_object *o,
		       struct manifest_times *t)
{
	t->launched = get_u64(r, o, "launched", true);
	t->stop_sent = get_u64(r, o, "stop_sent", true);
	t->stopped = get_u64(r, o, "stopped", true);
	t->saved = get_u64(r, o, "saved", true);
	t->quit = get_u64(r, o, "quit", true);
	t->resume_started = get_u64(r, o, "resume_started", true);
	t->loaded = get_u64(r, o, "loaded", true);
	t->cont_sent = get_u64(r, o, "cont_sent", true);
	t->resumed = get_u64(r, o, "resumed", true);
	t->cont_done = get_u64(r, o, "cont_done", true);
}

static void read_qemu(struct reader *r, struct json_object *q,
		      struct manifest *m)
{
	char v[64] = "";

	get_str(r, q, "binary", m->qemu_bin, sizeof(m->qemu_bin), false);
	get_str(r, q, "version", v, sizeof(v), false);
	if (!r->bad && sscanf(v, "%d.%d.%d", &m->version.major,
			      &m->version.minor, &m->version.micro) != 3)
		bad(r, "field 'version' is not MAJOR.MINOR.MICRO");
	get_str(r, q, "package", m->version.package,
		sizeof(m->version.package), true);
	get_str(r, q, "method", m->method, sizeof(m->method), true);
}

static void read_state(struct reader *r, struct json_object *s,
		       struct manifest *m)
{
	char hash[24] = "";

	get_str(r, s, "file", m->state_file, sizeof(m->state_file), true);
	m->state_capacity = get_u64(r, s, "capacity", false);
	m->state_size = get_u64(r, s, "size", false);
	get_str(r, s, "fnv1a64", hash, sizeof(hash), true);
	m->state_hash = strtoull(hash, NULL, 16);
}

static void read_args(struct reader *r, struct json_object *a,
		      struct manifest *m)
{
	struct json_object *v;
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string))
			return bad(r, "argument %zu is not a string", i);
		if (strv_push(&m->args, json_object_get_string(v)))
			return bad(r, "out of memory");
	}
}

static void read_all(struct reader *r, struct json_object *o,
		     struct manifest *m)
{
	struct json_object *sub;

	get_str(r, o, "name", m->name, sizeof(m->name), false);
	get_str(r, o, "state", m->state, sizeof(m->state), false);
	m->persistent = get_bool(r, o, "persistent");
	get_str(r, o, "dir", m->dir, sizeof(m->dir), false);
	get_str(r, o, "pool", m->pool, sizeof(m->pool), true);
	read_qemu(r, field(r, o, "qemu", json_type_object, false), m);
	sub = field(r, o, "machine", json_type_object, false);
	get_str(r, sub, "requested", m->machine_requested,
		sizeof(m->machine_requested), true);
	get_str(r, sub, "type", m->machine_type, sizeof(m->machine_type),
		true);
	sub = field(r, o, "cpu", json_type_object, false);
	get_str(r, sub, "model", m->cpu, sizeof(m->cpu), true);
	m->cpu_host = get_bool(r, sub, "host");
	sub = field(r, o, "ram", json_type_object, false);
	get_str(r, sub, "file", m->ram_file, sizeof(m->ram_file), true);
	m->ram_size = get_u64(r, sub, "size", false);
	get_str(r, sub, "backend", m->backend_id, sizeof(m->backend_id), true);
	read_state(r, field(r, o, "state_file", json_type_object, false), m);
	get_str(r, o, "agent", m->agent_path, sizeof(m->agent_path), true);
	read_args(r, field(r, o, "args", json_type_array, false), m);
	m->prefault = get_u64(r, o, "prefault", false);
	m->was_running = get_bool(r, o, "was_running");
	sub = field(r, o, "process", json_type_object, false);
	m->pid = get_u64(r, sub, "pid", false);
	m->pid_start = get_u64(r, sub, "start_time", false);
	get_str(r, sub, "boot_id", m->boot_id, sizeof(m->boot_id), true);
	sub = field(r, o, "kernel", json_type_object, false);
	get_str(r, sub, "saved", m->kernel_saved, sizeof(m->kernel_saved), true);
	get_str(r, sub, "resumed", m->kernel_resumed,
		sizeof(m->kernel_resumed), true);
	m->resumes = get_u64(r, o, "resumes", false);
	read_times(r, field(r, o, "times", json_type_object, false), &m->t);
	if (!r->bad && strcmp(m->state, "running") && strcmp(m->state, "saved"))
		bad(r, "unknown state '%s'", m->state);
	if (!r->bad && !guest_name_ok(m->name))
		bad(r, "'%s' is not a guest name", m->name);
}

int manifest_from_json(const char *text, struct manifest *m, char *err,
		       size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct reader r = { .err = err, .errlen = errlen };
	struct json_object *fmt;
	size_t used;

	memset(m, 0, sizeof(*m));
	if (!tok)
		return -ENOMEM;
	r.root = json_tokener_parse_ex(tok, text, strlen(text));
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!r.root || !json_object_is_type(r.root, json_type_object)) {
		bad(&r, "not a JSON object");
		goto out;
	}
	/* The padding: only white space may follow. */
	if (text[used + strspn(text + used, " \t\r\n")]) {
		bad(&r, "something follows the JSON object");
		goto out;
	}
	fmt = field(&r, r.root, "format", json_type_string, false);
	if (fmt && strcmp(json_object_get_string(fmt), MANIFEST_FORMAT)) {
		bad(&r, "format '%s' is not " MANIFEST_FORMAT,
		    json_object_get_string(fmt));
		goto out;
	}
	if (!r.bad && get_u64(&r, r.root, "version", false) != MANIFEST_VERSION)
		bad(&r, "format version %llu, this vmpkram-qemu reads version %d",
		    (unsigned long long)get_u64(&r, r.root, "version", false),
		    MANIFEST_VERSION);
	if (!r.bad)
		read_all(&r, r.root, m);
out:
	json_object_put(r.root);
	if (r.bad)
		manifest_free(m);
	return r.bad;
}

/* --------------------------------------------------------------- files */

int manifest_write(int fd, const struct manifest *m)
{
	size_t len;
	char *text, *buf;
	ssize_t n;
	int ret;

	ret = manifest_to_json(m, &text);
	if (ret)
		return ret;
	len = strlen(text);
	if (len + 1 > m->capacity) {
		free(text);
		return -EFBIG;
	}
	buf = malloc(m->capacity);
	if (!buf) {
		free(text);
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	memset(buf + len, ' ', m->capacity - len - 1);
	buf[m->capacity - 1] = '\n';
	free(text);
	/* One write of the whole file; its size never changes. */
	n = pwrite(fd, buf, m->capacity, 0);
	ret = n < 0 ? -errno : (size_t)n != m->capacity ? -EIO : 0;
	free(buf);
	if (!ret && fsync(fd))
		ret = -errno;
	return ret;
}

int manifest_create(const char *path, struct manifest *m, bool replace)
{
	char *text;
	int fd, ret;

	ret = manifest_to_json(m, &text);
	if (ret)
		return ret;
	/* Room for the times, downtimes and a longer path later. */
	m->capacity = (strlen(text) * 2 + 8192 + 4095) & ~4095UL;
	free(text);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (replace ? 0 : O_EXCL),
		  0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, m->capacity)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = manifest_write(fd, m);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int manifest_open(const char *path, bool readonly, struct manifest *m,
		  char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd, ret;

	memset(m, 0, sizeof(*m));
	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > MANIFEST_MAX_SIZE) {
		snprintf(err, errlen, "not a manifest: %s",
			 S_ISREG(st.st_mode) ? "empty or too large" :
					       "not a regular file");
		ret = -EBADMSG;
		goto fail;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto fail;
	}
	n = pread(fd, buf, st.st_size, 0);
	if (n != st.st_size) {
		ret = n < 0 ? -errno : -EIO;
		free(buf);
		goto fail;
	}
	buf[n] = '\0';
	ret = manifest_from_json(buf, m, err, errlen);
	free(buf);
	if (ret)
		goto fail;
	m->capacity = st.st_size;
	return fd;
fail:
	close(fd);
	return ret;
}

uint64_t manifest_downtime(const struct manifest *m, uint64_t *upper)
{
	const struct manifest_times *t = &m->t;

	*upper = 0;
	/* A resume after the last save only. */
	if (!t->cont_done || t->cont_done < t->stop_sent || !t->stop_sent)
		return 0;
	*upper = t->cont_done - t->stop_sent;
	if (t->resumed && t->stopped && t->resumed > t->stopped &&
	    t->stopped >= t->stop_sent && t->resumed <= t->cont_done)
		return t->resumed - t->stopped;
	return *upper;
}
