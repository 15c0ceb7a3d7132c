# Generates a .proto's micro files with protoc-gen-micro and compares them byte for byte with
# the checked-in golden copies. After a deliberate change to the generator, refresh them with
# the same command plus -DUPDATE=ON (ctest -R codegen.golden -V prints it), then review the diff.
#   cmake -DPROTOC=... -DPLUGIN=... -DPROTO_DIR=... -DPROTO=a/b.proto -DGOLDEN_DIR=...
#         -DWORK_DIR=... [-DUPDATE=ON] -P check_golden.cmake
foreach(var PROTOC PLUGIN PROTO_DIR PROTO GOLDEN_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_golden.cmake needs -D${var}=...")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(
  COMMAND "${PROTOC}" "--plugin=protoc-gen-micro=${PLUGIN}" "--micro_out=${WORK_DIR}" "-I${PROTO_DIR}" "${PROTO}"
  RESULT_VARIABLE rc ERROR_VARIABLE stderr)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "protoc failed on ${PROTO}:\n${stderr}")
endif()
string(REGEX REPLACE "\\.proto$" "" base "${PROTO}")
set(mismatched "")
foreach(suffix .micro.h .micro.cc .micro.actor.h)
  set(got "${WORK_DIR}/${base}${suffix}")
  set(want "${GOLDEN_DIR}/${base}${suffix}")
  if(UPDATE)
    configure_file("${got}" "${want}" COPYONLY)
    message(STATUS "updated ${want}")
    continue()
  endif()
  if(NOT EXISTS "${want}")
    list(APPEND mismatched "${want} (missing)")
    continue()
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${got}" "${want}" RESULT_VARIABLE differs)
  if(differs)
    execute_process(COMMAND diff -u "${want}" "${got}" OUTPUT_VARIABLE diff)
    message(STATUS "${base}${suffix} differs from its golden copy:\n${diff}")
    list(APPEND mismatched "${base}${suffix}")
  endif()
endforeach()
if(mismatched)
  message(FATAL_ERROR "generated output differs from the golden files: ${mismatched}\n"
    "If the change is intended, rerun this command with -DUPDATE=ON and review the diff:\n"
    "  cmake -DPROTOC=${PROTOC} -DPLUGIN=${PLUGIN} -DPROTO_DIR=${PROTO_DIR} -DPROTO=${PROTO} "
    "-DGOLDEN_DIR=${GOLDEN_DIR} -DWORK_DIR=${WORK_DIR} -DUPDATE=ON -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
