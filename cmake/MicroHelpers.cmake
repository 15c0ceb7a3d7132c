# Sanitized builds. CAF 0.17's own headers bind a reference to a null pointer whenever an actor
# is spawned without arguments (caf/detail/init_fun_factory.hpp); that UB gets compiled into our
# TUs. UBSan cannot skip a header at compile time with GCC, so the `null` check is made
# recoverable, and every executable of the build gets tests/sanitizers/defaults.cpp: UBSan then
# skips exactly what tests/sanitizers/ubsan.supp lists and halts on everything else, and LSan
# skips the CAF-internal leaks that tests/sanitizers/lsan.supp lists. Compiled in rather than
# set per test, so that servers and tools started by the tests get the same settings.
if(MICRO_SANITIZE)
  add_compile_options(-fsanitize-recover=null)
  add_library(micro_sanitizer_defaults OBJECT "${PROJECT_SOURCE_DIR}/tests/sanitizers/defaults.cpp")
  target_compile_definitions(micro_sanitizer_defaults PRIVATE
    "MICRO_UBSAN_SUPPRESSIONS=\"${PROJECT_SOURCE_DIR}/tests/sanitizers/ubsan.supp\""
    "MICRO_LSAN_SUPPRESSIONS=\"${PROJECT_SOURCE_DIR}/tests/sanitizers/lsan.supp\"")
endif()

# Links micro_sanitizer_defaults into every executable under `dir`. Executables only: the hook
# must live in the program (in a shared library it would lose to the runtime's own default), and
# nothing of it may reach the installed package (link_libraries() would export it).
function(micro_link_sanitizer_defaults dir)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES micro_sanitizer_defaults)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    micro_link_sanitizer_defaults("${sub}")
  endforeach()
endfunction()

if(MICRO_SANITIZE)
  if(CMAKE_VERSION VERSION_LESS 3.19)
    message(WARNING "CMake < 3.19: sanitizer defaults are not linked in; set "
                    "UBSAN_OPTIONS=halt_on_error=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/ubsan.supp "
                    "and LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/lsan.supp")
  else()
    # Once every directory has defined its targets.
    cmake_language(DEFER DIRECTORY "${PROJECT_SOURCE_DIR}"
                   CALL micro_link_sanitizer_defaults "${PROJECT_SOURCE_DIR}")
  endif()
endif()

# micro_add_library(<folder> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One top-level folder = one library target `micro_<folder>` with alias `micro::<folder>`
# and export name `<folder>`. Headers sit beside sources; the include root is the repo root.
function(micro_add_library folder)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target micro_${folder})
  add_library(${target} ${ARG_SOURCES})
  add_library(micro::${folder} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${folder}
    OUTPUT_NAME micro_${folder}
    POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/micro>)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS} micro_warnings)
  if(MICRO_SANITIZE)
    # Sanitized libraries need the sanitizer runtimes loaded first: an installed sanitized
    # micro makes its users link them (inside the build, add_link_options does it).
    target_link_options(${target} INTERFACE "$<INSTALL_INTERFACE:-fsanitize=address,undefined>")
  endif()
  set_property(GLOBAL APPEND PROPERTY MICRO_LIBRARY_TARGETS ${target})
  install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/micro/${folder}"
          FILES_MATCHING PATTERN "*.hpp")
endfunction()
