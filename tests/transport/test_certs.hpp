#pragma once
// A throwaway PKI for the TLS tests, made with the openssl CLI in a fresh temporary folder (and
// removed with it): a cluster CA and certificates it signed (valid, expired), and a second CA
// with a certificate of its own (a stranger's).

#include <string>

namespace transport_test {

class test_certs {
 public:
  test_certs();  // REQUIREs that openssl made every file
  ~test_certs();
  test_certs(const test_certs&) = delete;
  test_certs& operator=(const test_certs&) = delete;

  std::string path(const std::string& file) const { return dir_ + "/" + file; }
  std::string ca() const { return path("ca.crt"); }
  std::string node_cert() const { return path("node.crt"); }
  std::string node_key() const { return path("node.key"); }
  std::string expired_cert() const { return path("expired.crt"); }
  std::string expired_key() const { return path("expired.key"); }
  std::string stranger_ca() const { return path("stranger-ca.crt"); }
  std::string stranger_cert() const { return path("stranger.crt"); }
  std::string stranger_key() const { return path("stranger.key"); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace transport_test
