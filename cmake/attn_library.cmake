# attn_add_library(target sources...): a static library of attn sources with the
# include paths, dependencies and warnings libattn has.
# libattn is all of src/attn; the sanitizer builds also make smaller libraries of
# just the modules their tests link (attn_modules_sources), so that CI compiles
# each file only where it is tested.
function(attn_add_library target)
  add_library(${target} STATIC ${ARGN})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
    $<INSTALL_INTERFACE:include>)
  target_include_directories(${target} PRIVATE ${ATTN_CBLAS_INCLUDE})
  target_include_directories(${target} SYSTEM PRIVATE ${ATTN_STB_INCLUDE}
    ${ATTN_SENTENCEPIECE_INCLUDE})
  target_link_libraries(${target} PUBLIC fmt::fmt nlohmann_json::nlohmann_json Threads::Threads
    OpenSSL::Crypto ${ATTN_OPENBLAS_LIB} ${ATTN_STB_LIB} ${ATTN_SENTENCEPIECE_TRAIN_LIB}
    ${ATTN_SENTENCEPIECE_LIB} PRIVATE $<BUILD_INTERFACE:attn_warnings>)
  # The committed data tables (data_tables/) are assembled into the library, so
  # `attn data fetch` finds them in the build tree and when installed alike. Source
  # properties belong to a directory: set them where the target is made.
  set_source_files_properties(${PROJECT_SOURCE_DIR}/src/attn/data/data_tables.cpp
    TARGET_DIRECTORY ${target} PROPERTIES
    COMPILE_DEFINITIONS ATTN_DATA_TABLES_DIR="${PROJECT_SOURCE_DIR}/data_tables"
    OBJECT_DEPENDS "${PROJECT_SOURCE_DIR}/data_tables/kjv-rv1909/realign.tsv;${PROJECT_SOURCE_DIR}/data_tables/cmudict-g2p/train-2007.csv.gz")
endfunction()

# attn_modules_sources(out module...): the .cpp files of the named src/attn modules.
function(attn_modules_sources out)
  set(sources "")
  foreach(module ${ARGN})
    file(GLOB module_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/attn/${module}/*.cpp)
    list(APPEND sources ${module_sources})
  endforeach()
  set(${out} ${sources} PARENT_SCOPE)
endfunction()
