#include "store/upload_states.h"

#include <boost/json.hpp>

#include <stdexcept>

namespace openem::upload_states {
namespace json = boost::json;
namespace {

const CollectionSchema& schema() { return schemas::tus_uploads(); }

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t num(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<std::int64_t>() : 0;
}

json::object to_doc(const UploadState& s) {
  json::array parts;
  for (const UploadPart& p : s.parts)
    parts.emplace_back(json::object{{"offset", p.offset}, {"length", p.length}, {"name", p.name}, {"sha256", p.sha256}});
  return json::object{{"id", s.id},           {"datasetId", s.dataset_id}, {"path", s.path},
                      {"filename", s.filename}, {"owner", s.owner},         {"metadata", s.metadata},
                      {"length", s.length},     {"offset", s.offset},       {"state", s.state},
                      {"expires", s.expires},   {"sha256", s.sha256},       {"error", s.error},
                      {"parts", std::move(parts)}, {"version", s.version}};
}

UploadState from_doc(const json::object& d) {
  UploadState s;
  s.id = str(d, "id");
  s.dataset_id = str(d, "datasetId");
  s.path = str(d, "path");
  s.filename = str(d, "filename");
  s.owner = str(d, "owner");
  s.metadata = str(d, "metadata");
  s.length = num(d, "length");
  s.offset = num(d, "offset");
  s.state = str(d, "state");
  s.expires = num(d, "expires");
  s.sha256 = str(d, "sha256");
  s.error = str(d, "error");
  s.version = num(d, "version");
  if (auto* parts = d.if_contains("parts"); parts && parts->is_array())
    for (const auto& p : parts->get_array())
      if (p.is_object())
        s.parts.push_back({num(p.get_object(), "offset"), num(p.get_object(), "length"), str(p.get_object(), "name"),
                           str(p.get_object(), "sha256")});
  return s;
}

std::vector<UploadState> where(CatalogStore& store, std::vector<Condition> conditions, std::int64_t limit) {
  QueryPlan plan;
  plan.conditions = std::move(conditions);
  plan.limit = limit;
  std::vector<UploadState> out;
  for (const auto& d : store.find(schema(), plan)) out.push_back(from_doc(d));
  return out;
}

}  // namespace

void insert(CatalogStore& store, UploadState& state) {
  if (state.id.empty()) throw std::invalid_argument("an upload state needs an id");
  state.version = 1;
  store.insert(schema(), to_doc(state));
}

std::optional<UploadState> get(CatalogStore& store, const std::string& id) {
  auto doc = store.get(schema(), id);
  if (!doc) return std::nullopt;
  return from_doc(*doc);
}

bool compare_and_set(CatalogStore& store, UploadState& state) {
  bool done = false;
  // One transaction: serial across processes, so the read and the write see no one between.
  store.transaction([&] {
    auto doc = store.get(schema(), state.id);
    if (!doc || num(*doc, "version") != state.version) return;
    UploadState next = state;
    next.version = state.version + 1;
    store.replace(schema(), to_doc(next));
    done = true;
  });
  if (done) ++state.version;
  return done;
}

bool remove(CatalogStore& store, const std::string& id) { return store.remove(schema(), id); }

bool remove_unless_committing(CatalogStore& store, const std::string& id) {
  bool done = false;
  store.transaction([&] {  // serial with compare_and_set: no commit starts in between
    auto doc = store.get(schema(), id);
    if (!doc) return;
    if (const auto* state = doc->if_contains("state"); state && state->is_string() && state->get_string() == "committing")
      return;
    done = store.remove(schema(), id);
  });
  return done;
}

std::vector<UploadState> receiving(CatalogStore& store) {
  return where(store, {field_is(schema(), "state", std::string("receiving"))}, -1);
}

std::vector<UploadState> expired(CatalogStore& store, std::int64_t now, std::int64_t limit) {
  return where(store, {field_compare(schema(), "expires", Comparison::Lt, now)}, limit);
}

}  // namespace openem::upload_states
