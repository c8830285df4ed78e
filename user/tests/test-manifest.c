// SPDX-License-Identifier: GPL-2.0-only
/*
 * Manifests: JSON round trip, the padded file rewritten in place with its
 * size unchanged, and every way a manifest can be refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "tap.h"

static void sample(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->name, "vm1");
	strcpy(m->state, "running");
	m->persistent = true;
	strcpy(m->dir, "/run/vmpkram");
	strcpy(m->pool, "vm");
	strcpy(m->qemu_bin, "/usr/bin/qemu-system-x86_64");
	m->version = (struct qmp_version){ 7, 2, 22, "Debian 1:7.2+dfsg-7" };
	strcpy(m->method, "x-ignore-shared");
	strcpy(m->machine_requested, "q35");
	strcpy(m->machine_type, "pc-q35-7.2");
	strcpy(m->cpu, "EPYC-v4");
	m->ram_size = 256ULL << 20;
	strcpy(m->ram_file, "vm1");
	strcpy(m->backend_id, "vmpkram-ram");
	strcpy(m->state_file, "vm1.state");
	m->state_capacity = 32ULL << 20;
	strv_push(&m->args, "-machine");
	strv_push(&m->args, "pc-q35-7.2,memory-backend=vmpkram-ram");
	strv_push(&m->args, "-append");
	strv_push(&m->args, "console=ttyS0 \"quoted\" \\ back");
	m->pid = 1234;
	m->pid_start = 987654;
	strcpy(m->boot_id, "0c3f0a54-5d0e-4b7e-9f5a-7d6a1c9a0b11");
	m->t.launched = 1700000000123456789ULL;
}

static void test_roundtrip(void)
{
	struct manifest m, back;
	char err[256] = "", *text;
	int ret;

	sample(&m);
	m.state_size = 437000;
	m.state_hash = 0xfedcba9876543210ULL;
	m.t.stop_sent = 1700000100000000000ULL;
	ret = manifest_to_json(&m, &text);
	tap_ok(!ret && strstr(text, "\"format\": \"vmpkram-qemu-manifest\"") &&
	       strstr(text, "\"type\": \"pc-q35-7.2\"") &&
	       strstr(text, "\"fnv1a64\": \"fedcba9876543210\"") &&
	       strstr(text, "\"resumed\": null"),
	       "to JSON: format, machine type, hash in hex, missing times null");
	ret = manifest_from_json(text, &back, err, sizeof(err));
	tap_ok(!ret, "from JSON: parses (%s)", err);
	tap_ok(!ret && !strcmp(back.name, "vm1") && back.persistent &&
	       back.version.major == 7 && back.version.micro == 22 &&
	       !strcmp(back.version.package, "Debian 1:7.2+dfsg-7") &&
	       back.ram_size == m.ram_size && back.state_size == 437000 &&
	       back.state_hash == m.state_hash && back.pid == 1234 &&
	       back.t.launched == m.t.launched &&
	       back.t.stop_sent == m.t.stop_sent && !back.t.stopped,
	       "every field comes back");
	tap_ok(!ret && back.args.n == 4 &&
	       !strcmp(back.args.v[3], "console=ttyS0 \"quoted\" \\ back"),
	       "the arguments come back exactly, quotes and backslashes included");
	free(text);
	manifest_free(&back);
	manifest_free(&m);
}

static void test_file(void)
{
	char dir[] = "/tmp/test-manifest.XXXXXX", path[64], err[256] = "";
	struct manifest m, back;
	struct stat st;
	off_t size;
	int fd, fd2, i;

	if (!mkdtemp(dir))
		return (void)tap_ok(0, "mkdtemp");
	snprintf(path, sizeof(path), "%s/vm1.manifest", dir);
	sample(&m);
	fd = manifest_create(path, &m, false);
	tap_ok(fd >= 0 && !fstat(fd, &st) && st.st_size == (off_t)m.capacity &&
	       m.capacity % 4096 == 0,
	       "create: the file has its fixed size (%llu)",
	       (unsigned long long)m.capacity);
	size = st.st_size;
	tap_ok(manifest_create(path, &m, false) == -EEXIST,
	       "create again without replace: -EEXIST");
	strcpy(m.state, "saved");
	m.t.saved = 1700000200000000000ULL;
	tap_ok(fd >= 0 && !manifest_write(fd, &m) && !fstat(fd, &st) &&
	       st.st_size == size, "rewrite in place: the size stays");
	fd2 = manifest_open(path, true, &back, err, sizeof(err));
	tap_ok(fd2 >= 0 && !strcmp(back.state, "saved") &&
	       back.t.saved == m.t.saved && back.capacity == m.capacity,
	       "open: the rewrite is read back, padding and all (%s)", err);
	if (fd2 >= 0)
		close(fd2);
	manifest_free(&back);
	/* Grow the arguments until the manifest no longer fits. */
	for (i = 0; i < 4000; i++)
		strv_push(&m.args, "-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56");
	tap_ok(fd >= 0 && manifest_write(fd, &m) == -EFBIG && !fstat(fd, &st) &&
	       st.st_size == size,
	       "a manifest that outgrew its file: -EFBIG, the file untouched in size");
	fd2 = manifest_open(path, true, &back, err, sizeof(err));
	tap_ok(fd2 >= 0 && back.args.n == 4,
	       "... and still holds the last good manifest");
	if (fd2 >= 0)
		close(fd2);
	manifest_free(&back);
	manifest_free(&m);
	if (fd >= 0)
		close(fd);
	tap_ok(manifest_open("/nonexistent/x.manifest", true, &back, err,
			     sizeof(err)) == -ENOENT,
	       "open a missing manifest: -ENOENT");
	unlink(path);
	rmdir(dir);
}

