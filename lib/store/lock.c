/* store/lock.c - one writer per database (SPEC §4).
 *
 * The lock is an flock(2) on DB.lock, a file beside the database (beside the file itself
 * when DB is a symlink) that holds the PID of the holder. It is taken before SQLite opens the database, so it covers creating one;
 * the kernel drops it when its holder's process ends, however it ends (a run killed
 * with -9 frees it at once); the file itself stays, as -wal and -shm do. A waiting run
 * polls every 50 ms until its --wait runs out. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/timestamp.h"
#include "lib/store/internal.h"

#define POLL_US 50000
#define MIN_WAIT_US 200000

/* The PID the holder wrote, 0 when unknown. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* The lock file of the database at path, malloc'd: beside the file a symlink names, so
 * that two names of one database share one lock; NULL when out of memory. */
static char *lock_path(const char *path)
{
	char *real = realpath(path, NULL); /* NULL for a database not made yet: its own name */
	const char *p = real ? real : path;
	size_t n = strlen(p);
	char *lock = malloc(n + sizeof ".lock");
	if (lock) {
		memcpy(lock, p, n);
		memcpy(lock + n, ".lock", sizeof ".lock");
	}
	free(real);
	return lock;
}

int rl_store_lock(rl_store *st, const char *path, const rl_store_opts *o, rl_err *err)
{
	char *lock = lock_path(path);
	if (!lock)
		return rl_err_set(err, RL_ENOMEM, path, 0, "out of memory");
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		int rc = rl_err_set(
			err, RL_EDB, path, 0,
			"cannot create the lock file %s: %s (does its directory exist, and may you write there?)", lock,
			strerror(e));
		free(lock);
		return rc;
	}
	free(lock);
	/* at least a moment: a report that looks at the lock (rl_store_writer_busy) holds it
	 * for microseconds, and --wait 0 must not fail for that */
	int64_t deadline = rl_mono_us() + (o->wait_us > MIN_WAIT_US ? o->wait_us : MIN_WAIT_US);
	bool said = false;
	long pid = 0;
	int tries = 0;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			int e = errno;
			close(fd);
			return rl_err_set(err, RL_EDB, path, 0, "cannot lock the database: %s", strerror(e));
		}
		pid = holder_pid(fd);
		if (rl_mono_us() >= deadline) {
			close(fd);
			if (pid > 0)
				return rl_err_set(err, RL_EDB, path, 0,
						  "another retrylens (PID %ld) is still writing to this database after "
						  "%.0f s: wait longer (--wait SECONDS) or stop it",
						  pid, o->wait_us / 1e6);
			return rl_err_set(err, RL_EDB, path, 0,
					  "another retrylens is still writing to this database after %.0f s: wait "
					  "longer (--wait SECONDS) or stop it",
					  o->wait_us / 1e6);
		}
		/* said after a second try: a report's glance at the lock is gone by then */
		if (!said && tries++ && o->waiting) {
			o->waiting(o->waiting_ctx, path, pid, o->wait_us);
			said = true;
		}
		struct timespec ts = {0, POLL_US * 1000L};
		nanosleep(&ts, NULL);
	}
	/* ours: say who holds it */
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
		/* the PID is only for the message of a waiting run: the lock holds without it */
	}
	st->lock_fd = fd;
	return 0;
}

bool rl_store_writer_busy(const char *path)
{
	char *lock = lock_path(path);
	if (!lock)
		return false;
	int fd = open(lock, O_RDONLY | O_CLOEXEC);
	free(lock);
	if (fd < 0)
		return false; /* never written to by this version, or not ours to read */
	bool busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd); /* drops a shared lock this took */
	return busy;
}

void rl_store_unlock(rl_store *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* drops the flock */
	st->lock_fd = -1;
}
