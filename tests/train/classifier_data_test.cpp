#include "attn/train/classifier_data.h"

#include "attn/data/word_tokenizer.h"
#include "test_util.h"

namespace attn::train {
namespace {

ExampleSet one_example(const std::string& text) {
  ExampleSet set;
  set.source = "mem";
  set.examples.push_back({text, "spam", "1", 1, {}});
  return set;
}

DataConfig data_cfg(const std::string& truncate) {
  DataConfig d;
  d.truncate = truncate;
  return d;
}

TEST(ClassifierData, HeadAndHeadTailTruncation) {
  WordTokenizer tok;
  tok.set_vocabulary({"", "[UNK]", "a", "b", "c", "d", "e", "f"});
  LabelInfo labels{{"ham", "spam"}, 1};
  const auto set = one_example("a b c d e f");
  EXPECT_EQ(encode_split(set, tok, labels, 4, data_cfg("head"), true, true).ids[0],
            (std::vector<std::int32_t>{2, 3, 4, 5}));
  EXPECT_EQ(encode_split(set, tok, labels, 4, data_cfg("head_tail"), true, true).ids[0],
            (std::vector<std::int32_t>{2, 3, 6, 7}));
  EXPECT_EQ(encode_split(set, tok, labels, 5, data_cfg("head_tail"), true, true).ids[0],
            (std::vector<std::int32_t>{2, 3, 5, 6, 7}));
  // Short texts are untouched; targets: 1 = positive class.
  const auto enc =
      encode_split(one_example("a b"), tok, labels, 4, data_cfg("head_tail"), true, true);
  EXPECT_EQ(enc.ids[0], (std::vector<std::int32_t>{2, 3}));
  EXPECT_EQ(enc.targets[0], 1.0f);
}

TEST(ClassifierData, TextFieldsAreJoinedInOrder) {
  Example e{"body", "spam", "1", 1, {{"from", "Ann <a@x.org>"}}};
  EXPECT_EQ(input_text(e, {"text"}), "body");
  EXPECT_EQ(input_text(e, {"from", "text"}), "Ann <a@x.org>\nbody");
  EXPECT_EQ(input_text(e, {"reply_to", "text"}), "body");  // a missing field is empty
}

}  // namespace
}  // namespace attn::train
