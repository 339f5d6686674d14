#include "blob/hasher.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <strings.h>

namespace openem {

struct Hasher::Ctx {
  const EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

namespace {
const EVP_MD* find_md(std::string_view name) {
  std::string n(name);
  if (strcasecmp(n.c_str(), "sha256") == 0 || strcasecmp(n.c_str(), "sha-256") == 0) return EVP_sha256();
  if (strcasecmp(n.c_str(), "sha1") == 0 || strcasecmp(n.c_str(), "sha-1") == 0) return EVP_sha1();
  return nullptr;
}
}  // namespace

Hasher::Hasher(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

std::optional<Hasher> Hasher::create(std::string_view algorithm) {
  const EVP_MD* md = find_md(algorithm);
  if (!md) return std::nullopt;
  auto c = std::make_unique<Ctx>();
  c->md = md;
  c->ctx = EVP_MD_CTX_new();
  if (!c->ctx || EVP_DigestInit_ex(c->ctx, md, nullptr) != 1) throw std::runtime_error("EVP_DigestInit_ex failed");
  return Hasher(std::move(c));
}

Hasher Hasher::sha256() { return *create("sha256"); }

Hasher Hasher::clone() const {
  auto c = std::make_unique<Ctx>();
  c->md = ctx_->md;
  c->ctx = EVP_MD_CTX_new();
  if (!c->ctx || EVP_MD_CTX_copy_ex(c->ctx, ctx_->ctx) != 1) throw std::runtime_error("EVP_MD_CTX_copy_ex failed");
  return Hasher(std::move(c));
}

void Hasher::update(std::string_view bytes) {
  if (!bytes.empty() && EVP_DigestUpdate(ctx_->ctx, bytes.data(), bytes.size()) != 1)
    throw std::runtime_error("EVP_DigestUpdate failed");
}

std::string Hasher::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_->ctx, out, &n) != 1 || EVP_DigestInit_ex(ctx_->ctx, ctx_->md, nullptr) != 1)
    throw std::runtime_error("EVP_DigestFinal_ex failed");
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string Hasher::digest(std::string_view algorithm, std::string_view bytes) {
  auto h = create(algorithm);
  if (!h) throw std::invalid_argument("unknown digest algorithm " + std::string(algorithm));
  h->update(bytes);
  return h->finish();
}

std::string Hasher::hex(std::string_view raw) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Hasher::base64(std::string_view raw) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(raw[i]) << 16) | (static_cast<unsigned char>(raw[i + 1]) << 8) |
                 static_cast<unsigned char>(raw[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = raw.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(raw[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(raw[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Hasher::base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace openem
