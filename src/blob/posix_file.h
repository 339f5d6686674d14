#pragma once
// POSIX file helpers shared by every component that keeps files durable on disk (blob store,
// archive tier, upload state, ingest state, credentials): complete writes and reads despite
// short transfers and EINTR, fsync of files and directories, atomic replacement of a small
// file, and a BlobReader over an open descriptor. Writes and syncs go through a FileSystem
// (file_system.h; the real one unless a test passes its own). Stateless; thread-safe.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "blob/blob_status.h"
#include "blob/blob_store.h"
#include "blob/file_system.h"

namespace openem {

std::string errno_text(int e);

// fsync of a file, or of a directory (which makes renames and new entries in it durable).
BlobStatus fsync_path(const std::filesystem::path& p, bool directory, FileSystem& files = posix_file_system());

// Writes all of `bytes` at the descriptor's position; `name` appears in the error.
BlobStatus write_all(int fd, std::string_view bytes, const std::string& name, FileSystem& files = posix_file_system());

// A reader over `fd` (closed with the reader), reading with pread.
std::unique_ptr<BlobReader> make_fd_reader(int fd, BlobInfo info);

// Opens `relative` ('/'-separated, already checked: no empty, "." or ".." segments) beneath
// the directory `dirfd` without following a symlink anywhere on the way, the last component
// included, and without leaving dirfd: openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or,
// where the kernel (or a seccomp filter) lacks openat2, one openat(O_NOFOLLOW) per component.
// `flags` as for open(2) (O_CLOEXEC is added). Returns the descriptor, or -errno: ELOOP when
// a component is a symlink (with O_PATH the last one may be returned as the link itself:
// check its type), ENOENT, ENOTDIR, ...
int open_beneath(int dirfd, std::string_view relative, int flags, mode_t mode = 0);

// Tests run open_beneath's fallback with this set to false; true by default.
void set_openat2_allowed(bool allowed);

// Replaces `file` with `text` atomically (temporary file + rename), with permissions `mode`.
// `durable` also fsyncs the file and its directory. On any error `file` is left as it was
// (a write torn in the middle only ever tears the temporary file, which is removed).
BlobStatus replace_file_atomically(const std::filesystem::path& file, std::string_view text, mode_t mode, bool durable,
                                   FileSystem& files = posix_file_system());
// The same; throws std::runtime_error naming the file.
void write_file_atomically(const std::filesystem::path& file, std::string_view text, mode_t mode, bool durable);

}  // namespace openem
