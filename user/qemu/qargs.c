// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU command lines: parse, check, resolve.  See qargs.h for the rules
 * and why.  Nothing here runs QEMU: the machine list comes in as text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "qargs.h"

/* ------------------------------------------------------------ values */

int qemu_bool(const char *s)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

int qemu_parse_size(const char *s, bool default_mib, uint64_t *out)
{
	static const char units[] = "BKMGTPE";
	unsigned long long whole = 0, frac = 0, scale = 1;
	const char *p = s, *u;
	unsigned int shift;
	long double v;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p) && scale < 1000000000ULL; p++) {
			frac = frac * 10 + (*p - '0');
			scale *= 10;
		}
		if (scale == 1 || isdigit((unsigned char)*p))
			return -EINVAL;
	}
	if (!*p) {
		shift = default_mib ? 20 : 0;
	} else {
		u = strchr(units, toupper((unsigned char)*p));
		if (!u || !*u)
			return -EINVAL;
		shift = 10 * (u - units);
		p++;
		/* "512MB" as well as "512M" */
		if (shift && (*p == 'B' || *p == 'b'))
			p++;
		if (*p)
			return -EINVAL;
	}
	v = ((long double)whole + (long double)frac / scale) *
	    (long double)(1ULL << shift);
	if (v >= 18446744073709551616.0L)
		return -ERANGE;
	if (v != (long double)(uint64_t)v)
		return -EINVAL;		/* a fraction of a byte */
	*out = (uint64_t)v;
	return 0;
}

int qemu_parse_version(const char *text, struct qmp_version *v)
{
	const char *p = strstr(text, "version ");
	const char *open, *close;
	int n = 0;

	memset(v, 0, sizeof(*v));
	if (!p || sscanf(p, "version %d.%d.%d%n", &v->major, &v->minor,
			 &v->micro, &n) != 3)
		return -EINVAL;
	p += n;
	open = strchr(p, '(');
	close = open ? strchr(open, ')') : NULL;
	/* Up to the end of the first line only. */
	if (open && close && !memchr(p, '\n', open - p) &&
	    !memchr(open, '\n', close - open))
		snprintf(v->package, sizeof(v->package), "%.*s",
			 (int)(close - open - 1), open + 1);
	return 0;
}

/* ----------------------------------------------------- key=value lists */

void qopts_free(struct qopts *o)
{
	int i;

	for (i = 0; i < o->n; i++) {
		free(o->key[i]);
		free(o->val[i]);
	}
	o->n = 0;
}

static int qopts_add(struct qopts *o, const char *key, size_t klen,
		     const char *val)
{
	if (o->n == (int)(sizeof(o->key) / sizeof(o->key[0])))
		return -EINVAL;
	o->key[o->n] = strndup(key, klen);
	o->val[o->n] = strdup(val);
	o->n++;
	if (!o->key[o->n - 1] || !o->val[o->n - 1])
		return -ENOMEM;
	return 0;
}

int qopts_parse(const char *s, const char *implied, struct qopts *o)
{
	size_t len = strlen(s), i, k;
	char *elem = malloc(len + 1);
	const char *eq;
	int ret = 0, first = 1;

	memset(o, 0, sizeof(*o));
	if (!elem)
		return -ENOMEM;
	for (i = 0; i <= len && !ret;) {
		/* One element, ",," standing for a comma. */
		for (k = 0; i < len; i++) {
			if (s[i] == ',' && s[i + 1] == ',') {
				elem[k++] = ',';
				i++;
			} else if (s[i] == ',') {
				break;
			} else {
				elem[k++] = s[i];
			}
		}
		elem[k] = '\0';
		i++;
		eq = strchr(elem, '=');
		if (!k && i > len)
			break;
		if (eq)
			ret = qopts_add(o, elem, eq - elem, eq + 1);
		else if (first && implied)
			ret = qopts_add(o, implied, strlen(implied), elem);
		else if (k && !strncmp(elem, "no", 2))
			/* "nowait" is wait=off, */
			ret = qopts_add(o, elem + 2, k - 2, "off");
		else if (k)
			/* "server" is server=on. */
			ret = qopts_add(o, elem, k, "on");
		first = 0;
	}
	free(elem);
	return ret;
}

