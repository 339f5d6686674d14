#pragma once
// The ids of events (api/events/): the change history's sequence number (store/history.h),
// encrypted. A plain sequence number would count, by its gaps, the changes a subscriber may not
// see — of private datasets, say — and the security rule allows not even their number. So an
// id is one AES-256 block: the number and 8 bytes of its HMAC, under keys derived from the
// deployment's JWT_SECRET. The same event always has the same id (webhook receivers
// de-duplicate on it, SSE clients resume with it), every process of the deployment reads every
// other's, and a made-up id is refused (the chance that one opens is 2^-64). Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openem {

class EventIds {
 public:
  explicit EventIds(std::string_view secret);
  std::string id_of(std::int64_t seq) const;              // 22 characters of base64url
  std::optional<std::int64_t> seq_of(std::string_view id) const;  // nullopt: not an id of ours

 private:
  std::string cipher_key_, mac_key_;
};

}  // namespace openem
