# Installs the build into a fresh prefix, then configures, builds and runs consumer/ against it,
# as a user's project would: find_package(micro) with CMAKE_PREFIX_PATH and nothing else.
#
#   cmake -DMICRO_BUILD_DIR=... -DMICRO_SOURCE_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=...
#         -DGENERATOR=... -DCXX_COMPILER=... [-DCONSUMER_LINK_FLAGS=...] -P run_consumer.cmake
foreach(var MICRO_BUILD_DIR MICRO_SOURCE_DIR WORK_DIR CONSUMER_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake needs -D${var}=...")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(step name)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(TIMESTAMP t1 "%s")
  math(EXPR took "${t1} - ${t0}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${name}: ok (${took} s)")
  if(VERBOSE)
    message(STATUS "${out}${err}")
  endif()
  set(step_output "${out}${err}" PARENT_SCOPE)
endfunction()

step("install" "${CMAKE_COMMAND}" --install "${MICRO_BUILD_DIR}" --prefix "${prefix}")

# The layout users rely on: "micro/..." and "codecs/..." under one include root.
foreach(header micro/micro.hpp micro/actor_api.hpp codecs/codec.hpp registry/registry.hpp actors/wire.hpp)
  if(NOT EXISTS "${prefix}/include/micro/${header}")
    message(FATAL_ERROR "${header} is not installed under ${prefix}/include/micro")
  endif()
endforeach()
file(GLOB generate "${prefix}/lib*/cmake/micro/MicroGenerate.cmake")
if(NOT EXISTS "${prefix}/bin/protoc-gen-micro" OR NOT generate)
  message(FATAL_ERROR "protoc-gen-micro or MicroGenerate.cmake is not installed under ${prefix}")
endif()
file(GLOB config "${prefix}/lib*/cmake/micro/microConfig.cmake")
file(GLOB find_caf "${prefix}/lib*/cmake/micro/FindCAF.cmake")
if(NOT config OR NOT find_caf)
  message(FATAL_ERROR "microConfig.cmake or FindCAF.cmake missing under ${prefix}/lib*/cmake/micro")
endif()

set(consumer_args
  -S "${CONSUMER_DIR}" -B "${consumer_build}" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DMICRO_EXPECTED_PREFIX=${prefix}"
  "-DMICRO_SOURCE_DIR=${MICRO_SOURCE_DIR}"
  "-DMICRO_BUILD_DIR=${MICRO_BUILD_DIR}"
  # No default search of the user's package registry: only the prefix may provide micro.
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
# The consumer compiles without our build's flags (it is a user's project). No cmake cache
# from the environment either: run with a clean CMAKE_PREFIX_PATH.
step("configure consumer" "${CMAKE_COMMAND}" -E env --unset=CMAKE_PREFIX_PATH --unset=micro_DIR
  "${CMAKE_COMMAND}" ${consumer_args})
step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}")

# Runs without LD_LIBRARY_PATH: the installed libraries are found through RPATH/RUNPATH.
step("run consumer" "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH
  "${consumer_build}/app" --server_address 127.0.0.1:0)
message(STATUS "consumer output:\n${step_output}")
if(NOT step_output MATCHES "consumer: all checks passed" OR step_output MATCHES "FAILED"
   OR step_output MATCHES "runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer")
  message(FATAL_ERROR "consumer did not pass its checks")
endif()
