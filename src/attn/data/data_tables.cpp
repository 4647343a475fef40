#include "attn/data/data_tables.h"

// CMakeLists.txt defines ATTN_DATA_TABLES_DIR as the absolute path of the
// source tree's data_tables/ and makes this object depend on the files, so
// editing a table rebuilds it.
#ifndef ATTN_DATA_TABLES_DIR
#error "ATTN_DATA_TABLES_DIR must name the data_tables/ folder (set in CMakeLists.txt)"
#endif

// The assembler's .incbin copies a file's bytes into .rodata at build time: no
// generated source and no 0.7 MB array literal for the compiler to parse.
// `sym` and `sym_end` bracket the bytes; hidden keeps them out of the
// dynamic symbol table.
#define ATTN_EMBED_FILE(sym, file)                                                          \
  asm(".pushsection .rodata\n"                                                              \
      ".balign 16\n"                                                                        \
      ".globl " #sym "\n.hidden " #sym "\n.globl " #sym "_end\n.hidden " #sym "_end\n" #sym \
      ":\n"                                                                                 \
      ".incbin \"" ATTN_DATA_TABLES_DIR "/" file "\"\n" #sym "_end:\n.popsection\n")

ATTN_EMBED_FILE(attn_table_realign_tsv, "kjv-rv1909/realign.tsv");
ATTN_EMBED_FILE(attn_table_cmudict_gz, "cmudict-g2p/train-2007.csv.gz");

extern "C" {
extern const char attn_table_realign_tsv[];
extern const char attn_table_realign_tsv_end[];
extern const char attn_table_cmudict_gz[];
extern const char attn_table_cmudict_gz_end[];
}

namespace attn {

std::string_view kjv_rv1909_realign_table() {
  return {attn_table_realign_tsv,
          static_cast<std::size_t>(attn_table_realign_tsv_end - attn_table_realign_tsv)};
}

std::string_view cmudict_train_2007_gz() {
  return {attn_table_cmudict_gz,
          static_cast<std::size_t>(attn_table_cmudict_gz_end - attn_table_cmudict_gz)};
}

}  // namespace attn
