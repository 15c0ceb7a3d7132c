#include "codegen/text.hpp"

#include <stdexcept>

namespace micro::codegen {

std::string fill(const std::string& tmpl, const vars& v) {
  std::string out;
  out.reserve(tmpl.size() * 2);
  std::size_t i = 0;
  while (i < tmpl.size()) {
    auto open = tmpl.find('$', i);
    if (open == std::string::npos) {
      out.append(tmpl, i, std::string::npos);
      break;
    }
    out.append(tmpl, i, open - i);
    auto close = tmpl.find('$', open + 1);
    if (close == std::string::npos)
      throw std::logic_error("unterminated $ in template: " + tmpl);
    auto name = tmpl.substr(open + 1, close - open - 1);
    if (name.empty()) {
      out += '$';
    } else {
      auto it = v.find(name);
      if (it == v.end())
        throw std::logic_error("template variable $" + name + "$ has no value");
      out += it->second;
    }
    i = close + 1;
  }
  return out;
}

std::string comment_block(const std::vector<std::string>& lines, const std::string& indent) {
  std::string out;
  for (const auto& line : lines)
    out += indent + "//" + line + "\n";
  return out;
}

}  // namespace micro::codegen
