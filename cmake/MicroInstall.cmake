# `cmake --install` puts headers, libraries and a CMake package in the prefix, so that a user's
# project does `find_package(micro)` and links `micro::micro`; with protoc-gen-micro in bin/
# (exported as micro::protoc-gen-micro) and micro_generate() (MicroGenerate.cmake).
include(CMakePackageConfigHelpers)

get_property(micro_targets GLOBAL PROPERTY MICRO_LIBRARY_TARGETS)
install(TARGETS ${micro_targets} micro_warnings
  EXPORT microTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(micro_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/micro")
install(EXPORT microTargets NAMESPACE micro:: DESTINATION "${micro_cmake_dir}")
configure_package_config_file(cmake/microConfig.cmake.in
  "${PROJECT_BINARY_DIR}/microConfig.cmake"
  INSTALL_DESTINATION "${micro_cmake_dir}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/microConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/microConfig.cmake"
  "${PROJECT_BINARY_DIR}/microConfigVersion.cmake"
  cmake/FindCAF.cmake
  cmake/MicroGenerate.cmake
  DESTINATION "${micro_cmake_dir}")
