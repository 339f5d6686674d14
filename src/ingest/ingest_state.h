#pragma once
// IngestState: what one ingest of one session has done so far, kept in a small JSON file so
// a re-run after Ctrl-C, kill -9 or a network error resumes instead of starting over:
// the dataset pid, each file's size/mtime/SHA-256 (hashes are reused while size and mtime
// are unchanged) and each file's upload (tus URL, sent, verified and stored). The server stays the
// authority (the dataset is also found by sourceFolder, registered files are listed back),
// so losing this file costs time, never a duplicate. Writes are atomic (temp file, fsync,
// rename). Plain value type; not thread-safe.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace openem::ingest {

struct FileRecord {
  std::string path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string sha256;
  std::string upload_url;  // tus upload resource, when one was created
  bool sent = false;       // every byte is on the server, which waits for the file list to verify it
  bool uploaded = false;   // verified and stored on the server
};

struct IngestState {
  std::string session;  // canonical absolute folder
  std::string server;   // API base URL the dataset lives on
  std::string pid;
  bool registered = false;     // every file is in an origdatablock
  bool lifecycle_set = false;  // datasetlifecycle PATCHed
  bool upload_done = false;    // every file uploaded (or --no-upload finished)
  std::string updated_at;
  std::vector<FileRecord> files;

  const FileRecord* find(const std::string& path) const;
};

// Default location: $XDG_STATE_HOME/openem/ingest/<sha256(session)[:32]>.json
// (~/.local/state when XDG_STATE_HOME is unset).
std::filesystem::path default_state_path(const std::filesystem::path& state_dir, const std::string& session);
std::filesystem::path default_state_dir();

// nullopt when the file does not exist; throws std::runtime_error naming the file when it
// exists but is not a state file of this version.
std::optional<IngestState> load_state(const std::filesystem::path& file);
// `durable`: synced to disk before returning. Without it the file still replaces the old one
// atomically and survives a killed process; a power cut may take the change back, or (on
// file systems that do not flush a file replaced by rename, as ext4 does) leave the file
// unreadable: the next ingest then starts over and asks the server what it holds.
void save_state(const std::filesystem::path& file, const IngestState& state, bool durable = true);

std::string state_to_json(const IngestState& state);
IngestState state_from_json(const std::string& text);  // throws std::runtime_error

}  // namespace openem::ingest
