#include "extract/json_writer.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

#include "extract/text_util.h"

namespace openem::extract {
namespace {

void write(const boost::json::value& v, int indent, std::string& out) {
  auto pad = [&](int n) { out.append(static_cast<size_t>(n) * 2, ' '); };
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) { out += "{}"; return; }
      std::vector<const boost::json::key_value_pair*> items;
      for (const auto& kv : o) items.push_back(&kv);
      std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += "{\n";
      for (size_t i = 0; i < items.size(); ++i) {
        pad(indent + 1);
        out += boost::json::serialize(boost::json::string(items[i]->key()));
        out += ": ";
        write(items[i]->value(), indent + 1, out);
        out += i + 1 < items.size() ? ",\n" : "\n";
      }
      pad(indent);
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) { out += "[]"; return; }
      out += "[\n";
      for (size_t i = 0; i < a.size(); ++i) {
        pad(indent + 1);
        write(a[i], indent + 1, out);
        out += i + 1 < a.size() ? ",\n" : "\n";
      }
      pad(indent);
      out += ']';
      return;
    }
    case boost::json::kind::double_: {
      double d = v.get_double();
      out += std::isfinite(d) ? format_number(d) : "null";  // JSON has no NaN
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string to_pretty_json(const boost::json::value& v) {
  std::string out;
  write(v, 0, out);
  out += '\n';
  return out;
}

}  // namespace openem::extract