const char *qopts_get(const struct qopts *o, const char *key)
{
	int i;

	/* The last occurrence wins, as in QEMU. */
	for (i = o->n - 1; i >= 0; i--)
		if (!strcmp(o->key[i], key))
			return o->val[i];
	return NULL;
}

/* A JSON object ("-object {...}") as a key=value list. */
static int qopts_from_json(const char *s, struct qopts *o)
{
	struct json_object *obj = json_tokener_parse(s);
	const char *v;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return -EINVAL;
	}
	json_object_object_foreach(obj, key, val) {
		if (json_object_is_type(val, json_type_boolean))
			v = json_object_get_boolean(val) ? "on" : "off";
		else
			v = json_object_get_string(val);
		ret = qopts_add(o, key, strlen(key), v ? v : "");
		if (ret)
			break;
	}
	json_object_put(obj);
	return ret;
}

static int qopts_any(const char *s, const char *implied, struct qopts *o)
{
	if (s[0] == '{')
		return qopts_from_json(s, o);
	return qopts_parse(s, implied, o);
}

/* ------------------------------------------------------ machine types */

int qemu_machine_resolve(const char *help, const char *requested,
			 char *type, size_t size)
{
	const char *line = help, *next, *alias;
	char name[128], rest[512];
	size_t len;

	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		len = next ? (size_t)(next - line) : strlen(line);
		if (next)
			next++;
		if (sscanf(line, "%127s", name) != 1 || len >= sizeof(rest))
			continue;
		memcpy(rest, line, len);
		rest[len] = '\0';
		if (requested && *requested ? strcmp(name, requested) :
		    !strstr(rest, "(default)"))
			continue;
		alias = strstr(rest, "(alias of ");
		if (alias && sscanf(alias, "(alias of %127[^)])", name) != 1)
			continue;
		snprintf(type, size, "%s", name);
		return 0;
	}
	return -ENOENT;
}

/* ------------------------------------------------------------ options */

/* QEMU options that take no value (qemu-options.hx, 7.2 to 10.0). */
static const char *const flag_options[] = {
	"S", "s", "h", "help", "version", "nodefaults", "no-user-config",
	"snapshot", "mem-prealloc", "usb", "nographic", "curses", "sdl",
	"alt-grab", "ctrl-grab", "portrait", "full-screen", "win2k-hack",
	"no-fd-bootchk", "no-acpi", "no-hpet", "singlestep", "preconfig",
	"enable-kvm", "xen-attach", "xen-domid-restrict", "no-reboot",
	"no-shutdown", "daemonize", "only-migratable", "semihosting",
	"old-param", "enable-sync-profile", "perfmap", "jitdump",
	"async-teardown", "enable-fips", "no-quit", "rtc-td-hack", "no-kvm",
	"no-kvm-irqchip", "no-kvm-pit", "no-kvm-pit-reinjection",
	"audio-help", "no-frame",
};

static bool takes_value(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(flag_options) / sizeof(flag_options[0]); i++)
		if (!strcmp(name, flag_options[i]))
			return false;
	return true;
}

/* The shim runs QEMU and talks to it: these are its own. */
static const char *const owned_options[][2] = {
	{ "incoming", "the shim starts incoming migrations itself (resume)" },
	{ "daemonize", "the shim runs QEMU in the background itself" },
	{ "pidfile", "the shim keeps QEMU's pid file in its runtime directory" },
	{ "loadvm", "a snapshot loaded at start would not be the saved guest" },
	{ "preconfig", "the shim needs the machine built to manage it" },
	{ "readconfig", "the shim cannot check options read from a file: give them on the command line" },
	{ "writeconfig", "not supported" },
};

struct backend {
	char id[64];
	char type[64];
	char path[512];
	int share;			/* -1: not given */
	uint64_t size;
	bool size_bad;
};

struct resolve {
	const struct qargs_in *in;
	struct qargs_out *out;
	struct qopts machine;		/* merged -machine options */
	int machine_at;			/* argv index of the first, or -1 */
	struct backend backends[16];
	int nr_backends;
	bool vfio;
	char agent_chardev[64];
	struct qopts chardevs;		/* id -> path of server sockets */
};

