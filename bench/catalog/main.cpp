// catalog_bench: load generator, latency driver and raw-SQLite baseline for `openem serve`.
// Subcommands (each prints one JSON object on stdout, progress on stderr):
//   load    --url U --user ingestor --password P --from A --to B [--threads 4]
//   query   --url U --n N --user u3 --password P --admin-password P [--iters 200] [--max-seconds 30]
//           [--timeout 60] [--server-pid PID]  (a request slower than this ends that endpoint's series, marked "timeout")
//   pids    --n N --out FILE [--count 100000]   percent-encoded GET paths for the wrk script
//   sqlite  --db FILE --n N [--lookup-seconds 10] [--threads 2]
//   sample  --index I                           one generated dataset body
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <sys/statvfs.h>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "stats.h"
#include "synthetic.h"

namespace json = boost::json;
using namespace openem::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::map<std::string, std::string> kv;
  std::string str(const std::string& k, const std::string& def = "") const {
    auto it = kv.find(k);
    if (it != kv.end()) return it->second;
    if (def.empty()) throw std::runtime_error("missing --" + k);
    return def;
  }
  long num(const std::string& k, long def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : std::stol(it->second);
  }
};

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string login(const std::string& url, const std::string& user, const std::string& password) {
  HttpClient c(url);
  auto r = c.post("/api/v3/auth/login", json::serialize(json::object{{"username", user}, {"password", password}}));
  if (r.status != 201 && r.status != 200)
    throw std::runtime_error("login " + user + " failed: " + std::to_string(r.status) + " " + r.body.substr(0, 200));
  return std::string(json::parse(r.body).at("id").as_string());
}

// ---------------------------------------------------------------------------------------------
// load: POST datasets [from, to) with T threads, one keep-alive connection each.
int cmd_load(const Args& a) {
  std::string url = a.str("url");
  long from = a.num("from", 0), to = a.num("to", 1000);
  int threads = static_cast<int>(a.num("threads", 4));
  int published_percent = static_cast<int>(a.num("published-percent", -1));
  std::string token = login(url, a.str("user"), a.str("password"));
  // The server's WAL can grow by hundreds of KB per dataset: stop loading before the disk fills.
  std::string guard_dir = a.str("data-dir", "/tmp");
  double min_free_gb = static_cast<double>(a.num("min-free-gb", 15));
  auto free_gb = [&] {
    struct statvfs st {};
    if (statvfs(guard_dir.c_str(), &st) != 0) return 1e9;
    return static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize) / 1e9;
  };
  std::atomic<bool> low_disk{false};

  std::atomic<long> next{from}, done{0}, errors{0};
  long chunk = std::max(1000L, (to - from) / 50);
  std::mutex mu;
  std::vector<double> all_lat;
  std::map<long, double> chunk_end_time;  // requests done -> seconds since start
  std::string first_error;
  auto t0 = Clock::now();
  auto worker = [&] {
    HttpClient c(url);
    c.set_token(token);
    std::vector<double> lat;
    lat.reserve(static_cast<size_t>((to - from) / threads + 16));
    for (long i; !low_disk && (i = next.fetch_add(1)) < to;) {
      std::string body = json::serialize(dataset_body(static_cast<std::uint64_t>(i), published_percent));
      HttpResult r;
      try {
        r = c.post("/api/v3/Datasets", body);
      } catch (const std::exception& e) {
        r.status = -1;
        r.body = e.what();
      }
      if (r.status != 201) {
        if (errors.fetch_add(1) == 0) {
          std::lock_guard l(mu);
          first_error = std::to_string(r.status) + " " + r.body.substr(0, 300);
        }
      }
      lat.push_back(r.seconds);
      long d = done.fetch_add(1) + 1;
      if (d % chunk == 0) {
        std::lock_guard l(mu);
        chunk_end_time[d] = since(t0);
      }
    }
    std::lock_guard l(mu);
    all_lat.insert(all_lat.end(), lat.begin(), lat.end());
  };
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i) ts.emplace_back(worker);
  std::atomic<bool> stop{false};
  std::thread progress([&] {
    long last = 0;
    auto tl = Clock::now();
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (!low_disk && free_gb() < min_free_gb) {
        low_disk = true;
        std::fprintf(stderr, "  load: stopping, less than %.0f GB free under %s\n", min_free_gb, guard_dir.c_str());
      }
      if (since(tl) < 10) continue;
      long d = done.load();
      std::fprintf(stderr, "  load: %ld/%ld  %.0f/s (last 10 s)  errors %ld\n", from + d, to,
                   static_cast<double>(d - last) / since(tl), errors.load());
      last = d;
      tl = Clock::now();
    }
  });
  for (auto& t : ts) t.join();
  double secs = since(t0);
  stop = true;
  progress.join();

  json::array segments;
  double prev_t = 0;
  long prev_d = 0;
  for (auto& [d, t] : chunk_end_time) {
    segments.emplace_back(json::object{{"datasets_at_end", from + d},
                                       {"rate_per_s", std::round(static_cast<double>(d - prev_d) / (t - prev_t))}});
    prev_t = t;
    prev_d = d;
  }
  long loaded = done.load();
  json::object out{{"from", from},
                   {"to", from + loaded},
                   {"requested_to", to},
                   {"threads", threads},
                   {"requests", loaded},
                   {"errors", errors.load()},
                   {"seconds", secs},
                   {"rate_per_s", static_cast<double>(loaded) / secs},
                   {"latency", latency_summary(all_lat)},
                   {"segments", std::move(segments)}};
  if (!first_error.empty()) out["first_error"] = first_error;
  if (low_disk) out["stopped"] = "low disk space";
  std::cout << json::serialize(out) << std::endl;
  return errors.load() == 0 ? 0 : 1;
}

