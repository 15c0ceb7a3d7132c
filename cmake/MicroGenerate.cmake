# micro_generate(<target> PROTOS a.proto [b.proto ...] [IMPORT_DIRS dir ...] [OUT_DIR dir])
#
# Runs protoc with --cpp_out and protoc-gen-micro on each .proto and adds the results to
# <target>: <name>.pb.h/.pb.cc (the messages), <name>.micro.h/.micro.cc (typed clients and
# handlers), <name>.micro.actor.h (the actor API, header-only). <target> gets the output
# directory as a PUBLIC include directory and links micro::micro and protobuf::libprotobuf.
#
# A .proto's generated name is its path relative to the first IMPORT_DIRS entry that holds it
# (so `import "a/b.proto";` and `#include "a/b.micro.h"` agree), else its file name alone (its own
# directory is then searched for imports). Relative paths are taken from the current source dir.
# Several targets using one .proto: generate it into a library and link that (or give each call
# its own OUT_DIR). Part of find_package(micro); in micro's own build, of the top CMakeLists.txt.
function(micro_generate target)
  cmake_parse_arguments(ARG "" "OUT_DIR" "PROTOS;IMPORT_DIRS" ${ARGN})
  if(NOT TARGET ${target})
    message(FATAL_ERROR "micro_generate: ${target} is not a target (add_executable/add_library it first)")
  endif()
  if(NOT ARG_PROTOS)
    message(FATAL_ERROR "micro_generate(${target}): no PROTOS given")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "micro_generate(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET protobuf::protoc OR NOT TARGET micro::protoc-gen-micro)
    message(FATAL_ERROR "micro_generate needs protoc (Debian: protobuf-compiler) and micro's protoc-gen-micro")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}")
  if(ARG_OUT_DIR)
    get_filename_component(out "${ARG_OUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set(import_dirs "")
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND import_dirs "${dir}")
  endforeach()

  set(generated "")
  foreach(proto IN LISTS ARG_PROTOS)
    get_filename_component(abs "${proto}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${abs}")
      message(FATAL_ERROR "micro_generate(${target}): ${abs} does not exist")
    endif()
    set(root "")
    foreach(dir IN LISTS import_dirs)
      file(RELATIVE_PATH rel "${dir}" "${abs}")
      if(NOT rel MATCHES "^\\.\\./")
        set(root "${dir}")
        break()
      endif()
    endforeach()
    set(includes "")
    if(NOT root)
      get_filename_component(root "${abs}" DIRECTORY)
      list(APPEND includes "-I${root}")
    endif()
    foreach(dir IN LISTS import_dirs)
      list(APPEND includes "-I${dir}")
    endforeach()
    file(RELATIVE_PATH rel "${root}" "${abs}")
    string(REGEX REPLACE "\\.proto$" "" base "${rel}")
    set(outputs "${out}/${base}.pb.h" "${out}/${base}.pb.cc" "${out}/${base}.micro.h"
                "${out}/${base}.micro.cc" "${out}/${base}.micro.actor.h")
    # One rule per output file: a second target generating the same files would make two.
    get_property(owner GLOBAL PROPERTY "micro_generate:${out}/${base}.micro.h")
    if(owner)
      message(FATAL_ERROR "micro_generate(${target}): ${rel} is generated into ${out} for ${owner} already; "
        "generate it once into a library and link that to both, or give this call another OUT_DIR")
    endif()
    set_property(GLOBAL PROPERTY "micro_generate:${out}/${base}.micro.h" "${target}")
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${out}"
      COMMAND protobuf::protoc "--cpp_out=${out}" "--micro_out=${out}"
              "--plugin=protoc-gen-micro=$<TARGET_FILE:micro::protoc-gen-micro>" ${includes} "${abs}"
      DEPENDS "${abs}" "$<TARGET_FILE:micro::protoc-gen-micro>"
      COMMENT "protoc-gen-micro: ${rel}"
      VERBATIM)
    list(APPEND generated ${outputs})
  endforeach()
  target_sources(${target} PRIVATE ${generated})
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${out}>")
  target_link_libraries(${target} PUBLIC micro::micro protobuf::libprotobuf)
endfunction()
