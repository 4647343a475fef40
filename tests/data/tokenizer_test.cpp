#include "attn/data/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/char_tokenizer.h"
#include "attn/data/word_tokenizer.h"

namespace attn {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<std::int32_t>;

TEST(WordTokenizer, KerasLowerAndStripPunctuation) {
  const WordTokenizer tok;
  // Keras removes punctuation (it does not replace it by a space), then splits on whitespace.
  EXPECT_EQ(tok.split("Hello, World!"), (Strings{"hello", "world"}));
  EXPECT_EQ(tok.split("Don't STOP--believing..."), (Strings{"dont", "stopbelieving"}));
  EXPECT_EQ(tok.split("  e-mail:\ta@b.com\n(#1) [x]_y "), (Strings{"email", "abcom", "1", "xy"}));
  EXPECT_EQ(tok.split("!!! ..."), Strings{});
  EXPECT_EQ(tok.standardize("A~B`C|D{E}F^G\\H\"I"), "abcdefghi");
}

TEST(WordTokenizer, UnicodeLowercaseAndPunctuation) {
  const WordTokenizer tok;
  // Latin-1 capitals, guillemets, em dash, ellipsis, curly quotes, no-break space (U+00A0).
  EXPECT_EQ(tok.split("Ça va? «TRÈS» bien — merci… “Ok”\u00A0ÜBER"),
            (Strings{"ça", "va", "très", "bien", "merci", "ok", "über"}));
  // Greek, Cyrillic and Latin Extended-A capitals.
  EXPECT_EQ(tok.standardize("ΣΟΦΊΑ МИР ŁÓDŹ ŸĲ"), "σοφία мир łódź ÿĳ");
  // ascii_only reproduces Keras exactly: non-ASCII is left alone.
  WordTokenizerOptions keras;
  keras.ascii_only = true;
  EXPECT_EQ(WordTokenizer(keras).standardize("ÇA «B»!"), "Ça «b»");
  WordTokenizerOptions none;
  none.standardize = Standardize::none;
  EXPECT_EQ(WordTokenizer(none).split("Hi, there"), (Strings{"Hi,", "there"}));
}

TEST(WordTokenizer, VocabularyByFrequencyCappedAtMaxTokens) {
  WordTokenizer tok;
  tok.build({"a a a b b c", "C d!"}, /*max_tokens=*/4);
  // counts: a 3, b 2, c 2, d 1; the b/c tie breaks by token.
  EXPECT_EQ(tok.vocabulary(), (Strings{"", "[UNK]", "a", "b"}));
  EXPECT_EQ(tok.vocab_size(), 4);
  EXPECT_EQ(tok.encode("A c, d b zzz"), (Ids{2, 1, 1, 3, 1}));
  EXPECT_EQ(tok.decode({2, 1, 0, 3}), "a [UNK] b");
  EXPECT_EQ(tok.token(3), "b");
  EXPECT_THROW(tok.decode({4}), Error);
  EXPECT_THROW(tok.decode({-1}), Error);

  WordTokenizer uncapped;
  uncapped.build({"a a a b b c", "C d!"}, 0, /*min_count=*/2);
  EXPECT_EQ(uncapped.vocabulary(), (Strings{"", "[UNK]", "a", "b", "c"}));
  EXPECT_THROW(uncapped.build({"x"}, 1), Error);
}

TEST(WordTokenizer, JsonRoundTripThroughBaseFactory) {
  WordTokenizer tok;
  tok.build({"the cat sat on the mat", "The dog."}, 6);
  const nlohmann::json j = tok.to_json();
  EXPECT_EQ(j["type"], "word");
  EXPECT_EQ(j["standardize"], "lower_and_strip_punctuation");
  EXPECT_EQ(j["max_tokens"], 6);
  const std::unique_ptr<Tokenizer> back = Tokenizer::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back->to_json(), j);
  EXPECT_EQ(back->vocab_size(), tok.vocab_size());
  EXPECT_EQ(back->encode("the mat, the bird"), tok.encode("the mat, the bird"));
  EXPECT_EQ(back->pad_id(), 0);
  EXPECT_EQ(back->unk_id(), 1);
}

