#include "publish/oai/provider.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/json_fields.h"
#include "publish/markup.h"
#include "publish/oai/harvest.h"
#include "publish/oai/identifiers.h"
#include "publish/oai/resumption_token.h"
#include "publish/oai/response_xml.h"

namespace openem::oai {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxSetValues = 10000;  // per kind, in ListSets

// A protocol error raised while answering a valid request: its response echoes the request.
struct ProtocolError {
  Error error;
};
[[noreturn]] void fail(std::string code, std::string message) {
  throw ProtocolError{{std::move(code), std::move(message)}};
}

const char* const kNoSuchItem = "No item has this identifier";  // one text for missing and private

// The sets a public dataset is in, leaves of the hierarchy.
std::vector<std::string> set_specs_of(const json::object& ds) {
  std::vector<std::string> out;
  std::set<std::string> instruments;
  if (auto* ids = ds.if_contains("instrumentIds"); ids && ids->is_array())
    for (const auto& v : ids->get_array())
      if (v.is_string() && !v.get_string().empty()) instruments.emplace(v.get_string());
  if (auto id = json_string(ds, "instrumentId"); !id.empty()) instruments.insert(id);
  for (const auto& i : instruments) out.push_back("instrument:" + set_component(i));
  std::set<std::string> techniques;
  if (auto* t = ds.if_contains("techniques"); t && t->is_array())
    for (const auto& x : t->get_array())
      if (x.is_object())
        if (auto name = json_string(x.get_object(), "name"); !name.empty()) techniques.insert(name);
  for (const auto& t : techniques) out.push_back("technique:" + set_component(t));
  if (auto g = json_string(ds, "ownerGroup"); !g.empty()) out.push_back("group:" + set_component(g));
  out.push_back(std::string("status:") + kPublishedStatus);
  return out;
}

std::string record_xml(const ProviderConfig& c, ItemKind kind, const PublicRecord& rec, const MetadataFormat* format) {
  const std::string identifier = item_identifier(c.repository_id, ItemRef{kind, rec.id});
  const std::string datestamp = datestamp_text(rec.datestamp);
  if (rec.deleted) {
    std::string out = format ? "<record>" : "";
    out += record_header(identifier, datestamp, {}, true);
    return out + (format ? "</record>\n" : "\n");
  }
  json::object doc = json::parse(rec.json).as_object();
  const bool dataset = kind == ItemKind::Dataset;
  std::vector<std::string> sets = dataset ? set_specs_of(doc) : std::vector<std::string>{"status:" + set_component(json_string(doc, "status"))};
  std::string header = record_header(identifier, datestamp, sets, false);
  if (!format) return header + "\n";
  std::string metadata = dataset ? dataset_metadata(*format, doc, c.metadata)
                                 : record_metadata(*format, c.record_attributes(doc), c.metadata);
  return "<record>" + header + "<metadata>" + metadata + "</metadata></record>\n";
}

// The item an identifier names, or its tombstone; idDoesNotExist for anything else.
PublicRecord item_or_fail(CatalogStore& store, const ProviderConfig& c, const std::string& identifier, ItemRef& item) {
  auto ref = item_of(c.repository_id, identifier);
  std::optional<PublicRecord> rec;
  if (ref) rec = harvest_item(store, *ref);
  if (!rec) fail("idDoesNotExist", kNoSuchItem);
  item = *ref;
  return std::move(*rec);
}

const MetadataFormat& format_or_fail(const std::string& prefix) {
  const MetadataFormat* f = find_format(prefix);
  if (!f) fail("cannotDisseminateFormat", "This repository does not disseminate " + prefix);
  return *f;
}

HarvestScope scope_or_fail(const std::string& spec) {
  if (spec.empty()) return scope_of(std::nullopt);
  auto selection = parse_set(spec);
  if (!selection) fail("noRecordsMatch", "There is no set " + spec);
  return scope_of(selection);
}

std::string identify(CatalogStore& store, const ProviderConfig& c) {
  auto earliest = earliest_harvest_datestamp(store);
  std::string sample = item_identifier(c.repository_id, ItemRef{ItemKind::Dataset, "sample-pid"});
  return "<Identify><repositoryName>" + xml_escape(c.repository_name) + "</repositoryName><baseURL>" +
         xml_escape(c.base_url) + "</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>" +
         xml_escape(c.admin_email) + "</adminEmail><earliestDatestamp>" +
         datestamp_text(earliest ? *earliest : iso_utc(c.now)) +
         "</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
         "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity><description>"
         "<oai-identifier xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\" "
         "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai-identifier "
         "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\"><scheme>oai</scheme><repositoryIdentifier>" +
         xml_escape(c.repository_id) + "</repositoryIdentifier><delimiter>:</delimiter><sampleIdentifier>" +
         xml_escape(sample) + "</sampleIdentifier></oai-identifier></description></Identify>\n";
}

std::string list_metadata_formats(CatalogStore& store, const ProviderConfig& c, const Request& req) {
  if (!req.identifier.empty()) {
    ItemRef item;
    PublicRecord rec = item_or_fail(store, c, req.identifier, item);
    if (rec.deleted) fail("noMetadataFormats", "The item is deleted: it has no metadata in any format");
  }
  std::string out = "<ListMetadataFormats>";
  for (const auto& f : metadata_formats())
    out += std::string("<metadataFormat><metadataPrefix>") + f.prefix + "</metadataPrefix><schema>" + f.schema +
           "</schema><metadataNamespace>" + f.metadata_namespace + "</metadataNamespace></metadataFormat>";
  return out + "</ListMetadataFormats>\n";
}

std::string list_sets(CatalogStore& store, const ProviderConfig& c, const Request& req) {
  if (!req.resumption_token.empty()) fail("badResumptionToken", "ListSets is never split: there is no token to resume");
  auto compute = [&store] {
    std::string out = "<ListSets>";
    std::size_t n = 0;
    const SetKindInfo* kinds = set_kinds(n);
    for (std::size_t k = 0; k < n; ++k) {
      const SetKindInfo& kind = kinds[k];
      out += std::string("<set><setSpec>") + kind.spec + "</setSpec><setName>" + kind.name + "</setName></set>";
      if (kind.kind == SetKind::Status) {
        out += std::string("<set><setSpec>status:") + kPublishedStatus + "</setSpec><setName>Public datasets</setName></set>";
        for (const auto& r : kRecordStatusSets)
          out += std::string("<set><setSpec>status:") + r.status + "</setSpec><setName>" + r.name + "</setName></set>";
        continue;
      }
      // Only values of public datasets: a value only private datasets hold is not named.
      for (const auto& value : store.public_values(schemas::datasets(), kind.field, kMaxSetValues)) {
        std::string name = value;
        if (kind.kind == SetKind::Instrument)
          if (auto inst = store.get(schemas::instruments(), value))
            if (auto n = json_string(*inst, "name"); !n.empty()) name = n + " (" + value + ")";
        out += std::string("<set><setSpec>") + kind.spec + ":" + set_component(value) + "</setSpec><setName>" +
               xml_escape(name) + "</setName></set>";
      }
    }
    return out + "</ListSets>\n";
  };
  return c.memo ? c.memo("oai-listsets", compute) : compute();
}

std::string get_record(CatalogStore& store, const ProviderConfig& c, const Request& req) {
  ItemRef item;
  PublicRecord rec = item_or_fail(store, c, req.identifier, item);
  const MetadataFormat& format = format_or_fail(req.metadata_prefix);
  return "<GetRecord>" + record_xml(c, item.kind, rec, &format) + "</GetRecord>\n";
}

// ListRecords and ListIdentifiers: one page from the position, and the token of the next.
std::string list(CatalogStore& store, const ProviderConfig& c, const Request& req) {
  const bool records = req.verb == Verb::ListRecords;
  const std::string verb = verb_name(req.verb);
  ListPosition pos;
  const bool resumed = !req.resumption_token.empty();
  if (resumed) {
    TokenResult t = decode_token(req.resumption_token, c.token_key, verb, c.now);
    if (!t.position) fail("badResumptionToken", t.error);
    pos = std::move(*t.position);
  } else {
    pos.verb = verb;
    pos.metadata_prefix = req.metadata_prefix;
    pos.set = req.set;
    pos.from = req.from_text;
    pos.until = req.until_text;
    // The list ends now (or at until): what changes during the harvest waits for the next.
    Millis end = c.now + 1;
    if (req.until) end = std::min(end, req.until->end());
    pos.before = iso_utc(end);
    if (req.from) pos.after_datestamp = iso_utc(req.from->start);  // with id "": from is inclusive
  }
  const MetadataFormat& format = format_or_fail(pos.metadata_prefix);
  const HarvestScope scope = scope_or_fail(pos.set);
  const HarvestRange range{pos.after_datestamp, pos.after_kind, pos.after_id, pos.before};
  if (!resumed) {
    pos.complete_list_size = harvest_count(store, scope, range);
    if (pos.complete_list_size == 0) fail("noRecordsMatch", "No records match the request");
  }
  auto page = harvest_page(store, scope, range, c.page_size + 1, true);
  // A resumed list can end empty when its remaining records changed since the last page.
  if (page.empty()) fail("noRecordsMatch", "No records remain in this list");
  const bool more = static_cast<std::int64_t>(page.size()) > c.page_size;
  if (more) page.pop_back();
  std::string out = records ? "<ListRecords>\n" : "<ListIdentifiers>\n";
  out.reserve(page.size() * (records ? 2048 : 256));
  for (const auto& item : page) out += record_xml(c, item.kind, item.record, records ? &format : nullptr);
  if (more) {
    ListPosition next = pos;
    next.after_datestamp = page.back().record.datestamp;
    next.after_kind = page.back().kind;
    next.after_id = page.back().record.id;
    next.cursor = pos.cursor + static_cast<std::int64_t>(page.size());
    next.expires = c.now + kTokenLifetime;
    out += resumption_token_element(encode_token(next, c.token_key), datestamp_text(iso_utc(next.expires)),
                                    pos.complete_list_size, pos.cursor);
  } else if (resumed) {
    out += resumption_token_element("", "", pos.complete_list_size, pos.cursor);
  }
  return out + (records ? "</ListRecords>\n" : "</ListIdentifiers>\n");
}

}  // namespace

std::string respond(CatalogStore& store, const ProviderConfig& c, const ArgumentList& args) {
  const std::string date = datestamp_text(iso_utc(c.now));
  auto validated = validate(args);
  if (auto* e = std::get_if<Error>(&validated)) return error_document(date, nullptr, c.base_url, *e);
  const Request& req = std::get<Request>(validated);
  try {
    std::string body;
    switch (req.verb) {
      case Verb::Identify: body = identify(store, c); break;
      case Verb::ListMetadataFormats: body = list_metadata_formats(store, c, req); break;
      case Verb::ListSets: body = list_sets(store, c, req); break;
      case Verb::ListIdentifiers:
      case Verb::ListRecords: body = list(store, c, req); break;
      case Verb::GetRecord: body = get_record(store, c, req); break;
    }
    return envelope_start(date, &req.arguments, c.base_url) + body + std::string(kEnvelopeEnd);
  } catch (const ProtocolError& e) {
    return error_document(date, &req.arguments, c.base_url, e.error);
  }
}

}  // namespace openem::oai
