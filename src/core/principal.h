#pragma once
// Principal: who is making a request, as far as access control cares. Anonymous requests
// have an empty username. Built per request from a verified token; immutable afterwards.
#include <algorithm>
#include <string>
#include <vector>

namespace openem {

struct Principal {
  std::string user_id;
  std::string username;
  std::string email;
  std::vector<std::string> groups;  // roles ∪ access groups, as SciCat's currentGroups
  // The scope of the personal API token the request came with ("read", "ingest", "admin");
  // "" for a sign-in's token. App::authenticate has refused what the scope does not allow.
  std::string token_scope;

  bool authenticated() const { return !username.empty(); }
  bool in_group(const std::string& g) const {
    return std::find(groups.begin(), groups.end(), g) != groups.end();
  }
  static Principal anonymous() { return {}; }
};

}  // namespace openem