// Waits (up to max_seconds) until process `pid` uses < 10% of a core over one second: a request
// the client abandoned keeps running in the server and would skew the next measurement.
double cpu_seconds(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; rest >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}
void wait_idle(long pid, double max_seconds) {
  if (pid <= 0) return;
  auto t0 = Clock::now();
  double prev = cpu_seconds(pid);
  while (since(t0) < max_seconds) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    double now = cpu_seconds(pid);
    if (now < 0 || now - prev < 0.1) return;
    prev = now;
  }
}

// ---------------------------------------------------------------------------------------------
// query: sequential latency of each endpoint on one keep-alive connection, per principal.
bool visible_to(const json::object& ds, const std::vector<std::string>& groups) {
  if (ds.at("isPublished").as_bool()) return true;
  auto in = [&](std::string_view g) {
    for (const auto& x : groups)
      if (x == g) return true;
    return false;
  };
  if (in(ds.at("ownerGroup").as_string())) return true;
  for (const auto& g : ds.at("accessGroups").as_array())
    if (in(g.as_string())) return true;
  return false;
}

int cmd_query(const Args& a) {
  std::string url = a.str("url");
  long n = a.num("n", 1000);
  long iters = a.num("iters", 200);
  double max_seconds = static_cast<double>(a.num("max-seconds", 30));
  long timeout = a.num("timeout", 60);
  long server_pid = a.num("server-pid", 0);
  std::vector<std::string> user_groups = {"group1", "group2", "group3"};
  struct Who {
    std::string name, token;
    bool admin;
  };
  std::vector<Who> principals = {{a.str("user"), login(url, a.str("user"), a.str("password")), false},
                                 {"admin", login(url, "admin", a.str("admin-password")), true}};
  std::mt19937_64 rng(42);
  auto rand_index = [&] { return static_cast<std::uint64_t>(rng() % static_cast<std::uint64_t>(n)); };
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };

  HttpClient writer(url);
  writer.set_token(principals[1].token);
  json::object results;
  for (const auto& who : principals) {
    HttpClient c(url);
    c.set_token(who.token);
    c.set_timeout_seconds(timeout);
    auto visible_pid = [&] {
      for (int tries = 0; tries < 100000; ++tries) {
        auto i = rand_index();
        if (who.admin) return pid_of(i);
        auto ds = dataset_body(i);
        if (visible_to(ds, user_groups)) return pid_of(i);
      }
      throw std::runtime_error("no visible dataset found");
    };
    // fullquery last: an abandoned (timed-out) query keeps a server thread busy, and run.sh
    // waits for the server to go idle before the next phase.
    std::vector<std::pair<std::string, std::function<std::string()>>> cases;
    auto add = [&](std::string name, std::function<std::string()> fn) { cases.emplace_back(std::move(name), std::move(fn)); };
    add("get_by_pid", [&] { return "/api/v3/Datasets/" + c.escape(visible_pid()); });
    add("list_page_25", [&] {
      int page = static_cast<int>(rng() % 40);
      return "/api/v3/Datasets?filter=" +
             c.escape(json::serialize(json::object{
                 {"limits", json::object{{"limit", 25}, {"skip", page * 25}, {"order", "creationTime:desc"}}}}));
    });
    add("count", [&] { return std::string("/api/v3/Datasets/count"); });
    add("fullfacet_4", [&] {
      return "/api/v3/Datasets/fullfacet?fields=" + c.escape("{}") + "&facets=" +
             c.escape(R"(["type","creationLocation","ownerGroup","keywords"])");
    });
    // The result cache answers a repeated facet request until the next write; a write
    // before each request (a dataset of a group no principal here is in, by admin on its own
    // connection, outside the timing) measures the facet computation itself.
    add("fullfacet_4_cold", [&] {
      static long cold = 0;
      writer.post("/api/v3/Datasets",
                  json::serialize(json::object{{"type", "raw"}, {"ownerGroup", "bench-cold"}, {"owner", "o"},
                                               {"contactEmail", "o@example.org"},
                                               {"sourceFolder", "/cold/" + std::to_string(cold++)},
                                               {"creationTime", "2024-01-01T00:00:00Z"},
                                               {"principalInvestigator", "pi"}, {"creationLocation", "cold"}}));
      return "/api/v3/Datasets/fullfacet?fields=" + c.escape("{}") + "&facets=" +
             c.escape(R"(["type","creationLocation","ownerGroup","keywords"])");
    });
    add("fullquery_text_2sci", [&] {
      const auto& names = sample_names();
      json::object fields{
          {"text", names[rng() % names.size()]},
          {"scientific",
           json::array{json::object{{"lhs", "acquisition.dose_per_movie"},
                                    {"relation", "GREATER_THAN"},
                                    {"rhs", std::round(uniform(3500, 7000))},
                                    {"unit", "e/nm^2"}},
                       json::object{{"lhs", "acquisition.pixel_size"},
                                    {"relation", "LESS_THAN"},
                                    {"rhs", std::round(uniform(0.06, 0.14) * 1000) / 1000},
                                    {"unit", "nm"}}}}};
      json::object limits{{"limit", 25}, {"skip", 0}, {"order", "creationTime:desc"}};
      return "/api/v3/Datasets/fullquery?fields=" + c.escape(json::serialize(fields)) +
             "&limits=" + c.escape(json::serialize(limits));
    });
    json::object per_who;
    for (auto& [name, make] : cases) {
      std::vector<double> lat;
      long errors = 0;
      std::string first_error;
      json::value sample_info;
      bool timed_out = c.get(make()).status == -408;  // warm-up, not recorded
      auto t0 = Clock::now();
      for (long i = 0; !timed_out && i < iters && (i < 3 || since(t0) < max_seconds); ++i) {
        std::string path = make();
        auto r = c.get(path);
        lat.push_back(r.seconds);
        if (r.status == -408) {
          timed_out = true;
          break;
        }
        if (r.status != 200) {
          if (errors++ == 0) first_error = std::to_string(r.status) + " " + r.body.substr(0, 300);
          continue;
        }
        if (sample_info.is_null()) {
          json::value v = json::parse(r.body);
          if (name == "count") sample_info = v.at("count");
          else if (name.rfind("fullfacet_4", 0) == 0) sample_info = v.at(0).at("all");
          else if (v.is_array()) sample_info = json::object{{"results", v.as_array().size()}, {"bytes", r.body.size()}};
          else sample_info = json::object{{"bytes", r.body.size()}};
        }
      }
      json::object o = latency_summary(lat);
      o["errors"] = errors;
      if (timed_out) {
        o["timeout_s"] = timeout;
        std::fprintf(stderr, "  (timeout: waiting for the server to finish the abandoned request)\n");
        wait_idle(server_pid, 1800);
      }
      if (!first_error.empty()) o["first_error"] = first_error;
      o["first_response"] = sample_info;
      std::fprintf(stderr, "  %-6s %-22s n=%-4zu p50 %8.2f ms  p99 %8.2f ms  errors %ld\n", who.name.c_str(),
                   name.c_str(), lat.size(), o["p50_ms"].to_number<double>(), o["p99_ms"].to_number<double>(), errors);
      per_who[name] = std::move(o);
    }
    results[who.admin ? "admin" : "user"] = std::move(per_who);
  }
  results["user_name"] = principals[0].name;
  results["user_groups"] = json::array{"group1", "group2", "group3"};
  std::cout << json::serialize(results) << std::endl;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// pids: GET paths for wrk, spread over the whole id range.
