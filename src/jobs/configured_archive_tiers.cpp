// Which archive tiers a worker writes: three copies (copy-1 .. copy-3) in a directory or
// under an S3 key prefix, chosen by OPENEM_ARCHIVE / --archive (an s3:// URL or a
// directory), else OPENEM_ARCHIVE_DIR, else <data-dir>/archive.
#include <stdexcept>

#include "blob/s3/s3_url.h"
#include "jobs/archive_worker.h"

namespace openem {
namespace fs = std::filesystem;

std::vector<std::unique_ptr<ArchiveTier>> open_default_archive_tiers(const fs::path& archive_dir) {
  std::vector<std::unique_ptr<ArchiveTier>> tiers;
  for (int i = 1; i <= 3; ++i) {
    std::unique_ptr<ArchiveTier> t;
    BlobStatus s = open_directory_archive_tier(archive_dir / ("copy-" + std::to_string(i)), &t);
    if (!s.is_ok()) throw std::runtime_error("archive tier: " + s.message());
    tiers.push_back(std::move(t));
  }
  return tiers;
}

std::vector<std::unique_ptr<ArchiveTier>> open_configured_archive_tiers(const Config& config) {
  const std::string& url = config.archive_url;
  if (url.rfind("s3://", 0) == 0) {
    std::string error;
    auto where = parse_s3_url(url, &error);
    if (!where) throw std::runtime_error("archive: " + error);
    // The copies share the bucket, as the directory tier's share a disk; a second bucket or
    // storage class is the bucket's replication rule (docs/deploy.md).
    std::vector<std::unique_ptr<ArchiveTier>> tiers;
    for (int i = 1; i <= 3; ++i) {
      S3Location copy = *where;
      copy.prefix = (copy.prefix.empty() ? "" : copy.prefix + "/") + "copy-" + std::to_string(i);
      std::unique_ptr<ArchiveTier> t;
      BlobStatus s = open_s3_archive_tier(copy, &t);
      if (!s.is_ok()) throw std::runtime_error("archive tier: " + s.message());
      tiers.push_back(std::move(t));
    }
    return tiers;
  }
  if (url.find("://") != std::string::npos)
    throw std::runtime_error("archive: unknown URL scheme in '" + url.substr(0, url.find(':')) +
                             "' (use s3://bucket/prefix?endpoint=..., or a directory)");
  if (!url.empty()) return open_default_archive_tiers(url);
  return open_default_archive_tiers(config.archive_dir.empty() ? config.data_dir / "archive" : config.archive_dir);
}

}  // namespace openem
