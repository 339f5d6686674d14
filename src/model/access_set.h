#pragma once
// Who may read a document, as one value: its access set. The members are "g:<group>" for
// the owner group, each access group and, as the group "", the published marker; and
// "s:<e-mail>" for each sharedWith address. The namespaces keep a group name from posing as
// an e-mail. The key lists the members sorted and distinct, each length-prefixed
// ("7:g:group1"), so that no name can forge a boundary between two members.
//
// The store keeps each document's key in its row, so a read check is one in-row test
// instead of side-table seeks, and counts facets per key (AccessFacetCounts).
#include <string>
#include <string_view>
#include <vector>

namespace openem {

inline std::string access_member_group(std::string_view value) { return "g:" + std::string(value); }
inline std::string access_member_email(std::string_view email) { return "s:" + std::string(email); }

std::string access_set_key(std::vector<std::string> members);

// The members of a key, in key order. A malformed key (never written by access_set_key)
// yields the members before the damage.
std::vector<std::string_view> access_set_members(std::string_view key);

// True when the set `key` has a member in `readers`, a sorted list: the read rule.
bool access_set_meets(std::string_view key, const std::vector<std::string_view>& readers);

}  // namespace openem
