#include "blob/dataset_tar.h"

#include <stdexcept>

#include "blob/tar_format.h"

namespace openem {

std::string tar_top_name(std::string_view pid) {
  std::string out;
  for (char c : pid) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out += plain ? c : '_';
  }
  if (out.empty() || out[0] == '.') out = "_" + out;
  return out;
}

DatasetTarStream::DatasetTarStream(BlobStore& store, std::string pid, std::int64_t now_unix, std::size_t piece_bytes)
    : store_(store), pid_(std::move(pid)), top_(tar_top_name(pid_)), now_(now_unix), piece_(piece_bytes) {}

BlobStatus DatasetTarStream::start() { return store_.list(pid_, &files_); }

void DatasetTarStream::open_next_file(std::string& chunk) {
  // A file removed since start() is left out rather than failing the whole archive.
  while (index_ < files_.size()) {
    const BlobInfo& f = files_[index_];
    BlobStatus s = store_.open(pid_, f.path, &reader_);
    if (s.is_ok()) {
      const BlobInfo& info = reader_->info();  // the size of the version actually opened
      chunk += tar_file_header(top_ + "/data/" + f.path, info.size, info.mtime_ns / 1000000000);
      offset_ = 0;
      phase_ = Phase::kFileData;
      return;
    }
    if (!s.is_not_found()) throw std::runtime_error(s.message());
    ++index_;
  }
  phase_ = Phase::kManifest;
}

void DatasetTarStream::append_closing_payload(std::string& chunk) {
  ClosingPayload make = std::move(closing_make_);
  closing_make_ = nullptr;
  for (const BlobInfo& f : files_) {
    if (f.path == closing_name_) return;  // the dataset's own file of that name was sent
  }
  std::string content = make(sent_);
  sent_.clear();
  chunk += tar_file_header(top_ + "/data/" + closing_name_, static_cast<std::int64_t>(content.size()), now_);
  chunk += content;
  chunk.append(tar_padding(static_cast<std::int64_t>(content.size())), '\0');
  Hasher hasher = Hasher::sha256();
  hasher.update(content);
  manifest_ += Hasher::hex(hasher.finish()) + "  data/" + closing_name_ + "\n";
}

bool DatasetTarStream::next(std::string& chunk) {
  chunk.clear();
  while (chunk.size() < piece_) {
    switch (phase_) {
      case Phase::kBagit: {
        static const std::string kBagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
        chunk += tar_file_header(top_ + "/bagit.txt", static_cast<std::int64_t>(kBagit.size()), now_);
        chunk += kBagit;
        chunk.append(tar_padding(static_cast<std::int64_t>(kBagit.size())), '\0');
        if (!bag_info_.empty()) {
          chunk += tar_file_header(top_ + "/bag-info.txt", static_cast<std::int64_t>(bag_info_.size()), now_);
          chunk += bag_info_;
          chunk.append(tar_padding(static_cast<std::int64_t>(bag_info_.size())), '\0');
        }
        phase_ = Phase::kFileHeader;
        break;
      }
      case Phase::kFileHeader:
        open_next_file(chunk);
        break;
      case Phase::kFileData: {
        const BlobInfo& info = reader_->info();
        std::int64_t left = info.size - offset_;
        std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(piece_)));
        if (want > 0) {
          BlobStatus s = reader_->read(offset_, want, &buffer_);
          if (!s.is_ok()) throw std::runtime_error(s.message());
          if (buffer_.size() != want)
            throw std::runtime_error("file '" + info.path + "' of dataset " + pid_ + " shrank while being sent");
          hasher_.update(buffer_);
          chunk += buffer_;
          offset_ += static_cast<std::int64_t>(want);
        }
        if (offset_ == info.size) {
          chunk.append(tar_padding(info.size), '\0');
          std::string digest = Hasher::hex(hasher_.finish());
          manifest_ += digest + "  data/" + files_[index_].path + "\n";
          if (closing_make_) sent_.push_back({files_[index_].path, info.size, digest});
          reader_.reset();
          ++index_;
          phase_ = Phase::kFileHeader;
        }
        break;
      }
      case Phase::kManifest:
        if (closing_make_) append_closing_payload(chunk);
        chunk += tar_file_header(top_ + "/manifest-sha256.txt", static_cast<std::int64_t>(manifest_.size()), now_);
        chunk += manifest_;
        chunk.append(tar_padding(static_cast<std::int64_t>(manifest_.size())), '\0');
        chunk += tar_end_of_archive();
        manifest_.clear();
        phase_ = Phase::kDone;
        return false;
      case Phase::kDone:
        return false;
    }
  }
  return true;
}

}  // namespace openem
