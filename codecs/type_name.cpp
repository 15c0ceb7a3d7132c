#include "codecs/type_name.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace micro::codecs {

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

}  // namespace

std::string demangle(const std::type_info& type) {
  int rc = 0;
  std::unique_ptr<char, void (*)(void*)> name{abi::__cxa_demangle(type.name(), nullptr, nullptr, &rc), std::free};
  std::string result = (rc == 0 && name) ? name.get() : type.name();
  // Names appear in error messages; the full basic_string spelling only hides the point.
  replace_all(result, "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string");
  replace_all(result, "std::__cxx11::", "std::");
  return result;
}

}  // namespace micro::codecs
