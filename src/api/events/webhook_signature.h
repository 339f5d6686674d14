#pragma once
// Webhook signatures as the Standard Webhooks specification has them (standardwebhooks.com),
// so that receivers can check them with its libraries in any language:
//   webhook-id:        the event's id (the same on every retry: receivers de-duplicate on it)
//   webhook-timestamp: seconds since the Unix epoch of this attempt
//   webhook-signature: "v1," base64(HMAC-SHA256(key, id "." timestamp "." body))
// where the key is the secret's bytes: the base64 after "whsec_".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openem {

// A new secret: "whsec_" and the base64 of 32 random bytes.
std::string new_webhook_secret();
// Whether `secret` is one: "whsec_" then base64 of 24 to 64 bytes.
bool is_webhook_secret(std::string_view secret);
// The webhook-signature header's value ("v1,<base64>") for a body sent with that id and time.
std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body);

}  // namespace openem
