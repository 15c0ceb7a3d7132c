# Runs protoc with protoc-gen-micro on a .proto it must refuse: protoc must fail, its error must
# contain EXPECT (literally), and no file may be written.
#   cmake -DPROTOC=... -DPLUGIN=... -DPROTO_DIR=... -DPROTO=x.proto -DWORK_DIR=... -DEXPECT=...
#         [-DPARAMETER=...] -P check_reject.cmake
foreach(var PROTOC PLUGIN PROTO_DIR PROTO WORK_DIR EXPECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_reject.cmake needs -D${var}=...")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(out "${WORK_DIR}")
if(DEFINED PARAMETER)
  set(out "${PARAMETER}:${WORK_DIR}")
endif()
execute_process(
  COMMAND "${PROTOC}" "--plugin=protoc-gen-micro=${PLUGIN}" "--micro_out=${out}" "-I${PROTO_DIR}" "${PROTO}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
if(rc EQUAL 0)
  message(FATAL_ERROR "protoc accepted ${PROTO}; expected an error containing: ${EXPECT}")
endif()
string(FIND "${stderr}" "${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "protoc's error for ${PROTO} does not say \"${EXPECT}\":\n${stderr}")
endif()
file(GLOB_RECURSE written "${WORK_DIR}/*")
if(written)
  message(FATAL_ERROR "protoc wrote files for a refused ${PROTO}: ${written}")
endif()
message(STATUS "refused as expected: ${stderr}")
