// Sanitizer defaults compiled into every executable of a MICRO_SANITIZE build (see
// cmake/MicroHelpers.cmake), so tests, the servers they start, the CLI and the samples all
// behave the same whether ctest, a script or a person runs them. The environment still wins:
// a key given in UBSAN_OPTIONS or LSAN_OPTIONS overrides the one here.
//
// UBSan: every report is fatal and has a stack, except the CAF-internal one that ubsan.supp
// (next to this file) names and explains. LSan: leaks are reported, except the two CAF-internal
// ones that lsan.supp names and explains.

#if !defined(MICRO_UBSAN_SUPPRESSIONS) || !defined(MICRO_LSAN_SUPPRESSIONS)
#error "MICRO_UBSAN_SUPPRESSIONS and MICRO_LSAN_SUPPRESSIONS (paths of the .supp files) must be defined"
#endif

extern "C" __attribute__((visibility("default"), used)) const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" MICRO_UBSAN_SUPPRESSIONS;
}

extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_options() {
  return "suppressions=" MICRO_LSAN_SUPPRESSIONS;
}
