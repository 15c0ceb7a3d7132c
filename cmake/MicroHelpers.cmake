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