static int refuse(struct resolve *r, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct resolve *r, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(r->out->error, sizeof(r->out->error), format, args);
	va_end(args);
	return -EINVAL;
}

static void warn(struct resolve *r, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct resolve *r, const char *format, ...)
{
	struct qargs_out *out = r->out;
	va_list args;

	if (out->nr_warnings == QARGS_MAX_WARNINGS)
		return;
	va_start(args, format);
	vsnprintf(out->warnings[out->nr_warnings++], sizeof(out->warnings[0]),
		  format, args);
	va_end(args);
}

static int machine_option(struct resolve *r, const char *value, int at)
{
	struct qopts o;
	int i, ret;

	ret = qopts_parse(value, "type", &o);
	if (ret) {
		qopts_free(&o);
		return ret == -ENOMEM ? ret :
		       refuse(r, "-machine '%s': cannot parse it", value);
	}
	if (r->machine_at < 0)
		r->machine_at = at;
	for (i = 0; i < o.n && !ret; i++)
		ret = qopts_add(&r->machine, o.key[i], strlen(o.key[i]),
				o.val[i]);
	qopts_free(&o);
	return ret;
}

static int memory_option(struct resolve *r, const char *value)
{
	const char *size;
	struct qopts o;
	int ret;

	ret = qopts_parse(value, "size", &o);
	size = ret ? NULL : qopts_get(&o, "size");
	if (size && qemu_parse_size(size, true, &r->out->m_size))
		ret = -EINVAL;
	qopts_free(&o);
	if (ret == -EINVAL)
		return refuse(r, "-m '%s': cannot parse the size", value);
	return ret;
}

static int object_option(struct resolve *r, const char *value)
{
	struct backend *b = &r->backends[r->nr_backends];
	const char *type, *v;
	struct qopts o;
	int ret;

	ret = qopts_any(value, "qom-type", &o);
	if (ret) {
		qopts_free(&o);
		return ret == -ENOMEM ? ret :
		       refuse(r, "-object '%s': cannot parse it", value);
	}
	type = qopts_get(&o, "qom-type");
	if (!type || strncmp(type, "memory-backend-", 15)) {
		qopts_free(&o);
		return 0;
	}
	if (r->nr_backends == (int)(sizeof(r->backends) / sizeof(r->backends[0]))) {
		qopts_free(&o);
		return refuse(r, "too many memory backends");
	}
	memset(b, 0, sizeof(*b));
	snprintf(b->type, sizeof(b->type), "%s", type);
	snprintf(b->id, sizeof(b->id), "%s", (v = qopts_get(&o, "id")) ? v : "");
	snprintf(b->path, sizeof(b->path), "%s",
		 (v = qopts_get(&o, "mem-path")) ? v : "");
	v = qopts_get(&o, "share");
	b->share = v ? qemu_bool(v) : -1;
	v = qopts_get(&o, "size");
	b->size_bad = !v || qemu_parse_size(v, false, &b->size);
	r->nr_backends++;
	qopts_free(&o);
	return 0;
}

static int device_option(struct resolve *r, const char *value)
{
	const char *driver, *v;
	struct qopts o;
	int ret;

	ret = qopts_any(value, "driver", &o);
	if (ret) {
		qopts_free(&o);
		return ret == -ENOMEM ? ret : 0;	/* QEMU will say */
	}
	driver = qopts_get(&o, "driver");
	if (driver && !strncmp(driver, "vfio", 4))
		r->vfio = true;
	if (driver && strstr(driver, "vhost-user"))
		warn(r, "-device %s: a vhost-user backend must reconnect after resume; this is not supported",
		     driver);
	if (driver && !strcmp(driver, "virtserialport") &&
	    (v = qopts_get(&o, "name")) &&
	    !strcmp(v, "org.qemu.guest_agent.0") &&
	    (v = qopts_get(&o, "chardev")))
		snprintf(r->agent_chardev, sizeof(r->agent_chardev), "%s", v);
	qopts_free(&o);
	return 0;
}

