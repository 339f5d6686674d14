#include "core/human_bytes.h"

#include <cstdio>

namespace openem {

std::string human_bytes(double bytes, int decimals) {
  static const char* const kUnits[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 5) bytes /= 1000, ++unit;
  char buf[48];
  if (unit == 0) std::snprintf(buf, sizeof buf, "%.0f bytes", bytes);
  else std::snprintf(buf, sizeof buf, "%.*f %s", decimals, bytes, kUnits[unit]);
  return buf;
}

}  // namespace openem
