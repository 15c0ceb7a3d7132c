#pragma once
// A URL's query string as a map, percent-decoded ('+' is a space), as browsers encode forms and
// URLSearchParams. Malformed escapes are kept as written rather than refused: a dashboard query
// names a service, a node or a message, and a wrong one gets its own 404 or 400 further on.

#include <map>
#include <string>

namespace micro::web {

std::string url_decode(const std::string& s);
std::map<std::string, std::string> parse_query(const std::string& query);

}  // namespace micro::web
