#include "ingest/ingestor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/time.h"
#include "extract/extract_error.h"
#include "extract/image_headers.h"
#include "ingest/file_blocks.h"
#include "ingest/ingest_state.h"
#include "ingest/parallel_hasher.h"
#include "ingest/path_safety.h"
#include "ingest/session_scan.h"
#include "ingest/tus_uploader.h"

namespace openem::ingest {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string quote(const std::string& s) { return json::serialize(json::value(s)); }

// Holds an exclusive flock on "<state file>.lock" for the life of one run.
class SessionLock {
 public:
  SessionLock(const fs::path& state_file, const std::string& session) {
    std::error_code ec;
    fs::create_directories(state_file.parent_path(), ec);
    fs::path lock = state_file;
    lock += ".lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw IngestError(lock.string() + ": cannot create the lock file");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw IngestError("another openem ingest is already working on " + session);
    }
  }
  ~SessionLock() { ::close(fd_); }

 private:
  int fd_;
};

[[noreturn]] void fail_with_list(const std::string& what, const std::vector<std::string>& errors,
                                 const std::string& consequence = "nothing was registered") {
  std::string first = errors.front();
  std::string msg = std::to_string(errors.size()) + " " + what + (errors.size() == 1 ? "" : "s") + ", first: " + first;
  throw IngestError(msg + " (" + consequence + ")", errors);
}

bool transient_api(const ApiCallError& e) { return e.status() == 502 || e.status() == 503 || e.status() == 504; }

// Waits before the next attempt of a loop that re-checks the server; throws `last` once
// `deadline` has passed.
class Backoff {
 public:
  explicit Backoff(double seconds)
      : deadline_(std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds))) {}
  void wait_or_rethrow() {
    if (std::chrono::steady_clock::now() >= deadline_) throw;
    std::this_thread::sleep_for(std::chrono::duration<double>(wait_));
    wait_ = std::min(wait_ * 2, 5.0);
  }

 private:
  std::chrono::steady_clock::time_point deadline_;
  double wait_ = 0.25;
};

// Finds the session's dataset or creates it. A create whose answer was lost is detected by
// the sourceFolder lookup before it is retried, so a dataset is never created twice.
std::string resolve_dataset(ScicatClient& client, const IngestState& state, const std::string& server,
                            const std::function<json::object()>& make_body, double retry_seconds, bool& created,
                            std::vector<std::string>& warnings) {
  if (!state.pid.empty() && state.server == server) {
    if (client.dataset_exists(state.pid)) return state.pid;
    warnings.push_back("dataset " + state.pid + " from the state file is not on the server; looking it up by sourceFolder");
  }
  std::optional<json::object> body;
  Backoff backoff(retry_seconds);
  for (;;) {
    std::vector<std::string> pids = client.find_by_source_folder(state.session);
    if (pids.size() == 1) return pids.front();
    if (pids.size() > 1) {
      for (const auto& p : pids)
        if (p == state.pid) return p;
      throw IngestError(std::to_string(pids.size()) + " datasets on the server already have sourceFolder " +
                        state.session + " (" + pids[0] + ", " + pids[1] + "); refusing to guess which one to complete");
    }
    if (!body) body = make_body();
    try {
      std::string pid = client.create_dataset(*body);
      created = true;
      return pid;
    } catch (const NetworkError&) {
      backoff.wait_or_rethrow();
    } catch (const ApiCallError& e) {
      if (!transient_api(e)) throw;
      backoff.wait_or_rethrow();
    }
  }
}

json::object block_json(const std::string& pid, const std::vector<const LocalFile*>& files,
                        const std::vector<std::string>& sums, std::size_t begin, std::size_t end, std::uint64_t bytes) {
  json::array list;
  list.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const LocalFile& f = *files[i];
    json::object d;
    d["path"] = f.path;
    d["size"] = f.size;
    d["time"] = iso_utc(f.mtime_ns / 1000000);
    d["chk"] = sums[i];
    d["uid"] = std::to_string(f.uid);
    d["gid"] = std::to_string(f.gid);
    d["perm"] = permission_string(f.mode);
    list.emplace_back(std::move(d));
  }
  return json::object{{"datasetId", pid}, {"size", bytes}, {"chkAlg", "sha256"}, {"dataFileList", std::move(list)}};
}

