#pragma once
// Small text helpers shared by the readers: locale-independent number parsing that accepts
// what instrument software writes (NaN, Windows 3-digit exponents, integers for floats),
// trimming, UTF-8 repair. Pure functions, thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openem::extract {

std::string_view trim(std::string_view s);

// A whole token as a double ("33", "1.04811e-005", "+2", "NaN"); nullopt for anything else.
// NaN is returned as a quiet NaN so callers can tell "not a number" from "not present".
std::optional<double> parse_number(std::string_view s);

// Whitespace-separated tokens of a value ("4.97 -299.41" -> {"4.97", "-299.41"}).
std::vector<std::string_view> split_ws(std::string_view s);

// Shortest text that reads back to the same double ("2.66", "-3500", "1e-07").
std::string format_number(double v);

// `v` rounded to 15 significant digits, the most that every decimal keeps through a double.
// For values computed from instrument numbers (unit factors, means, products): the binary
// round-off of the arithmetic goes (-4.14805 µm × 1000 = -4148.049999999999 becomes -4148.05)
// and the shortest round-trip form then prints what the instrument wrote.
double without_float_noise(double v);

// `v` rounded to an integer when it is finite and within [lo, hi]; nullopt otherwise (never
// the undefined behaviour of converting -1e20 or NaN to an integer).
std::optional<std::int64_t> to_integer_in_range(double v, std::int64_t lo, std::int64_t hi);

// Valid UTF-8 stays as is; any byte sequence that is not UTF-8 is read as Windows-1252
// (what SerialEM and EPU PCs write) and re-encoded, so JSON output is always valid.
std::string to_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);

// Last path component for both separators ("X:\\a\\b.tif" and "a/b.tif" -> "b.tif").
std::string_view basename_any(std::string_view path);

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
bool icontains(std::string_view s, std::string_view needle);

}  // namespace openem::extract
