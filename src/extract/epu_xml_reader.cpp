#include "extract/epu_xml_reader.h"

#include <pugixml.hpp>

#include <cstring>
#include <string_view>
#include <vector>

#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

constexpr int kMaxDepth = 64;  // EPU nests ~8 deep; deeper means hostile or broken input

std::string_view local_name(std::string_view qname) {
  auto c = qname.find(':');
  return c == std::string_view::npos ? qname : qname.substr(c + 1);
}

std::string_view prefix_of(std::string_view qname) {
  auto c = qname.find(':');
  return c == std::string_view::npos ? std::string_view{} : qname.substr(0, c);
}

// xmlns declarations in scope, innermost last.
class NamespaceScope {
 public:
  size_t push(const pugi::xml_node& n) {
    size_t before = decls_.size();
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      if (name == "xmlns") decls_.emplace_back(std::string_view{}, a.value());
      else if (name.starts_with("xmlns:")) decls_.emplace_back(name.substr(6), a.value());
    }
    return before;
  }
  void pop(size_t to) { decls_.resize(to); }
  std::string_view uri(std::string_view prefix) const {
    for (auto it = decls_.rbegin(); it != decls_.rend(); ++it)
      if (it->first == prefix) return it->second;
    return {};
  }
  std::string_view uri_of(const pugi::xml_node& n) const { return uri(prefix_of(n.name())); }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> decls_;
};

bool is_nil(const pugi::xml_node& n, const NamespaceScope& ns) {
  for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
    std::string_view name = a.name();
    if (local_name(name) == "nil" && ns.uri(prefix_of(name)) == epu_ns::kXsi) return std::strcmp(a.value(), "true") == 0;
  }
  return false;
}

bool has_element_child(const pugi::xml_node& n) {
  for (auto c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return true;
  return false;
}

std::string_view text_of(const pugi::xml_node& n) {
  for (auto c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) return c.value();
  return {};
}

class Flattener {
 public:
  Flattener(const std::string& file, KeyValueSink& sink) : file_(file), sink_(sink) { path_.reserve(256); }

  void element(const pugi::xml_node& n, int depth) {
    if (depth > kMaxDepth) throw ExtractError(file_, 0, "XML nested deeper than " + std::to_string(kMaxDepth) + " levels");
    size_t scope = ns_.push(n);
    size_t path_len = path_.size();
    if (!path_.empty()) path_ += '.';
    path_ += local_name(n.name());

    if (is_nil(n, ns_)) {
    } else if (!has_element_child(n)) {
      auto v = trim(text_of(n));
      if (!v.empty()) emit(path_, v);
    } else if (is_key_value_list(n)) {
      key_value_list(n, depth, /*top_level=*/local_name(n.name()) == "CustomData" && depth == 1);
    } else if (is_repeated_list(n)) {
      size_t count = 0;
      pugi::xml_node first;
      for (auto c = n.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element) {
          if (!first) first = c;
          ++count;
        }
      size_t len = path_.size();
      path_ += ".Count";
      emit(path_, std::to_string(count));
      path_.resize(len);
      element(first, depth + 1);
    } else {
      for (auto c = n.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element) element(c, depth + 1);
    }
    path_.resize(path_len);
    ns_.pop(scope);
  }

  NamespaceScope& ns() { return ns_; }

 private:
  // Children are all a:KeyValueOfstringanyType (Arrays namespace).
  bool is_key_value_list(const pugi::xml_node& n) {
    bool any = false;
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      if (!std::string_view(local_name(c.name())).starts_with("KeyValueOf")) return false;
      size_t scope = ns_.push(c);
      bool ok = ns_.uri_of(c) == epu_ns::kArrays;
      ns_.pop(scope);
      if (!ok) return false;
      any = true;
    }
    return any;
  }

  static bool is_repeated_list(const pugi::xml_node& n) {
    std::string_view name;
    size_t count = 0;
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      if (count == 0) name = c.name();
      else if (name != c.name()) return false;
      ++count;
    }
    return count >= 2;
  }

  void key_value_list(const pugi::xml_node& n, int depth, bool top_level) {
    for (auto kv = n.first_child(); kv; kv = kv.next_sibling()) {
      if (kv.type() != pugi::node_element) continue;
      size_t scope = ns_.push(kv);
      pugi::xml_node key, value;
      for (auto c = kv.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        auto ln = local_name(c.name());
        if (ln == "Key") key = c;
        else if (ln == "Value") value = c;
      }
      auto k = key ? trim(text_of(key)) : std::string_view{};
      if (!k.empty() && value) {
        std::string saved = path_;
        if (top_level) path_.assign(k);
        else {
          path_ += '.';
          path_ += k;
        }
        size_t vscope = ns_.push(value);
        if (is_nil(value, ns_)) {
        } else if (has_element_child(value)) {
          for (auto c = value.first_child(); c; c = c.next_sibling())
            if (c.type() == pugi::node_element) element(c, depth + 2);
        } else {
          auto v = trim(text_of(value));
          if (!v.empty()) emit(path_, v);
        }
        ns_.pop(vscope);
        path_ = std::move(saved);
      }
      ns_.pop(scope);
    }
  }

  void emit(std::string_view key, std::string_view value) {
    if (is_valid_utf8(value)) sink_.on_value(key, value);
    else sink_.on_value(key, to_utf8(value));
  }

  const std::string& file_;
  KeyValueSink& sink_;
  NamespaceScope ns_;
  std::string path_;
};