// Runs fn(uploader, i) for every i of `todo` on opt.upload_streams threads, each with its own
// connection; every file done counts in `progress`. A file's failure is collected and the
// others go on, except after a NetworkError: the server is gone, so the rest is not tried.
std::vector<std::string> on_upload_streams(const IngestOptions& opt, const std::string& pid,
                                           const std::vector<std::size_t>& todo, Progress& progress,
                                           const std::function<void(TusUploader&, std::size_t)>& fn) {
  std::mutex mu;
  std::vector<std::string> errors;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    ScicatClient c(opt.server, opt.auth, opt.retry_seconds);
    TusUploader up(c, pid);
    for (;;) {
      std::size_t k = next.fetch_add(1);
      if (k >= todo.size()) return;
      try {
        fn(up, todo[k]);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        errors.push_back(e.what());
        if (dynamic_cast<const NetworkError*>(&e) != nullptr) next = todo.size();
      }
      progress.add_files(1);
    }
  };
  unsigned streams = std::max(1u, std::min<unsigned>(opt.upload_streams, static_cast<unsigned>(todo.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < streams; ++t) pool.emplace_back(worker);
  if (!todo.empty()) worker();
  for (auto& t : pool) t.join();
  return errors;
}

}  // namespace

IngestSummary ingest_session(const fs::path& session, const IngestOptions& opt, Progress& progress) {
  auto t_start = std::chrono::steady_clock::now();
  IngestSummary summary;
  std::string server = origin_of(opt.server);

  // 1. What is in the folder, and is all of it acceptable?
  ScanOptions scan_opt;
  scan_opt.ignore_names = opt.ignore_names;
  ScanResult scan;
  try {
    scan = scan_session(session, scan_opt);
  } catch (const std::exception& e) {
    throw IngestError(e.what());
  }
  summary.warnings = scan.warnings;
  if (!scan.errors.empty()) fail_with_list("file refused", scan.errors);
  if (scan.files.empty()) throw IngestError(scan.root.string() + ": the folder holds no files");
  summary.files = scan.files.size();
  summary.bytes = scan.total_bytes;

  fs::path state_dir = opt.state_dir.empty() ? default_state_dir() : opt.state_dir;
  fs::path state_file = default_state_path(state_dir, scan.root.string());
  SessionLock lock(state_file, scan.root.string());
  IngestState state;
  try {
    if (auto loaded = load_state(state_file); loaded && loaded->session == scan.root.string()) state = std::move(*loaded);
  } catch (const std::exception& e) {
    summary.warnings.push_back(std::string(e.what()) + "; starting over (the server is checked for earlier work)");
  }
  state.session = scan.root.string();
  if (state.server != server) {
    // Another server: its pid and uploads mean nothing here; hashes stay valid.
    state.pid.clear();
    state.registered = state.lifecycle_set = state.upload_done = false;
    for (auto& f : state.files) f.upload_url.clear(), f.sent = f.uploaded = false;
  }
  state.server = server;

  // 2. Which files need a hash: those whose size or mtime differ from the last run's.
  std::map<std::string, const FileRecord*> previous;
  for (const auto& r : state.files) previous[r.path] = &r;
  std::vector<std::string> sums(scan.files.size());
  std::vector<FileRecord> records(scan.files.size());
  bool files_changed = state.files.size() != records.size();
  for (std::size_t i = 0; i < scan.files.size(); ++i) {
    const LocalFile& f = scan.files[i];
    records[i].path = f.path;
    records[i].size = f.size;
    records[i].mtime_ns = f.mtime_ns;
    auto it = previous.find(f.path);
    if (it != previous.end() && it->second->size == f.size && it->second->mtime_ns == f.mtime_ns &&
        !it->second->sha256.empty()) {
      sums[i] = records[i].sha256 = it->second->sha256;
      records[i].upload_url = it->second->upload_url;
      records[i].sent = it->second->sent;
      records[i].uploaded = it->second->uploaded;
    } else {
      files_changed = true;
    }
  }
  state.files = std::move(records);
  if (files_changed) state.registered = state.lifecycle_set = state.upload_done = false;
  save_state(state_file, state);

  // Hashes, on all cores, the files that have no hash yet. `consequence` tells the user where
  // a failure leaves the session.
  auto hash_missing = [&](const std::string& consequence) {
    std::vector<std::size_t> to_hash;
    std::uint64_t bytes_to_hash = 0;
    for (std::size_t i = 0; i < scan.files.size(); ++i)
      if (sums[i].empty()) {
        to_hash.push_back(i);
        bytes_to_hash += scan.files[i].size;
      }
    if (to_hash.empty()) return;
    auto t_hash = std::chrono::steady_clock::now();
    progress.begin("hash", to_hash.size(), bytes_to_hash);
    HashProgress hp;
    hp.on_bytes = [&](std::uint64_t n) { progress.add_bytes(n); };
    hp.on_file_done = [&](std::size_t) { progress.add_files(1); };
    std::vector<HashOutcome> out = hash_files(scan.files, to_hash, opt.hash_threads, hp);
    progress.end();
    std::vector<std::string> errors;
    for (std::size_t i : to_hash) {
      if (!out[i].error.empty()) errors.push_back(out[i].error);
      sums[i] = state.files[i].sha256 = out[i].sha256;
    }
    if (!errors.empty()) fail_with_list("unreadable or changing file", errors, consequence);
    summary.hashed += to_hash.size();
    summary.hash_seconds += seconds_since(t_hash);
    save_state(state_file, state);
  };
  // Without uploads nothing is created before every file was read and hashed.
  if (!opt.upload) hash_missing("nothing was registered");

  // 3. The dataset: from the state, by sourceFolder, or new.
  ScicatClient client(opt.server, opt.auth, opt.retry_seconds);
  auto t_register = std::chrono::steady_clock::now();
  if (opt.upload) {
    TusUploader probe(client, "");
    if (!probe.server_supports_uploads())
      throw IngestError(server + " offers no tus uploads at /api/v3/uploads; pass --no-upload to register only");
  }
  Identity identity;
  bool identity_loaded = false;
  auto make_body = [&]() -> json::object {
    if (!identity_loaded) {
      identity = client.identity();
      identity_loaded = true;
    }
    std::optional<extract::ExtractResult> extracted;
    try {
      extracted = extract::extract_session(scan.root, opt.extract);
      for (const auto& w : extracted->warnings) summary.warnings.push_back("metadata: " + w);
    } catch (const std::exception& e) {
      summary.warnings.push_back(std::string("no OSC-EM metadata: ") + e.what());
    }
    json::object body;
    try {
      body = dataset_body(scan, extracted ? &*extracted : nullptr, opt.fields, identity);
    } catch (const std::invalid_argument& e) {
      throw IngestError(e.what());
    }
    // What the image files' headers say of each image set (voxel type, size, frames), for the
    // EMPIAR export: read here because only the ingestor has the files (extract/image_headers.h).
    std::vector<extract::ImageFile> images;
    for (const LocalFile& f : scan.files) images.push_back({f.path, f.source});
    json::array headers = extract::summarize_image_headers(images);
    if (!headers.empty()) body["scientificMetadata"].as_object()["image_headers"] = std::move(headers);
    return body;
  };
  state.pid = resolve_dataset(client, state, server, make_body, opt.retry_seconds, summary.created, summary.warnings);
  summary.pid = state.pid;
  save_state(state_file, state);
  progress.event("dataset", "\"pid\":" + quote(state.pid) + ",\"created\":" + (summary.created ? "true" : "false"),
                 (summary.created ? "created dataset " : "resuming dataset ") + state.pid);
  summary.register_seconds = seconds_since(t_register);
  const std::string rerun = "dataset " + state.pid + " exists; run the same command again to finish";

  // 4. Upload what the server does not hold yet, hashing each file from the bytes it sends:
  // one read of every file instead of two. The server keeps each complete file until the
  // file list is registered (step 5) and it is asked to verify it (step 6), or stores it at
  // once when an earlier run registered the list already.
  auto t_upload = std::chrono::steady_clock::now();
  std::mutex mu;  // guards state, sums and summary while streams run
  auto last_save = std::chrono::steady_clock::now();
  // Caller holds mu. Not synced: a killed ingestor loses nothing, and what a power cut
  // takes back costs a re-run some bytes sent again, never a wrong result (the server
  // verifies every file). Each phase's end is synced.
  auto save_soon = [&](bool force) {
    if (force || seconds_since(last_save) > 2.0) {
      save_state(state_file, state, /*durable=*/false);
      last_save = std::chrono::steady_clock::now();
    }
  };
  std::atomic<std::uint64_t> sent_bytes{0};
  auto on_bytes = [&](std::uint64_t n) {
    progress.add_bytes(n);
    sent_bytes += n;
  };
  // Uploads file i and records its hash; the server either stored it or waits for the list.
  auto upload_file = [&](TusUploader& up, std::size_t i) {
    const LocalFile& f = scan.files[i];
    std::string url;
    {
      std::lock_guard lock(mu);
      url = state.files[i].upload_url;
    }
    UploadOutcome out = up.upload(f, url, [&](const std::string& created) {
      std::lock_guard lock(mu);
      state.files[i].upload_url = created;
      save_soon(true);  // so a re-run resumes this upload instead of starting another
    }, on_bytes);
    auto [size, mtime] = stat_size_mtime(f.source);
    if (size != f.size || mtime != f.mtime_ns)
      throw std::runtime_error(printable(f.path) + ": changed while being uploaded; run ingest again");
    std::lock_guard lock(mu);
    if (!sums[i].empty() && sums[i] != out.sha256) {
      // Forget the old hash and upload, so that the next run treats the file as new.
      sums[i].clear();
      state.files[i] = FileRecord{f.path, f.size, f.mtime_ns, "", "", false, false};
      save_soon(true);
      throw std::runtime_error(printable(f.path) + ": changed while being ingested (same size and time as in the last "
                               "run, other content); run ingest again");
    }
    sums[i] = state.files[i].sha256 = out.sha256;
    state.files[i].sent = !out.stored;
    state.files[i].uploaded = out.stored;
    if (out.stored) {
      state.files[i].upload_url.clear();
      ++summary.uploaded;
    }
    save_soon(false);
  };
  if (opt.upload && !state.upload_done) {
    std::vector<std::size_t> todo;
    std::uint64_t todo_bytes = 0;
    for (std::size_t i = 0; i < scan.files.size(); ++i)
      if (!state.files[i].uploaded && !state.files[i].sent) {
        todo.push_back(i);
        todo_bytes += scan.files[i].size;
      }
    std::stable_sort(todo.begin(), todo.end(), [&](std::size_t a, std::size_t b) { return scan.files[a].size > scan.files[b].size; });
    progress.begin("upload", todo.size(), todo_bytes);
    bool fresh = summary.created;  // a dataset this run created holds no files yet
    std::vector<std::string> errors = on_upload_streams(opt, state.pid, todo, progress, [&](TusUploader& up, std::size_t i) {
      // Without a recorded upload the file may be on the server already (lost state file).
      bool resumable = [&] {
        std::lock_guard lock(mu);
        return !state.files[i].upload_url.empty();
      }();
      if (!resumable && !fresh && up.stored_on_server(scan.files[i].path)) {
        progress.add_bytes(scan.files[i].size);
        std::lock_guard lock(mu);
        state.files[i].uploaded = true;
        return;
      }
      upload_file(up, i);
    });
    progress.end();
    save_state(state_file, state);
    if (!errors.empty())
      throw IngestError(std::to_string(errors.size()) + " file(s) not uploaded, first: " + errors.front() + " (" + rerun + ")",
                        errors);
  }
  summary.upload_seconds = seconds_since(t_upload);
  hash_missing(rerun);  // files found stored on the server without a state file

  // 5. Register what the server does not list yet, in ≤20,000-file blocks.
  t_register = std::chrono::steady_clock::now();
  if (!state.registered) {
    Backoff backoff(opt.retry_seconds);
    bool begun = false;
    for (;;) {
      std::map<std::string, RegisteredFile> known = client.registered_files(state.pid);
      std::vector<const LocalFile*> pending;
      std::vector<std::string> pending_sums;
      std::vector<std::uint64_t> sizes;
      std::vector<std::string> conflicts;
      std::set<std::string> local;
      for (std::size_t i = 0; i < scan.files.size(); ++i) {
        const LocalFile& f = scan.files[i];
        local.insert(f.path);
        auto it = known.find(f.path);
        if (it == known.end()) {
          pending.push_back(&f);
          pending_sums.push_back(sums[i]);
          sizes.push_back(f.size);
        } else if (it->second.size != f.size || (!it->second.chk.empty() && it->second.chk != sums[i])) {
          conflicts.push_back(printable(f.path) + ": differs from the registered file (size " +
                              std::to_string(it->second.size) + ", sha256 " +
                              (it->second.chk.empty() ? "none" : it->second.chk) + ")");
        }
      }
      if (!conflicts.empty())
        throw IngestError(std::to_string(conflicts.size()) + " file(s) changed after dataset " + state.pid +
                              " registered them, first: " + conflicts.front(),
                          conflicts);
      if (!begun) {
        for (const auto& [path, rf] : known)
          if (!local.count(path))
            summary.warnings.push_back(printable(path) + ": registered in " + state.pid + " but not in the folder");
        progress.begin("register", pending.size(), 0);
        begun = true;
      }
      if (pending.empty()) break;
      std::vector<FileBlock> blocks = split_into_blocks(sizes, opt.max_files_per_block);
      try {
        for (const auto& b : blocks) {
          client.register_block(block_json(state.pid, pending, pending_sums, b.begin, b.end, b.bytes));
          summary.registered += b.end - b.begin;
          progress.add_files(b.end - b.begin);
        }
        break;
      } catch (const NetworkError&) {
        backoff.wait_or_rethrow();  // then list again: the last block may have been stored
      } catch (const ApiCallError& e) {
        if (!transient_api(e)) throw;
        backoff.wait_or_rethrow();
      }
    }
    progress.end();
    state.registered = true;
    save_state(state_file, state);
  }
  summary.register_seconds += seconds_since(t_register);

  // 6. With the file list registered, the server verifies the files that arrived before it
  // (an empty PATCH each). One whose upload expired or lost bytes meanwhile is sent again.
  t_upload = std::chrono::steady_clock::now();
  if (opt.upload && !state.upload_done) {
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < scan.files.size(); ++i)
      if (state.files[i].sent && !state.files[i].uploaded) todo.push_back(i);
    progress.begin("verify", todo.size(), 0);
    std::vector<std::string> errors = on_upload_streams(opt, state.pid, todo, progress, [&](TusUploader& up, std::size_t i) {
      std::string url;
      {
        std::lock_guard lock(mu);
        url = state.files[i].upload_url;
      }
      if (!up.confirm(scan.files[i].path, url, scan.files[i].size)) {
        {
          std::lock_guard lock(mu);
          state.files[i].sent = false;
        }
        upload_file(up, i);  // resumes the upload, or starts a new one when it is gone
        std::lock_guard lock(mu);
        if (!state.files[i].uploaded)
          throw std::runtime_error(printable(scan.files[i].path) + ": sent again, and still not stored");
        return;
      }
      std::lock_guard lock(mu);
      state.files[i].sent = false;
      state.files[i].uploaded = true;
      state.files[i].upload_url.clear();
      ++summary.uploaded;
      save_soon(false);
    });
    progress.end();
    save_state(state_file, state);
    if (!errors.empty())
      throw IngestError(std::to_string(errors.size()) + " file(s) not stored, first: " + errors.front() + " (" + rerun + ")",
                        errors);
    state.upload_done = true;
    save_state(state_file, state);
  }
  summary.upload_seconds += seconds_since(t_upload);
  summary.uploaded_bytes = sent_bytes;

  // 6. Files in place: mark the dataset archivable, as scicat-cli and the OpenEM ingestor do.
  if (!state.lifecycle_set) {
    client.mark_files_ready(state.pid);
    state.lifecycle_set = true;
    if (!opt.upload) state.upload_done = false;
    save_state(state_file, state);
  }
  summary.total_seconds = seconds_since(t_start);
  return summary;
}

