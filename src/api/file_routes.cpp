// File-list endpoints (reference §4.1–4.2): OrigDatablocks (files as ingested) and Datablocks
// (archive units), top-level and as dataset sub-resources, v3 and v4 paths. After every
// change of origdatablocks the dataset's size and numberOfFiles are recomputed in the same
// transaction.
#include <boost/json.hpp>

#include "api/collection_access.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/quotas.h"
#include "api/routes.h"
#include "api/search.h"
#include "core/error.h"
#include "core/ids.h"
#include "jobs/archive_ledger.h"
#include "model/dto.h"
#include "model/file_list.h"
#include "query/fullquery.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;
namespace {

struct BlockKind {
  const CollectionSchema& schema;
  bool archive;  // Datablock
};

CollectionAccess block_access(App& app, const BlockKind& k) {
  return CollectionAccess(app, k.schema, [&app](const Principal& p) { return dataset_read_scope(app.config(), p); });
}

// Recomputes the dataset's totals from its blocks: size and numberOfFiles from the
// origdatablocks, refusing (413, the transaction rolls back) a change that takes the owner
// group past its quota (api/quotas.h); packedSize and numberOfFilesArchived from the
// datablocks (upstream datasets.service.ts updateDatasetSizeAndFiles with
// {size: "packedSize", numberOfFiles: "numberOfFilesArchived"}).
void after_change(App& app, const BlockKind& k, const std::string& pid) {
  if (k.archive) {
    recompute_archive_totals(app, pid);
    return;
  }
  if (auto c = recompute_file_totals(app, pid)) check_registration_quota(app, c->owner_group, c->size_before, c->size_after);
}

// Archive datablocks (docs/security.md): openem's archive worker alone writes datablocks of
// its bag version, and it alone changes them; the archive fields of other datablocks are
// changed only by the archive system (App::is_archive_manager). Retrieve trusts the archive
// ledger, not these documents, but a datablock must not claim what it is not either.
const std::set<std::string, std::less<>>& archive_fields() {
  static const std::set<std::string, std::less<>> f{"archiveId", "version", "packedSize", "size", "chkAlg",
                                                    "dataFileList"};
  return f;
}

void check_archive_write(App& app, const Principal& p, const json::object* stored, const json::object& body) {
  if (stored && str_field(*stored, "version") == kBagVersion)
    throw ApiError::forbidden("This datablock was written by openem's archive worker; only the worker changes it");
  if (str_field(body, "version") == kBagVersion)
    throw ApiError::forbidden(std::string("Datablocks of version ") + kBagVersion + " are written by openem's archive worker only");
  if (!stored || app.is_archive_manager(p)) return;
  for (const auto& [key, v] : body)
    if (archive_fields().count(key) && (!stored->contains(key) || stored->at(key) != v))
      throw ApiError::forbidden("Only the archive system changes " + std::string(key) + " of a datablock");
}

json::object create_block(App& app, const BlockKind& k, const Principal& p, json::object body) {
  if (!p.authenticated()) throw ApiError::forbidden();
  auto errors = validate_file_block(body, false, k.archive);
  if (!errors.empty()) throw ApiError(400, errors);
  std::string pid = str_field(body, "datasetId");
  json::object doc;
  app.store().transaction([&] {
    auto ds = app.store().get(schemas::datasets(), pid);
    // An unreadable dataset answers as a missing one (docs/security.md).
    bool visible = ds && (may_register_files(app, p, *ds) || dataset_access(app).readable(p, *ds));
    if (!visible) throw ApiError::bad_request("Dataset " + pid + " does not exist");
    if (!may_register_files(app, p, *ds)) throw ApiError::forbidden();
    if (k.archive) {
      check_archive_write(app, p, nullptr, body);
      // Unique within the dataset: a check across datasets would tell whether another group's
      // archive holds a key (an existence oracle), and retrieve never trusts these keys anyway.
      QueryPlan dup;
      dup.conditions.push_back(field_is(k.schema, "archiveId", str_field(body, "archiveId")));
      dup.conditions.push_back(field_is(k.schema, "datasetId", pid));
      dup.limit = 1;
      if (!app.store().find_ids(k.schema, dup).empty())
        throw ApiError::conflict("A datablock with archiveId " + str_field(body, "archiveId") + " already exists");
    }
    for (const auto& f : server_managed_fields()) body.erase(f);
    doc = std::move(body);
    std::string id = uuid_v4();
    doc["_id"] = id;
    doc["id"] = id;
    inherit_ownership(doc, *ds);
    normalize_file_block(doc);
    stamp(doc, p, true);
    app.store().insert(k.schema, doc);
    after_change(app, k, pid);
  });
  return doc;
}

json::object patch_block(App& app, const BlockKind& k, const Principal& p, const std::string& id, json::object body,
                         const std::string& expected_pid) {
  json::object doc;
  app.store().transaction([&] {
    // Found and readable first (404), then the body (400), then the right to change it (403):
    // the answer for another group's block is the answer for a missing one.
    doc = block_access(app, k).get_readable(p, id);
    std::string pid = str_field(doc, "datasetId");
    if (!expected_pid.empty() && pid != expected_pid) throw ApiError::not_found();
    auto errors = validate_file_block(body, true, k.archive);
    if (!errors.empty()) throw ApiError(400, errors);
    if (body.contains("datasetId") && str_field(body, "datasetId") != pid)
      throw ApiError::bad_request("datasetId of a file block cannot be changed");
    dataset_for_write(app, p, pid);
    if (k.archive) check_archive_write(app, p, &doc, body);
    for (const auto& f : server_managed_fields()) body.erase(f);
    for (const char* owned : {"ownerGroup", "accessGroups", "isPublished"}) body.erase(owned);
    for (const auto& [key, v] : body) doc[key] = v;
    normalize_file_block(doc);
    stamp(doc, p, false);
    app.store().replace(k.schema, doc);
    after_change(app, k, pid);
  });
  return doc;
}

json::object delete_block(App& app, const BlockKind& k, const Principal& p, const std::string& id,
                          const std::string& expected_pid) {
  json::object doc;
  app.store().transaction([&] {
    doc = block_access(app, k).get_for_change(p, id, [&](const json::object&) { return app.may_delete(p); });
    std::string pid = str_field(doc, "datasetId");
    if (!expected_pid.empty() && pid != expected_pid) throw ApiError::not_found();  // DELETE_GROUPS only (reference §7.1)
    app.store().remove(k.schema, id);
    after_change(app, k, pid);
  });
  return doc;
}

// v3: {valid, errors} (messages); v4: {valid, reason} in class-validator's shape, as upstream.
HttpResponse is_valid(const HttpRequest& req, const BlockKind& k, bool v4) {
  json::object body = body_object(req);
  if (auto pid = req.params.find("pid"); pid != req.params.end()) body["datasetId"] = pid->second;
  auto errors = validate_file_block(body, false, k.archive);
  if (v4) return HttpResponse::json(200, json::object{{"valid", errors.empty()}, {"reason", validation_reasons(errors)}});
  json::array arr;
  for (const auto& e : errors) arr.emplace_back(e);
  return HttpResponse::json(200, json::object{{"valid", errors.empty()}, {"errors", std::move(arr)}});
}

// fullfacet over the blocks p reads. /files counts files, as /fullquery/files returns them
// (upstream: getSubFieldCount "dataFileList"); the frontend's file paginator reads this total.
// Facets, when asked for, still count blocks; without them the blocks are not counted at all.
HttpResponse fullfacet(App& app, const BlockKind& k, const Principal& p, const HttpRequest& req, bool files) {
  SearchRequest s = parse_search_request(req);
  auto conds = fullquery_conditions(k.schema, s.fields, "");
  const Condition access = block_access(app, k).access_condition(p);
  if (!files) return HttpResponse::json(200, fullfacet_response(app, k.schema, access, conds, s.facets));
  json::array out = s.facets.empty() ? json::array{json::object()}
                                     : fullfacet_response(app, k.schema, access, conds, s.facets);
  conds.push_back(access);
  const std::int64_t n = app.store().count_elements(k.schema, "dataFileList", all_of(conds));
  out[0].as_object()["all"] = json::array{json::object{{"totalSets", n}}};
  return HttpResponse::json(200, out);
}

// One row per file, as upstream's $unwind of dataFileList: the block with that one file.
// `datasetExist` is always true here: deleting a dataset deletes its blocks.
json::array file_rows(App& app, const BlockKind& k, const QueryPlan& plan) {
  json::array out;
  for (auto& row : app.store().unwind(k.schema, "dataFileList", plan)) {
    row.as_object()["datasetExist"] = true;
    out.emplace_back(std::move(row));
  }
  return out;
}

ListFilter v4_list_filter(const CollectionAccess& acc, const HttpRequest& req) {
  ListFilter f = acc.request_filter(req);
  apply_v4_default_window(f);
  return f;
}

// Upstream's v4 routes beside the shared ones: /files (one row per file), /files/count and the
// public mirror /public, /public/files, /public/files/count, /public/fullfacet[/files], /public/:id,
// which answer anyone with published blocks only.
void register_v4_origdatablock_routes(Router& r, App& app, const std::string& base, BlockKind k) {
  auto files = [&app, k](const Principal& p, const HttpRequest& req) {
    auto acc = block_access(app, k);
    return HttpResponse::json(200, file_rows(app, k, acc.plan_for(p, v4_list_filter(acc, req))));
  };
  r.add("GET", base + "/files", [&app, files](HttpRequest& req) { return files(app.authenticate(req), req); });
  r.add("GET", base + "/public/files", [files](HttpRequest& req) { return files(Principal::anonymous(), req); });
  r.add("GET", base + "/public", [&app, k](HttpRequest& req) {
    auto acc = block_access(app, k);
    return HttpResponse::json(200, acc.list(Principal::anonymous(), v4_list_filter(acc, req)));
  });
  auto count_files = [&app, k](const Principal& p, const HttpRequest& req) {
    auto acc = block_access(app, k);
    ListFilter f = acc.request_filter(req);
    std::vector<Condition> conds{acc.access_condition(p)};
    if (!f.where.is_null()) conds.push_back(translate_where(k.schema, f.where));
    return HttpResponse::json(200, json::object{{"count", app.store().count_elements(k.schema, "dataFileList", all_of(conds))}});
  };
  r.add("GET", base + "/files/count", [&app, count_files](HttpRequest& req) { return count_files(app.authenticate(req), req); });
  r.add("GET", base + "/public/files/count", [count_files](HttpRequest& req) { return count_files(Principal::anonymous(), req); });
  for (const bool with_files : {false, true})
    r.add("GET", base + (with_files ? "/public/fullfacet/files" : "/public/fullfacet"), [&app, k, with_files](HttpRequest& req) {
      return fullfacet(app, k, Principal::anonymous(), req, with_files);
    });
  r.add("GET", base + "/public/:id", [&app, k](HttpRequest& req) {
    return HttpResponse::json(200, block_access(app, k).get_readable(Principal::anonymous(), req.param("id")));
  });
}

void register_top_level(Router& r, App& app, const std::string& base, BlockKind k, bool v4 = false) {
  r.add("POST", base, [&app, k](HttpRequest& req) {
    return HttpResponse::json(201, create_block(app, k, app.authenticate(req), body_object(req)));
  });
  r.add("POST", base + "/isValid", [k, v4](HttpRequest& req) { return is_valid(req, k, v4); });
  r.add("GET", base, [&app, k, v4](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = block_access(app, k);
    return HttpResponse::json(200, acc.list(p, v4 ? v4_list_filter(acc, req) : acc.request_filter(req)));
  });
  r.add("GET", base + "/count", [&app, k](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = block_access(app, k);
    ListFilter f = acc.request_filter(req);
    return HttpResponse::json(200, json::object{{"count", acc.count(p, f.where)}});
  });
  r.add("GET", base + "/findOne", [&app, k](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = block_access(app, k);
    auto doc = acc.find_one(p, acc.request_filter(req));
    return HttpResponse::json(200, doc ? json::value(std::move(*doc)) : json::value(json::object()));
  });
  if (!k.archive) {
    auto search_plan = [&app, k](const Principal& p, const SearchRequest& s) {
      QueryPlan plan;
      plan.conditions = fullquery_conditions(k.schema, s.fields, "");
      plan.conditions.push_back(block_access(app, k).access_condition(p));
      add_order_and_window(plan, k.schema, s.window, 100);
      return plan;
    };
    r.add("GET", base + "/fullquery", [&app, k, search_plan](HttpRequest& req) {
      Principal p = app.authenticate(req);
      json::array out;
      for (auto& d : app.store().find(k.schema, search_plan(p, parse_search_request(req)))) out.emplace_back(std::move(d));
      return HttpResponse::json(200, out);
    });
    r.add("GET", base + "/fullquery/files", [&app, k, search_plan](HttpRequest& req) {
      Principal p = app.authenticate(req);
      return HttpResponse::json(200, file_rows(app, k, search_plan(p, parse_search_request(req))));
    });
    for (const bool files : {false, true})
      r.add("GET", base + (files ? "/fullfacet/files" : "/fullfacet"), [&app, k, files](HttpRequest& req) {
        return fullfacet(app, k, app.authenticate(req), req, files);
      });
  }
  r.add("GET", base + "/:id", [&app, k](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, block_access(app, k).get_readable(p, req.param("id")));
  });
  r.add("PATCH", base + "/:id", [&app, k](HttpRequest& req) {
    return HttpResponse::json(200, patch_block(app, k, app.authenticate(req), req.param("id"), body_object(req), ""));
  });
  r.add("DELETE", base + "/:id", [&app, k](HttpRequest& req) {
    return HttpResponse::json(200, delete_block(app, k, app.authenticate(req), req.param("id"), ""));
  });
}

