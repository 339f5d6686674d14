#pragma once
// Hasher: an incremental message digest (OpenSSL EVP; SHA-256 uses SHA-NI where the CPU has
// it) with hex and base64 helpers for checksums as file lists and tus write them. One
// instance per thread (thread-compatible); movable, and copied only by an explicit clone().
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace openem {

class Hasher {
 public:
  // algorithm: "sha256" or "sha1" (case-insensitive; "sha-256" too). nullopt when unknown.
  static std::optional<Hasher> create(std::string_view algorithm);
  static Hasher sha256();

  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  // A hasher in the same state: both go on independently (a checkpoint to return to).
  Hasher clone() const;
  void update(std::string_view bytes);
  // The digest of everything so far (raw bytes); the hasher starts over afterwards.
  std::string finish();

  // One-shot digest (raw bytes); throws std::invalid_argument for an unknown algorithm.
  static std::string digest(std::string_view algorithm, std::string_view bytes);
  static std::string hex(std::string_view raw);  // lowercase
  static std::string base64(std::string_view raw);  // standard alphabet, padded
  // Standard base64, padding optional, no whitespace; nullopt when malformed.
  static std::optional<std::string> base64_decode(std::string_view text);

 private:
  struct Ctx;
  explicit Hasher(std::unique_ptr<Ctx> ctx);
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace openem
