#pragma once
// Small text helpers for the emitters: templates with $name$ variables, and comment blocks.

#include <map>
#include <string>
#include <vector>

namespace micro::codegen {

using vars = std::map<std::string, std::string>;

/// `tmpl` with every $name$ replaced by vars[name]; "$$" is a literal '$'. An unknown name is
/// a bug in the generator: it throws std::logic_error.
std::string fill(const std::string& tmpl, const vars& v);

/// `lines` as "// line\n" each, every line prefixed by `indent`; "" for no lines.
std::string comment_block(const std::vector<std::string>& lines, const std::string& indent);

}  // namespace micro::codegen
