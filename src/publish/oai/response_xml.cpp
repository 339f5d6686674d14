#include "publish/oai/response_xml.h"

#include "publish/markup.h"

namespace openem::oai {

std::string envelope_start(std::string_view response_date, const ArgumentList* echo, std::string_view base_url) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n"
      "<responseDate>";
  out += response_date;
  out += "</responseDate>\n<request";
  if (echo)
    for (const auto& [name, value] : *echo) out += " " + name + "=\"" + xml_escape(value) + "\"";
  out += ">" + xml_escape(base_url) + "</request>\n";
  return out;
}

std::string error_document(std::string_view response_date, const ArgumentList* echo, std::string_view base_url,
                           const Error& error) {
  return envelope_start(response_date, echo, base_url) + "<error code=\"" + xml_escape(error.code) + "\">" +
         xml_escape(error.message) + "</error>\n" + std::string(kEnvelopeEnd);
}

std::string record_header(std::string_view identifier, std::string_view datestamp,
                          const std::vector<std::string>& set_specs, bool deleted) {
  std::string out = deleted ? "<header status=\"deleted\">" : "<header>";
  out += "<identifier>" + xml_escape(identifier) + "</identifier><datestamp>" + xml_escape(datestamp) + "</datestamp>";
  if (!deleted)
    for (const auto& s : set_specs) out += "<setSpec>" + xml_escape(s) + "</setSpec>";
  return out + "</header>";
}

std::string resumption_token_element(std::string_view token, std::string_view expiration,
                                     std::int64_t complete_list_size, std::int64_t cursor) {
  std::string out = "<resumptionToken";
  if (!expiration.empty()) out += " expirationDate=\"" + xml_escape(expiration) + "\"";
  if (complete_list_size > 0) out += " completeListSize=\"" + std::to_string(complete_list_size) + "\"";
  out += " cursor=\"" + std::to_string(cursor) + "\">" + xml_escape(token) + "</resumptionToken>\n";
  return out;
}

}  // namespace openem::oai