size_t line_of(const char* buffer, size_t size, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < size; ++i)
    if (buffer[i] == '\n') ++line;
  return line;
}

pugi::xml_node parse_root(pugi::xml_document& doc, char* buffer, size_t size, const std::string& file) {
  if (size == 0) throw ExtractError(file, 0, "empty file, not an XML document");
  if (std::memchr(buffer, '\0', std::min<size_t>(size, 4096)) != nullptr &&
      !(size >= 2 && ((unsigned char)buffer[0] == 0xFF || (unsigned char)buffer[0] == 0xFE)))
    throw ExtractError(file, 1, "binary data (NUL byte), not an XML document");
  auto result = doc.load_buffer_inplace(buffer, size, pugi::parse_default | pugi::parse_trim_pcdata);
  if (!result) {
    // The buffer is partly rewritten by now; EPU files are single-line anyway, so the byte
    // offset is the useful coordinate and the line is approximate.
    throw ExtractError(file, line_of(buffer, size, static_cast<size_t>(result.offset)),
                       std::string("malformed XML at byte ") + std::to_string(result.offset) + ": " +
                           result.description());
  }
  pugi::xml_node root = doc.document_element();
  if (!root) throw ExtractError(file, 1, "XML document has no root element");
  return root;
}

}  // namespace

void parse_epu_image_xml(char* buffer, std::size_t size, const std::string& file, KeyValueSink& sink) {
  pugi::xml_document doc;
  pugi::xml_node root = parse_root(doc, buffer, size, file);
  Flattener f(file, sink);
  size_t scope = f.ns().push(root);
  bool ok = local_name(root.name()) == "MicroscopeImage" && f.ns().uri_of(root) == epu_ns::kShared;
  std::string root_name = root.name();
  f.ns().pop(scope);
  if (!ok) throw ExtractError(file, 1, "root element <" + root_name + "> is not an EPU MicroscopeImage");
  f.element(root, 0);
}

void read_epu_image_xml(const std::filesystem::path& path, KeyValueSink& sink) {
  std::string buf = read_file_capped(path, 64u << 20);
  parse_epu_image_xml(buf.data(), buf.size(), path.string(), sink);
}

void parse_epu_session(char* buffer, std::size_t size, const std::string& file, KeyValueSink& sink) {
  pugi::xml_document doc;
  pugi::xml_node root = parse_root(doc, buffer, size, file);
  std::string_view name = local_name(root.name());
  if (name == "EpuSessionXml") sink.on_value("Session.Software", "EPU");
  else if (name == "TomographySession") sink.on_value("Session.Software", "Tomography");
  else throw ExtractError(file, 1, "root element <" + std::string(root.name()) + "> is not an EPU or Tomo5 session");
  // Direct children only: the session files hold whole atlases and grid-square lists that
  // belong to other consumers.
  static constexpr std::string_view kWanted[] = {"Name", "StartDateTime", "DoseFractionsOutputFormat",
                                                 "ImageFileFormat", "DoseFractionsFormat", "Mode",
                                                 "LowDose", "SpecimenType", "AutoloaderSlot", "ClusteringMode"};
  for (auto c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    auto ln = local_name(c.name());
    for (auto w : kWanted) {
      if (ln != w) continue;
      auto v = trim(text_of(c));
      if (!v.empty()) sink.on_value("Session." + std::string(ln), to_utf8(v));
    }
  }
}

void read_epu_session_file(const std::filesystem::path& path, KeyValueSink& sink) {
  std::string buf = read_file_capped(path, 64u << 20);
  parse_epu_session(buf.data(), buf.size(), path.string(), sink);
}

}  // namespace openem::extract
