#pragma once
// POSIX file helpers shared by every component that keeps files durable on disk (blob store,
// archive tier, upload state, ingest state, credentials): complete writes and reads despite
// short transfers and EINTR, fsync of files and directories, atomic replacement of a small
// file, and a BlobReader over an open descriptor. Stateless; thread-safe.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "blob/blob_status.h"
#include "blob/blob_store.h"

namespace openem {

std::string errno_text(int e);

// fsync of a file, or of a directory (which makes renames and new entries in it durable).
BlobStatus fsync_path(const std::filesystem::path& p, bool directory);

// Writes all of `bytes` at the descriptor's position; `name` appears in the error.
BlobStatus write_all(int fd, std::string_view bytes, const std::string& name);

// A reader over `fd` (closed with the reader), reading with pread.
std::unique_ptr<BlobReader> make_fd_reader(int fd, BlobInfo info);

// Replaces `file` with `text` atomically (temporary file + rename), with permissions `mode`.
// `durable` also fsyncs the file and its directory. Throws std::runtime_error naming the file.
void write_file_atomically(const std::filesystem::path& file, std::string_view text, mode_t mode, bool durable);

}  // namespace openem
