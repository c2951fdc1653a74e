/* durable — files that are either wholly there or not there at all, even
 * after a crash or a power cut.
 *
 * Usage:
 *   1. Open the directory once: dirfd = open(dir, O_DIRECTORY | O_RDONLY).
 *   2. durable_write(dirfd, name, data, len, mode): writes a temp file
 *      (DURABLE_TEMP_PREFIX + name + random suffix) in that directory, fsyncs
 *      it, renames it over `name` and fsyncs the directory. When it returns 0
 *      the file survives a power cut; on -1 (errno set) nothing new is left
 *      behind (if the final directory sync fails, the new file is taken away
 *      again: "not saved" must stay true) and a previous file of that name
 *      is never lost.
 *   3. durable_move(from_dirfd, from, to_dirfd, to): rename + fsync of both
 *      directories (destination first); durable_unlink(dirfd, name): unlink
 *      + fsync of the directory (gone for good, even after a power cut).
 *   4. After a crash, temp files may remain: durable_is_temp() recognises
 *      them for the caller's recovery pass (removing them is always safe).
 *
 * Every call retries EINTR and short writes; ENOSPC/EIO/EDQUOT come back as
 * -1 with errno. All I/O of this module goes through the functions here, so
 * tests can inject faults at link time (-Wl,--wrap=write, ...).
 */
#ifndef HIFAZAT_DURABLE_H
#define HIFAZAT_DURABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DURABLE_TEMP_PREFIX ".tmp-"

int durable_write(int dirfd, const char *name, const void *data, size_t len, mode_t mode);

/* Creates a temp file in dirfd for the caller to fill (for writers that
 * stream, e.g. libarchive): returns an fd and puts the temp name in
 * tmpname (at least DURABLE_NAME_MAX bytes). Then durable_commit() or
 * durable_abort(). */
enum { DURABLE_NAME_MAX = 256 };
int durable_begin(int dirfd, const char *name, mode_t mode, char *tmpname);
/* fsync(fd), close(fd), rename tmpname -> name, fsync the directory.
 * On failure the temp file is removed and a previous file under name is
 * left in place (kept under a second temp name until the directory sync
 * succeeds; where hard links are impossible, the new whole file stays
 * rather than neither). fd is closed on every path. */
int durable_commit(int dirfd, int fd, const char *tmpname, const char *name);
/* close(fd) (if >= 0) and unlink the temp file; keeps errno. */
void durable_abort(int dirfd, int fd, const char *tmpname);

int durable_move(int from_dirfd, const char *from, int to_dirfd, const char *to);
/* unlinkat + fsync of the directory; 0 / -1 with errno (ENOENT: not there). */
int durable_unlink(int dirfd, const char *name);
/* mkdir (if missing) + fsync of the parent; 0 / -1. */
int durable_mkdir(int parent_dirfd, const char *name, mode_t mode);
int durable_fsync_dir(int dirfd);
/* Writes all of buf (EINTR and short writes retried); 0 / -1. */
int durable_write_all(int fd, const void *buf, size_t len);
/* The read side, for every reader in the project (not only this module's):
 * reads len bytes (EINTR and short reads retried) and returns how many,
 * fewer only at end of file; -1 with errno on an error. */
ssize_t durable_read_all(int fd, void *buf, size_t len);
/* The same with pread() from offset off (the file offset does not move). */
ssize_t durable_pread_all(int fd, void *buf, size_t len, uint64_t off);
/* Reads a whole regular file (at most max bytes) into malloc'd memory. 0 /
 * -1 with errno (EFBIG when larger than max). */
int durable_read(int dirfd, const char *name, size_t max, unsigned char **data, size_t *len);

bool durable_is_temp(const char *name);

#endif