TEST(Tokenizer, FromJsonRejectsBadContent) {
  WordTokenizer tok;
  tok.build({"x y"}, 0);
  auto bad = [&](auto edit) {
    nlohmann::json j = tok.to_json();
    edit(j);
    EXPECT_THROW(Tokenizer::from_json(j), Error) << j.dump();
  };
  bad([](nlohmann::json& j) { j["type"] = "bpe"; });
  bad([](nlohmann::json& j) { j.erase("type"); });
  bad([](nlohmann::json& j) { j.erase("vocabulary"); });
  bad([](nlohmann::json& j) { j["vocabulary"] = {"[UNK]", "", "x"}; });
  bad([](nlohmann::json& j) { j["vocabulary"] = {"", "[UNK]", "x", "x"}; });
  bad([](nlohmann::json& j) { j["vocabulary"] = {"", "[UNK]", 3}; });
  bad([](nlohmann::json& j) { j["standardize"] = "upper"; });
  bad([](nlohmann::json& j) { j["split"] = "character"; });
  bad([](nlohmann::json& j) { j["ascii_only"] = "yes"; });
  EXPECT_THROW(Tokenizer::from_json(nlohmann::json::array()), Error);
  nlohmann::json c = {{"type", "char"}, {"vocabulary", {"", "[UNK]", "ab"}}};
  EXPECT_THROW(Tokenizer::from_json(c), Error);  // not a single character
}

TEST(CharTokenizer, RoundTripsTextInVocabulary) {
  CharTokenizer tok;
  const std::string text = "In the beginning naïve 😀 God created";
  tok.build({text});
  EXPECT_EQ(tok.decode(tok.encode(text)), text);
  EXPECT_EQ(tok.decode(tok.encode("God😀")), "God😀");
  const Ids ids = tok.encode("Gz");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[1], tok.unk_id());
  EXPECT_EQ(tok.decode(ids), "G\uFFFD");       // [UNK] decodes to U+FFFD
  EXPECT_EQ(tok.decode({0, ids[0], 0}), "G");  // padding is skipped
}

TEST(CharTokenizer, FrequencyOrderLowercaseAndCap) {
  CharTokenizer tok;
  tok.build({"abcabcab", "é"}, /*max_size=*/5);
  // a 3, b 3, c 2, é 1: ties by code point, capped at 5 entries.
  EXPECT_EQ(tok.vocabulary(), (Strings{"", "[UNK]", "a", "b", "c"}));
  EXPECT_EQ(tok.encode("cabé"), (Ids{4, 2, 3, 1}));

  CharTokenizer lower(/*lowercase=*/true);
  lower.build({"AaBÉ"});
  EXPECT_EQ(lower.vocabulary(), (Strings{"", "[UNK]", "a", "b", "é"}));
  EXPECT_EQ(lower.encode("BAé"), (Ids{3, 2, 4}));
}

TEST(CharTokenizer, JsonRoundTrip) {
  CharTokenizer tok(true);
  tok.build({"Hello, wörld"});
  const nlohmann::json j = tok.to_json();
  EXPECT_EQ(j["type"], "char");
  EXPECT_EQ(j["lowercase"], true);
  const std::unique_ptr<Tokenizer> back = Tokenizer::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back->to_json(), j);
  EXPECT_EQ(back->encode("HELLO wÖrld"), tok.encode("hello wörld"));
  EXPECT_EQ(back->decode(back->encode("low")), "low");
}

}  // namespace
}  // namespace attn

namespace attn {
namespace {

TEST(WordTokenizer, SplitPunctuationKeepsUrlParts) {
  WordTokenizerOptions o;
  o.standardize = Standardize::lower_and_split_punctuation;
  WordTokenizer split(o);
  EXPECT_EQ(split.split("See http://Free-Cash.example.com/now!"),
            (std::vector<std::string>{"see", "http", "free", "cash", "example", "com", "now"}));
  WordTokenizer keras;
  EXPECT_EQ(keras.split("See http://Free-Cash.example.com/now!"),
            (std::vector<std::string>{"see", "httpfreecashexamplecomnow"}));
  EXPECT_EQ(parse_standardize("lower_and_split_punctuation"),
            Standardize::lower_and_split_punctuation);
  EXPECT_EQ(WordTokenizer::from_json(split.to_json()).options().standardize,
            Standardize::lower_and_split_punctuation);
}

}  // namespace
}  // namespace attn
