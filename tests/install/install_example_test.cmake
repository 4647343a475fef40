# Installs attn into a scratch prefix, builds examples/ out of tree with
# find_package(attn) + attn::attn, and runs the seed example for one epoch on a
# tiny corpus. Invoked by CTest with -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=...
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/data")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples" -B "${WORK_DIR}/build" -G Ninja
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")

foreach(split train valid test)
  set(lines "")
  foreach(i RANGE 1 24)
    math(EXPR odd "${i} % 2")
    if(odd)
      string(APPEND lines "{\"text\": \"win free cash prize now ${i}\", \"label\": \"spam\"}\n")
    else()
      string(APPEND lines "{\"text\": \"meeting notes for the project ${i}\", \"label\": \"ham\"}\n")
    endif()
  endforeach()
  file(WRITE "${WORK_DIR}/data/${split}.jsonl" "${lines}")
endforeach()

run("${WORK_DIR}/build/seed_classifier" "${WORK_DIR}/data" "${WORK_DIR}/run" 1)
if(NOT LAST_OUTPUT MATCHES "Total params: 673,281")
  message(FATAL_ERROR "summary missing from example output:\n${LAST_OUTPUT}")
endif()
if(NOT EXISTS "${WORK_DIR}/run/model.safetensors")
  message(FATAL_ERROR "example did not write ${WORK_DIR}/run/model.safetensors")
endif()
message(STATUS "installed package builds and runs examples/seed_classifier.cpp")
