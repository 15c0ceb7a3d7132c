#pragma once
// argv and envp for execve of a bench child: the parent's environment without MICRO_* (so an
// outer configuration cannot leak into a measured process), plus `env`. The pointers point
// into the stored strings: keep the object alive until execve.

#include <map>
#include <string>
#include <vector>

extern char** environ;

namespace micro::bench {

struct exec_args {
  std::vector<std::string> argv_store, env_store;
  std::vector<char*> argv, envp;

  exec_args(const std::string& path, const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
      : argv_store{path} {
    argv_store.insert(argv_store.end(), args.begin(), args.end());
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (entry.rfind("MICRO_", 0) != 0)
        env_store.push_back(entry);
    }
    for (auto& [k, v] : env)
      env_store.push_back(k + "=" + v);
    for (auto& a : argv_store)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_store)
      envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  exec_args(const exec_args&) = delete;
  exec_args& operator=(const exec_args&) = delete;
};

}  // namespace micro::bench