static int chardev_option(struct resolve *r, const char *value)
{
	const char *backend, *id, *path, *server;
	struct qopts o;
	int ret;

	ret = qopts_any(value, "backend", &o);
	if (ret) {
		qopts_free(&o);
		return ret == -ENOMEM ? ret : 0;
	}
	backend = qopts_get(&o, "backend");
	id = qopts_get(&o, "id");
	path = qopts_get(&o, "path");
	server = qopts_get(&o, "server");
	if (backend && !strcmp(backend, "socket") && id && path && server &&
	    qemu_bool(server) == 1)
		ret = qopts_add(&r->chardevs, id, strlen(id), path);
	qopts_free(&o);
	return ret;
}

static int netdev_option(struct resolve *r, const char *value)
{
	if (!strncmp(value, "vhost-user", 10) || strstr(value, "type=vhost-user"))
		warn(r, "-netdev vhost-user: the backend must reconnect after resume; this is not supported");
	return 0;
}

static int cpu_option(struct resolve *r, const char *value)
{
	struct qargs_out *out = r->out;
	size_t len = strcspn(value, ",");

	snprintf(out->cpu, sizeof(out->cpu), "%.*s", (int)len, value);
	out->cpu_host = !strcmp(out->cpu, "host") || !strcmp(out->cpu, "max");
	return 0;
}

static int owned_option(struct resolve *r, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(owned_options) / sizeof(owned_options[0]); i++)
		if (!strcmp(name, owned_options[i][0]))
			return refuse(r, "-%s is refused: %s", name,
				      owned_options[i][1]);
	if (r->in->mem && !strcmp(name, "mem-path"))
		return refuse(r, "-mem-path is refused with --mem: the guest's RAM is its file in the pool");
	if (r->in->mem && !strcmp(name, "mem-prealloc"))
		return refuse(r, "-mem-prealloc is refused with --mem: RAM in the pool is already allocated (use --prefault for other RAM)");
	return 0;
}

/* Walks the arguments once, collecting what the checks need. */
static int scan(struct resolve *r)
{
	char *const *argv = r->in->argv;
	const char *name, *value;
	int i, ret;

	for (i = 0; i < r->in->argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1])
			continue;	/* a disk image, as QEMU takes it */
		name = argv[i] + 1 + (argv[i][1] == '-');
		value = NULL;
		if (takes_value(name)) {
			if (i + 1 >= r->in->argc)
				return refuse(r, "-%s needs a value", name);
			value = argv[++i];
		}
		ret = owned_option(r, name);
		if (!ret && !strcmp(name, "S"))
			r->out->paused = true;
		else if (!ret && (!strcmp(name, "machine") || !strcmp(name, "M")))
			ret = machine_option(r, value, i - 1);
		else if (!ret && !strcmp(name, "m"))
			ret = memory_option(r, value);
		else if (!ret && !strcmp(name, "object"))
			ret = object_option(r, value);
		else if (!ret && !strcmp(name, "device"))
			ret = device_option(r, value);
		else if (!ret && !strcmp(name, "chardev"))
			ret = chardev_option(r, value);
		else if (!ret && !strcmp(name, "netdev"))
			ret = netdev_option(r, value);
		else if (!ret && !strcmp(name, "cpu"))
			ret = cpu_option(r, value);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct backend *find_backend(const struct resolve *r,
					  const char *id)
{
	int i;

	for (i = 0; i < r->nr_backends; i++)
		if (!strcmp(r->backends[i].id, id))
			return &r->backends[i];
	return NULL;
}

/* The caller's own backend for the guest's RAM: it must be the file. */
static int check_own_backend(struct resolve *r, const struct backend *b)
{
	const struct qargs_in *in = r->in;

	if (strcmp(b->type, "memory-backend-file"))
		return refuse(r, "memory backend '%s' is %s: the guest's RAM must be a memory-backend-file in the pool (or leave the backend to vmpkram-qemu)",
			      b->id, b->type);
	if (strcmp(b->path, in->ram_path))
		return refuse(r, "memory backend '%s' maps %s, not the guest's RAM file %s",
			      b->id, b->path[0] ? b->path : "no file",
			      in->ram_path);
	if (b->share != 1)
		return refuse(r, "memory backend '%s' without share=on: a private mapping loses the guest's RAM when QEMU quits",
			      b->id);
	if (b->size_bad || b->size != in->mem)
		return refuse(r, "memory backend '%s' has size=%llu, --mem says %llu: the sizes must match",
			      b->id, (unsigned long long)b->size,
			      (unsigned long long)in->mem);
	return 0;
}