int cmd_pids(const Args& a) {
  long n = a.num("n", 1000), count = std::min(n, a.num("count", 100000));
  std::ofstream out(a.str("out"));
  std::mt19937_64 rng(7);
  HttpClient c("http://127.0.0.1");
  for (long i = 0; i < count; ++i)
    out << "/api/v3/Datasets/" << c.escape(pid_of(rng() % static_cast<std::uint64_t>(n))) << "\n";
  return 0;
}

// ---------------------------------------------------------------------------------------------
// sqlite: the same JSON documents in a plain table, through the C API, same pragmas as openem.
void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
}
sqlite3* open_db(const std::string& file) {
  sqlite3* db = nullptr;
  check(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr),
        db, "open");
  sqlite3_busy_timeout(db, 30000);
  check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; "
                     "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;",
                     nullptr, nullptr, nullptr),
        db, "pragma");
  return db;
}

int cmd_sqlite(const Args& a) {
  std::string file = a.str("db");
  long n = a.num("n", 1000);
  double lookup_seconds = static_cast<double>(a.num("lookup-seconds", 10));
  int threads = static_cast<int>(a.num("threads", 2));
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
  sqlite3* db = open_db(file);
  check(sqlite3_exec(db, "CREATE TABLE docs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)",
                     nullptr, nullptr, nullptr),
        db, "create");
  sqlite3_stmt *ins, *begin, *commit;
  check(sqlite3_prepare_v2(db, "INSERT INTO docs (id, doc) VALUES (?, ?)", -1, &ins, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr), db, "prepare");
  // One transaction per document, as POST /datasets does; generation is outside the clock.
  double insert_secs = 0, gen_secs = 0;
  const long batch = 10000;
  std::vector<std::pair<std::string, std::string>> docs;
  for (long base = 0; base < n; base += batch) {
    auto tg = Clock::now();
    docs.clear();
    for (long i = base; i < std::min(n, base + batch); ++i)
      docs.emplace_back(pid_of(static_cast<std::uint64_t>(i)), json::serialize(dataset_body(static_cast<std::uint64_t>(i))));
    gen_secs += since(tg);
    auto t0 = Clock::now();
    for (auto& [id, doc] : docs) {
      check(sqlite3_step(begin), db, "begin");
      sqlite3_reset(begin);
      sqlite3_bind_text(ins, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
      check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
      check(sqlite3_step(commit), db, "commit");
      sqlite3_reset(commit);
    }
    insert_secs += since(t0);
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  check(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr), db, "checkpoint");
  sqlite3_close(db);
  auto db_bytes = std::filesystem::file_size(file);

  // Primary-key lookups by random pid, `threads` connections; with and without parsing the doc.
  auto lookups = [&](bool parse) {
    std::atomic<long> total{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&, t] {
        sqlite3* c = open_db(file);
        sqlite3_stmt* st;
        check(sqlite3_prepare_v2(c, "SELECT doc FROM docs WHERE id = ?", -1, &st, nullptr), c, "prepare");
        std::mt19937_64 rng(100 + t);
        long count = 0;
        auto t0 = Clock::now();
        while (since(t0) < lookup_seconds) {
          for (int k = 0; k < 256; ++k) {
            std::string id = pid_of(rng() % static_cast<std::uint64_t>(n));
            sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_ROW) throw std::runtime_error("lookup miss");
            if (parse) {
              auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
              json::value v = json::parse(std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st, 0))));
              std::string s = json::serialize(v);  // the server also serializes the response
              if (s.empty()) throw std::runtime_error("empty");
            }
            sqlite3_reset(st);
            ++count;
          }
        }
        total += count;
        sqlite3_finalize(st);
        sqlite3_close(c);
      });
    for (auto& t : ts) t.join();
    return static_cast<double>(total.load()) / lookup_seconds;
  };
  double raw = lookups(false), parsed = lookups(true);
  json::object out{{"n", n},
                   {"insert_one_per_tx_per_s", static_cast<double>(n) / insert_secs},
                   {"generate_and_serialize_per_s", static_cast<double>(n) / gen_secs},
                   {"db_bytes", db_bytes},
                   {"pk_lookup_per_s", raw},
                   {"pk_lookup_parse_serialize_per_s", parsed},
                   {"lookup_threads", threads}};
  std::cout << json::serialize(out) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: catalog_bench load|query|pids|sqlite|sample --key value ...\n";
    return 2;
  }
  std::string cmd = argv[1];
  Args a;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) {
      std::cerr << "bad argument " << k << "\n";
      return 2;
    }
    a.kv[k.substr(2)] = argv[i + 1];
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  try {
    if (cmd == "load") return cmd_load(a);
    if (cmd == "query") return cmd_query(a);
    if (cmd == "pids") return cmd_pids(a);
    if (cmd == "sqlite") return cmd_sqlite(a);
    if (cmd == "sample") {
      std::cout << json::serialize(dataset_body(static_cast<std::uint64_t>(a.num("index", 0)),
                                                static_cast<int>(a.num("published-percent", -1))))
                << std::endl;
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "catalog_bench " << cmd << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "unknown subcommand " << cmd << "\n";
  return 2;
}
