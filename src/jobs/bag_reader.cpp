#include "jobs/bag_reader.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "blob/hasher.h"

namespace openem {
namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kBuffer = 1 << 20;

// Sequential reads over a positional reader.
class Input {
 public:
  explicit Input(BlobReader& r) : r_(r) {}
  // Appends exactly n bytes to out; false at a premature end (error_ set on I/O failure).
  bool read(std::size_t n, std::string& out) {
    while (n > 0) {
      if (pos_ == buf_.size()) {
        BlobStatus s = r_.read(offset_, kBuffer, &buf_);
        if (!s.is_ok()) {
          error_ = s.message();
          return false;
        }
        if (buf_.empty()) return false;
        offset_ += static_cast<std::int64_t>(buf_.size());
        pos_ = 0;
      }
      std::size_t k = std::min(n, buf_.size() - pos_);
      out.append(buf_, pos_, k);
      pos_ += k;
      n -= k;
    }
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  BlobReader& r_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::int64_t offset_ = 0;
  std::string error_;
};

bool octal(const char* p, std::size_t n, std::int64_t& out) {
  out = 0;
  std::size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  bool any = false;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
    out = out * 8 + (p[i] - '0');
    any = true;
  }
  for (; i < n; ++i)
    if (p[i] != ' ' && p[i] != '\0') return false;
  return any;
}

std::string field(const char* p, std::size_t n) { return std::string(p, strnlen(p, n)); }

// bag-info.txt: "Label: value" lines; a line starting with whitespace continues the value.
std::map<std::string, std::string> parse_bag_info(const std::string& text) {
  std::map<std::string, std::string> out;
  std::string label;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !label.empty()) {
      std::size_t start = line.find_first_not_of(" \t");
      if (start != std::string::npos) out[label] += " " + line.substr(start);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    label = line.substr(0, colon);
    std::size_t start = line.find_first_not_of(" \t", colon + 1);
    std::string value = start == std::string::npos ? "" : line.substr(start);
    if (!out.emplace(label, value).second) label.clear();  // the first value counts
  }
  return out;
}

}  // namespace

