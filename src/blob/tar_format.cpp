#include "blob/tar_format.h"

#include <cstdio>
#include <cstring>

namespace openem {
namespace {

constexpr std::int64_t kMaxUstarSize = 077777777777LL;  // 11 octal digits

// Writes v (which fits) as zero-padded octal into width-1 digits plus a NUL.
void put_octal(char* field, std::size_t width, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = width - 1; i-- > 0; u >>= 3) field[i] = static_cast<char>('0' + (u & 7));
  field[width - 1] = '\0';
}

bool ascii_printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::string ustar_block(std::string_view name, std::int64_t size, std::int64_t mtime, char type) {
  std::string b(kTarBlock, '\0');
  char* h = b.data();
  std::memcpy(h, name.data(), std::min<std::size_t>(name.size(), 100));
  put_octal(h + 100, 8, 0644);
  put_octal(h + 108, 8, 0);
  put_octal(h + 116, 8, 0);
  put_octal(h + 124, 12, size > kMaxUstarSize ? 0 : size);  // the pax header carries big sizes
  put_octal(h + 136, 12, mtime < 0 ? 0 : mtime);
  h[156] = type;
  std::memcpy(h + 257, "ustar", 6);  // magic with its NUL
  std::memcpy(h + 263, "00", 2);
  std::memcpy(h + 265, "root", 4);
  std::memcpy(h + 297, "root", 4);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : b) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, and the space left from the fill
  h[155] = ' ';
  return b;
}

// One pax record "<len> key=value\n", where len counts the whole record including itself.
std::string pax_record(std::string_view key, std::string_view value) {
  std::size_t payload = 1 + key.size() + 1 + value.size() + 1;  // ' ' key '=' value '\n'
  std::size_t len = payload + 1;
  while (std::to_string(len).size() + payload != len) len = std::to_string(len).size() + payload;
  return std::to_string(len) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

}  // namespace

std::size_t tar_padding(std::int64_t size) {
  return static_cast<std::size_t>((kTarBlock - static_cast<std::size_t>(size % kTarBlock)) % kTarBlock);
}

std::string tar_end_of_archive() { return std::string(2 * kTarBlock, '\0'); }

std::string tar_file_header(std::string_view name, std::int64_t size, std::int64_t mtime_seconds) {
  std::string records;
  if (name.size() > 100 || !ascii_printable(name)) records += pax_record("path", name);
  if (size > kMaxUstarSize) records += pax_record("size", std::to_string(size));
  std::string out;
  if (!records.empty()) {
    // The ustar name of the pax entry is informational; keep it short and printable.
    std::string short_name(name.substr(0, 80));
    for (char& c : short_name)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '_';
    out += ustar_block("PaxHeaders/" + short_name, static_cast<std::int64_t>(records.size()), mtime_seconds, 'x');
    out += records;
    out.append(tar_padding(static_cast<std::int64_t>(records.size())), '\0');
  }
  out += ustar_block(name.substr(0, 100), size, mtime_seconds, '0');
  return out;
}

}  // namespace openem
