#pragma once
// Small tables committed under data_tables/ that `attn data fetch` needs, built
// into libattn so the fetch works the same from the build tree and from an
// installed binary (no search for a share/ folder at run time).
#include <string_view>

namespace attn {

// data_tables/kjv-rv1909/realign.tsv: the 193 hand-checked KJV <-> RV1909
// verse pairs that differ from pairing by key (see its README.md).
std::string_view kjv_rv1909_realign_table();

// data_tables/cmudict-g2p/train-2007.csv.gz: the training side of the CMUdict
// G2P split of Yao & Zweig (2015), gzip bytes (see its README.md).
std::string_view cmudict_train_2007_gz();

}  // namespace attn