static int check_persistent(struct resolve *r)
{
	const struct qargs_in *in = r->in;
	struct qargs_out *out = r->out;
	const struct backend *b;
	const char *mb;
	int i, ret;

	if (out->m_size && out->m_size != in->mem)
		return refuse(r, "-m says %llu bytes, --mem %llu: the sizes must match",
			      (unsigned long long)out->m_size,
			      (unsigned long long)in->mem);
	mb = qopts_get(&r->machine, "memory-backend");
	if (mb) {
		b = find_backend(r, mb);
		if (!b)
			return refuse(r, "-machine memory-backend=%s: no memory backend object has that id",
				      mb);
		ret = check_own_backend(r, b);
		if (ret)
			return ret;
	} else if (find_backend(r, in->backend_id)) {
		return refuse(r, "the id '%s' is vmpkram-qemu's own backend's: choose another",
			      in->backend_id);
	}
	snprintf(out->backend_id, sizeof(out->backend_id), "%s",
		 mb ? mb : in->backend_id);
	for (i = 0; i < r->nr_backends; i++)
		if (strcmp(r->backends[i].id, out->backend_id))
			return refuse(r, "another RAM backend, '%s' (%s): its memory would be lost at a kexec; only the guest's RAM file is kept",
				      r->backends[i].id, r->backends[i].type);
	if (r->vfio)
		return refuse(r, "VFIO devices are not supported: their long-term pins are refused on DAX memory, and cpr-reboot keeps them only for a suspended guest");
	if (out->cpu_host && !in->allow_cpu_host)
		return refuse(r, "-cpu %s changes with the host kernel's KVM, so the guest may not resume after a kernel update: name a CPU model (e.g. -cpu EPYC-v4), or allow it with --allow-cpu-host",
			      out->cpu);
	if (out->cpu_host)
		warn(r, "-cpu %s allowed (--allow-cpu-host): resuming after a kernel update fails if the new kernel's KVM offers other CPU features",
		     out->cpu);
	return 0;
}

static int resolve_machine(struct resolve *r)
{
	const struct qargs_in *in = r->in;
	struct qargs_out *out = r->out;
	const char *type = qopts_get(&r->machine, "type");

	snprintf(out->machine_requested, sizeof(out->machine_requested), "%s",
		 type ? type : "");
	if (!in->machine_help ||
	    qemu_machine_resolve(in->machine_help, type, out->machine_type,
				 sizeof(out->machine_type)))
		return refuse(r, "QEMU has no machine type '%s' (see QEMU -machine help)",
			      type ? type : "(default)");
	return 0;
}

/* A growing string. */
struct sbuf {
	char *s;
	size_t len;
	int err;
};

static void sb_add(struct sbuf *b, const char *s, bool escape)
{
	size_t n = strlen(s) * 2 + 1;
	char *p;

	if (b->err)
		return;
	p = realloc(b->s, b->len + n);
	if (!p) {
		b->err = -ENOMEM;
		return;
	}
	b->s = p;
	for (; *s; s++) {
		p[b->len++] = *s;
		/* QEMU's option parser reads ",," as a comma. */
		if (escape && *s == ',')
			p[b->len++] = ',';
	}
	p[b->len] = '\0';
}

static int sb_push(struct sbuf *b, struct strv *args, const char *opt)
{
	int ret = b->err;

	if (!ret)
		ret = strv_push(args, opt);
	if (!ret)
		ret = strv_push(args, b->s);
	free(b->s);
	return ret;
}

