#include "extract/tiff_reader.h"

#include <tiffio.h>
#include <pugixml.hpp>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "extract/extract_error.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

constexpr ttag_t kEerAcquisitionTag = 65001;
constexpr ttag_t kFeiHeliosTag = 34682;
constexpr ttag_t kFeiSfegTag = 34680;

thread_local std::string tls_tiff_error;

void on_tiff_error(const char* module, const char* fmt, va_list ap) {
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  tls_tiff_error = buf;
}
void on_tiff_warning(const char*, const char*, va_list) {}  // unknown EER codecs warn loudly

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(on_tiff_error);
    TIFFSetWarningHandler(on_tiff_warning);
  });
}

struct TiffCloser {
  void operator()(TIFF* t) const {
    if (t) TIFFClose(t);
  }
};

// Private tags arrive as anonymous fields with a uint32 count (TIFF_VARIABLE2) or uint16.
bool get_blob(TIFF* tif, ttag_t tag, std::string& out) {
  const TIFFField* field = TIFFFindField(tif, tag, TIFF_ANY);
  if (!field) return false;
  void* data = nullptr;
  int rc;
  std::size_t n = 0;
  int rcount = TIFFFieldReadCount(field);
  if (rcount == TIFF_VARIABLE2) {
    uint32_t c = 0;
    rc = TIFFGetField(tif, tag, &c, &data);
    n = c;
  } else if (rcount == TIFF_VARIABLE || TIFFFieldPassCount(field)) {
    uint16_t c = 0;
    rc = TIFFGetField(tif, tag, &c, &data);
    n = c;
  } else {
    char* s = nullptr;
    rc = TIFFGetField(tif, tag, &s);
    if (rc && s) out = s;
    return rc && s;
  }
  if (!rc || !data) return false;
  int width = TIFFFieldSetGetSize(field);
  if (width <= 0) width = 1;
  out.assign(static_cast<const char*>(data), n * static_cast<std::size_t>(width));
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return true;
}

void emit_ini(std::string_view text, KeyValueSink& sink) {
  std::string section;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = trim(line.substr(0, eq));
    if (key.empty()) continue;
    sink.on_value("FEI_INI." + section + "." + std::string(key), to_utf8(trim(line.substr(eq + 1))));
  }
}

std::unique_ptr<TIFF, TiffCloser> open_tiff(const std::filesystem::path& path) {
  install_handlers();
  tls_tiff_error.clear();
  std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpen(path.c_str(), "r"));
  if (!tif) {
    throw ExtractError(path.string(), 0,
                       "not a readable TIFF/EER file" + (tls_tiff_error.empty() ? std::string() : ": " + tls_tiff_error));
  }
  return tif;
}

}  // namespace

TiffLayout read_tiff_layout(const std::filesystem::path& path) {
  auto tif = open_tiff(path);
  TiffLayout l;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &l.width);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &l.height);
  TIFFGetField(tif.get(), TIFFTAG_BITSPERSAMPLE, &l.bits_per_sample);
  TIFFGetField(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &l.samples_per_pixel);
  TIFFGetField(tif.get(), TIFFTAG_SAMPLEFORMAT, &l.sample_format);
  TIFFGetField(tif.get(), TIFFTAG_COMPRESSION, &l.compression);
  // An EER file has one IFD per frame (hundreds to thousands); its acquisition XML states the
  // count, so the IFD chain is walked only when the XML does not.
  std::string blob;
  if (l.is_eer() && get_blob(tif.get(), kEerAcquisitionTag, blob)) {
    VectorSink items;
    try {
      parse_eer_metadata_xml(blob, path.string(), items);
      if (const std::string* n = items.find("EER.numberOfFrames")) l.pages = std::stoll(*n);
    } catch (const std::exception&) {  // malformed XML or count: count the IFDs instead
      l.pages = 0;
    }
  }
  if (l.pages <= 0) l.pages = TIFFNumberOfDirectories(tif.get());
  return l;
}

void parse_eer_metadata_xml(std::string_view xml, const std::string& file, KeyValueSink& sink) {
  pugi::xml_document doc;
  auto res = doc.load_buffer(xml.data(), xml.size());
  if (!res) throw ExtractError(file, 0, std::string("malformed EER metadata XML: ") + res.description());
  for (auto item : doc.document_element().children("item")) {
    std::string_view name = item.attribute("name").value();
    auto v = trim(item.child_value());
    if (name.empty() || v.empty()) continue;
    sink.on_value("EER." + std::string(name), to_utf8(v));
  }
}

void read_tiff_metadata(const std::filesystem::path& path, KeyValueSink& sink) {
  auto tif = open_tiff(path);
  uint32_t w = 0, h = 0;
  if (TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w)) sink.on_value("TIFF.Width", std::to_string(w));
  if (TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h)) sink.on_value("TIFF.Height", std::to_string(h));
  uint16_t bits = 0, comp = 0;
  if (TIFFGetField(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits)) sink.on_value("TIFF.BitsPerSample", std::to_string(bits));
  if (TIFFGetField(tif.get(), TIFFTAG_COMPRESSION, &comp)) sink.on_value("TIFF.Compression", std::to_string(comp));
  for (auto [tag, name] : {std::pair{TIFFTAG_SOFTWARE, "TIFF.Software"}, std::pair{TIFFTAG_DATETIME, "TIFF.DateTime"},
                           std::pair{TIFFTAG_MAKE, "TIFF.Make"}, std::pair{TIFFTAG_MODEL, "TIFF.Model"}}) {
    char* s = nullptr;
    if (TIFFGetField(tif.get(), tag, &s) && s && *s) sink.on_value(name, to_utf8(trim(s)));
  }
  std::string blob;
  if (get_blob(tif.get(), kEerAcquisitionTag, blob)) parse_eer_metadata_xml(blob, path.string(), sink);
  if (get_blob(tif.get(), kFeiHeliosTag, blob) || get_blob(tif.get(), kFeiSfegTag, blob)) emit_ini(blob, sink);
  // Page count last: it walks every IFD (one per EER frame), cheap compared with the data.
  sink.on_value("TIFF.Pages", std::to_string(TIFFNumberOfDirectories(tif.get())));
}

}  // namespace openem::extract