// /datasets/:pid/<name>: access follows the dataset (published datasets expose their files).
void register_under_dataset(Router& r, App& app, const std::string& base, BlockKind k) {
  r.add("POST", base, [&app, k](HttpRequest& req) {
    json::object body = body_object(req);
    body["datasetId"] = req.param("pid");
    return HttpResponse::json(201, create_block(app, k, app.authenticate(req), std::move(body)));
  });
  r.add("POST", base + "/isValid", [k](HttpRequest& req) { return is_valid(req, k, false); });
  auto blocks_of = [&app, k](const HttpRequest& req, const Principal& p) {
    dataset_access(app).get_readable(p, req.param("pid"));
    QueryPlan plan;
    plan.conditions.push_back(field_is(k.schema, "datasetId", req.param("pid")));
    if (auto q = req.query_param("filter")) {
      ListFilter f = parse_filter(*q);
      auto extra = block_access(app, k).plan_for(Principal{"", "", "", {}}, f);
      // the dataset check above already decided access; keep only the caller's where/window
      extra.conditions.erase(extra.conditions.begin());
      plan.conditions.insert(plan.conditions.end(), extra.conditions.begin(), extra.conditions.end());
      plan.order = extra.order;
      plan.limit = extra.limit;
      plan.skip = extra.skip;
    }
    return plan;
  };
  r.add("GET", base, [&app, k, blocks_of](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::array out;
    for (auto& d : app.store().find(k.schema, blocks_of(req, p))) out.emplace_back(std::move(d));
    return HttpResponse::json(200, out);
  });
  r.add("GET", base + "/count", [&app, k, blocks_of](HttpRequest& req) {
    Principal p = app.authenticate(req);
    QueryPlan plan = blocks_of(req, p);
    return HttpResponse::json(200, json::object{{"count", app.store().count(k.schema, all_of(plan.conditions))}});
  });
  r.add("PATCH", base + "/:id", [&app, k](HttpRequest& req) {
    return HttpResponse::json(
        200, patch_block(app, k, app.authenticate(req), req.param("id"), body_object(req), req.param("pid")));
  });
  r.add("DELETE", base + "/:id", [&app, k](HttpRequest& req) {
    return HttpResponse::json(200, delete_block(app, k, app.authenticate(req), req.param("id"), req.param("pid")));
  });
  r.add("DELETE", base, [&app, k](HttpRequest& req) {
    Principal p = app.authenticate(req);
    std::string pid = req.param("pid");
    std::int64_t removed = 0;
    app.store().transaction([&] {
      dataset_access(app).get_for_change(p, pid, [&](const json::object&) { return app.may_delete(p); });
      QueryPlan plan;
      plan.conditions.push_back(field_is(k.schema, "datasetId", pid));
      for (const auto& id : app.store().find_ids(k.schema, plan)) removed += app.store().remove(k.schema, id) ? 1 : 0;
      after_change(app, k, pid);
    });
    return HttpResponse::json(200, json::object{{"deletedCount", removed}});
  });
}

}  // namespace

void register_file_routes(Router& r, App& app) {
  BlockKind orig{schemas::origdatablocks(), false};
  BlockKind arch{schemas::datablocks(), true};
  register_top_level(r, app, "/api/v3/origdatablocks", orig);
  register_top_level(r, app, "/api/v4/origdatablocks", orig, /*v4=*/true);
  register_v4_origdatablock_routes(r, app, "/api/v4/origdatablocks", orig);
  register_top_level(r, app, "/api/v3/datablocks", arch);
  register_under_dataset(r, app, "/api/v3/datasets/:pid/origdatablocks", orig);
  register_under_dataset(r, app, "/api/v3/datasets/:pid/datablocks", arch);
}

}  // namespace openem