static void test_refused(void)
{
	static const struct {
		const char *what, *edit_from, *edit_to, *needle;
	} cases[] = {
		{ "another format", "vmpkram-qemu-manifest", "something-else", "format 'something-else'" },
		{ "a newer format version", "\"version\": 1", "\"version\": 2", "format version 2" },
		{ "a missing field", "\"state\": \"running\"", "\"statx\": \"running\"", "'state' is missing" },
		{ "a field of the wrong type", "\"prefault\": 0", "\"prefault\": \"0\"", "'prefault' has the wrong type" },
		{ "a negative number", "\"prefault\": 0", "\"prefault\": -3", "'prefault' is negative" },
		{ "an unknown state", "\"state\": \"running\"", "\"state\": \"flying\"", "unknown state" },
		{ "a bad name", "\"name\": \"vm1\"", "\"name\": \"../etc\"", "not a guest name" },
		{ "a bad version", "\"version\": \"7.2.22\"", "\"version\": \"seven\"", "MAJOR.MINOR.MICRO" },
	};
	struct manifest m, back;
	char err[256], *text, *edited, *at;
	size_t i;
	int ret;

	sample(&m);
	manifest_to_json(&m, &text);
	manifest_free(&m);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at = strstr(text, cases[i].edit_from);
		if (!at) {
			tap_ok(0, "refused: %s (no '%s' to edit)", cases[i].what,
			       cases[i].edit_from);
			continue;
		}
		edited = malloc(strlen(text) + strlen(cases[i].edit_to) + 1);
		sprintf(edited, "%.*s%s%s", (int)(at - text), text,
			cases[i].edit_to, at + strlen(cases[i].edit_from));
		err[0] = '\0';
		ret = manifest_from_json(edited, &back, err, sizeof(err));
		tap_ok(ret == -EBADMSG && strstr(err, cases[i].needle),
		       "refused: %s (%s)", cases[i].what, err);
		free(edited);
	}
	ret = manifest_from_json("{\"format\": ", &back, err, sizeof(err));
	tap_ok(ret == -EBADMSG && strstr(err, "not a JSON object"),
	       "refused: a truncated manifest (%s)", err);
	edited = malloc(strlen(text) + 8);
	sprintf(edited, "%s  x", text);
	ret = manifest_from_json(edited, &back, err, sizeof(err));
	tap_ok(ret == -EBADMSG && strstr(err, "follows"),
	       "refused: garbage after the padding (%s)", err);
	free(edited);
	free(text);
}

static void test_downtime(void)
{
	struct manifest m;
	uint64_t upper;

	memset(&m, 0, sizeof(m));
	m.t.stop_sent = 1000000000;
	m.t.stopped = 1002000000;
	tap_ok(manifest_downtime(&m, &upper) == 0 && upper == 0,
	       "downtime: none before a resume");
	m.t.cont_sent = 5000000000;
	m.t.resumed = 5001000000;
	m.t.cont_done = 5003000000;
	tap_ok(manifest_downtime(&m, &upper) == 3999000000ULL &&
	       upper == 4003000000ULL,
	       "downtime: STOP to RESUME event, upper bound stop sent to cont answered");
	m.t.resumed = 0;
	tap_ok(manifest_downtime(&m, &upper) == 4003000000ULL,
	       "downtime without QEMU's stamps: the upper bound");
	m.t.cont_done = 500;
	tap_ok(manifest_downtime(&m, &upper) == 0,
	       "downtime: a resume older than the last stop does not count");
}

int main(void)
{
	test_roundtrip();
	test_file();
	test_refused();
	test_downtime();
	return tap_exit();
}