BagCheck read_bag(BlobReader& reader, const std::map<std::string, std::string>& expected, BagSink* sink,
                  const std::vector<std::string>& only) {
  BagCheck out;
  auto corrupt = [&](std::string why) {
    out.ok = false;
    out.corrupt = true;
    out.message = std::move(why);
    return out;
  };
  Input in(reader);
  std::string top, manifest;
  bool have_bagit = false, have_manifest = false;
  std::string pax_path;
  std::int64_t pax_size = -1;
  std::set<std::string> wanted(only.begin(), only.end());
  Hasher hasher = Hasher::sha256();
  for (;;) {
    std::string h;
    if (!in.read(kBlock, h)) {
      if (!in.error().empty()) return out.message = in.error(), out;
      return corrupt("the bag ends before its end-of-archive marker (truncated)");
    }
    if (std::all_of(h.begin(), h.end(), [](char c) { return c == '\0'; })) break;
    std::int64_t stored_sum = 0;
    if (!octal(h.data() + 148, 8, stored_sum)) return corrupt("a tar header has an unreadable checksum");
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    if (sum != stored_sum) return corrupt("a tar header's checksum does not match (damaged header)");
    std::int64_t size = 0;
    if (!octal(h.data() + 124, 12, size)) return corrupt("a tar header has an unreadable size");
    char type = h[156];
    std::string name = field(h.data(), 100);
    if (std::memcmp(h.data() + 257, "ustar", 5) == 0) {
      std::string prefix = field(h.data() + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    std::size_t padded = static_cast<std::size_t>(size) + (kBlock - static_cast<std::size_t>(size) % kBlock) % kBlock;
    if (type == 'x' || type == 'g') {  // pax records for the next entry
      std::string records;
      if (!in.read(padded, records)) return corrupt("the bag ends inside a pax header");
      records.resize(static_cast<std::size_t>(size));
      std::size_t pos = 0;
      while (pos < records.size()) {
        std::size_t sp = records.find(' ', pos);
        if (sp == std::string::npos) return corrupt("a pax record is malformed");
        std::size_t len = std::strtoul(records.c_str() + pos, nullptr, 10);
        if (len == 0 || pos + len > records.size()) return corrupt("a pax record has a wrong length");
        std::string rec = records.substr(sp + 1, pos + len - sp - 2);
        std::size_t eq = rec.find('=');
        if (type == 'x' && eq != std::string::npos) {
          if (rec.substr(0, eq) == "path") pax_path = rec.substr(eq + 1);
          if (rec.substr(0, eq) == "size") pax_size = std::strtoll(rec.c_str() + eq + 1, nullptr, 10);
        }
        pos += len;
      }
      continue;
    }
    if (!pax_path.empty()) name = pax_path;
    if (pax_size >= 0) {
      size = pax_size;
      padded = static_cast<std::size_t>(size) + (kBlock - static_cast<std::size_t>(size) % kBlock) % kBlock;
    }
    pax_path.clear();
    pax_size = -1;
    if (type != '0' && type != '\0') {  // directories and anything else carry no file data we need
      std::string skip;
      if (!in.read(padded, skip)) return corrupt("the bag ends inside an entry");
      continue;
    }
    std::size_t slash = name.find('/');
    if (slash == std::string::npos) return corrupt("entry '" + name + "' is outside the bag's directory");
    if (top.empty()) top = name.substr(0, slash);
    if (name.compare(0, top.size() + 1, top + "/") != 0) return corrupt("entry '" + name + "' is outside " + top + "/");
    std::string rel = name.substr(top.size() + 1);
    bool is_data = rel.rfind("data/", 0) == 0;
    std::string path = is_data ? rel.substr(5) : rel;
    bool to_sink = is_data && sink && (wanted.empty() || wanted.count(path));
    if (to_sink && sink->begin) {
      if (std::string e = sink->begin(path, size); !e.empty()) return out.message = e, out;
    }
    std::string content;  // tag files are small and kept; data files stream through
    std::int64_t left = size;
    std::string piece;
    while (left > 0) {
      piece.clear();
      std::size_t k = static_cast<std::size_t>(std::min<std::int64_t>(left, kBuffer));
      if (!in.read(k, piece)) {
        if (!in.error().empty()) return out.message = in.error(), out;
        return corrupt("the bag ends inside '" + rel + "' (truncated)");
      }
      left -= static_cast<std::int64_t>(k);
      if (is_data) {
        hasher.update(piece);
        if (to_sink && sink->data)
          if (std::string e = sink->data(piece); !e.empty()) return out.message = e, out;
      } else if (content.size() < (64u << 20)) {
        content += piece;
      }
    }
    std::string pad;
    if (!in.read(padded - static_cast<std::size_t>(size), pad)) return corrupt("the bag ends inside padding");
    if (is_data) {
      out.files.push_back({path, size, Hasher::hex(hasher.finish())});
      if (to_sink && sink->end)
        if (std::string e = sink->end(); !e.empty()) return out.message = e, out;
    } else if (rel == "bagit.txt") {
      have_bagit = content.rfind("BagIt-Version:", 0) == 0;
    } else if (rel == "manifest-sha256.txt") {
      have_manifest = true;
      manifest = content;
    } else if (rel == "bag-info.txt") {
      out.bag_info = parse_bag_info(content);
    }
  }
  if (!have_bagit) return corrupt("bagit.txt is missing or malformed");
  if (!have_manifest) return corrupt("manifest-sha256.txt is missing");
  out.top = top;
  out.manifest_sha256 = Hasher::hex(Hasher::digest("sha256", manifest));
  std::map<std::string, std::string> listed;
  std::size_t pos = 0;
  while (pos < manifest.size()) {
    std::size_t nl = manifest.find('\n', pos);
    if (nl == std::string::npos) nl = manifest.size();
    std::string line = manifest.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    std::size_t sep = line.find("  data/");
    if (sep != 64) return corrupt("manifest line '" + line.substr(0, 80) + "' is malformed");
    listed[line.substr(sep + 7)] = line.substr(0, 64);
  }
  if (listed.size() != out.files.size())
    return corrupt("the manifest lists " + std::to_string(listed.size()) + " files, the bag holds " +
                   std::to_string(out.files.size()));
  for (const auto& f : out.files) {
    auto it = listed.find(f.path);
    if (it == listed.end()) return corrupt("data/" + f.path + " is not in the manifest");
    if (it->second != f.sha256) return corrupt("data/" + f.path + " does not match its manifest checksum");
  }
  for (const auto& [path, sha] : expected) {
    auto it = listed.find(path);
    if (it == listed.end()) return corrupt("data/" + path + " is missing from the bag");
    if (it->second != sha) return corrupt("data/" + path + " does not match the checksum registered in the catalog");
  }
  out.ok = true;
  return out;
}

}  // namespace openem