static int machine_arg(struct resolve *r, struct strv *args)
{
	const struct qopts *m = &r->machine;
	struct sbuf b = { 0 };
	int i, j;

	sb_add(&b, r->out->machine_type, true);
	/* Each key once, with its last value. */
	for (i = 0; i < m->n; i++) {
		for (j = i + 1; j < m->n; j++)
			if (!strcmp(m->key[i], m->key[j]))
				break;
		if (j < m->n || !strcmp(m->key[i], "type") ||
		    !strcmp(m->key[i], "memory-backend"))
			continue;
		sb_add(&b, ",", false);
		sb_add(&b, m->key[i], true);
		sb_add(&b, "=", false);
		sb_add(&b, m->val[i], true);
	}
	sb_add(&b, ",memory-backend=", false);
	sb_add(&b, r->out->backend_id, true);
	return sb_push(&b, args, "-machine");
}

static int backend_arg(struct resolve *r, struct strv *args)
{
	struct sbuf b = { 0 };
	char size[32];

	snprintf(size, sizeof(size), "%llu", (unsigned long long)r->in->mem);
	sb_add(&b, "memory-backend-file,id=", false);
	sb_add(&b, r->out->backend_id, true);
	sb_add(&b, ",mem-path=", false);
	sb_add(&b, r->in->ram_path, true);
	sb_add(&b, ",share=on,size=", false);
	sb_add(&b, size, false);
	sb_add(&b, ",align=2M", false);
	return sb_push(&b, args, "-object");
}

/*
 * With --mem: our backend (unless the caller gave it), one -machine with
 * the resolved type where the first one was, -m when missing, then the
 * rest unchanged.
 */
static int build(struct resolve *r)
{
	const struct qargs_in *in = r->in;
	struct strv *args = &r->out->args;
	const char *name;
	int i, ret = 0;

	if (!in->mem)
		return strv_append(args, in->argv, in->argc);
	if (!qopts_get(&r->machine, "memory-backend"))
		ret = backend_arg(r, args);
	if (!ret && r->machine_at < 0)
		ret = machine_arg(r, args);
	if (!ret && !r->out->m_size)
		ret = strv_push(args, "-m") ?:
		      strv_pushf(args, "%lluM", (unsigned long long)(in->mem >> 20));
	for (i = 0; i < in->argc && !ret; i++) {
		if (in->argv[i][0] != '-' || !in->argv[i][1]) {
			ret = strv_push(args, in->argv[i]);
			continue;
		}
		name = in->argv[i] + 1 + (in->argv[i][1] == '-');
		if (!strcmp(name, "machine") || !strcmp(name, "M")) {
			if (i == r->machine_at)
				ret = machine_arg(r, args);
			i++;
			continue;
		}
		ret = strv_push(args, in->argv[i]);
		if (!ret && takes_value(name) && i + 1 < in->argc)
			ret = strv_push(args, in->argv[++i]);
	}
	return ret;
}

int qargs_resolve(const struct qargs_in *in, struct qargs_out *out)
{
	struct resolve r = { .in = in, .out = out, .machine_at = -1 };
	const char *path;
	int ret;

	memset(out, 0, sizeof(*out));
	if (in->mem && (in->mem & ((2ULL << 20) - 1)))
		return refuse(&r, "--mem must be a multiple of 2 MiB (the pool's block and the mapping's alignment)");
	ret = scan(&r);
	if (!ret && in->mem)
		ret = check_persistent(&r);
	if (!ret && in->mem)
		ret = resolve_machine(&r);
	if (!ret)
		ret = build(&r);
	if (!ret && r.agent_chardev[0]) {
		path = qopts_get(&r.chardevs, r.agent_chardev);
		if (path)
			snprintf(out->agent_path, sizeof(out->agent_path), "%s",
				 path);
		else
			warn(&r, "the guest agent's chardev '%s' is not a listening UNIX socket: its clock is not set after resume",
			     r.agent_chardev);
	}
	qopts_free(&r.machine);
	qopts_free(&r.chardevs);
	if (ret == -ENOMEM)
		snprintf(out->error, sizeof(out->error), "out of memory");
	return ret;
}

void qargs_free(struct qargs_out *out)
{
	strv_free(&out->args);
}