SessionStatus session_status(const fs::path& session, const fs::path& state_dir_in,
                             const std::vector<std::string>& ignore_names) {
  SessionStatus st;
  ScanOptions so;
  so.ignore_names = ignore_names;
  ScanResult scan = scan_session(session, so);
  st.session = scan.root;
  st.local_files = scan.files.size();
  fs::path state_dir = state_dir_in.empty() ? default_state_dir() : state_dir_in;
  st.state_file = default_state_path(state_dir, scan.root.string());
  std::optional<IngestState> s = load_state(st.state_file);
  std::map<std::string, const LocalFile*> local;
  for (const auto& f : scan.files) local[f.path] = &f;
  if (!s) {
    st.changed_files = scan.files.size();
    return st;
  }
  st.has_state = true;
  st.server = s->server;
  st.pid = s->pid;
  st.updated_at = s->updated_at;
  st.registered = s->registered;
  st.lifecycle_set = s->lifecycle_set;
  st.upload_done = s->upload_done;
  st.files = s->files.size();
  std::set<std::string> seen;
  for (const auto& r : s->files) {
    st.bytes += r.size;
    if (!r.sha256.empty()) ++st.hashed;
    if (r.uploaded) ++st.uploaded; else st.bytes_pending_upload += r.size;
    seen.insert(r.path);
    auto it = local.find(r.path);
    if (it == local.end() || it->second->size != r.size || it->second->mtime_ns != r.mtime_ns) ++st.changed_files;
  }
  for (const auto& f : scan.files)
    if (!seen.count(f.path)) ++st.changed_files;
  return st;
}

}  // namespace openem::ingest
